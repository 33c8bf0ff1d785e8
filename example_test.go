package atskit_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/hosting"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/sqlstore/sqlite"
	"github.com/atskit/atskit/provider"
	"github.com/atskit/atskit/workable"
)

// Example is a complete host serving several customers' Workable accounts,
// the README's usage: main reads the configuration and runs the host until
// SIGINT or SIGTERM, then shuts it down gracefully. TestREADMEUsage
// (readme_test.go) runs the same wiring against workabletest.
func Example() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := configFromEnv(myPlatform{})
	if err != nil {
		log.Fatal(err)
	}
	h, err := newHost(cfg)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		log.Fatal(err)
	}
	if err := h.start(ctx, ln); err != nil {
		log.Fatal(err)
	}
	<-ctx.Done() // SIGINT or SIGTERM
	if err := h.shutdown(30 * time.Second); err != nil {
		log.Fatal(err)
	}
}

// configFromEnv reads the configuration from the environment (README.md
// lists the variables). A real host reads its customers from its database.
func configFromEnv(vendor lifecycle.Vendor) (config, error) {
	addr := getenv("ATSKIT_ADDR", ":8080")
	_, port, _ := net.SplitHostPort(addr)
	cfg := config{
		Addr:       addr,
		PublicURL:  getenv("ATSKIT_PUBLIC_URL", "http://localhost:"+port+"/atskit"),
		DB:         getenv("ATSKIT_DB", "atskit.db"),
		VendorName: getenv("VENDOR_NAME", "YourProduct"),
		LinkSecret: []byte(os.Getenv("LINK_SECRET")),
		Vendor:     vendor,
		Customers: []customer{{
			ID: "acme-workable", Subdomain: getenv("ACME_WORKABLE_SUBDOMAIN", "acme"),
			Token:         os.Getenv("ACME_WORKABLE_TOKEN"),
			BaseURL:       os.Getenv("ACME_WORKABLE_URL"), // empty: Workable itself
			ProviderToken: os.Getenv("ACME_PROVIDER_TOKEN"), CallbackToken: os.Getenv("ACME_CALLBACK_TOKEN"),
		}},
		Interview: lifecycle.PositionConfig{
			Rounds:  []lifecycle.Round{{Name: "Technical", Template: "backend-l2"}},
			Require: []lifecycle.Field{lifecycle.FieldEmail},
			// Expiry needs the engine's background loop (host.start runs it).
			InvitationTTL: 7 * 24 * time.Hour,
		},
	}
	var missing []string
	for _, v := range []string{"LINK_SECRET", "ACME_WORKABLE_TOKEN", "ACME_PROVIDER_TOKEN", "ACME_CALLBACK_TOKEN"} {
		if os.Getenv(v) == "" {
			missing = append(missing, v)
		}
	}
	if len(missing) > 0 {
		return config{}, fmt.Errorf("set the environment variables %s (README.md, Usage)", strings.Join(missing, ", "))
	}
	if len(cfg.LinkSecret) < 32 {
		return config{}, fmt.Errorf("LINK_SECRET has %d bytes; set it to at least 32 random bytes, e.g. export LINK_SECRET=$(openssl rand -hex 32)", len(cfg.LinkSecret))
	}
	if v := os.Getenv("WORKABLE_RATE_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return config{}, fmt.Errorf("WORKABLE_RATE_LIMIT=%q: want requests per 10 s, 0 for Workable's limit or -1 for none (a fake)", v)
		}
		cfg.RateLimit = n
	}
	return cfg, nil
}

// getenv returns the environment variable key, or def when it is unset.
func getenv(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// config is the host's configuration; customers usually come from your
// database.
type config struct {
	Addr       string // where the server listens
	PublicURL  string // how the ATSs reach the mounted handler
	DB         string // the SQLite file of the lifecycle store
	VendorName string // your product: the Workable stage that links a job, and the notes' signature
	LinkSecret []byte // signs re-trigger links: 32 random bytes
	Vendor     lifecycle.Vendor
	Customers  []customer
	// Interview is applied to every newly linked job; a real host lets
	// the customer choose rounds and stages per job in its own UI.
	Interview lifecycle.PositionConfig
	// RateLimit paces each account's requests per 10 s: 0 is Workable's
	// documented limit; tests against the fake turn pacing off with -1.
	RateLimit int
}

// customer is one customer's Workable account, a lifecycle connection.
type customer struct {
	ID            string // the connection ID you choose
	Subdomain     string // acme for acme.workable.com
	Token         string // the account's API token; Workable signs webhooks with it
	BaseURL       string // empty for Workable; a fake's URL in tests
	ProviderToken string // what Workable presents on the provider contract for this customer
	CallbackToken string // what Workable issued for result callbacks
}

// myPlatform is your interview platform.
type myPlatform struct{}

func (myPlatform) CreateInterview(ctx context.Context, r lifecycle.VendorRequest) (string, error) {
	// Create the interview for r.Candidate with template r.Template,
	// idempotently by r.IdempotencyKey, and report its progress with
	// engine.Report(ctx, r.InterviewID, lifecycle.Update{...}).
	slog.Info("your platform: create interview", "interview", r.InterviewID, "candidate", r.Candidate.ID, "template", r.Template)
	return "iv-" + r.IdempotencyKey, nil
}

func (myPlatform) CancelInterview(ctx context.Context, ref string) error { return nil }

// host wires atskit into one server.
type host struct {
	cfg     config
	store   lifecycle.Store
	engine  *lifecycle.Engine
	server  *http.Server
	clients map[string]*workable.Client

	stop context.CancelFunc // ends the background loops
	wg   sync.WaitGroup
	done func() error // closes the store
}

// newHost opens the store and builds the clients, the engine and the
// HTTP server. Nothing runs until start.
func newHost(cfg config) (*host, error) {
	store, err := sqlite.Open(context.Background(), cfg.DB)
	if err != nil {
		return nil, err
	}
	h := &host{cfg: cfg, store: store, done: store.Close, clients: map[string]*workable.Client{}}
	conns, hooks := &lifecycle.MemoryConnector{}, &hosting.MemoryVerifiers{}
	tokens, callbacks := provider.NewStaticTokens(nil), map[string]string{}
	for _, c := range cfg.Customers {
		wk, err := workable.NewClient(workable.Options{Subdomain: c.Subdomain, Token: c.Token,
			BaseURL: c.BaseURL, ActingMemberEmail: "integrations@vendor.example", VendorStage: cfg.VendorName,
			WebhookURL: cfg.PublicURL + "/hooks/workable/" + c.ID, RateLimit: cfg.RateLimit,
		})
		if err != nil {
			store.Close()
			return nil, fmt.Errorf("customer %s: %w", c.ID, err)
		}
		h.clients[c.ID] = wk
		conns.Set(c.ID, wk)
		token := c.Token
		hooks.Set("workable", c.ID, hosting.VerifierFunc(func(body []byte, hdr http.Header) ([]ats.Event, error) {
			return workable.VerifyWebhook(body, hdr, token)
		}))
		tokens.Add(c.ProviderToken, provider.Account(c.ID))
		callbacks[c.ID] = c.CallbackToken
	}
	links := &hosting.RetriggerLinks{BaseURL: cfg.PublicURL, Secret: cfg.LinkSecret}
	h.engine = lifecycle.NewEngine(store, lifecycle.Options{
		Connector: conns, Vendor: cfg.Vendor, VendorName: cfg.VendorName, RetriggerURL: links.URL,
		// Results of interviews Workable ordered through the provider
		// contract go to Workable's callback URL.
		Publisher: lifecycle.ContractPublisher{Workable: provider.NewPublisher(provider.PublisherOptions{})},
	})
	// POST /hooks/workable/{connection}, /retrigger/…, /provider/… (Workable's
	// provider contract, each bearer token resolving to its customer).
	handler, err := hosting.NewHandler(hosting.Options{
		Engine: h.engine, Webhooks: hooks, Links: links, Connector: conns,
		ProviderTokens: tokens, ProviderVendor: templates{callbacks},
	})
	if err != nil {
		store.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/atskit/", http.StripPrefix("/atskit", handler))
	h.server = &http.Server{Handler: mux, // bound how long a client may hold a connection
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	return h, nil
}

// start serves ln, starts the engine's timers (invitation expiry,
// reconciliation) and the dispatcher (notes, moves, callbacks, the
// vendor's calls), and sets up every customer. It returns once they are
// set up; the host runs until shutdown.
func (h *host) start(ctx context.Context, ln net.Listener) error {
	slog.Info("serving", "addr", ln.Addr().String(), "public_url", h.cfg.PublicURL)
	go func() {
		if err := h.server.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			slog.Error("serve", "err", err)
		}
	}()
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	h.stop = stop
	dispatcher := h.engine.Dispatcher(lifecycle.DispatcherOptions{})
	for _, run := range []func(context.Context) error{h.engine.Run, dispatcher.Run} {
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			if err := run(bg); err != nil && bg.Err() == nil {
				slog.Error("background loop", "err", err)
			}
		}()
	}
	for _, c := range h.cfg.Customers {
		// One customer's broken account does not stop the others.
		h.logSetUp(c.ID, h.setUp(ctx, c.ID))
	}
	return nil
}

// setUp subscribes to a customer's webhooks, connects the account (its
// setup check) and activates its linked jobs. Run it again when the
// customer links a job or changes a pipeline: it is idempotent.
func (h *host) setUp(ctx context.Context, id string) error {
	sub := ats.Subscription{Event: workable.EventCandidateMoved, Target: h.cfg.PublicURL + "/hooks/workable/" + id}
	if _, err := h.clients[id].EnsureSubscription(ctx, sub); err != nil {
		return fmt.Errorf("subscribe to webhooks at %s: %w", sub.Target, err)
	}
	if _, err := h.engine.Connect(ctx, lifecycle.ConnectOptions{ID: id, Kind: "workable"}); err != nil {
		return err
	}
	positions, err := h.engine.RefreshPositions(ctx, id)
	if err != nil {
		return err
	}
	for _, p := range positions {
		if p.Status != lifecycle.PositionPending {
			continue
		}
		if len(p.Config.Rounds) == 0 {
			if _, err := h.engine.ConfigurePosition(ctx, p.ID, h.cfg.Interview); err != nil {
				return err
			}
		}
		if _, err := h.engine.ActivatePosition(ctx, p.ID); err != nil {
			return err
		}
	}
	return nil
}

// logSetUp logs the outcome of setUp: what to fix when the account is not
// ready (its webhooks change nothing until it is set up again), or which
// jobs are active.
func (h *host) logSetUp(id string, err error) {
	var failed *lifecycle.SetupError
	if errors.As(err, &failed) {
		if report, ok := failed.Report.(*ats.SetupReport); ok {
			for _, c := range report.Checks {
				level := slog.LevelError
				switch c.Status {
				case ats.SetupOK:
					continue
				case ats.SetupWarning:
					level = slog.LevelWarn
				}
				attrs := []any{"connection", id, "check", c.Name, "status", c.Status, "detail", c.Detail}
				if c.Fix != "" {
					attrs = append(attrs, "fix", c.Fix)
				}
				slog.Log(context.Background(), level, "customer not set up: fix this, then restart", attrs...)
			}
			return
		}
	}
	if err != nil {
		slog.Error("customer not set up: its webhooks are ignored until it is", "connection", id, "err", err)
		return
	}
	positions, err := h.engine.Positions(context.Background(), lifecycle.PositionFilter{Connection: id})
	if err != nil {
		slog.Error("list positions", "connection", id, "err", err)
		return
	}
	var active []string
	for _, p := range positions {
		if p.Status == lifecycle.PositionActive {
			active = append(active, p.Title)
		}
	}
	if len(active) == 0 {
		slog.Warn("customer set up, but no job is linked: add the stage "+h.cfg.VendorName+" to a job's pipeline in Workable, then restart", "connection", id)
		return
	}
	slog.Info("customer set up: waiting for candidates moved into "+h.cfg.VendorName, "connection", id, "jobs", active,
		"webhooks", h.cfg.PublicURL+"/hooks/workable/"+id)
}

// shutdown stops accepting requests, lets those in flight finish (up to
// grace), stops the background loops and closes the store. Effects not yet
// delivered stay in the outbox for the next start.
func (h *host) shutdown(grace time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := h.server.Shutdown(ctx)
	h.stop()
	h.wg.Wait()
	return errors.Join(err, h.done())
}

// templates is your side of Workable's provider contract.
type templates struct{ callbacks map[string]string }

func (templates) InterviewTemplates(ctx context.Context, connection string) ([]provider.InterviewTemplate, error) {
	return []provider.InterviewTemplate{{ID: "backend-l2", Name: "Backend engineer, level 2"}}, nil
}

func (t templates) CallbackToken(ctx context.Context, connection string) (string, error) {
	return t.callbacks[connection], nil
}
