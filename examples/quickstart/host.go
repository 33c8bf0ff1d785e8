package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/atskit/atskit/ashby/ashbytest"
	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/greenhouse/greenhousetest"
	"github.com/atskit/atskit/hosting"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/provider"
	"github.com/atskit/atskit/telemetry"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
)

// vendorName is the vendor's product as it appears in the ATSs.
const vendorName = "InterviewVector"

// host is the vendor's own server with atskit mounted in it, serving many
// customers: one lifecycle engine and dispatcher on a durable store, and
// one hosting.Handler for every customer's webhooks, the Workable provider
// contract and the re-trigger links. What the host keeps per customer —
// ATS credentials, webhook secrets, provider tokens — lives in the small
// in-memory registries below; a real host keeps them in its database and
// implements the same interfaces over it.
type host struct {
	tl     *timeline
	log    *slog.Logger
	engine *lifecycle.Engine
	disp   *lifecycle.Dispatcher
	vendor *demoVendor

	// conns gives the engine each connection's ATS client.
	conns *lifecycle.MemoryConnector
	// hooks holds each connection's webhook verifier.
	hooks *hosting.MemoryVerifiers
	// tokens resolves a provider-contract bearer token to the
	// customer's Workable connection.
	tokens *provider.StaticTokens
	pv     *providerVendor
	// ghKeys and abKeys resolve the keys Greenhouse and Ashby present to
	// the partner contracts; cv lists tests and publishing keys; pub
	// publishes every contract's results.
	ghKeys, abKeys *provider.StaticTokens
	cv             *contractVendor
	pub            *demoPublisher

	// hc is the HTTP client of every ATS client: onWrite runs after each
	// write so the timeline shows a note or a move as soon as the fake
	// has it.
	hc *http.Client

	// replay remembers accepted webhook deliveries (the store implements
	// ats.ReplayGuard), so a captured Lever delivery is acted on once.
	replay ats.ReplayGuard

	mu     sync.Mutex
	wkFake []*workabletest.Server
	lvFake []*levertest.Server
	ghFake []*greenhousetest.Server
	abFake []*ashbytest.Server
	// lvOpts are each Lever connection's client options, kept so the
	// client can be rebuilt when the webhook's signature token is known.
	lvOpts map[string]lever.Options

	// URL is the host server's root, e.g. http://127.0.0.1:41234.
	URL string
	srv *http.Server
}

// newHost wires atskit into a host server listening on loopback.
func newHost(ctx context.Context, tl *timeline, log *slog.Logger, store lifecycle.Store, onWrite func()) (*host, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("host: listen: %w", err)
	}
	h := &host{tl: tl, log: log, URL: "http://" + ln.Addr().String(),
		conns: &lifecycle.MemoryConnector{}, hooks: &hosting.MemoryVerifiers{},
		tokens: provider.NewStaticTokens(nil), pv: &providerVendor{callbackTokens: map[string]string{}},
		ghKeys: provider.NewStaticTokens(nil), abKeys: provider.NewStaticTokens(nil), cv: &contractVendor{keys: map[string]string{}},
		// telemetry.Transport records each ATS call as an OpenTelemetry
		// client span (a child of the effect delivery that made it) and
		// counts 429s and pacing waits; with no SDK installed
		// (otel.SetTracerProvider) it records nothing.
		hc: &http.Client{Timeout: 30 * time.Second,
			Transport: telemetry.Transport(writeObserver{base: http.DefaultTransport, after: onWrite}, telemetry.TransportOptions{})},
		lvOpts: map[string]lever.Options{}}
	h.replay, _ = store.(ats.ReplayGuard)

	// Results of interviews Workable requested through the provider
	// contract are PUT to Workable's callback URL. In this demo that URL is
	// a loopback httptest server over plain http, so the publisher's SSRF
	// guard is relaxed with AllowLoopback and AllowInsecureHTTP. Never set
	// these in production: there callbacks must be https to *.workable.com.
	pubOpts := provider.PublisherOptions{
		AllowLoopback: true, AllowInsecureHTTP: true,
		MaxRetries: 2, RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 100 * time.Millisecond,
		Timeout: 5 * time.Second, Logger: log,
		// Callback requests are ATS calls too: traced like the adapters'.
		WrapTransport: func(rt http.RoundTripper) http.RoundTripper {
			return telemetry.Transport(rt, telemetry.TransportOptions{})
		},
	}
	// Greenhouse's PATCH and Ashby's assessment.update go through the same
	// guard; a completed Greenhouse test's report is attached through the
	// connection's Harvest client (Reports).
	h.pub = &demoPublisher{ContractPublisher: lifecycle.ContractPublisher{
		Workable: provider.NewPublisher(pubOpts), Greenhouse: provider.NewGreenhousePublisher(pubOpts), Reports: h.conns,
	}, ashby: map[string]*provider.AshbyPublisher{}}
	// Re-trigger links are signed per connection, so a link cannot be
	// bent to another customer's interview.
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	links := &hosting.RetriggerLinks{BaseURL: h.URL, Secret: secret}

	h.vendor = newDemoVendor(tl)
	h.engine = lifecycle.NewEngine(store, lifecycle.Options{
		Connector:    h.conns,
		Vendor:       h.vendor,
		VendorName:   vendorName,
		Publisher:    h.pub,
		RetriggerURL: links.URL,
		Logger:       log,
	})
	// One worker keeps the demo's timeline in a stable order; production
	// hosts run the default pool with Run in a goroutine.
	h.disp = h.engine.Dispatcher(lifecycle.DispatcherOptions{
		Owner: "quickstart", Workers: 1, MaxAttempts: 5,
		Backoff: func(int) time.Duration { return 20 * time.Millisecond },
	})

	handler, err := hosting.NewHandler(hosting.Options{
		Engine: h.engine, Webhooks: h.hooks, Links: links,
		ProviderTokens: h.tokens, ProviderVendor: h.pv, Connector: h.conns, Logger: log,
		GreenhouseKeys: h.ghKeys, AshbyKeys: h.abKeys, ContractVendor: h.cv,
		OnEvent: func(_ context.Context, ev ats.Event) {
			if ev.CandidateID == "" { // Greenhouse's and Ashby's ping when a webhook is saved
				tl.printf(ev.Connection, "→ webhook %s (answered)", ev.Type)
				return
			}
			tl.printf(ev.Connection, "→ webhook %s %s %q", ev.Type, tl.who(ev.Connection, ev.CandidateID), tl.stageName(ev.Connection, ev.ToStage))
		},
	})
	if err != nil {
		ln.Close()
		return nil, err
	}
	h.srv = &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute,
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) }}
	go func() {
		if err := h.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("host: serve", "err", err)
		}
	}()
	return h, nil
}

// hookURL is the webhook route of a connection.
func (h *host) hookURL(kind, conn string) string { return h.URL + "/hooks/" + kind + "/" + conn }

// connectWorkable is the host's "Authenticate" button for a customer's
// Workable account: it stores the customer's token (in a client), the
// webhook secret (Workable signs with the token that subscribed) and the
// provider-contract tokens, then connects the account, which runs
// CheckSetup.
func (h *host) connectWorkable(ctx context.Context, conn string, fake *workabletest.Server, token, providerToken, callbackToken string) (*workable.Client, error) {
	// The fakes run without rate limits, so the client's pacing is
	// disabled; omit RateLimit in production.
	c, err := workable.NewClient(workable.Options{Subdomain: fake.Subdomain(), Token: token,
		BaseURL: fake.URL, MemberID: fake.DefaultMemberID(), VendorStage: vendorName,
		WebhookURL: h.hookURL("workable", conn), RateLimit: -1, Logger: h.log, HTTPClient: h.hc,
	})
	if err != nil {
		return nil, err
	}
	h.conns.Set(conn, c)
	h.hooks.Set("workable", conn, hosting.VerifierFunc(func(body []byte, hdr http.Header) ([]ats.Event, error) {
		return workable.VerifyWebhook(body, hdr, token)
	}))
	h.tokens.Add(providerToken, provider.Account(conn))
	h.pv.setCallbackToken(conn, callbackToken)
	h.mu.Lock()
	h.wkFake = append(h.wkFake, fake)
	h.mu.Unlock()
	return c, h.connect(ctx, conn, "workable")
}

// connectLever is the host's "Grant access" for a customer's Lever
// account. The webhook's signature token is only known once the webhook is
// created (setLeverToken).
func (h *host) connectLever(ctx context.Context, conn string, fake *levertest.Server, bot string) (*lever.Client, error) {
	opts := lever.Options{
		APIKey: levertest.DefaultAPIKey, BaseURL: fake.URL, PerformAs: bot, VendorTag: vendorName,
		VendorStages: []string{"To be scheduled", "Scheduled", "Interview - Yes", "Interview - No", "Unable to schedule"},
		WebhookURL:   h.hookURL("lever", conn), RateLimit: -1, Logger: h.log, HTTPClient: h.hc,
	}
	c, err := lever.NewClient(opts)
	if err != nil {
		return nil, err
	}
	h.conns.Set(conn, c)
	h.mu.Lock()
	h.lvFake = append(h.lvFake, fake)
	h.lvOpts[conn] = opts
	h.mu.Unlock()
	return c, h.connect(ctx, conn, "lever")
}

// connect records the connection. The customer's account is checked with
// the adapter's CheckSetup only later (the demo subscribes to webhooks
// after seeding), so this demo connects before the account is ready.
func (h *host) connect(ctx context.Context, conn, kind string) error {
	c, err := h.engine.Connect(ctx, lifecycle.ConnectOptions{ID: conn, Kind: kind, SkipSetupCheck: true, Reason: "customer authenticated"})
	if err != nil {
		return err
	}
	h.tl.printf(sideHost, "connected %s (%s): %s", conn, kind, c.State)
	return nil
}

// setLeverToken keeps the signature token Lever returned for a
// connection's webhook, to verify its deliveries.
//
// Lever signs only the delivery token and time, so the verifier remembers
// each token (h.replay) and acts on a delivery once; with that memory it
// accepts Lever's retries and an admin's Rerun for up to two weeks. The
// connection's client is rebuilt with the token, as a host does when it
// stores a credential, so CheckSetup sees it configured.
func (h *host) setLeverToken(conn, token string) error {
	h.hooks.Set("lever", conn, lever.WebhookVerifier{Secrets: []string{token}, Replay: h.replay, Connection: conn})
	h.mu.Lock()
	opts := h.lvOpts[conn]
	h.mu.Unlock()
	opts.WebhookSecrets = []string{token}
	c, err := lever.NewClient(opts)
	if err != nil {
		return err
	}
	h.conns.Set(conn, c)
	return nil
}

// verifierFunc adapts a function to ats.WebhookVerifier.
type verifierFunc func(body []byte, hdr http.Header) ([]ats.Event, error)

func (f verifierFunc) VerifyWebhook(body []byte, hdr http.Header) ([]ats.Event, error) {
	return f(body, hdr)
}

// providerVendor is the vendor's side of Workable's provider contract: the
// templates every customer can pick and the callback token Workable issued
// to each customer's integration.
type providerVendor struct {
	mu             sync.Mutex
	callbackTokens map[string]string
}

var providerTemplates = []provider.InterviewTemplate{
	{ID: "backend-l2", Name: "Backend engineer, level 2"},
	{ID: "frontend-l1", Name: "Frontend engineer, level 1"},
}

func (p *providerVendor) setCallbackToken(conn, token string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.callbackTokens[conn] = token
}

// InterviewTemplates implements hosting.ProviderVendor.
func (p *providerVendor) InterviewTemplates(context.Context, string) ([]provider.InterviewTemplate, error) {
	return providerTemplates, nil
}

// CallbackToken implements hosting.ProviderVendor.
func (p *providerVendor) CallbackToken(_ context.Context, conn string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	tok, ok := p.callbackTokens[conn]
	if !ok {
		return "", fmt.Errorf("no callback token for connection %q", conn)
	}
	return tok, nil
}

// setAshbyPublisher gives a connection the publisher of its Ashby
// account's API (see demoPublisher).
func (h *host) setAshbyPublisher(conn, baseURL string) {
	h.pub.mu.Lock()
	defer h.pub.mu.Unlock()
	h.pub.ashby[conn] = provider.NewAshbyPublisher(provider.AshbyPublisherOptions{BaseURL: baseURL, PublisherOptions: provider.PublisherOptions{
		AllowLoopback: true, AllowInsecureHTTP: true, MaxRetries: 2, Timeout: 5 * time.Second, Logger: h.log}})
}

// Close stops the host server.
func (h *host) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return h.srv.Shutdown(ctx)
}

// report passes a vendor update to the engine.
func (h *host) report(ctx context.Context, iv vendorInterview, u lifecycle.Update) error {
	what := string(u.Kind)
	switch {
	case u.Link != "":
		what += " " + u.Link
	case !u.At.IsZero():
		what += " " + u.At.Format("Mon 2 Jan 15:04 MST")
	case u.Result != nil:
		what += fmt.Sprintf(" grade=%s score=%s", u.Result.Grade, u.Result.Score)
	}
	h.tl.printf(sideHost, "report %s %s: %s", iv.Ref, iv.Candidate, what)
	if _, err := h.engine.Report(ctx, iv.InterviewID, u); err != nil {
		return fmt.Errorf("report %s of %s: %w", u.Kind, iv.Ref, err)
	}
	return nil
}

// settle delivers everything in flight: webhooks from every fake, then the
// outbox, until neither has work left. Deliveries can cause effects (a
// webhook creates an interview) and effects can cause deliveries (a stage
// move fires a webhook), so it loops. Effects waiting for a retry are
// waited for until they are due.
func (h *host) settle(ctx context.Context) error {
	h.mu.Lock()
	wks, lvs, ghs, abs := h.wkFake, h.lvFake, h.ghFake, h.abFake
	h.mu.Unlock()
	for {
		for _, gh := range ghs {
			if err := gh.WaitDeliveries(ctx); err != nil {
				return fmt.Errorf("waiting for Greenhouse's webhook deliveries: %w", err)
			}
		}
		for _, ab := range abs {
			if err := ab.WaitDeliveries(ctx); err != nil {
				return fmt.Errorf("waiting for Ashby's webhook deliveries: %w", err)
			}
		}
		for _, wk := range wks {
			if err := wk.WaitDeliveries(ctx); err != nil {
				return fmt.Errorf("waiting for Workable's webhook deliveries: %w", err)
			}
		}
		for _, lv := range lvs {
			lv.WaitDeliveries(context.Background())
		}
		n, err := h.disp.Drain(ctx)
		if err != nil {
			return fmt.Errorf("dispatching effects: %w", err)
		}
		if n > 0 {
			continue
		}
		pending, err := h.engine.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectPending})
		if err != nil {
			return err
		}
		if len(pending) == 0 {
			return nil
		}
		due := pending[0].NextAttemptAt
		for _, e := range pending {
			if e.NextAttemptAt.Before(due) {
				due = e.NextAttemptAt
			}
		}
		t := time.NewTimer(time.Until(due))
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%d effects still pending (next retry %s): %w", len(pending), due.Format(time.RFC3339Nano), ctx.Err())
		case <-t.C:
		}
	}
}

// writeObserver calls after once a request other than GET got a response.
type writeObserver struct {
	base  http.RoundTripper
	after func()
}

// RoundTrip implements http.RoundTripper.
func (o writeObserver) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := o.base.RoundTrip(r)
	if err == nil && r.Method != http.MethodGet && o.after != nil {
		o.after()
	}
	return resp, err
}
