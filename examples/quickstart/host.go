package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/provider"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
)

// Names the host uses for its tenants and credentials in this demo.
const (
	vendorName = "InterviewVector"
	// providerToken is the bearer token the vendor issued to the customer
	// ("acme") for Workable's provider contract.
	providerToken = "iv-provider-token-acme"
	// workableCallbackToken is the token Workable issued for the
	// integration; results are PUT with it.
	workableCallbackToken = "workable-callback-token-acme"
)

// host is the vendor's own server with atskit mounted in it: the webhook
// endpoints, the Workable provider contract, the re-trigger link, and the
// lifecycle engine with its dispatcher on a durable store.
type host struct {
	tl     *timeline
	log    *slog.Logger
	engine *lifecycle.Engine
	disp   *lifecycle.Dispatcher
	vendor *demoVendor

	workable *workable.Client
	lever    *lever.Client
	wkFake   *workabletest.Server
	lvFake   *levertest.Server

	leverHooks *leverVerifier
	backend    *providerBackend

	// URL is the host server's root, e.g. http://127.0.0.1:41234.
	URL string
	srv *http.Server
}

// newHost wires atskit into a host server listening on loopback.
func newHost(ctx context.Context, tl *timeline, log *slog.Logger, store lifecycle.Store,
	wkFake *workabletest.Server, lvFake *levertest.Server, leverBot string, onWrite func()) (*host, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("host: listen: %w", err)
	}
	h := &host{tl: tl, log: log, wkFake: wkFake, lvFake: lvFake, URL: "http://" + ln.Addr().String(),
		leverHooks: &leverVerifier{}}

	// onWrite runs after every write the clients make, so the timeline
	// shows a note or a move as soon as the fake has it.
	hc := &http.Client{Timeout: 30 * time.Second, Transport: writeObserver{base: http.DefaultTransport, after: onWrite}}

	// The customers' ATS accounts. The fakes run without rate limits, so
	// the clients' pacing is disabled; omit RateLimit in production.
	h.workable, err = workable.NewClient(wkFake.Subdomain(), workabletest.Token, &workable.Options{
		BaseURL: wkFake.BaseURL(), MemberID: wkFake.DefaultMemberID(), VendorStage: vendorName,
		WebhookURL: h.URL + "/hooks/workable", RateLimit: -1, Logger: log, HTTPClient: hc,
	})
	if err != nil {
		ln.Close()
		return nil, err
	}
	h.lever, err = lever.NewClient(lever.Options{
		APIKey: levertest.DefaultAPIKey, BaseURL: lvFake.APIURL(), PerformAs: leverBot, VendorTag: vendorName,
		WebhookURL: h.URL + "/hooks/lever", RateLimit: -1, Logger: log, HTTPClient: hc,
	})
	if err != nil {
		ln.Close()
		return nil, err
	}

	// Results of interviews Workable requested through the provider
	// contract are PUT to Workable's callback URL. In this demo that URL is
	// a loopback httptest server over plain http, so the publisher's SSRF
	// guard is relaxed with AllowLoopback and AllowInsecureHTTP. Never set
	// these in production: there callbacks must be https to *.workable.com.
	pub := provider.NewPublisher(provider.PublisherOptions{
		AllowLoopback: true, AllowInsecureHTTP: true,
		MaxRetries: 2, RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 100 * time.Millisecond,
		Timeout: 5 * time.Second, Logger: log,
	})

	h.vendor = newDemoVendor(tl)
	h.engine = lifecycle.NewEngine(store, lifecycle.Options{
		Adapters:     map[string]ats.Adapter{"workable": h.workable, "lever": h.lever},
		Vendor:       h.vendor,
		VendorName:   vendorName,
		Publisher:    lifecycle.ProviderPublisher{Publisher: pub},
		RetriggerURL: func(id string) string { return h.URL + "/retrigger/" + id },
		Logger:       log,
	})
	// One worker keeps the demo's timeline in a stable order; production
	// hosts run the default pool with Run in a goroutine.
	h.disp = h.engine.Dispatcher(lifecycle.DispatcherOptions{
		Owner: "quickstart", Workers: 1, MaxAttempts: 5,
		Backoff: func(int) time.Duration { return 20 * time.Millisecond },
	})

	h.backend = &providerBackend{h: h, templates: []provider.InterviewTemplate{
		{ID: "backend-l2", Name: "Backend engineer, level 2"},
		{ID: "frontend-l1", Name: "Frontend engineer, level 1"},
	}, ids: map[string]providerInterview{}}

	mux := http.NewServeMux()
	mux.Handle("POST /hooks/workable", workable.WebhookHandler(workable.WebhookVerifier{Secret: workabletest.Token},
		h.onEvents, &workable.HandlerOptions{Logger: log}))
	mux.Handle("POST /hooks/lever", lever.WebhookHandler(h.leverHooks, h.onEvents, lever.WebhookHandlerOptions{Logger: log}))
	tokens := provider.NewStaticTokens(map[string]provider.Account{providerToken: "acme"})
	mux.Handle("/workable/provider/", http.StripPrefix("/workable/provider",
		provider.NewHandler(h.backend, provider.HandlerOptions{Tokens: tokens, Logger: log})))
	mux.HandleFunc("GET /retrigger/{id}", h.retriggerPage)
	mux.HandleFunc("POST /retrigger/{id}", h.retrigger)

	h.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute,
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) }}
	go func() {
		if err := h.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("host: serve", "err", err)
		}
	}()
	return h, nil
}

// Close stops the host server.
func (h *host) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return h.srv.Shutdown(ctx)
}

// onEvents receives verified webhook events from either ATS and hands them
// to the engine. An error answers 500, so the ATS delivers again.
func (h *host) onEvents(ctx context.Context, evs []ats.Event) error {
	for _, ev := range evs {
		stage := h.tl.stageName(ev.Source, ev.ToStage)
		h.tl.printf(ev.Source, "→ webhook %s %s %q", ev.Type, h.tl.who(ev.Source, ev.CandidateID), stage)
		if err := h.engine.HandleEvent(ctx, ev); err != nil {
			h.tl.printf(sideHost, "✗ engine refused %s event %s: %v", ev.Source, ev.ID, err)
			return err
		}
	}
	return nil
}

// retriggerPage answers a recruiter who clicked the re-trigger link in a
// needs-info note with a confirmation button (a GET must not change state).
func (h *host) retriggerPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<form method="post"><button>Re-trigger interview %s</button></form>`, html.EscapeString(r.PathValue("id")))
}

// retrigger re-reads the candidate and requests the interview again.
func (h *host) retrigger(w http.ResponseWriter, r *http.Request) {
	iv, err := h.engine.Retrigger(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, lifecycle.ErrNotFound):
		http.Error(w, "no such interview", http.StatusNotFound)
		return
	case errors.Is(err, lifecycle.ErrIllegalTransition):
		http.Error(w, err.Error(), http.StatusConflict)
		return
	case err != nil:
		h.log.Error("host: re-trigger", "err", err)
		http.Error(w, "re-trigger failed", http.StatusInternalServerError)
		return
	}
	h.tl.printf(sideHost, "re-triggered %s %s: now %s", iv.Source, h.tl.who(iv.Source, iv.CandidateID), iv.State)
	fmt.Fprintln(w, iv.State)
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

// settle delivers everything in flight: webhooks from both fakes, then the
// outbox, until neither has work left. Deliveries can cause effects (a
// webhook creates an interview) and effects can cause deliveries (a stage
// move fires a webhook), so it loops. Effects waiting for a retry are
// waited for until they are due.
func (h *host) settle(ctx context.Context) error {
	for {
		if err := h.wkFake.WaitDeliveries(ctx); err != nil {
			return fmt.Errorf("waiting for Workable's webhook deliveries: %w", err)
		}
		h.lvFake.FlushWebhooks()
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

// leverVerifier verifies Lever deliveries with the signature token of the
// webhook the host registered, which is only known after registering it.
type leverVerifier struct {
	mu    sync.RWMutex
	token string
}

func (v *leverVerifier) set(token string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.token = token
}

// VerifyWebhook implements ats.WebhookVerifier.
func (v *leverVerifier) VerifyWebhook(body []byte, hdr http.Header) ([]ats.Event, error) {
	v.mu.RLock()
	tok := v.token
	v.mu.RUnlock()
	return lever.WebhookVerifier{SignatureToken: tok}.VerifyWebhook(body, hdr)
}

// providerBackend is the vendor's side of Workable's Video Interview
// Provider contract: provider.Handler calls it when Workable lists
// templates or requests an interview, and it hands interviews to the
// engine (Engine.ProviderInterview) so they follow the same lifecycle as
// stage-triggered ones, with the result PUT to Workable's callback URL.
type providerBackend struct {
	h         *host
	templates []provider.InterviewTemplate

	mu  sync.Mutex
	ids map[string]providerInterview // provider interview id -> interview
}

type providerInterview struct {
	account     provider.Account
	interviewID string
}

// InterviewTemplates implements provider.InterviewBackend.
func (b *providerBackend) InterviewTemplates(context.Context, provider.Account) ([]provider.InterviewTemplate, error) {
	return b.templates, nil
}

// CreateInterview implements provider.InterviewBackend.
func (b *providerBackend) CreateInterview(ctx context.Context, account provider.Account, req provider.CreateInterviewRequest) (string, error) {
	var round string
	for _, t := range b.templates {
		if t.ID == req.InterviewTemplateID {
			round = t.Name
		}
	}
	if round == "" {
		return "", &provider.Error{Status: http.StatusUnprocessableEntity, Message: "Unknown interview_template_id"}
	}
	c := req.Candidate
	cand := ats.Candidate{Name: strings.TrimSpace(c.FirstName + " " + c.LastName), FirstName: c.FirstName,
		LastName: c.LastName, Emails: []string{c.Email}, JobID: req.JobID}
	if c.Phone != "" {
		cand.Phones = []string{c.Phone}
	}
	// The contract does not carry Workable's candidate ID. Matching the
	// candidate by e-mail among the job's candidates lets the engine's
	// notes land on their Workable timeline.
	cand.ID = b.findCandidate(ctx, req.JobID, c.Email)
	id := "pv_" + randomHex(8)
	iv, err := b.h.engine.ProviderInterview(ctx, lifecycle.ProviderRequest{
		Source: "workable", EventID: id, CandidateID: cand.ID, JobID: req.JobID,
		RoundName: round, Template: req.InterviewTemplateID, Candidate: cand,
		Callback: lifecycle.Callback{URL: req.CallbackURL, Token: workableCallbackToken},
	})
	if err != nil {
		return "", err
	}
	b.mu.Lock()
	b.ids[id] = providerInterview{account: account, interviewID: iv.ID}
	b.mu.Unlock()
	b.h.tl.printf(sideHost, "provider contract: interview %s for %s (%s) → %s", id, cand.Name, req.InterviewTemplateID, iv.State)
	return id, nil
}

func (b *providerBackend) findCandidate(ctx context.Context, jobID, email string) string {
	if jobID != "" {
		for c, err := range b.h.workable.Candidates(ctx, ats.CandidateFilter{JobID: jobID}) {
			if err != nil {
				b.h.log.Warn("host: look up provider candidate", "err", err)
				break
			}
			if strings.EqualFold(c.Email(), email) {
				return c.ID
			}
		}
	}
	return "email:" + strings.ToLower(email)
}

// Interview implements provider.InterviewBackend: Workable polls it for the
// same document the callback receives.
func (b *providerBackend) Interview(ctx context.Context, account provider.Account, id string) (provider.Result, error) {
	b.mu.Lock()
	pi, ok := b.ids[id]
	b.mu.Unlock()
	if !ok || pi.account != account {
		return provider.Result{}, provider.ErrNotFound
	}
	iv, err := b.h.engine.Interview(ctx, pi.interviewID)
	if err != nil {
		return provider.Result{}, err
	}
	switch iv.State {
	case lifecycle.StateCompleted, lifecycle.StateReported:
		r := lifecycle.CallbackResult{Status: lifecycle.CallbackCompleted}
		if iv.Result != nil {
			r.ResultsURL, r.Score, r.Grade, r.Summary, r.Duration = iv.Result.ReportURL, iv.Result.Score, iv.Result.Grade, iv.Result.Summary, iv.Result.Duration
		}
		return lifecycle.ProviderResult(r), nil
	case lifecycle.StateExpired:
		return provider.Result{Status: provider.StatusExpired}, nil
	case lifecycle.StateCancelled, lifecycle.StateDeclined, lifecycle.StateUnableToSchedule:
		return provider.Result{Status: provider.StatusDeclined}, nil
	}
	return provider.Result{Status: provider.StatusPending}, nil
}

// interviewID returns the lifecycle interview of a provider interview.
func (b *providerBackend) interviewID(id string) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	pi, ok := b.ids[id]
	return pi.interviewID, ok
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
