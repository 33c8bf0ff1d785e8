package atskit_test

import (
	"context"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/hosting"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/sqlstore"
	"github.com/atskit/atskit/workable"
)

// myVendor stands for the host's interview platform.
type myVendor struct{}

func (myVendor) CreateInterview(ctx context.Context, r lifecycle.VendorRequest) (string, error) {
	return "iv-" + r.IdempotencyKey, nil
}

func (myVendor) CancelInterview(ctx context.Context, ref string) error { return nil }

// Example serves several customers from one deployment: each customer's
// Workable account is a connection with its own token and webhook route,
// one engine on a durable SQLite store serves them all, and one
// hosting.Handler mounts every customer's webhooks and re-trigger links. It
// is the README's usage snippet; examples/quickstart runs the same wiring
// for two Workable and two Lever customers against the fakes.
func Example() {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, "sqlite", "file:atskit.db")
	if err != nil {
		log.Fatal(err)
	}

	// Your customers' accounts, usually rows in your database: the engine
	// asks conns for a connection's client, the handler asks hooks for its
	// webhook verifier, each time, so a rotated token applies at once.
	conns, hooks := &lifecycle.MemoryConnector{}, &hosting.MemoryVerifiers{}
	customers := map[string]struct{ subdomain, token string }{
		"acme-workable":   {"acme", os.Getenv("ACME_WORKABLE_TOKEN")},
		"globex-workable": {"globex", os.Getenv("GLOBEX_WORKABLE_TOKEN")},
	}
	for id, c := range customers {
		wk, err := workable.NewClient(workable.Options{Subdomain: c.subdomain, Token: c.token,
			ActingMemberEmail: "integrations@vendor.example", VendorStage: "InterviewVector",
			WebhookURL: "https://vendor.example/atskit/hooks/workable/" + id,
		})
		if err != nil {
			log.Fatal(err)
		}
		conns.Set(id, wk)
		hooks.Set("workable", id, hosting.VerifierFunc(func(body []byte, h http.Header) ([]ats.Event, error) {
			return workable.VerifyWebhook(body, h, c.token) // Workable signs with the customer's token
		}))
	}

	links := &hosting.RetriggerLinks{BaseURL: "https://vendor.example/atskit", Secret: []byte(os.Getenv("LINK_SECRET"))}
	engine := lifecycle.NewEngine(store, lifecycle.Options{
		Connector: conns, Vendor: myVendor{}, VendorName: "InterviewVector", RetriggerURL: links.URL,
	})
	for id := range customers {
		// Connect runs the account's CheckSetup and records the connection;
		// DisableConnection, EnableConnection and RemoveConnection follow
		// the customer's toggle and "revoke access".
		if _, err := engine.Connect(ctx, lifecycle.ConnectOptions{ID: id, Kind: "workable"}); err != nil {
			log.Printf("%s: %v", id, err)
		}
	}
	go engine.Dispatcher(lifecycle.DispatcherOptions{}).Run(ctx) // delivers notes, moves, callbacks

	// POST /atskit/hooks/workable/{connection}, /atskit/retrigger/…
	h, err := hosting.NewHandler(hosting.Options{Engine: engine, Webhooks: hooks, Links: links})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/atskit/", http.StripPrefix("/atskit", h))
	srv := &http.Server{Addr: "127.0.0.1:8080", Handler: mux, // bound the time a client may hold a connection
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	log.Fatal(srv.ListenAndServe())
}
