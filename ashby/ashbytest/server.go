package ashbytest

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/atskit/atskit/internal/fakeserver"
	xrate "golang.org/x/time/rate"
)

// BasePath is the path the fake mounts Ashby's API under. Ashby's own API
// has none (https://api.ashbyhq.com/<method>); the fake has one so that a
// client dropping the configured base URL's path fails loudly.
const BasePath = "/ashby-api"

// DefaultAPIKey is accepted out of the box, with every permission.
const DefaultAPIKey = "ashbytest-api-key"

// AllPermissions returns every module permission routes check, in a new
// slice.
func AllPermissions() []string { return slices.Clone(allPermissions) }

var allPermissions = []string{
	"candidatesRead", "candidatesWrite", "jobsRead", "jobsWrite", "interviewsRead", "interviewsWrite",
	"organizationRead", "organizationWrite", "hiringProcessMetadataRead", "hiringProcessMetadataWrite",
	"apiKeysRead", "apiKeysWrite", "reportsRead",
}

// MaxRequestBytes is the largest request body the fake accepts (assumed:
// Ashby's limit is not documented).
const MaxRequestBytes = 4 << 20

// Server is a fake Ashby API. Its methods are safe for concurrent use.
type Server struct {
	// URL is the API base URL including BasePath, for
	// ashby.Options.BaseURL.
	URL string

	ts        *httptest.Server
	root      string
	now       func() time.Time
	closing   chan struct{}
	closeOnce sync.Once
	ctx       context.Context
	cancel    context.CancelFunc

	mu sync.Mutex
	d  data
	// auth and traffic
	keys          map[string]*apiKey
	rate          xrate.Limit
	burst         int
	retryAfter    string
	partnerScope  bool
	pageCap       int
	incrLimit     int
	cursorGen     int
	tokenGen      int
	failEmail     bool
	retryGaps     []time.Duration
	pingTimeout   time.Duration
	deliveries    []Delivery
	terminalAfter TerminalPolicy
	extraTypes    []string
	unsignedPing  bool

	log     fakeserver.Log[Request]
	faults  *fakeserver.Injector[FaultKind]
	pending fakeserver.Pending
}

type apiKey struct {
	key      string
	title    string
	perms    map[string]bool
	disabled bool
	limiter  *xrate.Limiter
}

// Option configures a Server.
type Option func(*Server)

// WithRateLimit sets each key's token bucket. Ashby does not publish its
// limit; the default, 10 per second with burst 10, matches the ashby
// client's default. A limit of zero or less disables rate limiting.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(s *Server) { s.rate, s.burst = xrate.Limit(perSecond), burst }
}

// WithRetryAfter makes 429 answers carry Retry-After with this many
// seconds. Whether Ashby sends Retry-After is undocumented; by default the
// fake does not.
func WithRetryAfter(seconds int) Option {
	return func(s *Server) { s.retryAfter = fmt.Sprint(seconds) }
}

// WithPageCap caps list page sizes (default 100; Ashby caps silently at an
// undocumented size).
func WithPageCap(n int) Option { return func(s *Server) { s.pageCap = n } }

// WithIncrementalLimit makes an incremental sync (one with a syncToken)
// that has more than n changed records answer incremental_sync_too_large.
// Zero (the default) never does.
func WithIncrementalLimit(n int) Option { return func(s *Server) { s.incrLimit = n } }

// WithClock sets the clock for timestamps and upload URL expiry.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// DefaultRetryGaps returns the waits before the fake's nine retries of a
// delivery that failed: Ashby waits (2^n − 1) × 10 s before retry n
// (https://developers.ashbyhq.com/docs/retries); the fake waits
// (2^n − 1) ms, so a test runs all ten attempts in about a second. Each
// call returns a new slice.
func DefaultRetryGaps() []time.Duration {
	return fakeserver.ExponentialGaps(time.Millisecond, MaxDeliveryAttempts-1)
}

// WithWebhookRetryGaps sets the waits before each retry of a failed
// delivery; its length is the number of retries (default
// DefaultRetryGaps: Ashby's nine).
func WithWebhookRetryGaps(gaps ...time.Duration) Option {
	return func(s *Server) { s.retryGaps = slices.Clone(gaps) }
}

// WithWebhookRetryBase sets the unit of webhook retry delays: the fake
// waits (2^n − 1) × base before retry n, where Ashby waits
// (2^n − 1) × 10 s.
//
// Deprecated: use WithWebhookRetryGaps, the option every atskit fake
// takes; WithWebhookRetryBase(d) is
// WithWebhookRetryGaps(ExponentialGaps(d)...) with Ashby's nine retries.
func WithWebhookRetryBase(d time.Duration) Option {
	return WithWebhookRetryGaps(fakeserver.ExponentialGaps(d, MaxDeliveryAttempts-1)...)
}

// WithWebhookTypes makes webhook.create accept further types besides
// WebhookTypes (Ashby's payload reference documents jobCreate, jobUpdate,
// openingCreate and signatureRequestUpdate; whether webhook.create takes
// them is not documented).
func WithWebhookTypes(types ...string) Option {
	return func(s *Server) { s.extraTypes = append(s.extraTypes, types...) }
}

// WithUnsignedPings makes the fake send its pings without Ashby-Signature
// (whether Ashby signs pings is not documented; by default the fake does).
func WithUnsignedPings() Option { return func(s *Server) { s.unsignedPing = true } }

// WithFaults injects faults into a fraction of requests; see Faults.
func WithFaults(f Faults) Option { return func(s *Server) { s.faults.Set(f) } }

// WithTerminalPolicy sets how assessment.update treats an update to an
// assessment that is already complete or cancelled (Ashby does not say).
func WithTerminalPolicy(p TerminalPolicy) Option { return func(s *Server) { s.terminalAfter = p } }

// Faults configures random fault injection: Probability (in [0, 1]) is
// the chance that a request is hit; each request draws once from a
// generator seeded with Seed; Kinds are the faults to choose from (nil
// means all three); a stalled request hangs for Stall (default 1 s). The
// zero Faults injects nothing.
type Faults = fakeserver.Faults[FaultKind]

// FaultKind is a kind of injected fault.
type FaultKind string

// Fault kinds.
const (
	FaultServerError FaultKind = fakeserver.KindServerError // 503
	FaultRateLimit   FaultKind = fakeserver.KindRateLimit   // 429 without Retry-After
	FaultStall       FaultKind = fakeserver.KindStall       // the response is delayed by Faults.Stall
)

// NewServer starts a fake Ashby server. Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{
		now:         time.Now,
		closing:     make(chan struct{}),
		keys:        map[string]*apiKey{},
		rate:        10,
		burst:       10,
		pageCap:     100,
		retryGaps:   DefaultRetryGaps(),
		pingTimeout: 5 * time.Second,
		faults:      fakeserver.NewInjector([]FaultKind{FaultServerError, FaultRateLimit, FaultStall}, time.Second),
	}
	s.d.init()
	for _, o := range opts {
		o(s)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.addKeyLocked(DefaultAPIKey, "ashbytest default key", AllPermissions())
	s.ts = httptest.NewServer(s.routes())
	s.root = s.ts.URL
	s.URL = s.ts.URL + BasePath
	return s
}

// Close shuts the server down, abandoning webhook deliveries in flight.
// It may be called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.cancel()
		s.ts.Close()
	})
}

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// AddAPIKey makes the server accept key with the given module permissions
// (see AllPermissions).
func (s *Server) AddAPIKey(key string, permissions ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addKeyLocked(key, "ashbytest key", permissions)
}

func (s *Server) addKeyLocked(key, title string, perms []string) {
	k := &apiKey{key: key, title: title, perms: map[string]bool{}}
	for _, p := range perms {
		k.perms[p] = true
	}
	if s.rate > 0 {
		k.limiter = xrate.NewLimiter(s.rate, max(s.burst, 1))
	}
	s.keys[key] = k
}

// DisableAPIKey deactivates key: requests with it answer 403.
func (s *Server) DisableAPIKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := s.keys[key]; k != nil {
		k.disabled = true
	}
}

// SetPartnerThrottle makes every request answer 429 with
// X-RateLimit-Scope: integration-partner (Ashby throttling the partner's
// combined traffic) until called with false.
func (s *Server) SetPartnerThrottle(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.partnerScope = on
}

// ExpireCursors makes every cursor issued so far answer next_cursor_expired.
func (s *Server) ExpireCursors() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cursorGen++
}

// ExpireSyncTokens makes every sync token issued so far answer
// sync_token_expired.
func (s *Server) ExpireSyncTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenGen++
}

// FailArchiveEmails makes application.changeStage with archiveEmail fail
// (and leave the stage unchanged), as when Ashby cannot send the email.
func (s *Server) FailArchiveEmails(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failEmail = on
}

// SetFaults replaces the fault-injection configuration; the zero Faults
// turns it off.
func (s *Server) SetFaults(f Faults) { s.faults.Set(f) }

// InjectedFaults reports how many faults of each kind were injected.
func (s *Server) InjectedFaults() map[FaultKind]int { return s.faults.Injected() }

// FailRequests makes every API request fail with status (429s carry
// Retry-After: 1) until restore is called.
func (s *Server) FailRequests(status int) (restore func()) { return s.faults.FailRequests(status) }

// Request is an API request the server received.
type Request struct {
	// Method is the RPC method, e.g. "application.changeStage".
	Method string
	// HTTPMethod is the HTTP method (Ashby accepts only POST).
	HTTPMethod string
	Path       string
	Body       []byte
	// APIKey is the Basic-auth user name (the key); "" when absent.
	APIKey string
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

// ThrottledCount reports how many requests were answered 429 by the rate
// limit.
func (s *Server) ThrottledCount() int { return s.log.ThrottledCount() }

// SetRecording turns the request log on or off (on by default); counters
// keep counting. Long benchmarks turn it off so the log is not the heap.
func (s *Server) SetRecording(on bool) { s.log.SetRecording(on) }

func randHex(n int) string {
	b := make([]byte, n)
	crand.Read(b)
	return hex.EncodeToString(b)
}

// newUUID returns a random version-4 UUID string, the shape of Ashby IDs.
func newUUID() string {
	var b [16]byte
	crand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// writeOK answers {"success": true, "results": v} plus extra fields.
func writeOK(w http.ResponseWriter, v any, extra map[string]any) {
	env := map[string]any{"success": true, "results": v}
	maps.Copy(env, extra)
	writeJSON(w, http.StatusOK, env)
}

// writeFail answers Ashby's error envelope with HTTP status (200 for
// domain errors).
func writeFail(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{
		"success":   false,
		"errors":    []string{code},
		"errorInfo": map[string]any{"code": code, "message": msg, "requestId": strings.ToUpper(randHex(13))},
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// route is an RPC handler: it gets the raw JSON body and the caller's key.
type route struct {
	perm string
	h    func(w http.ResponseWriter, body []byte, k *apiKey)
}

// api runs the checks every Ashby call goes through, then the route.
func (s *Server) api(routes map[string]route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		method := strings.TrimPrefix(r.URL.Path, BasePath+"/")
		body, readErr := io.ReadAll(io.LimitReader(r.Body, MaxRequestBytes+1))
		tooLarge := int64(len(body)) > MaxRequestBytes
		user, _, hasAuth := r.BasicAuth()

		s.log.Record(Request{Method: method, HTTPMethod: r.Method, Path: r.URL.Path, Body: bytes.Clone(body), APIKey: user})
		draw := s.faults.Next()
		s.mu.Lock()
		partner := s.partnerScope
		retryAfter := s.retryAfter
		k := s.keys[user]
		s.mu.Unlock()

		if fail := draw.Fail; fail != 0 {
			if fail == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "1")
				writeFail(w, fail, "rate_limit_exceeded", "injected failure")
				return
			}
			writeFail(w, fail, "internal_error", "injected failure")
			return
		}
		if draw.AnswerFault(r, s.closing, func(status int, msg string) {
			code := "internal_error"
			if status == http.StatusTooManyRequests {
				code = "rate_limit_exceeded"
			}
			writeFail(w, status, code, msg)
		}) {
			return
		}
		rt, known := routes[method]
		if !known {
			writeFail(w, http.StatusNotFound, "not_found", fmt.Sprintf("ashbytest: no RPC method %q (routes are %s/<category>.<method>)", method, BasePath))
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeFail(w, http.StatusMethodNotAllowed, "method_not_allowed", "Ashby's API takes POST requests only")
			return
		}
		if partner {
			w.Header().Set("X-RateLimit-Scope", "integration-partner")
			writeFail(w, http.StatusTooManyRequests, "rate_limit_exceeded", "Integration partner rate limit exceeded across organizations")
			return
		}
		// Authentication (https://developers.ashbyhq.com/docs/authentication):
		// no key → 401, a wrong or deactivated key → 403.
		if !hasAuth || user == "" {
			writeFail(w, http.StatusUnauthorized, "unauthenticated", "Missing API key: use HTTP Basic auth with the key as user name")
			return
		}
		if k == nil || k.disabled {
			// The code Ashby sends for a bad key is undocumented.
			writeFail(w, http.StatusForbidden, "invalid_api_key", "The API key is invalid or deactivated")
			return
		}
		if k.limiter != nil && !k.limiter.Allow() {
			s.log.Throttle()
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			writeFail(w, http.StatusTooManyRequests, "rate_limit_exceeded", "Rate limit exceeded for this API key")
			return
		}
		if rt.perm != "" && !k.perms[rt.perm] {
			writeFail(w, http.StatusForbidden, "missing_endpoint_permission", fmt.Sprintf("The API key lacks the %s permission this endpoint requires", rt.perm))
			return
		}
		switch {
		case readErr != nil:
			writeFail(w, http.StatusOK, "invalid_input", "Could not read the request body")
			return
		case tooLarge:
			writeFail(w, http.StatusRequestEntityTooLarge, "invalid_input", fmt.Sprintf("Request body exceeds %d bytes", MaxRequestBytes))
			return
		}
		if ct := r.Header.Get("Content-Type"); len(bytes.TrimSpace(body)) > 0 && !strings.HasPrefix(ct, "application/json") {
			writeFail(w, http.StatusOK, "invalid_input", "Content-Type must be application/json")
			return
		}
		rt.h(w, body, k)
	}
}

// decode reads body strictly into v: unknown fields and wrong types are
// invalid_input, as in Ashby. It reports whether it answered.
func decode(w http.ResponseWriter, body []byte, v any) bool {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeFail(w, http.StatusOK, "invalid_input", "Request payload is malformed: "+err.Error())
		return false
	}
	if dec.More() {
		writeFail(w, http.StatusOK, "invalid_input", "Request payload has trailing data")
		return false
	}
	return true
}
