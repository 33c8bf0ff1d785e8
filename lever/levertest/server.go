package levertest

import (
	"bytes"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/atskit/atskit/internal/fakeserver"
	xrate "golang.org/x/time/rate"
)

// Credentials the server accepts out of the box.
const (
	DefaultAPIKey       = "levertest-api-key"
	DefaultClientID     = "levertest-client"
	DefaultClientSecret = "levertest-secret"
)

// MaxRequestBytes is the largest request body the fake accepts; larger
// bodies are answered 413. It leaves room for a 30 MB file upload and its
// multipart framing (assumed: Lever documents only the file limit).
const MaxRequestBytes = 31 << 20

// Server is a fake Lever API. Its methods are safe for concurrent use.
type Server struct {
	// URL is the root of the v1 API including its base path
	// ("http://127.0.0.1:4321/v1"), for lever.Options.BaseURL. Every path
	// outside it (other than the OAuth endpoints AuthURL and TokenURL)
	// answers a loud 404, so a client that drops the path fails.
	URL string

	root string // scheme and host, without the base path
	ts   *httptest.Server
	now  func() time.Time
	// closing is closed by Close: stalled requests return at once and
	// webhook deliveries in flight are abandoned.
	closing   chan struct{}
	closeOnce sync.Once

	mu sync.Mutex
	// account data
	users        []*User
	stages       []*Stage
	postings     []*Posting
	opps         []*Opportunity
	oppByID      map[string]*Opportunity
	reasons      []*ArchiveReason
	templates    []*FeedbackTemplate
	notes        map[string][]Note
	stageChanges []StageChange
	feedback     map[string][]Feedback
	panels       map[string][]*Panel
	files        map[string][]File
	webhooks     []*Webhook
	groupOn      map[string]bool // webhook groups a Super Admin switched on
	retryGaps    []time.Duration
	nextID       int
	// auth
	apiKeys   map[string]bool
	clients   map[string]string // client ID → secret
	codes     map[string]*grant
	access    map[string]*grant
	refresh   map[string]*grant
	tokenTTL  time.Duration
	refreshes int
	authz     []url.Values
	// traffic
	limiter *xrate.Limiter
	log     fakeserver.Log[Request]
	faults  *fakeserver.Injector[FaultKind]
	// stalled, when set (by this package's tests), is called when a
	// request starts to stall.
	stalled func()

	hooks *deliverer
}

type grant struct {
	clientID    string
	redirectURI string
	scopes      []string
	expires     time.Time
	// issued and used date a refresh token: when the customer granted
	// access (kept across rotation) and when the token was issued.
	issued, used time.Time
}

// Option configures a Server.
type Option func(*Server)

// WithRateLimit sets the token bucket every API request draws from
// (default 10 per second, burst 20, Lever's documented limit). A limit of
// zero or less disables rate limiting. The bucket runs on real time, not
// on the WithClock clock.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(s *Server) {
		if perSecond <= 0 {
			s.limiter = nil
			return
		}
		s.limiter = xrate.NewLimiter(xrate.Limit(perSecond), burst)
	}
}

// WithClock sets the clock used for timestamps, token expiry and webhook
// triggeredAt.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithTokenTTL sets the lifetime of access tokens (default one hour).
func WithTokenTTL(d time.Duration) Option { return func(s *Server) { s.tokenTTL = d } }

// WithFaults injects faults into a fraction of requests; see Faults.
func WithFaults(f Faults) Option { return func(s *Server) { s.faults.Set(f) } }

// Faults configures random fault injection into API requests: Probability
// (in [0, 1]) is the chance that a request is hit by a fault; each request
// draws once from a generator seeded with Seed, so a run is reproducible
// for a given request order; Kinds are the faults to choose from,
// uniformly (nil means FaultServerError, FaultRateLimit and FaultStall);
// Stall is how long a stalled request hangs before it is served normally
// (default 1 s; the request's context or Close ends it earlier). The zero
// Faults injects nothing.
type Faults = fakeserver.Faults[FaultKind]

// FaultKind is a kind of injected fault.
type FaultKind string

// Fault kinds.
const (
	FaultServerError FaultKind = fakeserver.KindServerError // 503
	FaultRateLimit   FaultKind = fakeserver.KindRateLimit   // 429 without Retry-After, as Lever documents none
	FaultStall       FaultKind = fakeserver.KindStall       // the response is delayed by Faults.Stall
)

// NewServer starts a fake Lever server. Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{
		now:       time.Now,
		closing:   make(chan struct{}),
		oppByID:   map[string]*Opportunity{},
		notes:     map[string][]Note{},
		feedback:  map[string][]Feedback{},
		panels:    map[string][]*Panel{},
		files:     map[string][]File{},
		apiKeys:   map[string]bool{DefaultAPIKey: true},
		clients:   map[string]string{DefaultClientID: DefaultClientSecret},
		codes:     map[string]*grant{},
		access:    map[string]*grant{},
		refresh:   map[string]*grant{},
		tokenTTL:  time.Hour,
		limiter:   xrate.NewLimiter(10, 20),
		faults:    fakeserver.NewInjector([]FaultKind{FaultServerError, FaultRateLimit, FaultStall}, time.Second),
		groupOn:   map[string]bool{},
		retryGaps: DefaultRetryGaps(),
	}
	for _, o := range opts {
		o(s)
	}
	noFeedback := NoFeedbackTemplate()
	s.templates = append(s.templates, &noFeedback)
	s.ts = httptest.NewServer(s.routes())
	s.root = s.ts.URL
	s.URL = s.root + "/v1"
	s.hooks = newDeliverer(s.ts.Client(), s.retryGaps)
	return s
}

// Close shuts the server down. It does not wait for anything outside the
// server's control: stalled requests are released, a webhook delivery in
// flight is cancelled and queued deliveries are recorded as not sent (call
// WaitDeliveries first to deliver them). When Close returns, the delivery
// goroutine has exited. Close may be called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.hooks.close()
		s.ts.Close()
	})
}

// AuthURL is the OAuth authorize endpoint.
func (s *Server) AuthURL() string { return s.root + "/authorize" }

// TokenURL is the OAuth token endpoint.
func (s *Server) TokenURL() string { return s.root + "/oauth/token" }

// Audience is the audience the authorize endpoint expects.
func (s *Server) Audience() string { return s.URL + "/" }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// AddAPIKey makes the server accept key as HTTP Basic user name.
func (s *Server) AddAPIKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiKeys[key] = true
}

// RevokeAPIKey makes the server refuse key, as Lever does once an admin
// deletes the API key (Settings > Integrations and API > API Credentials):
// every request authenticated with it is answered 401 with Lever's error
// body ({"code":"UnauthorizedError","message":"Invalid API key"}; status
// codes per https://hire.lever.co/developer/documentation#errors). Webhooks
// keep being delivered: they are signed with the webhook's own token, not
// the API key. AddAPIKey accepts the key again.
func (s *Server) RevokeAPIKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.apiKeys, key)
}

// AddOAuthClient registers an OAuth client.
func (s *Server) AddOAuthClient(id, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[id] = secret
}

// SetFaults replaces the fault-injection configuration (and reseeds); the
// zero Faults turns it off.
func (s *Server) SetFaults(f Faults) { s.faults.Set(f) }

// InjectedFaults reports how many faults of each kind were injected.
func (s *Server) InjectedFaults() map[FaultKind]int { return s.faults.Injected() }

// FailRequests makes every API request fail with status until restore is
// called. A 429 carries no Retry-After: Lever documents none.
func (s *Server) FailRequests(status int) (restore func()) { return s.faults.FailRequests(status) }

// Request is an API request the server received.
type Request struct {
	Method string
	// Path is relative to URL (without the /v1 base path), e.g.
	// "/opportunities/o1/notes".
	Path  string
	Query url.Values
	Body  []byte
	// Auth is "basic", "bearer" or "".
	Auth string
	// PerformAs is the perform_as parameter, if any.
	PerformAs string
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

// ThrottledCount reports how many requests the rate limit answered with 429.
func (s *Server) ThrottledCount() int { return s.log.ThrottledCount() }

// writeError answers with a Lever-style error body.
func writeError(w http.ResponseWriter, status int, msg string) {
	code := map[int]string{
		400: "BadRequestError", 401: "UnauthorizedError", 403: "ForbiddenError",
		404: "ResourceNotFound", 405: "MethodNotAllowed", 409: "ConflictError", 413: "RequestEntityTooLarge",
		429: "TooManyRequests", 500: "InternalServerError", 502: "BadGateway",
		503: "ServiceUnavailable",
	}[status]
	if code == "" {
		code = strings.ReplaceAll(http.StatusText(status), " ", "")
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", randHex(8))
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"code": code, "message": msg})
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

// api wraps the /v1 handlers: it records the request, applies
// FailRequests, fault injection, the rate limit and authentication, then
// checks the route's scope.
func (s *Server) api(scope string, h func(w http.ResponseWriter, r *http.Request, a *auth)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, readErr := io.ReadAll(io.LimitReader(r.Body, MaxRequestBytes+1))
		tooLarge := int64(len(body)) > MaxRequestBytes
		if tooLarge {
			body = body[:MaxRequestBytes]
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := Request{Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, "/v1"), Query: r.URL.Query(), Body: body, PerformAs: r.URL.Query().Get("perform_as")}
		if a := r.Header.Get("Authorization"); a != "" {
			rec.Auth = strings.ToLower(strings.SplitN(a, " ", 2)[0])
		}

		s.log.Record(rec)
		draw := s.faults.Next()
		s.mu.Lock()
		onStall, lim := s.stalled, s.limiter
		s.mu.Unlock()

		if draw.Fail != 0 {
			writeError(w, draw.Fail, "injected failure")
			return
		}
		// A body that cannot be read whole is refused, never parsed
		// truncated.
		switch {
		case readErr != nil:
			writeError(w, http.StatusBadRequest, "Could not read request body: "+readErr.Error())
			return
		case tooLarge:
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body exceeds %d bytes", MaxRequestBytes))
			return
		}
		if draw.Fault == FaultStall && onStall != nil {
			onStall()
		}
		if draw.AnswerFault(r, s.closing, func(status int, msg string) { writeError(w, status, msg) }) {
			return
		}
		if lim != nil && !lim.Allow() {
			s.log.Throttle()
			writeError(w, http.StatusTooManyRequests, fmt.Sprintf("Rate limit exceeded: %g requests per second, burst %d", float64(lim.Limit()), lim.Burst()))
			return
		}
		a, status, msg := s.authenticate(r)
		if status != 0 {
			writeError(w, status, msg)
			return
		}
		if scope != "" && !a.has(scope) {
			writeError(w, http.StatusForbidden, fmt.Sprintf("Insufficient scope: this request requires %s", scope))
			return
		}
		h(w, r, a)
	}
}

// auth describes the caller of a request.
type auth struct {
	apiKey bool
	scopes []string
}

func (a *auth) has(scope string) bool {
	if a.apiKey {
		return true
	}
	// scope may name alternatives, "a|b": either grants the route.
	for _, want := range strings.Split(scope, "|") {
		if slices.Contains(a.scopes, want) {
			return true
		}
	}
	return false
}

func (s *Server) authenticate(r *http.Request) (*auth, int, string) {
	h := r.Header.Get("Authorization")
	s.mu.Lock()
	defer s.mu.Unlock()
	if user, _, ok := r.BasicAuth(); ok {
		if s.apiKeys[user] {
			return &auth{apiKey: true}, 0, ""
		}
		return nil, http.StatusUnauthorized, "Invalid API key"
	}
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
		g := s.access[tok]
		if g == nil {
			return nil, http.StatusUnauthorized, "Invalid access token"
		}
		if !s.now().Before(g.expires) {
			return nil, http.StatusUnauthorized, "Access token expired"
		}
		return &auth{scopes: g.scopes}, 0, ""
	}
	return nil, http.StatusUnauthorized, "Missing credentials: use HTTP Basic with an API key or a Bearer token"
}
