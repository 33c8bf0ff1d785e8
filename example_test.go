package atskit_test

import (
	"context"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/sqlstore"
	"github.com/atskit/atskit/provider"
	"github.com/atskit/atskit/workable"
)

// myVendor stands for the host's interview platform.
type myVendor struct{}

func (myVendor) CreateInterview(ctx context.Context, r lifecycle.VendorRequest) (string, error) {
	return "iv-" + r.IdempotencyKey, nil
}

func (myVendor) CancelInterview(ctx context.Context, ref string) error { return nil }

// Example wires atskit into a host's server: a Workable client, the
// interview engine on a durable SQLite store, Workable's webhooks and the
// provider contract on the host's own mux. It is the README's usage snippet;
// examples/quickstart runs the same wiring against the fakes.
func Example() {
	ctx := context.Background()

	wk, err := workable.NewClient("acme", os.Getenv("WORKABLE_TOKEN"), &workable.Options{
		ActingMemberEmail: "integrations@acme.com", VendorStage: "InterviewVector",
	})
	if err != nil {
		log.Fatal(err)
	}

	// The interview state machine on a durable store; your product implements lifecycle.Vendor.
	store, err := sqlstore.Open(ctx, "sqlite", "file:atskit.db")
	if err != nil {
		log.Fatal(err)
	}
	engine := lifecycle.NewEngine(store, lifecycle.Options{Vendor: myVendor{}, VendorName: "InterviewVector"})
	engine.RegisterATS("workable", wk)
	go engine.Dispatcher(lifecycle.DispatcherOptions{}).Run(ctx) // delivers notes, moves, callbacks

	mux := http.NewServeMux()
	mux.Handle("POST /hooks/workable", workable.WebhookHandler(workable.WebhookVerifier{Secret: os.Getenv("WORKABLE_TOKEN")},
		func(ctx context.Context, evs []ats.Event) error {
			for _, ev := range evs {
				if err := engine.HandleEvent(ctx, ev); err != nil {
					return err // 500: Workable redelivers
				}
			}
			return nil
		}, nil))
	tokens := provider.NewStaticTokens(map[string]provider.Account{os.Getenv("PROVIDER_TOKEN"): "acme"})
	mux.Handle("/workable/", http.StripPrefix("/workable", provider.NewHandler(provider.NewMemoryBackend(provider.MemoryBackendOptions{}), provider.HandlerOptions{Tokens: tokens})))
	srv := &http.Server{Addr: "127.0.0.1:8080", Handler: mux, // bound the time a client may hold a connection
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	log.Fatal(srv.ListenAndServe())
}
