package workabletest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
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

// DefaultAPIKey is the account API token every Server accepts, with all
// scopes (Workable calls it an API access token; it is sent as
// "Authorization: Bearer <token>").
const DefaultAPIKey = "workabletest-account-token"

// AllScopes returns the scopes the default token carries (a new slice on
// every call: the package keeps no mutable global state).
func AllScopes() []string {
	return []string{"r_jobs", "r_candidates", "w_candidates", "w_comments", "r_account", "r_requisitions"}
}

// basePath is where the API is mounted, as on Workable.
const basePath = "/spi/v3"

// Option configures a Server.
type Option func(*config)

type config struct {
	subdomain, accountName string
	limit                  int
	partnerLimit           int
	window                 time.Duration
	syncWebhooks           bool
	retryGaps              []time.Duration
	faults                 Faults
	now                    func() time.Time
	signingSecret          string
	nextHost               string
	partnerMembers         bool
	callbackStatuses       []string
	addr                   string
}

// WithAccount sets the account's subdomain and name (default "acme", "Acme
// Inc").
func WithAccount(subdomain, name string) Option {
	return func(c *config) { c.subdomain, c.accountName = subdomain, name }
}

// WithRateLimit sets the limit to n requests per fixed window for every
// token kind, so tests can scale Workable's 10 s windows down (e.g. 20 per
// 100 ms). A non-positive n disables rate limiting.
func WithRateLimit(n int, window time.Duration) Option {
	return func(c *config) { c.limit, c.partnerLimit, c.window = n, n, window }
}

// WithoutRateLimit disables rate limiting (no 429s, no rate headers).
func WithoutRateLimit() Option { return WithRateLimit(0, 0) }

// WithSynchronousWebhooks makes the fake deliver webhooks before the API
// call (or seeding helper) that caused them returns. Retries still happen,
// inline.
func WithSynchronousWebhooks() Option { return func(c *config) { c.syncWebhooks = true } }

// DefaultRetryGaps returns the waits before the fake's seven retries of a
// delivery not answered 200: 5 ms, doubling (8 attempts in all).
// Workable's own schedule is not documented. Each call returns a new
// slice.
func DefaultRetryGaps() []time.Duration { return fakeserver.DoublingGaps(5*time.Millisecond, 7) }

// WithWebhookRetryGaps sets the waits before each retry of a failed
// delivery; its length is the number of retries (default
// DefaultRetryGaps).
func WithWebhookRetryGaps(gaps ...time.Duration) Option {
	return func(c *config) { c.retryGaps = slices.Clone(gaps) }
}

// WithDeliveryRetries sets how many times a delivery is attempted and the
// first backoff between attempts, doubling after each.
//
// Deprecated: use WithWebhookRetryGaps, the option every atskit fake
// takes; WithDeliveryRetries(n, b) is WithWebhookRetryGaps(b, 2b, 4b, …)
// with n−1 waits.
func WithDeliveryRetries(attempts int, backoff time.Duration) Option {
	return WithWebhookRetryGaps(fakeserver.DoublingGaps(backoff, attempts-1)...)
}

// WithFaults injects faults into a fraction of requests; see Faults.
func WithFaults(f Faults) Option { return func(c *config) { c.faults = f } }

// WithClock sets the fake's clock (default time.Now). Rate-limit windows and
// timestamps use it.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithSigningSecret signs every webhook delivery with secret instead of the
// token that created the subscription (what Workable does for OAuth
// integrations, which sign with the OAuth application secret).
func WithSigningSecret(secret string) Option { return func(c *config) { c.signingSecret = secret } }

// WithNextLinkHost makes paging.next links point at host (for example
// "www.workable.com", as in Workable's own examples) instead of the host the
// request was sent to. Tests that use it route that host to the fake
// through their client's transport.
func WithNextLinkHost(host string) Option { return func(c *config) { c.nextHost = host } }

// WithPartnerMembers lets partner tokens list members (GET /members). By
// default the fake refuses them with 403, the restrictive reading of
// Workable's docs, which document the endpoint for account and user tokens
// only.
func WithPartnerMembers() Option { return func(c *config) { c.partnerMembers = true } }

// WithCallbackStatuses sets the statuses the callback endpoint accepts
// (default DefaultCallbackStatuses), e.g. "pending", "completed",
// "declined", "expired" for the other reading of the contract.
func WithCallbackStatuses(statuses ...string) Option {
	return func(c *config) { c.callbackStatuses = statuses }
}

// Faults configures random fault injection: Probability (in [0, 1]) is
// the chance that a request is hit by a fault; each request draws from a
// generator seeded with Seed, so a run is reproducible for a given request
// order; Kinds are the faults to choose from, uniformly (nil means
// FaultServerError, FaultRateLimit and FaultStall); Stall is how long a
// stalled request is held before it is served normally (default 2 s; the
// request's context or Close ends it earlier). The zero Faults injects
// nothing.
type Faults = fakeserver.Faults[FaultKind]

// FaultKind is a kind of injected fault.
type FaultKind string

// Fault kinds.
const (
	FaultServerError FaultKind = fakeserver.KindServerError // 500, 502 or 503
	FaultRateLimit   FaultKind = fakeserver.KindRateLimit   // 429 with rate-limit headers
	FaultStall       FaultKind = fakeserver.KindStall       // the response is delayed by Faults.Stall
)

// Server is a running fake Workable API. Its methods are safe for
// concurrent use.
type Server struct {
	// URL is the API root including its base path ("/spi/v3"), for
	// workable.Options.BaseURL. Every path outside it (other than the
	// account's provider-contract callbacks, see CallbackURL) answers a
	// loud 404, so a client that drops the path fails.
	URL string

	ts  *httptest.Server
	cfg config

	mu         sync.Mutex
	tokens     map[string]*tokenInfo
	members    []*Member
	jobs       []*job
	jobsByCode map[string]*job
	cands      []*Candidate
	candsByID  map[string]*Candidate
	subs       []*subscription
	seq        int
	subSeq     int
	eventSeq   int
	windows    map[string]*window

	log    fakeserver.Log[Request]
	faults *fakeserver.Injector[FaultKind]

	moves    []Move
	comments []Comment
	tagSets  []TagWrite
	disq     []Disqualification
	reverts  []Revert
	ratings  []Rating

	deliveries []*Delivery
	syncQueue  []*Delivery
	acts       map[string][]activity
	pending    fakeserver.Pending
	ctx        context.Context
	cancel     context.CancelFunc
	hc         *http.Client
	transport  *http.Transport
	mux        *http.ServeMux
	callbacks  *Callbacks
}

type tokenInfo struct {
	scopes   map[string]bool
	clientID string // partner tokens
}

type window struct {
	start time.Time
	count int
}

// NewServer starts a fake with one account, the default token (DefaultAPIKey, all
// scopes) and one active admin member (DefaultMemberID).
func NewServer(opts ...Option) *Server {
	cfg := config{
		subdomain: "acme", accountName: "Acme Inc",
		limit: 10, partnerLimit: 50, window: 10 * time.Second,
		retryGaps: DefaultRetryGaps(),
		now:       time.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		cfg:        cfg,
		faults:     fakeserver.NewInjector([]FaultKind{FaultServerError, FaultRateLimit, FaultStall}, 2*time.Second),
		tokens:     map[string]*tokenInfo{},
		jobsByCode: map[string]*job{},
		candsByID:  map[string]*Candidate{},
		windows:    map[string]*window{},
	}
	s.faults.Set(cfg.faults)
	// Deliveries use a transport of their own so that Close can drop its
	// idle connections: with http.DefaultTransport they would outlive the
	// server (and keep two goroutines each) until the idle timeout.
	s.transport = http.DefaultTransport.(*http.Transport).Clone()
	s.hc = &http.Client{Timeout: 5 * time.Second, Transport: s.transport}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.AddToken(DefaultAPIKey, AllScopes()...)
	s.AddMember(Member{Name: "Rita Recruiter", Email: "rita@example.com", Roles: []string{"ats.admin"}})
	s.mux = s.routes()
	s.callbacks = NewCallbacks(CallbackToken, cfg.callbackStatuses...)
	s.ts = s.start()
	s.URL = s.ts.URL + basePath
	return s
}

// Close stops pending webhook deliveries (no new ones start), ends stalled
// requests, shuts the server down and closes the delivery client's idle
// connections. When it returns, no goroutine of the fake is left running.
func (s *Server) Close() {
	s.cancel()
	_ = s.WaitDeliveries(context.Background())
	s.ts.Close()
	s.transport.CloseIdleConnections()
}

// CallbackURL returns a callback_url on the account's host, as Workable
// sends it when it creates an interview (kind "interviews") or assessment
// (kind "assessments"), e.g. URL + "/interviews/8823119". Result PUTs to it
// are checked and recorded by Callbacks.
func (s *Server) CallbackURL(kind, id string) string {
	return s.ts.URL + "/" + kind + "/" + url.PathEscape(id)
}

// Callbacks returns the server's callback endpoint (token CallbackToken).
func (s *Server) Callbacks() *Callbacks { return s.callbacks }

// isCallbackPath reports whether p is a provider-contract callback path,
// which lives on the account's host outside the API's base path.
func isCallbackPath(p string) bool {
	return strings.HasPrefix(p, "/interviews/") || strings.HasPrefix(p, "/assessments/")
}

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Subdomain returns the account's subdomain.
func (s *Server) Subdomain() string { return s.cfg.subdomain }

// DefaultMemberID returns the ID of the admin member seeded by NewServer.
func (s *Server) DefaultMemberID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.members[0].ID
}

// AddToken registers an account token with the given scopes.
func (s *Server) AddToken(token string, scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = &tokenInfo{scopes: setOf(scopes)}
}

// AddPartnerToken registers a partner token: requests must also carry
// X-WORKABLE-CLIENT-ID: clientID, and get the partner rate limit.
func (s *Server) AddPartnerToken(token, clientID string, scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = &tokenInfo{scopes: setOf(scopes), clientID: clientID}
}

// RevokeToken makes token invalid.
func (s *Server) RevokeToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, token)
}

// FailRequests makes the server answer every request with status until
// restore is called. A 429 carries Workable's X-Rate-Limit-* headers with
// the reset at the end of the current window; like Workable
// (https://workable.readme.io/reference/rate-limits), no response carries
// Retry-After.
func (s *Server) FailRequests(status int) (restore func()) { return s.faults.FailRequests(status) }

// SetFaults replaces the fault-injection configuration (and reseeds); the
// zero Faults turns injection off.
func (s *Server) SetFaults(f Faults) { s.faults.Set(f) }

// InjectedFaults reports how many faults of each kind were injected.
func (s *Server) InjectedFaults() map[FaultKind]int { return s.faults.Injected() }

// Request is a request the server received.
type Request struct {
	Method string
	// Path is relative to URL, e.g. "/candidates/10000001/move".
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
}

// Requests returns the requests received so far, oldest first.
func (s *Server) Requests() []Request { return s.log.Requests() }

// LastRequest returns the most recent request; false when there is none.
func (s *Server) LastRequest() (Request, bool) { return s.log.Last() }

// ResetRequests forgets recorded requests and zeroes the counters
// (RequestCount, ThrottledCount, InjectedFaults).
func (s *Server) ResetRequests() {
	s.log.Reset()
	s.faults.ResetCounts()
}

// RequestCount reports how many requests the server received.
func (s *Server) RequestCount() int { return s.log.RequestCount() }

// ThrottledCount reports how many 429 responses the server sent, whatever
// the cause (rate limit, FailRequests or injected faults).
func (s *Server) ThrottledCount() int { return s.log.ThrottledCount() }

// MaxRequestBytes caps request bodies; larger ones get 413. Workable's own
// limit is undocumented.
const MaxRequestBytes = 8 << 20

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBytes+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, "Could not read the request body")
		return
	}
	if len(body) > MaxRequestBytes {
		s.log.Count()
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body exceeds %d bytes", MaxRequestBytes))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.log.Record(Request{
		Method: r.Method, Path: s.apiPath(r.URL.Path),
		Query: r.URL.Query(), Header: r.Header.Clone(), Body: body,
	})
	draw := s.faults.Next()
	fail, fault := draw.Fail, draw.Fault
	var fiveXX int
	if fault == FaultServerError {
		fiveXX = []int{500, 502, 503}[s.faults.IntN(3)]
	}
	if fail == http.StatusTooManyRequests || fault == FaultRateLimit {
		s.log.Throttle()
	}

	switch {
	case fail != 0:
		if fail == http.StatusTooManyRequests {
			window := s.cfg.window
			if window <= 0 {
				window = time.Second
			}
			s.rateHeaders(w, s.cfg.limit, 0, s.cfg.now().Truncate(window).Add(window))
		}
		writeError(w, fail, http.StatusText(fail))
		return
	case fault == FaultServerError:
		writeError(w, fiveXX, http.StatusText(fiveXX))
		return
	case fault == FaultRateLimit:
		s.rateHeaders(w, s.cfg.limit, 0, s.cfg.now().Truncate(s.cfg.window).Add(s.cfg.window))
		writeError(w, http.StatusTooManyRequests, "Too many requests")
		return
	case fault == FaultStall:
		// Close (which cancels s.ctx) must not wait out a stall.
		switch fakeserver.Stall(r.Context(), s.ctx.Done(), draw.Stall) {
		case fakeserver.StallCanceled:
			return
		case fakeserver.StallClosed:
			writeError(w, http.StatusServiceUnavailable, "Service Unavailable")
			return
		}
	}

	if isCallbackPath(r.URL.Path) {
		s.callbacks.ServeHTTP(w, r)
		return
	}
	if !strings.HasPrefix(r.URL.Path, basePath+"/") || !s.ownAccount(r.URL.Path) {
		// Loud 404 outside the base path, so a client that drops the path
		// (or addresses another account) fails.
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	tok, ok := s.authenticate(r)
	if !ok {
		// Live probes show the invalid-token 401 is nested and carries no
		// rate-limit headers (https://workable.readme.io/reference/rate-limits, observed by third-party clients).
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{"error": map[string]any{
			"error":       map[string]any{"name": "invalid_token", "state": "unauthorized"},
			"reason":      "unknown",
			"description": "The access token is invalid",
		}}})
		return
	}
	if !s.admit(w, r, tok) {
		s.log.Throttle()
		writeError(w, http.StatusTooManyRequests, "Too many requests")
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), tokenKey{}, tok))
	r.URL.Path = s.apiPath(r.URL.Path)
	s.mux.ServeHTTP(w, r)
}

type tokenKey struct{}

func (s *Server) authenticate(r *http.Request) (*tokenInfo, bool) {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ti, ok := s.tokens[strings.TrimSpace(tok)]
	if !ok {
		return nil, false
	}
	if ti.clientID != "" && r.Header.Get("X-WORKABLE-CLIENT-ID") != ti.clientID {
		return nil, false
	}
	return ti, true
}

// admit counts r in its token's fixed window and sets the rate headers.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, ti *tokenInfo) bool {
	limit := s.cfg.limit
	if ti.clientID != "" || r.Header.Get("X-WORKABLE-CLIENT-ID") != "" {
		// Legacy partners sending the client ID with an account token get
		// partner limits (https://workable.readme.io/reference/rate-limits).
		limit = s.cfg.partnerLimit
	}
	if limit <= 0 || s.cfg.window <= 0 {
		return true
	}
	now := s.cfg.now()
	start := now.Truncate(s.cfg.window)
	key := r.Header.Get("Authorization")
	s.mu.Lock()
	win := s.windows[key]
	if win == nil || !win.start.Equal(start) {
		win = &window{start: start}
		s.windows[key] = win
	}
	win.count++
	n := win.count
	s.mu.Unlock()
	s.rateHeaders(w, limit, limit-n, start.Add(s.cfg.window))
	return n <= limit
}

// rateHeaders writes Workable's rate-limit headers. The unit of
// X-Rate-Limit-Reset is undocumented (https://workable.readme.io/reference/rate-limits; not documented); the fake
// sends Unix epoch seconds, with a millisecond fraction when the window is
// not a whole number of seconds.
func (s *Server) rateHeaders(w http.ResponseWriter, limit, remaining int, reset time.Time) {
	if remaining < 0 {
		remaining = 0
	}
	h := w.Header()
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(limit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(remaining))
	if s.cfg.window%time.Second == 0 {
		h.Set("X-Rate-Limit-Reset", strconv.FormatInt(reset.Unix(), 10))
	} else {
		h.Set("X-Rate-Limit-Reset", strconv.FormatFloat(float64(reset.UnixMilli())/1000, 'f', 3, 64))
	}
}

func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /jobs", s.scoped(s.listJobs, "r_jobs"))
	mux.HandleFunc("GET /jobs/{shortcode}", s.scoped(s.getJob, "r_jobs"))
	mux.HandleFunc("GET /jobs/{shortcode}/stages", s.scoped(s.jobStages, "r_jobs"))
	mux.HandleFunc("POST /jobs/{shortcode}/candidates", s.scoped(s.createCandidate, "w_candidates"))
	mux.HandleFunc("GET /candidates", s.scoped(s.listCandidates, "r_candidates"))
	mux.HandleFunc("GET /candidates/{id}", s.scoped(s.getCandidate, "r_candidates"))
	mux.HandleFunc("GET /candidates/{id}/activities", s.scoped(s.activities, "r_candidates"))
	mux.HandleFunc("POST /candidates/{id}/move", s.scoped(s.move, "w_candidates"))
	mux.HandleFunc("POST /candidates/{id}/comments", s.scoped(s.comment, "w_candidates", "w_comments"))
	mux.HandleFunc("PUT /candidates/{id}/tags", s.scoped(s.putTags, "w_candidates"))
	mux.HandleFunc("POST /candidates/{id}/disqualify", s.scoped(s.disqualify, "w_candidates"))
	mux.HandleFunc("POST /candidates/{id}/revert", s.scoped(s.revert, "w_candidates"))
	mux.HandleFunc("POST /candidates/{id}/ratings", s.scoped(s.rate, "w_candidates"))
	mux.HandleFunc("GET /members", s.scoped(s.listMembers, "r_jobs"))
	mux.HandleFunc("GET /subscriptions", s.scoped(s.listSubscriptions, "r_candidates", "r_employees"))
	mux.HandleFunc("POST /subscriptions", s.scoped(s.subscribe, "r_candidates", "r_employees"))
	mux.HandleFunc("DELETE /subscriptions/{id}", s.scoped(s.unsubscribe, "r_candidates", "r_employees"))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { writeError(w, http.StatusNotFound, "Not found") })
	return mux
}

func (s *Server) scoped(h http.HandlerFunc, anyOf ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ti := r.Context().Value(tokenKey{}).(*tokenInfo)
		for _, sc := range anyOf {
			if ti.scopes[sc] {
				h(w, r)
				return
			}
		}
		writeError(w, http.StatusForbidden, "Forbidden")
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": msg})
}

func writeValidation(w http.ResponseWriter, msg string, fields map[string]string) {
	body := map[string]any{"error": msg}
	if len(fields) > 0 {
		body["validation_errors"] = fields
	}
	writeJSON(w, http.StatusUnprocessableEntity, body)
}

func setOf(ss []string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[s] = true
	}
	return m
}

// pageParams reads limit (default 50, capped at 100 — https://workable.readme.io/reference/whats-new-in-v3) and
// the raw since_id; resolveSince turns since_id into a position.
func pageParams(r *http.Request) (limit int, sinceID string, err error) {
	limit = 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, e := strconv.Atoi(v)
		if e != nil || n < 1 {
			return 0, "", fmt.Errorf("limit must be a positive integer, got %q", v)
		}
		limit = min(n, 100)
	}
	return limit, r.URL.Query().Get("since_id"), nil
}

// resolveSince returns the insertion number from which a listing starts:
// since_id means "items with ID ≥ the given one" in insertion order
// (https://workable.readme.io/reference/whats-new-in-v3). The ID of an item of the collection (lookup) is
// exact — seeded items may carry any ID — and anything else is read as
// the hex number Workable's IDs are. Callers hold s.mu.
func resolveSince(sinceID string, lookup func(id string) (num int, ok bool)) (int, error) {
	if sinceID == "" {
		return 0, nil
	}
	if num, ok := lookup(sinceID); ok {
		return num, nil
	}
	n, err := strconv.ParseInt(sinceID, 16, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("since_id %q is invalid", sinceID)
	}
	return int(n), nil
}

// accountsPrefix is the account-scoped form of the API root that
// Workable's own list examples put in paging.next:
// https://www.workable.com/spi/v3/accounts/<subdomain>/candidates?…
// (https://workable.readme.io/reference/job-candidates-index).
const accountsPrefix = basePath + "/accounts/"

// apiPath strips the base path, and the /accounts/<subdomain> segment of
// the account-scoped form, from an incoming path.
func (s *Server) apiPath(p string) string {
	if rest, ok := strings.CutPrefix(p, accountsPrefix+s.cfg.subdomain+"/"); ok {
		return "/" + rest
	}
	return strings.TrimPrefix(p, basePath)
}

// ownAccount reports whether an account-scoped path names this account.
func (s *Server) ownAccount(p string) bool {
	rest, ok := strings.CutPrefix(p, accountsPrefix)
	if !ok {
		return true
	}
	account, _, _ := strings.Cut(rest, "/")
	return account == s.cfg.subdomain
}

// nextURL is the full next-page URL in the shape of Workable's examples:
// the account-scoped path on the www host (WithNextLinkHost; by default the
// request's own host, so a client pointed at the fake stays on it), with
// since_id set to the next item's ID.
func (s *Server) nextURL(r *http.Request, nextID string) string {
	q := r.URL.Query()
	q.Set("since_id", nextID)
	host := r.Host
	if s.cfg.nextHost != "" {
		host = s.cfg.nextHost
	}
	u := url.URL{Scheme: "http", Host: host, Path: accountsPrefix + s.cfg.subdomain + r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}
