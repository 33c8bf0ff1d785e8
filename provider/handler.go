package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atskit/atskit/internal/safehttp"
)

// Defaults for HandlerOptions.
const (
	DefaultMaxBodyBytes       = 1 << 20
	DefaultIdempotencyWindow  = 24 * time.Hour
	DefaultIdempotencyMaxKeys = 100_000
	DefaultReadTimeout        = 10 * time.Second
)

// HandlerOptions configures a Handler. Tokens is required; the zero value of
// every other field selects its default.
type HandlerOptions struct {
	// Tokens resolves the bearer token of each request to an account.
	Tokens TokenResolver
	// MaxBodyBytes limits request bodies; larger ones get 413. Default 1 MiB.
	MaxBodyBytes int64
	// ReadTimeout bounds reading a request body, from the moment the
	// handler starts reading it (a read deadline set with
	// http.ResponseController, replacing the http.Server's read deadline
	// while the body is read); a body not read in time gets 408 and the
	// connection is closed. Default DefaultReadTimeout (10 s); negative
	// leaves the server's deadline alone.
	ReadTimeout time.Duration
	// IdempotencyWindow is how long a create request is remembered: a POST
	// with the same account, template (or test), candidate and callback URL
	// within the window answers 201 with the first request's id instead of
	// creating a second invitation. Default 24h; negative disables.
	IdempotencyWindow time.Duration
	// IdempotencyMaxKeys bounds the remembered requests of each account;
	// an account's oldest are forgotten first, and never another
	// account's. Default 100,000. Ignored when IdempotencyStore is set.
	IdempotencyMaxKeys int
	// IdempotencyStore is where create requests are remembered. Default:
	// this handler's own memory, which de-duplicates only within one
	// process; give every replica the same shared store (such as
	// lifecycle/sqlstore's) so that a request repeated to another replica
	// gets the same id and the backend is called once. When the store
	// fails, the create is answered 500 (Workable retries) rather than
	// risking a duplicate invitation.
	IdempotencyStore IdempotencyStore
	// Logger receives server errors and recovered panics. Tokens are never
	// logged. Default slog.Default().
	Logger *slog.Logger
	// Now returns the current time. Default time.Now.
	Now func() time.Time
	// DeclinedStatus is the status served for StatusDeclined and
	// StatusRejected results on GET /interviews/{id} and
	// /assessments/{id}. Default DefaultDeclinedStatus; see
	// PublisherOptions.DeclinedStatus.
	DeclinedStatus Status
}

// Handler serves Workable's Video Interview Provider and Assessment Provider
// contracts over an InterviewBackend and/or an AssessmentBackend. Create it
// with NewHandler.
type Handler struct {
	interviews  InterviewBackend
	assessments AssessmentBackend
	tokens      TokenResolver
	maxBody     int64
	readTimeout time.Duration
	idem        *idempotency // the in-memory cache, or nil
	idemWindow  time.Duration
	shared      *sharedIdempotency // a shared store, or nil
	log         *slog.Logger
	declined    Status
}

// NewHandler returns a Handler serving the contracts backend implements:
// the Video Interview Provider endpoints if it is an InterviewBackend, the
// Assessment Provider endpoints if it is an AssessmentBackend (a
// MemoryBackend is both). Paths of a contract the backend does not
// implement answer 404.
//
// The handler routes on the last segments of the request path, so it can be
// mounted anywhere, with or without stripping the mount prefix:
//
//	mux.Handle("/workable/", http.StripPrefix("/workable", h))
//
// It serves, relative to the mount point:
//
//	GET  /interview-templates            {"interview_templates": [{"id", "name"}]}
//	POST /interviews                     201 {"interview_id": "…"}
//	GET  /interviews/{id}                the status document
//	GET  /interviews/{id}/shared-link    {"url", "ttl", "ttl_units"} (SharedLinker)
//	GET  /tests                          {"tests": [{"id", "name"}]}
//	POST /assessments                    201 {"assessment_id": "…"}
//	GET  /assessments/{id}               the status document
//	GET  /assessments/{id}/shared-link   (AssessmentSharedLinker)
//
// Because routing is by suffix, an id equal to a collection name
// ("interviews", "tests"…) cannot be fetched.
//
// NewHandler returns an error, and no Handler, when opts.Tokens is nil or
// backend implements neither backend interface; the error says which
// methods are missing, and that a pointer is needed when only the pointer
// type implements them (pass &b, not b).
func NewHandler(backend any, opts HandlerOptions) (*Handler, error) {
	if opts.Tokens == nil {
		return nil, errors.New("provider: NewHandler: HandlerOptions.Tokens is nil: pass a TokenResolver (e.g. NewStaticTokens) that maps Workable's API keys to accounts")
	}
	h := &Handler{tokens: opts.Tokens, maxBody: opts.MaxBodyBytes, readTimeout: opts.ReadTimeout, log: opts.Logger, declined: opts.DeclinedStatus}
	if h.readTimeout == 0 {
		h.readTimeout = DefaultReadTimeout
	}
	h.interviews, _ = backend.(InterviewBackend)
	h.assessments, _ = backend.(AssessmentBackend)
	if h.interviews == nil && h.assessments == nil {
		return nil, backendTypeError(backend)
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	window := opts.IdempotencyWindow
	if window == 0 {
		window = DefaultIdempotencyWindow
	}
	if window > 0 {
		maxKeys := opts.IdempotencyMaxKeys
		if maxKeys <= 0 {
			maxKeys = DefaultIdempotencyMaxKeys
		}
		now := opts.Now
		if now == nil {
			now = time.Now
		}
		h.idem, h.shared = newIdempotencyFor(opts.IdempotencyStore, window, maxKeys, now)
		h.idemWindow = window
	}
	return h, nil
}

// backendTypeError explains why backend cannot serve Workable's contracts.
func backendTypeError(backend any) error {
	if backend == nil {
		return errors.New("provider: NewHandler: backend is nil: pass an InterviewBackend, an AssessmentBackend or both (WorkableFrom adapts a Backend)")
	}
	t := reflect.TypeOf(backend)
	if t.Kind() != reflect.Pointer {
		p := reflect.PointerTo(t)
		if p.Implements(reflect.TypeFor[InterviewBackend]()) || p.Implements(reflect.TypeFor[AssessmentBackend]()) {
			return fmt.Errorf("provider: NewHandler: backend is a %v value, but its methods have pointer receivers: pass a pointer (&b, a %v)", t, p)
		}
	}
	return fmt.Errorf("provider: NewHandler: %v implements neither InterviewBackend (InterviewTemplates, CreateInterview, Interview) nor AssessmentBackend (Tests, CreateAssessment, Assessment); WorkableFrom adapts a Backend", t)
}

type routeKind uint8

const (
	routeNone routeKind = iota
	routeTemplates
	routeInterviews
	routeInterview
	routeInterviewLink
	routeTests
	routeAssessments
	routeAssessment
	routeAssessmentLink
)

// cutLast splits p at its last '/'.
func cutLast(p string) (rest, last string) {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", p
	}
	return p[:i], p[i+1:]
}

// route matches the trailing segments of path.
func route(path string) (routeKind, string) {
	rest, last := cutLast(strings.TrimSuffix(path, "/"))
	switch last {
	case "interview-templates":
		return routeTemplates, ""
	case "interviews":
		return routeInterviews, ""
	case "tests":
		return routeTests, ""
	case "assessments":
		return routeAssessments, ""
	case "shared-link":
		rest2, id := cutLast(rest)
		_, coll := cutLast(rest2)
		if id != "" {
			switch coll {
			case "interviews":
				return routeInterviewLink, id
			case "assessments":
				return routeAssessmentLink, id
			}
		}
	}
	if last == "" {
		return routeNone, ""
	}
	switch _, coll := cutLast(rest); coll {
	case "interviews":
		return routeInterview, last
	case "assessments":
		return routeAssessment, last
	}
	return routeNone, ""
}

// ServeHTTP implements http.Handler. Every request is authenticated
// first: an anonymous caller gets 401 whatever the path or method, so it
// learns nothing about which contracts the deployment serves.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	account, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	// Route on the escaped path so that an id holding an escaped '/'
	// (a%2Fb) stays one segment.
	kind, id := route(r.URL.EscapedPath())
	if id != "" {
		var err error
		if id, err = url.PathUnescape(id); err != nil {
			kind = routeNone
		}
	}
	switch kind {
	case routeTemplates, routeInterviews, routeInterview, routeInterviewLink:
		if h.interviews == nil {
			kind = routeNone
		}
	case routeTests, routeAssessments, routeAssessment, routeAssessmentLink:
		if h.assessments == nil {
			kind = routeNone
		}
	}
	if kind == routeNone {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	post := kind == routeInterviews || kind == routeAssessments
	switch {
	case post && r.Method != http.MethodPost:
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "Method Not Allowed: use POST")
		return
	case !post && r.Method != http.MethodGet && r.Method != http.MethodHead:
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "Method Not Allowed: use GET")
		return
	}

	if kind == routeInterviews || kind == routeAssessments {
		// Creates make the context only if the backend needs it.
		h.create(w, r, account, kind == routeAssessments)
		return
	}
	ctx := WithAccount(r.Context(), account)

	switch kind {
	case routeTemplates:
		ts, err := call(func() ([]InterviewTemplate, error) { return h.interviews.InterviewTemplates(ctx, account) })
		if err != nil {
			h.backendError(w, r, account, err)
			return
		}
		if ts == nil {
			ts = []InterviewTemplate{}
		}
		h.writeJSON(w, r, http.StatusOK, struct {
			InterviewTemplates []InterviewTemplate `json:"interview_templates"`
		}{ts})
	case routeTests:
		ts, err := call(func() ([]Test, error) { return h.assessments.Tests(ctx, account) })
		if err != nil {
			h.backendError(w, r, account, err)
			return
		}
		if ts == nil {
			ts = []Test{}
		}
		h.writeJSON(w, r, http.StatusOK, struct {
			Tests []Test `json:"tests"`
		}{ts})
	case routeInterview:
		h.serveResult(w, r, account, false, func() (StatusDocument, error) { return h.interviews.Interview(ctx, account, id) })
	case routeAssessment:
		h.serveResult(w, r, account, true, func() (StatusDocument, error) { return h.assessments.Assessment(ctx, account, id) })
	case routeInterviewLink:
		sl, ok := h.interviews.(SharedLinker)
		if !ok {
			writeError(w, http.StatusNotFound, "Not Found: shared links are not supported")
			return
		}
		h.serveLink(w, r, account, func() (SharedLink, error) { return sl.SharedLink(ctx, account, id) })
	case routeAssessmentLink:
		sl, ok := h.assessments.(AssessmentSharedLinker)
		if !ok {
			writeError(w, http.StatusNotFound, "Not Found: shared links are not supported")
			return
		}
		h.serveLink(w, r, account, func() (SharedLink, error) { return sl.AssessmentSharedLink(ctx, account, id) })
	}
}

// authenticate resolves the bearer token, answering 401 when it is missing
// or invalid.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request) (Account, bool) {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		unauthorized(w, "Missing Token")
		return "", false
	}
	// net/http trims the header value, so "Bearer " arrives as "Bearer".
	const scheme = "Bearer"
	if len(authz) < len(scheme) || !strings.EqualFold(authz[:len(scheme)], scheme) ||
		(len(authz) > len(scheme) && authz[len(scheme)] != ' ') {
		unauthorized(w, "Invalid Token")
		return "", false
	}
	token := strings.TrimSpace(authz[len(scheme):])
	if token == "" {
		unauthorized(w, "Missing Token")
		return "", false
	}
	account, err := call(func() (Account, error) { return h.tokens.ResolveToken(r.Context(), token) })
	if err != nil {
		h.tokenError(w, r, err)
		return "", false
	}
	return account, true
}

// tokenError answers a token resolver's error.
func (h *Handler) tokenError(w http.ResponseWriter, r *http.Request, err error) {
	var panicked *panicError
	switch {
	case errors.Is(err, ErrInvalidToken):
		unauthorized(w, "Invalid Token")
	case errors.As(err, &panicked):
		h.log.ErrorContext(r.Context(), "provider: token resolver panicked", "method", r.Method, "path", safehttp.Bound(r.URL.Path, 200), "panic", fmt.Sprint(panicked.value), "stack", string(panicked.stack))
		writeError(w, http.StatusInternalServerError, "Internal Server Error")
	default:
		h.log.ErrorContext(r.Context(), "provider: resolving token", "method", r.Method, "path", safehttp.Bound(r.URL.Path, 200), "error", err)
		writeError(w, http.StatusInternalServerError, "Internal Server Error")
	}
}

func unauthorized(w http.ResponseWriter, message string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="provider"`)
	writeError(w, http.StatusUnauthorized, message)
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readBody checks the content type and reads at most h.maxBody bytes.
// The caller returns buf to bufPool.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) (*bytes.Buffer, *requestError) {
	if ct := r.Header.Get("Content-Type"); ct != "" && ct != "application/json" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))) {
			return nil, &requestError{http.StatusUnsupportedMediaType, "Unsupported Content-Type: use application/json"}
		}
	}
	if r.ContentLength > h.maxBody {
		return nil, h.tooLarge()
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	deadline := safehttp.SetReadDeadline(w, h.readTimeout)
	err := readLimited(w, buf, r.Body, h.maxBody)
	deadline.Lift()
	if err != nil {
		putBuf(buf)
		switch safehttp.ReadErrorStatus(w, err) {
		case http.StatusRequestEntityTooLarge:
			return nil, h.tooLarge()
		case http.StatusRequestTimeout:
			return nil, &requestError{http.StatusRequestTimeout, "Request Timeout: the body was not received within " + h.readTimeout.String()}
		}
		return nil, &requestError{http.StatusBadRequest, "Invalid JSON: reading the body failed"}
	}
	return buf, nil
}

func (h *Handler) tooLarge() *requestError {
	return &requestError{http.StatusRequestEntityTooLarge, "Request body too large: the limit is " + strconv.FormatInt(h.maxBody, 10) + " bytes"}
}

func putBuf(buf *bytes.Buffer) {
	if buf.Cap() <= 64<<10 {
		bufPool.Put(buf)
	}
}

// create serves POST /interviews, or /assessments if assessment.
func (h *Handler) create(w http.ResponseWriter, r *http.Request, account Account, assessment bool) {
	buf, rerr := h.readBody(w, r)
	if rerr != nil {
		h.clientError(w, r, rerr)
		return
	}
	var rc rawCreate // the fast path's reading of the body (rawcreate.go)
	var fast bool
	if assessment {
		fast = rc.readAssessment(buf.Bytes())
	} else {
		fast = rc.readInterview(buf.Bytes())
	}
	ctx := WithAccount(r.Context(), account)
	if assessment {
		h.createAssessment(ctx, w, r, account, buf, &rc, fast)
	} else {
		h.createInterview(ctx, w, r, account, buf, &rc, fast)
	}
}

func (h *Handler) createInterview(ctx context.Context, w http.ResponseWriter, r *http.Request, account Account, buf *bytes.Buffer, rc *rawCreate, fast bool) {
	req, rerr := decodeCreateInterviewFrom(buf.Bytes(), rc, fast)
	putBuf(buf)
	if rerr != nil {
		h.clientError(w, r, rerr)
		return
	}
	cr := h.begin(ctx, account, "interview", req.InterviewTemplateID, &req.Candidate, req.CallbackURL)
	if !cr.claimed() {
		h.answerCreated(w, r, account, `{"interview_id":`, cr.id, cr.err)
		return
	}
	id, err := runCreate(h, ctx, cr, h.interviews.CreateInterview, account, &req)
	h.answerCreated(w, r, account, `{"interview_id":`, id, err)
}

func (h *Handler) createAssessment(ctx context.Context, w http.ResponseWriter, r *http.Request, account Account, buf *bytes.Buffer, rc *rawCreate, fast bool) {
	req, rerr := decodeCreateAssessmentFrom(buf.Bytes(), rc, fast)
	putBuf(buf)
	if rerr != nil {
		h.clientError(w, r, rerr)
		return
	}
	testKey := req.TestID.String()
	if req.TestID.IsNumber() {
		testKey = "#" + testKey
	}
	cr := h.begin(ctx, account, "assessment", testKey, &req.Candidate, req.CallbackURL)
	if !cr.claimed() {
		h.answerCreated(w, r, account, `{"assessment_id":`, cr.id, cr.err)
		return
	}
	id, err := runCreate(h, ctx, cr, h.assessments.CreateAssessment, account, &req)
	h.answerCreated(w, r, account, `{"assessment_id":`, id, err)
}

// runCreate calls the backend for a claimed create and records the
// outcome (also when the backend panics) before the caller answers.
func runCreate[Req any](h *Handler, ctx context.Context, cr createRun, create func(context.Context, Account, Req) (string, error), account Account, req *Req) (id string, err error) {
	err = errCreatePanicked
	defer func() { h.finish(ctx, cr, id, err) }()
	return callCreate(ctx, create, account, req)
}

// callCreate calls a backend's create method, turning a panic into a
// *panicError as call does, without a closure to allocate.
func callCreate[Req any](ctx context.Context, create func(context.Context, Account, Req) (string, error), account Account, req *Req) (id string, err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			err = &panicError{value: p, stack: debug.Stack()}
		}
	}()
	return create(ctx, account, *req)
}

// answerCreated answers a create with 201 and the id, or the error.
func (h *Handler) answerCreated(w http.ResponseWriter, r *http.Request, account Account, prefix, id string, err error) {
	if err != nil {
		h.backendError(w, r, account, err)
		return
	}
	writeCreated(w, prefix, id)
}

// begin looks a create request up in the idempotency cache, if enabled:
// the result is either an earlier request's answer (or the error of the
// in-flight call it waited for), or a claim, and then the caller calls the
// backend and h.finish.
func (h *Handler) begin(ctx context.Context, account Account, kind, template string, c *Candidate, callbackURL string) createRun {
	switch {
	case h.idem != nil:
		cl, id, _, _, err := h.idem.begin(ctx, account, h.idem.key(account, kind, template, c, callbackURL), h.idemWindow)
		return createRun{mem: cl, id: id, err: err, own: cl.e != nil}
	case h.shared != nil:
		return h.shared.begin(ctx, IdempotencyKey{Account: account, Contract: "workable/" + kind,
			Digest: digest(template, c.FirstName, c.LastName, c.Phone, c.Email, callbackURL)})
	}
	return createRun{own: true}
}

// finish records the outcome of a claimed create.
func (h *Handler) finish(ctx context.Context, cr createRun, id string, err error) {
	switch {
	case cr.mem.e != nil:
		h.idem.finish(cr.mem, id, nil, err)
	case cr.shared.token != "":
		if ferr := h.shared.finish(ctx, cr.shared, id, nil, err); ferr != nil {
			h.log.ErrorContext(ctx, "provider: recording a create in the idempotency store failed; a retry may create a duplicate", "account", string(cr.shared.key.Account), "error", ferr)
		}
	}
}

func writeCreated(w http.ResponseWriter, prefix, id string) {
	b := make([]byte, 0, len(prefix)+len(id)+4)
	b = append(b, prefix...)
	b = appendJSONString(b, id)
	b = append(b, '}')
	// The key is canonical already, and the one-element value is shared:
	// it saves Header.Set's canonicalisation and its slice allocation on
	// every create. Sharing is safe: Set replaces the slice and Add copies
	// it (its capacity is its length), so no response can change another's.
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write(b)
}

// jsonContentType is the Content-Type of writeCreated's answers; see there
// why it may be shared.
var jsonContentType = []string{"application/json; charset=utf-8"}

func (h *Handler) serveResult(w http.ResponseWriter, r *http.Request, account Account, assessment bool, get func() (StatusDocument, error)) {
	res, err := call(get)
	if err != nil {
		h.backendError(w, r, account, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, res.Wire(h.declined, assessment))
}

func (h *Handler) serveLink(w http.ResponseWriter, r *http.Request, account Account, get func() (SharedLink, error)) {
	sl, err := call(get)
	if err == nil {
		err = sl.Validate()
	}
	if err != nil {
		h.backendError(w, r, account, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, sl)
}

func (h *Handler) clientError(w http.ResponseWriter, r *http.Request, e *requestError) {
	h.log.DebugContext(r.Context(), "provider: rejected request", "method", r.Method, "path", safehttp.Bound(r.URL.Path, 200), "status", e.status, "message", e.message)
	writeError(w, e.status, e.message)
}

// backendError maps a backend error to the contract's error response.
func (h *Handler) backendError(w http.ResponseWriter, r *http.Request, account Account, err error) {
	var pe *Error
	var panicked *panicError
	switch {
	case errors.As(err, &pe) && pe.Status >= 400 && pe.Status <= 599:
		if pe.Status >= 500 {
			h.log.ErrorContext(r.Context(), "provider: backend error", "method", r.Method, "path", safehttp.Bound(r.URL.Path, 200), "account", string(account), "error", err)
		}
		writeError(w, pe.Status, pe.Message)
	case errors.Is(err, ErrNotFound):
		writeError(w, http.StatusNotFound, "Not Found")
	case errors.Is(err, ErrConflict):
		writeError(w, http.StatusConflict, "Conflict")
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody reads the answer.
		writeError(w, http.StatusServiceUnavailable, "Request canceled")
	case errors.As(err, &panicked):
		h.log.ErrorContext(r.Context(), "provider: backend panicked", "method", r.Method, "path", safehttp.Bound(r.URL.Path, 200), "account", string(account), "panic", fmt.Sprint(panicked.value), "stack", string(panicked.stack))
		writeError(w, http.StatusInternalServerError, "Internal Server Error")
	default:
		h.log.ErrorContext(r.Context(), "provider: backend error", "method", r.Method, "path", safehttp.Bound(r.URL.Path, 200), "account", string(account), "error", err)
		writeError(w, http.StatusInternalServerError, "Internal Server Error")
	}
}

// writeJSON encodes v, answering 500 (and logging why) if the backend's
// value cannot be encoded or its MarshalJSON panics.
func (h *Handler) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := call(func() ([]byte, error) { return json.Marshal(v) })
	if err != nil {
		h.log.ErrorContext(r.Context(), "provider: encoding response", "method", r.Method, "path", safehttp.Bound(r.URL.Path, 200), "error", err)
		writeError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// panicError is a recovered panic from a backend.
type panicError struct {
	value any
	stack []byte
}

// Error implements error.
func (e *panicError) Error() string { return fmt.Sprintf("provider: backend panicked: %v", e.value) }

// call runs fn, turning a panic into a *panicError (http.ErrAbortHandler is
// re-panicked, as net/http expects).
func call[T any](fn func() (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			err = &panicError{value: p, stack: debug.Stack()}
		}
	}()
	return fn()
}
