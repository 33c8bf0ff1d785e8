package provider

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/atskit/atskit/internal/errfmt"
)

// Ashby's Assessments Partner API
// (https://developers.ashbyhq.com/docs/creating-an-assessments-integration):
// Ashby calls the vendor's assessment.list, assessment.start and,
// optionally, assessment.cancel and assessment.customField.list; the
// vendor reports progress to Ashby's assessment.update (AshbyPublisher).

// AshbyAssessmentType is one assessment the vendor offers, as listed by
// assessment.list.
type AshbyAssessmentType struct {
	ID          string `json:"assessment_type_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// AshbyStartRequest is what Ashby sends to assessment.start. Every scalar
// field is accepted as a JSON string or a JSON number (kept as its literal
// text) or null. Only the identifiers are required (assessment_type_id and
// the candidate's, application's and job's ashby_id); names, e-mail and
// the job's name may be empty, and the backend decides what it can do
// without them.
type AshbyStartRequest struct {
	AssessmentTypeID string `json:"assessment_type_id"`
	Candidate        struct {
		AshbyID    string `json:"ashby_id"`
		FirstName  string `json:"first_name"`
		LastName   string `json:"last_name"`
		Email      string `json:"email"`
		ProfileURL string `json:"ashby_profile_url"`
	} `json:"candidate"`
	Application struct {
		AshbyID string `json:"ashby_id"`
		Status  string `json:"status"` // Hired, Archived, Active, Lead
	} `json:"application"`
	Job struct {
		AshbyID    string            `json:"ashby_id"`
		Name       string            `json:"name"`
		ReqID      string            `json:"req_id,omitempty"`
		URL        string            `json:"ashby_job_url"`
		HiringTeam []json.RawMessage `json:"hiringTeam,omitempty"`
	} `json:"job"`
	// AdditionalFields holds the values of the vendor's custom fields
	// (AshbyCustomFielder), keyed by field id; for select fields the value
	// is the chosen possible_values key.
	AdditionalFields map[string]json.RawMessage `json:"additional_fields,omitempty"`
}

// ashbyStartWire is an assessment.start body as sent. Every scalar is read
// like an identifier, as a JSON string or a JSON number (kept as its
// literal text): Ashby's ids are UUID strings in its examples, but the
// partner OpenAPI types none of them strictly enough to refuse an
// assessment over a number
// (https://developers.ashbyhq.com/docs/creating-an-assessments-integration),
// and the Workable contract reads its ids the same way.
type ashbyStartWire struct {
	AssessmentTypeID ID `json:"assessment_type_id"`
	Candidate        struct {
		AshbyID    ID `json:"ashby_id"`
		FirstName  ID `json:"first_name"`
		LastName   ID `json:"last_name"`
		Email      ID `json:"email"`
		ProfileURL ID `json:"ashby_profile_url"`
	} `json:"candidate"`
	Application struct {
		AshbyID ID `json:"ashby_id"`
		Status  ID `json:"status"`
	} `json:"application"`
	Job struct {
		AshbyID    ID                `json:"ashby_id"`
		Name       ID                `json:"name"`
		ReqID      ID                `json:"req_id"`
		URL        ID                `json:"ashby_job_url"`
		HiringTeam []json.RawMessage `json:"hiringTeam"`
	} `json:"job"`
	AdditionalFields map[string]json.RawMessage `json:"additional_fields"`
}

// decodeAshbyStart decodes an assessment.start body with encoding/json
// (through ashbyStartWire). A wrong type is answered with the field's
// dotted path and the type it should have.
func decodeAshbyStart(body []byte, dst *AshbyStartRequest) *requestError {
	var w ashbyStartWire
	if err := decodeJSON(body, &w); err != nil {
		return err
	}
	*dst = AshbyStartRequest{AssessmentTypeID: w.AssessmentTypeID.s, AdditionalFields: w.AdditionalFields}
	c := &dst.Candidate
	c.AshbyID, c.FirstName, c.LastName, c.Email, c.ProfileURL = w.Candidate.AshbyID.s, w.Candidate.FirstName.s, w.Candidate.LastName.s, w.Candidate.Email.s, w.Candidate.ProfileURL.s
	dst.Application.AshbyID, dst.Application.Status = w.Application.AshbyID.s, w.Application.Status.s
	j := &dst.Job
	j.AshbyID, j.Name, j.ReqID, j.URL, j.HiringTeam = w.Job.AshbyID.s, w.Job.Name.s, w.Job.ReqID.s, w.Job.URL.s, w.Job.HiringTeam
	return nil
}

// validate names the first required field that is missing. Only the
// identifiers are required: they address the assessment (the idempotency
// key is the application and the assessment type) and are what the
// backend reports against. A missing name or e-mail is the backend's to
// handle, for example by asking for the data (lifecycle's needs-info
// state) — Ashby keeps one "name" per candidate, so a mononymous
// candidate arrives with an empty or null last_name, and a 422 would make
// the assessment impossible to start.
func (r *AshbyStartRequest) validate() string {
	for _, f := range []struct{ name, v string }{
		{"assessment_type_id", r.AssessmentTypeID},
		{"candidate.ashby_id", r.Candidate.AshbyID},
		{"application.ashby_id", r.Application.AshbyID},
		{"job.ashby_id", r.Job.AshbyID},
	} {
		if strings.TrimSpace(f.v) == "" {
			return f.name
		}
	}
	return ""
}

// AshbyStartResult is what the backend answers to a start: the vendor's
// assessment ID and, optionally, a first update Ashby applies at once
// (typically status "Started" and the candidate's invitation link).
// The handler fills a zero FirstUpdate.Timestamp with the current time,
// and answers a repeated start within the idempotency window with the
// first answer byte for byte, FirstUpdate included, so Ashby learns the
// status and link even when it retries a start whose answer it lost. A
// start after assessment.cancel of that assessment reaches the backend
// again.
type AshbyStartResult struct {
	AssessmentID string
	FirstUpdate  *AshbyUpdate
}

// AshbyBackend is the vendor's assessment product as the Ashby handler
// sees it. Start is idempotent on (account, application, assessment type)
// for the handler's idempotency window; past it, the backend answers
// ErrConflict (409, "the candidate is already being assessed") or returns
// the assessment it already has. Returning an *AshbyUserError makes the
// handler answer 422 with a message Ashby shows to the user.
type AshbyBackend interface {
	AshbyAssessmentTypes(ctx context.Context, account Account) ([]AshbyAssessmentType, error)
	StartAshbyAssessment(ctx context.Context, account Account, req AshbyStartRequest) (AshbyStartResult, error)
}

// AshbyCanceler is implemented by backends that support assessment.cancel.
// Cancelling an unknown assessment returns ErrNotFound.
type AshbyCanceler interface {
	CancelAshbyAssessment(ctx context.Context, account Account, assessmentID string) error
}

// AshbyCustomField is a custom field Ashby asks the user to fill in before
// starting (assessment.customField.list; Ashby must enable it for the
// integration).
type AshbyCustomField struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Type       string `json:"type"` // String, Number, ValueSelect, MultiValueSelect, Boolean, …
	IsRequired bool   `json:"isRequired"`
	// PossibleValues is required for ValueSelect and MultiValueSelect.
	PossibleValues []AshbyFieldValue `json:"possible_values,omitempty"`
}

// AshbyFieldValue is one choice of a select field.
type AshbyFieldValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// AshbyCustomFielder is implemented by backends with custom fields.
type AshbyCustomFielder interface {
	AshbyCustomFields(ctx context.Context, account Account) ([]AshbyCustomField, error)
}

// AshbyUserError is a refusal to start that Ashby shows to its user, e.g.
// "The candidate's email domain is blocked". The handler answers 422
// {"message": Message}.
type AshbyUserError struct{ Message string }

// Error implements error.
func (e *AshbyUserError) Error() string { return "provider: ashby: " + e.Message }

// AshbyHandlerOptions configures NewAshbyHandler.
type AshbyHandlerOptions struct {
	// Tokens resolves the secret key the vendor gave Ashby at onboarding
	// to the account (the customer) it was issued for. Required.
	Tokens TokenResolver
	// MaxBodyBytes caps a request body (default DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// IdempotencyWindow is how long a start is remembered so that Ashby's
	// retry gets the same assessment_id (default
	// DefaultIdempotencyWindow; negative disables).
	IdempotencyWindow time.Duration
	// IdempotencyStore is where starts are remembered; see
	// HandlerOptions.IdempotencyStore. Default: this handler's memory.
	IdempotencyStore IdempotencyStore
	// Logger receives one record per failed request; nil uses
	// slog.Default(). Keys and candidate data are never logged: a
	// backend's error is logged by its Go type only (its text may carry
	// candidate data), so backends log their own details.
	Logger *slog.Logger
	// Now returns the current time; nil uses time.Now.
	Now func() time.Time
}

// AshbyHandler serves Ashby's Assessments Partner API. Mount it under the
// base URL given to Ashby, e.g.
//
//	mux.Handle("/ashby/", http.StripPrefix("/ashby", provider.NewAshbyHandler(b, opts)))
type AshbyHandler struct {
	b       AshbyBackend
	tokens  TokenResolver
	maxBody int64
	log     *slog.Logger
	idem    *idempotency       // the in-memory cache, or nil
	shared  *sharedIdempotency // a shared store, or nil
	now     func() time.Time
}

// NewAshbyHandler returns the handler for b. It returns an error when b or
// opts.Tokens is nil: a handler that cannot authenticate must not start.
func NewAshbyHandler(b AshbyBackend, opts AshbyHandlerOptions) (*AshbyHandler, error) {
	if b == nil {
		return nil, errors.New("provider: NewAshbyHandler: backend is nil: pass an AshbyBackend (AshbyFrom adapts a Backend)")
	}
	if opts.Tokens == nil {
		return nil, errors.New("provider: NewAshbyHandler: AshbyHandlerOptions.Tokens is nil: pass a TokenResolver (e.g. NewStaticTokens) that maps the secret key Ashby sends to accounts")
	}
	h := &AshbyHandler{b: b, tokens: opts.Tokens, maxBody: opts.MaxBodyBytes, log: opts.Logger, now: opts.Now}
	if h.now == nil {
		h.now = time.Now
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
		h.idem, h.shared = newIdempotencyFor(opts.IdempotencyStore, window, DefaultIdempotencyMaxKeys, h.now)
	}
	return h, nil
}

// ashbyKey extracts the key Ashby presents. How Ashby authenticates to the
// partner is not stated in prose; the assessment OpenAPI declares HTTP
// Basic for the whole document, so Basic with the key as user name and a
// blank password is the expected form. Also accepted: the key as the
// password with a blank user name, and "Bearer <key>".
func ashbyKey(r *http.Request) string {
	if user, pass, ok := r.BasicAuth(); ok {
		if user != "" {
			return user
		}
		return pass
	}
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return strings.TrimSpace(tok)
	}
	return ""
}

// ServeHTTP implements http.Handler.
func (h *AshbyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.log.ErrorContext(r.Context(), "provider: ashby: backend panicked", "path", r.URL.Path, "panic", fmt.Sprint(p))
			ashbyFail(w, http.StatusInternalServerError, "internal_error", "internal error")
		}
	}()
	// The methods are served at the mount root only ("/assessment.list"
	// after http.StripPrefix, or "assessment.list" when the prefix kept
	// the slash); "/x/assessment.list" is another resource and gets 404.
	method := strings.TrimPrefix(r.URL.Path, "/")
	switch method {
	case "assessment.list", "assessment.start", "assessment.cancel", "assessment.customField.list":
	default:
		ashbyFail(w, http.StatusNotFound, "not_found", "unknown endpoint")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		ashbyFail(w, http.StatusMethodNotAllowed, "method_not_allowed", "use POST")
		return
	}
	key := ashbyKey(r)
	if key == "" {
		ashbyFail(w, http.StatusUnauthorized, "unauthenticated", "missing credentials: send the key with HTTP Basic auth")
		return
	}
	acct, err := h.tokens.ResolveToken(r.Context(), key)
	if err != nil {
		if errors.Is(err, ErrInvalidToken) {
			ashbyFail(w, http.StatusUnauthorized, "invalid_api_key", "invalid key")
			return
		}
		h.log.ErrorContext(r.Context(), "provider: ashby: resolving the key failed", errorAttrs(err))
		ashbyFail(w, http.StatusInternalServerError, "internal_error", "internal error")
		return
	}
	ctx := WithAccount(r.Context(), acct)
	body, err := readBody(r, h.maxBody)
	if err != nil {
		ashbyFail(w, http.StatusRequestEntityTooLarge, "invalid_input", "request body too large or unreadable")
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	switch method {
	case "assessment.list":
		h.list(ctx, w, acct)
	case "assessment.start":
		h.start(ctx, w, acct, body)
	case "assessment.cancel":
		h.cancel(ctx, w, acct, body)
	case "assessment.customField.list":
		h.customFields(ctx, w, acct)
	}
}

func (h *AshbyHandler) list(ctx context.Context, w http.ResponseWriter, acct Account) {
	types, err := h.b.AshbyAssessmentTypes(ctx, acct)
	if err != nil {
		h.backendError(ctx, w, "assessment.list", err)
		return
	}
	if types == nil {
		types = []AshbyAssessmentType{}
	}
	ashbyOK(w, map[string]any{"success": true, "results": types})
}

// ashbyStartContract names Ashby's start in an IdempotencyStore.
const ashbyStartContract = "ashby/start"

// ashbyKey digests the parts into an idempotency key.
func (c *idempotency) ashbyKey(parts ...string) idemKey {
	var stack [256]byte
	b := stack[:0]
	for _, s := range parts {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return idemKey{maphash.Bytes(c.seeds[0], b), maphash.Bytes(c.seeds[1], b)}
}

func (h *AshbyHandler) start(ctx context.Context, w http.ResponseWriter, acct Account, body []byte) {
	var req AshbyStartRequest
	if !fastAshbyStart(body, &req) {
		if err := decodeAshbyStart(body, &req); err != nil {
			ashbyUserFail(w, http.StatusBadRequest, "invalid_input", "assessment.start: "+err.message)
			return
		}
	}
	if missing := req.validate(); missing != "" {
		ashbyUserFail(w, http.StatusUnprocessableEntity, "invalid_input", "missing field: "+missing)
		return
	}
	// create answers a first start: the whole answer, the inline
	// update_request included, is what the idempotency cache repeats.
	create := func() (string, []byte, error) {
		res, err := h.b.StartAshbyAssessment(ctx, acct, req)
		if err != nil {
			return "", nil, err
		}
		if res.AssessmentID == "" {
			return "", nil, errors.New("provider: ashby: backend returned an empty assessment ID")
		}
		// Built by hand: this is the hot path.
		b := make([]byte, 0, 96)
		b = append(b, `{"success":true,"results":{"assessment_id":`...)
		b = appendJSONString(b, res.AssessmentID)
		if res.FirstUpdate != nil {
			u := *res.FirstUpdate
			u.AssessmentID = res.AssessmentID
			if u.Timestamp == 0 { // AshbyUpdate: zero means now
				u.Timestamp = h.now().UnixMilli()
			}
			if err := u.Validate(); err != nil {
				return "", nil, errfmt.Errorf("provider: ashby: backend's first update: %w", err)
			}
			j, err := json.Marshal(&u)
			if err != nil {
				return "", nil, errfmt.Errorf("provider: ashby: backend's first update: %w", err)
			}
			b = append(b, `,"update_request":`...)
			b = append(b, j...)
		}
		b = append(b, "}}"...)
		return res.AssessmentID, b, nil
	}
	var answer []byte
	var err error
	switch {
	case h.idem != nil:
		_, answer, _, err = h.idem.doAnswer(ctx, acct, h.idem.ashbyKey(string(acct), "ashby-start", req.Application.AshbyID, req.AssessmentTypeID), create)
	case h.shared != nil:
		key := IdempotencyKey{Account: acct, Contract: ashbyStartContract, Digest: digest(req.Application.AshbyID, req.AssessmentTypeID)}
		answer, err = h.shared.doAnswer(ctx, key, create, func(err error) {
			h.log.ErrorContext(ctx, "provider: ashby: recording a start in the idempotency store failed; a retry may start a duplicate", errorAttrs(err))
		})
	default:
		_, answer, err = create()
	}
	if err != nil {
		var ue *AshbyUserError
		switch {
		case errors.As(err, &ue):
			ashbyUserFail(w, http.StatusUnprocessableEntity, "start_refused", ue.Message)
		case errors.Is(err, ErrConflict):
			ashbyUserFail(w, http.StatusConflict, "already_assessing", "the candidate is already being assessed")
		default:
			h.backendError(ctx, w, "assessment.start", err)
		}
		return
	}
	// A repeat within the idempotency window gets the first answer byte
	// for byte, update_request included: Ashby retries a start whose
	// answer it never received, and applying the same update twice is
	// harmless, whereas dropping it would leave the assessment without its
	// status and invitation link.
	writeRaw(w, answer)
}

func (h *AshbyHandler) cancel(ctx context.Context, w http.ResponseWriter, acct Account, body []byte) {
	c, ok := h.b.(AshbyCanceler)
	if !ok {
		ashbyFail(w, http.StatusNotFound, "not_found", "assessment.cancel is not supported")
		return
	}
	var req struct {
		AssessmentID ID `json:"assessment_id"`
	}
	if err := decodeJSON(body, &req); err != nil {
		ashbyUserFail(w, err.status, "invalid_input", "assessment.cancel: "+err.message)
		return
	}
	id := req.AssessmentID.String()
	if strings.TrimSpace(id) == "" {
		ashbyUserFail(w, http.StatusUnprocessableEntity, "invalid_input", "missing field: assessment_id")
		return
	}
	err := c.CancelAshbyAssessment(ctx, acct, id)
	if err == nil || errors.Is(err, ErrNotFound) {
		// The cached start of this assessment is dead: a start for the
		// same application and type must reach the backend again (Ashby's
		// "cancel and resend"). Only this account's entries are touched.
		if h.idem != nil {
			h.idem.forget(acct, id)
		}
		if h.shared != nil {
			if err := h.shared.store.ForgetIdempotency(context.WithoutCancel(ctx), acct, ashbyStartContract, id); err != nil {
				h.log.ErrorContext(ctx, "provider: ashby: forgetting a cancelled start in the idempotency store failed", errorAttrs(err))
			}
		}
	}
	if err != nil {
		h.backendError(ctx, w, "assessment.cancel", err)
		return
	}
	b := append([]byte(`{"success":true,"results":{"assessment_id":`), appendJSONString(nil, id)...)
	writeRaw(w, append(b, "}}"...))
}

func (h *AshbyHandler) customFields(ctx context.Context, w http.ResponseWriter, acct Account) {
	cf, ok := h.b.(AshbyCustomFielder)
	if !ok {
		ashbyFail(w, http.StatusNotFound, "not_found", "assessment.customField.list is not supported")
		return
	}
	fields, err := cf.AshbyCustomFields(ctx, acct)
	if err != nil {
		h.backendError(ctx, w, "assessment.customField.list", err)
		return
	}
	for _, f := range fields {
		if f.ID == "" || f.Name == "" || f.Type == "" ||
			(f.Type == "ValueSelect" || f.Type == "MultiValueSelect") && len(f.PossibleValues) == 0 {
			h.backendError(ctx, w, "assessment.customField.list", fmt.Errorf("provider: ashby: custom field %q needs id, name, type and, for select types, possible_values", f.ID))
			return
		}
	}
	if fields == nil {
		fields = []AshbyCustomField{}
	}
	ashbyOK(w, map[string]any{"success": true, "fields": fields})
}

// backendError answers a backend failure: 404 for ErrNotFound, 409 for
// ErrConflict, a chosen *Error as is, else 500.
func (h *AshbyHandler) backendError(ctx context.Context, w http.ResponseWriter, op string, err error) {
	var pe *Error
	switch {
	case errors.As(err, &pe):
		ashbyUserFail(w, pe.Status, "error", pe.Message)
	case errors.Is(err, ErrNotFound):
		ashbyFail(w, http.StatusNotFound, "not_found", "assessment not found")
	case errors.Is(err, ErrConflict):
		ashbyUserFail(w, http.StatusConflict, "conflict", "the request conflicts with the assessment's state")
	default:
		h.log.ErrorContext(ctx, "provider: ashby: backend failed", "op", op, errorAttrs(err))
		ashbyFail(w, http.StatusInternalServerError, "internal_error", "internal error")
	}
}

func ashbyOK(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	writeRaw(w, b)
}

func writeRaw(w http.ResponseWriter, b []byte) {
	h := w.Header()
	h["Content-Type"] = []string{"application/json; charset=utf-8"}
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// ashbyFail answers Ashby's error envelope
// {"success": false, "errors": [code], "errorInfo": {"code", "message"}}.
func ashbyFail(w http.ResponseWriter, status int, code, msg string) {
	ashbyWrite(w, status, code, msg, false)
}

// ashbyUserFail also carries "message" at the top level: the 409 and 422
// answers of assessment.start are documented as {"message": "…"}, shown to
// the Ashby user; the envelope fields are kept for readers of the error
// envelope.
func ashbyUserFail(w http.ResponseWriter, status int, code, msg string) {
	ashbyWrite(w, status, code, msg, true)
}

func ashbyWrite(w http.ResponseWriter, status int, code, msg string, top bool) {
	v := map[string]any{"success": false, "errors": []string{code}, "errorInfo": map[string]string{"code": code, "message": msg}}
	if top {
		v["message"] = msg
	}
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(b)
}

// ashbyBasic returns the Authorization value for an Ashby API key.
func ashbyBasic(key string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(key+":"))
}

// readBody reads the request body, at most limit bytes, into a buffer
// sized from Content-Length when the client sent one.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if n := r.ContentLength; n >= 0 && n <= limit {
		buf := make([]byte, n+1) // one spare byte detects a body longer than announced
		m, err := io.ReadFull(r.Body, buf)
		switch {
		case err == io.ErrUnexpectedEOF && int64(m) == n:
			return buf[:m], nil
		case err == io.EOF && n == 0:
			return buf[:0], nil
		case err != nil:
			return nil, err
		}
		return nil, errors.New("body longer than its Content-Length")
	}
	if r.ContentLength > limit {
		return nil, errors.New("body too large")
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err == nil && int64(len(b)) > limit {
		return nil, errors.New("body too large")
	}
	return b, err
}
