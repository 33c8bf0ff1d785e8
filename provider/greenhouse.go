package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Greenhouse's Assessment Partner API
// (https://developers.greenhouse.io/assessment.html): Greenhouse calls the
// vendor's list_tests, send_test, test_status and response_error URLs with
// HTTP Basic auth carrying the key the vendor issued to the customer, and
// the vendor tells Greenhouse a test's status changed with a body-less
// PATCH to the url sent with send_test (GreenhousePublisher.Notify).

// MaxGreenhouseKeyLength is the longest key Greenhouse accepts: "The API
// key sent to Greenhouse must be less than 171 characters."
const MaxGreenhouseKeyLength = 170

// GreenhouseStatusComplete is the partner_status that tells Greenhouse
// results are available. Other statuses are free-form display strings.
const GreenhouseStatusComplete = "complete"

// GreenhouseTest is one entry of list_tests: a test a customer can pick
// for a job's assessment stage.
type GreenhouseTest struct {
	ID   string `json:"partner_test_id"`
	Name string `json:"partner_test_name"`
}

// GreenhouseCandidate is the candidate of a send_test request. Greenhouse
// sends empty values as null, which decode to "".
type GreenhouseCandidate struct {
	FirstName     string `json:"first_name"`
	LastName      string `json:"last_name"`
	PreferredName string `json:"preferred_name"`
	Email         string `json:"email"`
	PhoneNumber   string `json:"phone_number"`
	// ResumeURL expires seven days after the request.
	ResumeURL            string `json:"resume_url"`
	GreenhouseProfileURL string `json:"greenhouse_profile_url"`
}

// GreenhouseSendTestRequest is the body of send_test. The handler
// guarantees PartnerTestID, Candidate.FirstName, LastName and Email are
// non-empty and URL is an absolute http(s) URL.
type GreenhouseSendTestRequest struct {
	PartnerTestID string              `json:"partner_test_id"`
	Candidate     GreenhouseCandidate `json:"candidate"`
	// SentBy is the email of the Greenhouse user who sent the test.
	SentBy string `json:"sent_by"`
	// URL is where GreenhousePublisher.Notify sends the PATCH when the
	// test's status changes.
	URL string `json:"url"`
}

// GreenhouseTestStatus is the answer to test_status.
type GreenhouseTestStatus struct {
	// Status is required: GreenhouseStatusComplete once results are
	// available, any display string before.
	Status string
	// ProfileURL links to the results on the vendor's site; required when
	// Status is complete.
	ProfileURL string
	// Score is optional.
	Score *float64
	// Metadata is optional, shown in Greenhouse: a flat object whose
	// values are JavaScript primitives (string, number, boolean, null).
	Metadata map[string]any
}

// Validate reports whether s is a test_status answer Greenhouse accepts:
// a status, an absolute profile URL (required when complete), a finite
// score, and flat metadata whose values are primitives. The error is a
// *ValidationError naming the first problem.
func (s GreenhouseTestStatus) Validate() error {
	bad := func(field, reason string) error { return &ValidationError{Field: field, Reason: reason} }
	if strings.TrimSpace(s.Status) == "" {
		return bad("partner_status", "is required")
	}
	if s.Status == GreenhouseStatusComplete && strings.TrimSpace(s.ProfileURL) == "" {
		return bad("partner_profile_url", "is required when partner_status is complete")
	}
	if s.ProfileURL != "" {
		if u, err := url.Parse(s.ProfileURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return bad("partner_profile_url", "must be an absolute http(s) URL")
		}
	}
	if s.Score != nil && (math.IsNaN(*s.Score) || math.IsInf(*s.Score, 0)) {
		return bad("partner_score", "must be a finite number")
	}
	for k, v := range s.Metadata {
		if !isJSPrimitive(v) {
			return bad("metadata."+k, "must be a string, number, boolean or null (metadata may not be nested)")
		}
	}
	return nil
}

// isJSPrimitive reports whether v encodes as a JSON string, number,
// boolean or null.
func isJSPrimitive(v any) bool {
	switch x := v.(type) {
	case nil, string, bool, json.Number,
		int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return true
	case float32:
		return !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0)
	case float64:
		return !math.IsNaN(x) && !math.IsInf(x, 0)
	}
	return false
}

// MarshalJSON encodes s with Greenhouse's conventions: empty values are
// null, never omitted.
func (s GreenhouseTestStatus) MarshalJSON() ([]byte, error) {
	type wire struct {
		Status     string         `json:"partner_status"`
		ProfileURL *string        `json:"partner_profile_url"`
		Score      *float64       `json:"partner_score"`
		Metadata   map[string]any `json:"metadata"`
	}
	w := wire{Status: s.Status, Score: s.Score, Metadata: s.Metadata}
	if s.ProfileURL != "" {
		w.ProfileURL = &s.ProfileURL
	}
	return json.Marshal(w)
}

// GreenhouseResponseError is what Greenhouse posts to response_error when
// a vendor answer was malformed.
type GreenhouseResponseError struct {
	APICall            string   `json:"api_call"`
	Errors             []string `json:"errors"`
	PartnerTestID      string   `json:"partner_test_id"`
	PartnerTestName    string   `json:"partner_test_name"`
	PartnerInterviewID string   `json:"partner_interview_id"`
	CandidateEmail     string   `json:"candidate_email"`
}

// GreenhouseBackend is the vendor's product behind the Assessment Partner
// API. Each method gets the Account the request's key was issued to.
// Methods return ErrNotFound for an unknown test or partner interview.
type GreenhouseBackend interface {
	// GreenhouseTests lists the tests the customer can pick.
	GreenhouseTests(ctx context.Context, account Account) ([]GreenhouseTest, error)
	// SendGreenhouseTest invites the candidate and returns the
	// partner_interview_id of this instance. The handler makes repeats
	// idempotent; the backend is called once per distinct request.
	SendGreenhouseTest(ctx context.Context, account Account, req GreenhouseSendTestRequest) (partnerInterviewID string, err error)
	// GreenhouseTestStatus returns the status of a sent test.
	GreenhouseTestStatus(ctx context.Context, account Account, partnerInterviewID string) (GreenhouseTestStatus, error)
}

// GreenhouseErrorReporter is implemented by backends that want
// Greenhouse's response_error reports; without it they are logged.
type GreenhouseErrorReporter interface {
	GreenhouseResponseError(ctx context.Context, account Account, report GreenhouseResponseError) error
}

// GreenhouseHandlerOptions configures NewGreenhouseHandler.
type GreenhouseHandlerOptions struct {
	// Tokens resolves the key of each request (the HTTP Basic user name) to
	// the account it was issued to; StaticTokens compares in constant time
	// and supports rotation. Required.
	Tokens TokenResolver
	// MaxBodyBytes limits request bodies; larger ones get 413. Default
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// IdempotencyWindow is how long a send_test is remembered: a repeat
	// with the same account, test, candidate email and url returns the
	// first partner_interview_id. Greenhouse documents no retry policy, so
	// the default is DefaultIdempotencyWindow; negative disables.
	IdempotencyWindow time.Duration
	// IdempotencyStore is where send_test requests are remembered; see
	// HandlerOptions.IdempotencyStore. Default: this handler's memory.
	IdempotencyStore IdempotencyStore
	// Logger receives errors and response_error reports; nil uses
	// slog.Default(). Keys and candidate data are never logged: a
	// backend's error is logged by its Go type only (its text may carry
	// candidate data), so backends log their own details.
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// GreenhouseHandler serves Greenhouse's Assessment Partner API. Mount it
// under a prefix and give Greenhouse the four URLs:
//
//	h := provider.NewGreenhouseHandler(backend, provider.GreenhouseHandlerOptions{Tokens: keys})
//	mux.Handle("/greenhouse/", http.StripPrefix("/greenhouse", h))
//	// list_tests:     https://vendor.example/greenhouse/list_tests
//	// send_test:      https://vendor.example/greenhouse/send_test
//	// test_status:    https://vendor.example/greenhouse/test_status
//	// response_error: https://vendor.example/greenhouse/response_error
//
// It answers 401 (with WWW-Authenticate) when the key is missing, too long
// or unknown, 404 for an unknown test, partner interview or path, 400 for a
// malformed request, 405, 413, and 500 when the backend fails or answers
// something Greenhouse would refuse.
type GreenhouseHandler struct {
	b       GreenhouseBackend
	keys    TokenResolver
	maxBody int64
	idem    *idempotency // the in-memory cache, or nil
	window  time.Duration
	shared  *sharedIdempotency // a shared store, or nil
	log     *slog.Logger
}

// NewGreenhouseHandler returns a handler serving b. It returns an error
// when b or opts.Tokens is nil: a handler that cannot authenticate must not
// start.
func NewGreenhouseHandler(b GreenhouseBackend, opts GreenhouseHandlerOptions) (*GreenhouseHandler, error) {
	if b == nil {
		return nil, errors.New("provider: NewGreenhouseHandler: backend is nil: pass a GreenhouseBackend (GreenhouseFrom adapts a Backend)")
	}
	if opts.Tokens == nil {
		return nil, errors.New("provider: NewGreenhouseHandler: GreenhouseHandlerOptions.Tokens is nil: pass a TokenResolver (e.g. NewStaticTokens) that maps the keys Greenhouse sends to accounts")
	}
	h := &GreenhouseHandler{b: b, keys: opts.Tokens, maxBody: opts.MaxBodyBytes, log: opts.Logger}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	if opts.IdempotencyWindow >= 0 {
		w := opts.IdempotencyWindow
		if w == 0 {
			w = DefaultIdempotencyWindow
		}
		h.idem, h.shared = newIdempotencyFor(opts.IdempotencyStore, w, DefaultIdempotencyMaxKeys, now)
		h.window = w
	}
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *GreenhouseHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var method string
	var serve func(context.Context, http.ResponseWriter, *http.Request, Account)
	switch strings.TrimSuffix(r.URL.Path, "/") {
	case "/list_tests":
		method, serve = http.MethodGet, h.listTests
	case "/send_test":
		method, serve = http.MethodPost, h.sendTest
	case "/test_status":
		method, serve = http.MethodGet, h.testStatus
	case "/response_error", "/request_errors":
		method, serve = http.MethodPost, h.responseError
	default:
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	if r.Method != method {
		w.Header().Set("Allow", method)
		writeError(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	key, _, ok := r.BasicAuth()
	if !ok || key == "" || len(key) > MaxGreenhouseKeyLength {
		w.Header().Set("WWW-Authenticate", `Basic realm="greenhouse"`)
		writeError(w, http.StatusUnauthorized, "Missing or malformed API key")
		return
	}
	account, err := h.keys.ResolveToken(r.Context(), key)
	if err != nil {
		if errors.Is(err, ErrInvalidToken) {
			w.Header().Set("WWW-Authenticate", `Basic realm="greenhouse"`)
			writeError(w, http.StatusUnauthorized, "Invalid API key")
			return
		}
		h.log.ErrorContext(r.Context(), "provider: greenhouse: resolving key failed", errorAttrs(err))
		writeError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.log.ErrorContext(r.Context(), "provider: greenhouse: backend panicked", "panic", fmt.Sprint(p), "path", r.URL.Path)
			writeError(w, http.StatusInternalServerError, "Internal Server Error")
		}
	}()
	// The account travels in ctx; r keeps its own context, which saves
	// copying the request.
	serve(WithAccount(r.Context(), account), w, r, account)
}

func (h *GreenhouseHandler) backendError(w http.ResponseWriter, r *http.Request, op string, err error) {
	var pe *Error
	switch {
	case errors.As(err, &pe) && pe.Status >= 400 && pe.Status <= 599:
		writeError(w, pe.Status, pe.Message)
	case errors.Is(err, ErrNotFound):
		writeError(w, http.StatusNotFound, "Not Found")
	case errors.Is(err, ErrConflict):
		writeError(w, http.StatusConflict, "Conflict")
	default:
		h.log.ErrorContext(r.Context(), "provider: greenhouse: backend failed", "op", op, errorAttrs(err))
		writeError(w, http.StatusInternalServerError, "Internal Server Error")
	}
}

func writeJSONBody(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (h *GreenhouseHandler) listTests(ctx context.Context, w http.ResponseWriter, r *http.Request, account Account) {
	tests, err := h.b.GreenhouseTests(ctx, account)
	if err != nil {
		h.backendError(w, r, "list_tests", err)
		return
	}
	b := append(make([]byte, 0, 64*len(tests)+2), '[')
	for i, t := range tests {
		if t.ID == "" || t.Name == "" {
			h.log.ErrorContext(ctx, "provider: greenhouse: backend listed a test without partner_test_id or partner_test_name", "index", i)
			writeError(w, http.StatusInternalServerError, "Internal Server Error")
			return
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"partner_test_id":`...)
		b = appendJSONString(b, t.ID)
		b = append(b, `,"partner_test_name":`...)
		b = appendJSONString(b, t.Name)
		b = append(b, '}')
	}
	writeJSONBody(w, http.StatusOK, append(b, ']'))
}

// readBody reads a capped body into a pooled buffer, which the caller
// returns with putBuf once decoded; it answers errors itself.
func (h *GreenhouseHandler) readBody(w http.ResponseWriter, r *http.Request) (*bytes.Buffer, bool) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	var err error
	if n := r.ContentLength; n > 0 && n <= h.maxBody {
		// One byte more than announced, so a longer body is refused.
		buf.Grow(int(n) + 1)
		if _, err = buf.ReadFrom(io.LimitReader(r.Body, n+1)); err == nil && int64(buf.Len()) != n {
			err = errors.New("body length differs from Content-Length")
		}
	} else {
		err = readLimited(w, buf, r.Body, h.maxBody)
	}
	if err != nil {
		putBuf(buf)
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "Payload Too Large")
			return nil, false
		}
		writeError(w, http.StatusBadRequest, "Could not read the body")
		return nil, false
	}
	return buf, true
}

// readJSON reads a capped JSON body into v; it answers errors itself.
func (h *GreenhouseHandler) readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	buf, ok := h.readBody(w, r)
	if !ok {
		return false
	}
	err := DecodeGreenhouse(buf.Bytes(), v)
	putBuf(buf)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return false
	}
	return true
}

// DecodeGreenhouse decodes one JSON object from body into v, ignoring
// unknown fields (Greenhouse may add properties) and refusing trailing
// data. Errors name the problem without echoing the body.
func DecodeGreenhouse(body []byte, v any) error {
	// json.Unmarshal refuses trailing data itself.
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return fmt.Errorf("Invalid field: %s should be a %s", te.Field, jsonTypeName(te.Type.Kind().String()))
		}
		var se *json.SyntaxError
		if errors.As(err, &se) && strings.Contains(se.Error(), "after top-level value") {
			return errors.New("Invalid JSON: trailing data")
		}
		return errors.New("Invalid JSON")
	}
	return nil
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "slice":
		return "list"
	case "struct", "map":
		return "object"
	}
	return kind
}

// validate checks a send_test request.
func (req *GreenhouseSendTestRequest) validate() string {
	switch {
	case strings.TrimSpace(req.PartnerTestID) == "":
		return "Missing field: partner_test_id should be provided"
	case strings.TrimSpace(req.Candidate.FirstName) == "":
		return "Missing field: candidate.first_name should be provided"
	case strings.TrimSpace(req.Candidate.LastName) == "":
		return "Missing field: candidate.last_name should be provided"
	case strings.TrimSpace(req.Candidate.Email) == "":
		return "Missing field: candidate.email should be provided"
	case req.URL == "":
		return "Missing field: url should be provided"
	}
	if u, err := url.Parse(req.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "Invalid field: url should be an absolute https URL"
	}
	return ""
}

func (h *GreenhouseHandler) sendTest(ctx context.Context, w http.ResponseWriter, r *http.Request, account Account) {
	var req GreenhouseSendTestRequest
	buf, ok := h.readBody(w, r)
	if !ok {
		return
	}
	// Decoded strings are copies (fastReader copies the body once), so
	// the buffer goes back to the pool at once.
	if !fastGreenhouseSend(buf.Bytes(), &req) {
		var err error
		if req, err = slowGreenhouseSend(buf.Bytes()); err != nil {
			putBuf(buf)
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	putBuf(buf)
	if msg := req.validate(); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	// Greenhouse documents no idempotency key; a repeat is the same
	// account, test, candidate email and callback url.
	cr := h.begin(ctx, account, &req)
	id, err := cr.id, cr.err
	if cr.claimed() {
		id, err = h.send(ctx, cr, account, &req)
	}
	if err != nil {
		h.backendError(w, r, "send_test", err)
		return
	}
	if id == "" {
		h.log.ErrorContext(ctx, "provider: greenhouse: backend returned an empty partner_interview_id")
		writeError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	b := append(make([]byte, 0, 32+len(id)), `{"partner_interview_id":`...)
	b = appendJSONString(b, id)
	writeJSONBody(w, http.StatusOK, append(b, '}'))
}

func (h *GreenhouseHandler) testStatus(ctx context.Context, w http.ResponseWriter, r *http.Request, account Account) {
	id := strings.TrimSpace(r.URL.Query().Get("partner_interview_id"))
	if id == "" {
		writeError(w, http.StatusBadRequest, "Missing field: partner_interview_id should be provided")
		return
	}
	st, err := h.b.GreenhouseTestStatus(ctx, account, id)
	if err != nil {
		h.backendError(w, r, "test_status", err)
		return
	}
	if err := st.Validate(); err != nil {
		h.log.ErrorContext(ctx, "provider: greenhouse: backend answered an invalid test status", "error", err)
		writeError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	b, err := json.Marshal(st)
	if err != nil {
		h.backendError(w, r, "test_status", err)
		return
	}
	writeJSONBody(w, http.StatusOK, b)
}

func (h *GreenhouseHandler) responseError(ctx context.Context, w http.ResponseWriter, r *http.Request, account Account) {
	var rep GreenhouseResponseError
	if !h.readJSON(w, r, &rep) {
		return
	}
	if rep.APICall == "" {
		writeError(w, http.StatusBadRequest, "Missing field: api_call should be provided")
		return
	}
	if er, ok := h.b.(GreenhouseErrorReporter); ok {
		if err := er.GreenhouseResponseError(ctx, account, rep); err != nil {
			h.backendError(w, r, "response_error", err)
			return
		}
	} else {
		h.log.WarnContext(ctx, "provider: greenhouse reported a malformed response", "account", string(account),
			"api_call", rep.APICall, "errors", strings.Join(rep.Errors, "; "), "partner_interview_id", rep.PartnerInterviewID)
	}
	writeJSONBody(w, http.StatusOK, []byte(`{"status":200}`))
}

// slowGreenhouseSend decodes a send_test body with encoding/json; apart so
// that only this path puts the request on the heap.
func slowGreenhouseSend(body []byte) (GreenhouseSendTestRequest, error) {
	var req GreenhouseSendTestRequest
	err := DecodeGreenhouse(body, &req)
	return req, err
}

// begin looks a send_test up in the idempotency cache or store, if
// enabled (see Handler.begin).
func (h *GreenhouseHandler) begin(ctx context.Context, account Account, req *GreenhouseSendTestRequest) createRun {
	email := strings.ToLower(strings.TrimSpace(req.Candidate.Email))
	switch {
	case h.idem != nil:
		cl, id, _, _, err := h.idem.begin(ctx, account, h.idem.key(account, "greenhouse", req.PartnerTestID, &Candidate{Email: email}, req.URL), h.window)
		return createRun{mem: cl, id: id, err: err, own: cl.e != nil}
	case h.shared != nil:
		return h.shared.begin(ctx, IdempotencyKey{Account: account, Contract: "greenhouse/send_test", Digest: digest(req.PartnerTestID, email, req.URL)})
	}
	return createRun{own: true}
}

// send calls the backend for a claimed send_test and records the outcome
// (also when the backend panics) before the caller answers.
func (h *GreenhouseHandler) send(ctx context.Context, cr createRun, account Account, req *GreenhouseSendTestRequest) (id string, err error) {
	err = errCreatePanicked
	defer func() { h.finish(ctx, cr, id, err) }()
	return h.b.SendGreenhouseTest(ctx, account, *req)
}

// finish records the outcome of a claimed send_test.
func (h *GreenhouseHandler) finish(ctx context.Context, cr createRun, id string, err error) {
	if err == nil && id == "" {
		err = errEmptyID // not remembered: the next try calls the backend again
	}
	switch {
	case cr.mem.e != nil:
		h.idem.finish(cr.mem, id, nil, err)
	case cr.shared.token != "":
		if ferr := h.shared.finish(ctx, cr.shared, id, nil, err); ferr != nil {
			h.log.ErrorContext(ctx, "provider: greenhouse: recording a send_test in the idempotency store failed; a retry may create a duplicate", "account", string(cr.shared.key.Account), errorAttrs(ferr))
		}
	}
}

// errEmptyID is a backend's empty id, which is answered 500.
var errEmptyID = errors.New("provider: backend returned an empty id")
