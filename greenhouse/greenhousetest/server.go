package greenhousetest

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atskit/atskit/internal/fakeserver"
)

// Credentials the server accepts out of the box.
const (
	// DefaultClientID and DefaultClientSecret are a customer's own Harvest
	// V3 (OAuth) credentials (client credentials grant) with every scope.
	DefaultClientID     = "greenhousetest-client"
	DefaultClientSecret = "greenhousetest-secret"
	// PartnerClientID and PartnerClientSecret are a partner's credentials
	// (authorization-code grant only) with every scope.
	PartnerClientID     = "greenhousetest-partner"
	PartnerClientSecret = "greenhousetest-partner-secret"
)

// BasePath is where the Harvest API is mounted: a non-empty path, so a
// client that drops the configured base path reaches a loud 404.
const BasePath = "/harvest/v3"

// MaxRequestBytes caps request bodies; larger ones get 413 (Greenhouse's
// bulk endpoints document 10 MB).
const MaxRequestBytes = 10 << 20

// AllScopes returns every scope the fake's routes check (a fresh slice).
func AllScopes() []string {
	return []string{
		"harvest:jobs:list", "harvest:job_interview_stages:list", "harvest:job_interviews:list",
		"harvest:applications:list", "harvest:applications:move", "harvest:applications:reject",
		"harvest:applications:unreject", "harvest:rejection_reasons:list", "harvest:candidates:list",
		"harvest:attachments:list", "harvest:attachments:create", "harvest:notes:create", "harvest:notes:list",
		"harvest:candidate_tags:list", "harvest:candidate_tags:create", "harvest:applied_candidate_tags:list",
		"harvest:applied_candidate_tags:create", "harvest:applied_candidate_tags:destroy",
		"harvest:interviews:list", "harvest:interviews:create", "harvest:interviews:update", "harvest:interviews:destroy",
		"harvest:users:list", "harvest:user_emails:list",
		"harvest:webhooks:list", "harvest:webhooks:create", "harvest:webhooks:update", "harvest:webhooks:destroy",
	}
}

// DefaultRetryGaps returns Greenhouse's documented retry schedule: after a
// failed attempt, the next comes 1, 15, 60, 120, 240 and 480 minutes later
// (7 attempts in all). Each call returns a new slice.
func DefaultRetryGaps() []time.Duration {
	return []time.Duration{time.Minute, 15 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour}
}

// DefaultDeliverySchedule returns DefaultRetryGaps().
//
// Deprecated: use DefaultRetryGaps, the name every atskit fake uses.
func DefaultDeliverySchedule() []time.Duration { return DefaultRetryGaps() }

// Option configures a Server.
type Option func(*config)

type config struct {
	limit            int
	window           time.Duration
	limitHeader      string
	remainingHeader  string
	resetHeader      string
	schedule         []time.Duration
	syncWebhooks     bool
	faults           Faults
	now              func() time.Time
	tokenTTL         time.Duration
	siteAdminForList bool
	cursorStatus     int
}

// WithRateLimit sets the fixed-window limit: n requests per window for each
// OAuth client (default 50 per 10 s, a third party's observation; the v3
// policy's numbers are not public). n <= 0 disables rate limiting.
func WithRateLimit(n int, window time.Duration) Option {
	return func(c *config) { c.limit, c.window = n, window }
}

// WithRateLimitHeaders renames the rate-limit headers (default
// X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset, Harvest
// v1's; v3's are not documented).
func WithRateLimitHeaders(limit, remaining, reset string) Option {
	return func(c *config) { c.limitHeader, c.remainingHeader, c.resetHeader = limit, remaining, reset }
}

// WithWebhookRetryGaps sets the waits before each retry of a failed
// delivery; its length is the number of retries (default
// DefaultRetryGaps, so 7 attempts), and a webhook's MaxAttempts caps them.
// Tests pass a compressed schedule.
func WithWebhookRetryGaps(gaps ...time.Duration) Option {
	return func(c *config) { c.schedule = slices.Clone(gaps) }
}

// WithDeliverySchedule sets the waits between webhook attempts.
//
// Deprecated: use WithWebhookRetryGaps, the option every atskit fake
// takes; it is the same option under that name.
func WithDeliverySchedule(waits ...time.Duration) Option { return WithWebhookRetryGaps(waits...) }

// WithSynchronousWebhooks makes the fake deliver webhooks (with retries)
// before the API call or seeding method that caused them returns.
func WithSynchronousWebhooks() Option { return func(c *config) { c.syncWebhooks = true } }

// WithFaults injects faults into a fraction of API requests; see Faults.
func WithFaults(f Faults) Option { return func(c *config) { c.faults = f } }

// WithClock sets the clock for timestamps, token and code expiry and the
// rate-limit windows (default time.Now).
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithTokenTTL sets the access-token lifetime (default one hour, as
// documented).
func WithTokenTTL(d time.Duration) Option { return func(c *config) { c.tokenTTL = d } }

// WithSiteAdminForLists switches the rule that list routes need the
// token's user to be a Site Admin (default on: reported by third
// parties, not by Greenhouse's reference).
func WithSiteAdminForLists(on bool) Option { return func(c *config) { c.siteAdminForList = on } }

// WithCursorMisuseStatus sets the status answered to a request that
// combines cursor with another query parameter (default 422). Greenhouse
// says such a request "will fail" without naming the status.
func WithCursorMisuseStatus(code int) Option { return func(c *config) { c.cursorStatus = code } }

// Faults configures random fault injection: Probability (in [0, 1]) is
// the chance that a request is hit; each API request draws once from a
// generator seeded with Seed, so a run is reproducible for a given request
// order; Kinds are the faults to choose from, uniformly (nil means
// FaultServerError, FaultRateLimit and FaultStall); Stall is how long a
// stalled request is held before it is served normally (default 1 s; the
// request's context or Close ends it). The zero Faults injects nothing.
type Faults = fakeserver.Faults[FaultKind]

// FaultKind is a kind of injected fault.
type FaultKind string

// Fault kinds.
const (
	FaultServerError FaultKind = fakeserver.KindServerError // 503
	FaultRateLimit   FaultKind = fakeserver.KindRateLimit   // 429 with Retry-After: 1
	FaultStall       FaultKind = fakeserver.KindStall       // the response is delayed by Faults.Stall
)

// Server is a running fake Greenhouse. Its methods are safe for concurrent
// use.
type Server struct {
	// URL is the Harvest v3 API root including BasePath, for
	// greenhouse.Options.BaseURL.
	URL string

	ts      *httptest.Server
	cfg     config
	closing chan struct{}
	once    sync.Once

	mu sync.Mutex
	st store
	// auth
	clients map[string]*oauthClient
	access  map[string]*grant
	refresh map[string]*grant
	codes   map[string]*grant
	// traffic
	windows map[string]*window
	log     fakeserver.Log[Request]
	faults  *fakeserver.Injector[FaultKind]

	hooks *deliverer

	takeHome    []*TakeHomeTest
	partnerErrs []PartnerError
}

type window struct {
	start time.Time
	count int
}

// NewServer starts a fake Greenhouse with one Site Admin user
// (AdminUserID), the default and partner OAuth clients, three rejection
// reasons and no jobs. Close it when done.
func NewServer(opts ...Option) *Server {
	cfg := config{
		limit: 50, window: 10 * time.Second,
		limitHeader: "X-RateLimit-Limit", remainingHeader: "X-RateLimit-Remaining", resetHeader: "X-RateLimit-Reset",
		schedule: DefaultRetryGaps(), now: time.Now, tokenTTL: time.Hour, siteAdminForList: true,
		cursorStatus: http.StatusUnprocessableEntity,
	}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		cfg: cfg, closing: make(chan struct{}),
		clients: map[string]*oauthClient{},
		access:  map[string]*grant{},
		refresh: map[string]*grant{},
		codes:   map[string]*grant{},
		windows: map[string]*window{},
		faults:  fakeserver.NewInjector([]FaultKind{FaultServerError, FaultRateLimit, FaultStall}, time.Second),
	}
	s.faults.Set(cfg.faults)
	s.st.init(cfg.now)
	s.clients[DefaultClientID] = &oauthClient{secret: DefaultClientSecret, scopes: setOf(AllScopes())}
	s.clients[PartnerClientID] = &oauthClient{secret: PartnerClientSecret, partner: true, scopes: setOf(AllScopes())}
	s.ts = httptest.NewServer(s.routes())
	s.URL = s.ts.URL + BasePath
	s.hooks = newDeliverer(s)
	return s
}

// Close stops webhook deliveries (pending ones are abandoned), releases
// stalled requests and shuts the server down. When it returns no goroutine
// of the fake is left. Close may be called more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closing)
		s.hooks.close()
		s.ts.Close()
	})
}

// TokenURL is the OAuth token endpoint (auth.greenhouse.io/token).
func (s *Server) TokenURL() string { return s.ts.URL + "/auth/token" }

// AuthURL is the OAuth authorize endpoint (auth.greenhouse.io/authorize).
func (s *Server) AuthURL() string { return s.ts.URL + "/auth/authorize" }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// FailRequests makes every API request fail with status (429s carry
// Retry-After: 1) until restore is called.
func (s *Server) FailRequests(status int) (restore func()) { return s.faults.FailRequests(status) }

// SetFaults replaces the fault-injection configuration and reseeds; the
// zero Faults turns injection off.
func (s *Server) SetFaults(f Faults) { s.faults.Set(f) }

// InjectedFaults reports how many faults of each kind were injected.
func (s *Server) InjectedFaults() map[FaultKind]int { return s.faults.Injected() }

// Request is an API request the server received.
type Request struct {
	Method string
	// Path is relative to URL, e.g. "/applications/7/move".
	Path  string
	Query url.Values
	Body  []byte
	// Auth is "bearer", "basic" or "".
	Auth string
	// ClientID and UserID identify the token's client and user (sub);
	// zero values when the request was not authenticated.
	ClientID string
	UserID   int64
}

// Requests returns the API requests received so far, oldest first.
func (s *Server) Requests() []Request { return s.log.Requests() }

// LastRequest returns the most recent API request.
func (s *Server) LastRequest() (Request, bool) { return s.log.Last() }

// ResetRequests forgets recorded requests and zeroes the counters
// (RequestCount, ThrottledCount, InjectedFaults).
func (s *Server) ResetRequests() {
	s.log.Reset()
	s.faults.ResetCounts()
}

// RequestCount reports how many API requests the server received.
func (s *Server) RequestCount() int { return s.log.RequestCount() }

// ThrottledCount reports how many requests the rate limit answered 429
// (injected faults not counted).
func (s *Server) ThrottledCount() int { return s.log.ThrottledCount() }

// errorField is one entry of an error body's errors list.
type errorField struct {
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// writeError answers with Harvest v1's error shape, {"message": …} plus
// {"errors": [{"message", "field"}]} on 422. v3's shape is not
// documented.
func writeError(w http.ResponseWriter, status int, msg string, fields ...errorField) {
	if msg == "" {
		msg = http.StatusText(status)
	}
	body := map[string]any{"message": msg}
	if status == http.StatusUnprocessableEntity {
		if len(fields) == 0 {
			fields = []errorField{{Message: msg}}
		}
		body["message"] = "Validation error"
		body["errors"] = fields
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", randHex(8))
	if status == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "1")
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func invalid(w http.ResponseWriter, field, format string, args ...any) {
	writeError(w, http.StatusUnprocessableEntity, "", errorField{Field: field, Message: fmt.Sprintf(format, args...)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func randHex(n int) string {
	b := make([]byte, n)
	crand.Read(b)
	return hex.EncodeToString(b)
}

func setOf(ss []string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[s] = true
	}
	return m
}

type ctxKey struct{}

// caller is the authenticated caller of an API request.
type caller struct {
	clientID string
	userID   int64
}

func callerOf(r *http.Request) caller {
	c, _ := r.Context().Value(ctxKey{}).(caller)
	return c
}

// api wraps a Harvest route: it records the request, applies
// FailRequests, fault injection, authentication, the rate limit, the
// route's scope and (for lists) the Site Admin rule.
func (s *Server) api(scope string, h http.HandlerFunc) http.HandlerFunc {
	isList := strings.HasSuffix(scope, ":list")
	return func(w http.ResponseWriter, r *http.Request) {
		body, readErr := io.ReadAll(io.LimitReader(r.Body, MaxRequestBytes+1))
		tooLarge := len(body) > MaxRequestBytes
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := Request{Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, BasePath), Query: r.URL.Query(), Body: body}
		if a := r.Header.Get("Authorization"); a != "" {
			rec.Auth = strings.ToLower(strings.SplitN(a, " ", 2)[0])
		}
		g, authStatus, authMsg := s.authenticate(r)
		if g != nil {
			rec.ClientID, rec.UserID = g.clientID, g.userID
		}

		s.log.Record(rec)
		draw := s.faults.Next()

		if draw.Fail != 0 {
			writeError(w, draw.Fail, "injected failure")
			return
		}
		switch {
		case readErr != nil:
			writeError(w, http.StatusBadRequest, "could not read the request body")
			return
		case tooLarge:
			writeError(w, http.StatusRequestEntityTooLarge, "Payload is larger than 10MB")
			return
		}
		if draw.AnswerFault(r, s.closing, func(status int, msg string) { writeError(w, status, msg) }) {
			return
		}
		if authStatus != 0 {
			writeError(w, authStatus, authMsg)
			return
		}
		if !s.admit(w, g.clientID) {
			return
		}
		s.mu.Lock()
		has := g.scopes[scope] && s.clients[g.clientID] != nil && s.clients[g.clientID].scopes[scope]
		admin := s.st.users[g.userID] != nil && s.st.users[g.userID].SiteAdmin
		s.mu.Unlock()
		if !has {
			// A scope removed from the client takes effect at once, even on
			// live tokens.
			writeError(w, http.StatusForbidden, "This request requires the scope "+scope)
			return
		}
		if isList && s.cfg.siteAdminForList && !admin {
			writeError(w, http.StatusForbidden, "List endpoints require the token's user to be a Site Admin")
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, caller{clientID: g.clientID, userID: g.userID})))
	}
}

// admit applies the fixed-window rate limit of the client and sets the
// rate-limit headers. It answers 429 itself and returns false when the
// window's budget is spent.
func (s *Server) admit(w http.ResponseWriter, clientID string) bool {
	c := s.cfg
	if c.limit <= 0 || c.window <= 0 {
		return true
	}
	s.mu.Lock()
	now := c.now()
	win := s.windows[clientID]
	if win == nil || now.Sub(win.start) >= c.window {
		win = &window{start: now}
		s.windows[clientID] = win
	}
	reset := win.start.Add(c.window)
	over := win.count >= c.limit
	if over {
		s.log.Throttle()
	} else {
		win.count++
	}
	remaining := c.limit - win.count
	s.mu.Unlock()
	h := w.Header()
	h.Set(c.limitHeader, strconv.Itoa(c.limit))
	h.Set(c.remainingHeader, strconv.Itoa(max(remaining, 0)))
	if over {
		// X-RateLimit-Reset as fractional Unix seconds (its v3 unit is
		// not documented) and Retry-After in whole seconds, rounded up.
		h.Set(c.resetHeader, strconv.FormatFloat(float64(reset.UnixNano())/1e9, 'f', 3, 64))
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(reset.Sub(now).Seconds()))))
		writeError(w, http.StatusTooManyRequests, fmt.Sprintf("Rate limit of %d requests per %v exceeded", c.limit, c.window))
		return false
	}
	return true
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /auth/token", s.handleToken)
	mux.HandleFunc("GET /auth/authorize", s.handleAuthorize)
	mux.HandleFunc("GET /files/{id}", s.handleFile)
	mux.HandleFunc("PATCH /integrations/testing_partners/take_home_tests/{id}", s.handlePartnerPatch)
	p := func(pattern string) string {
		method, path, _ := strings.Cut(pattern, " ")
		return method + " " + BasePath + path
	}
	mux.HandleFunc(p("GET /jobs"), s.api("harvest:jobs:list", s.listJobs))
	mux.HandleFunc(p("GET /job_interview_stages"), s.api("harvest:job_interview_stages:list", s.listStages))
	mux.HandleFunc(p("GET /job_interviews"), s.api("harvest:job_interviews:list", s.listJobInterviews))
	mux.HandleFunc(p("GET /applications"), s.api("harvest:applications:list", s.listApplications))
	mux.HandleFunc(p("POST /applications/{id}/move"), s.api("harvest:applications:move", s.moveApplication))
	mux.HandleFunc(p("POST /applications/{id}/reject"), s.api("harvest:applications:reject", s.rejectApplication))
	mux.HandleFunc(p("POST /applications/{id}/unreject"), s.api("harvest:applications:unreject", s.unrejectApplication))
	mux.HandleFunc(p("GET /candidates"), s.api("harvest:candidates:list", s.listCandidates))
	mux.HandleFunc(p("GET /notes"), s.api("harvest:notes:list", s.listNotes))
	mux.HandleFunc(p("POST /notes"), s.api("harvest:notes:create", s.createNote))
	mux.HandleFunc(p("GET /candidate_tags"), s.api("harvest:candidate_tags:list", s.listTags))
	mux.HandleFunc(p("POST /candidate_tags"), s.api("harvest:candidate_tags:create", s.createTag))
	mux.HandleFunc(p("GET /applied_candidate_tags"), s.api("harvest:applied_candidate_tags:list", s.listAppliedTags))
	mux.HandleFunc(p("POST /applied_candidate_tags"), s.api("harvest:applied_candidate_tags:create", s.applyTag))
	mux.HandleFunc(p("DELETE /applied_candidate_tags/{id}"), s.api("harvest:applied_candidate_tags:destroy", s.unapplyTag))
	mux.HandleFunc(p("GET /attachments"), s.api("harvest:attachments:list", s.listAttachments))
	mux.HandleFunc(p("POST /attachments"), s.api("harvest:attachments:create", s.createAttachment))
	mux.HandleFunc(p("GET /interviews"), s.api("harvest:interviews:list", s.listInterviews))
	mux.HandleFunc(p("POST /interviews"), s.api("harvest:interviews:create", s.createInterview))
	mux.HandleFunc(p("PATCH /interviews/{id}"), s.api("harvest:interviews:update", s.updateInterview))
	mux.HandleFunc(p("DELETE /interviews/{id}"), s.api("harvest:interviews:destroy", s.deleteInterview))
	mux.HandleFunc(p("GET /users"), s.api("harvest:users:list", s.listUsers))
	mux.HandleFunc(p("GET /user_emails"), s.api("harvest:user_emails:list", s.listUserEmails))
	mux.HandleFunc(p("GET /rejection_reasons"), s.api("harvest:rejection_reasons:list", s.listReasons))
	mux.HandleFunc(p("GET /webhooks"), s.api("harvest:webhooks:list", s.partnerOnly(s.listWebhooks)))
	mux.HandleFunc(p("POST /webhooks"), s.api("harvest:webhooks:create", s.partnerOnly(s.createWebhook)))
	mux.HandleFunc(p("PATCH /webhooks/{id}"), s.api("harvest:webhooks:update", s.partnerOnly(s.updateWebhook)))
	mux.HandleFunc(p("DELETE /webhooks/{id}"), s.api("harvest:webhooks:destroy", s.partnerOnly(s.deleteWebhook)))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("greenhousetest: no route %s %s (the Harvest API is under %s)", r.Method, r.URL.Path, BasePath))
	})
	return mux
}

// partnerOnly refuses non-partner clients: the webhook routes are
// "Greenhouse partners exclusive".
func (s *Server) partnerOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		c := s.clients[callerOf(r).clientID]
		s.mu.Unlock()
		if c == nil || !c.partner {
			writeError(w, http.StatusForbidden, "Webhook management is available to Greenhouse partners only")
			return
		}
		h(w, r)
	}
}
