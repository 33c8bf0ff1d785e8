package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

const (
	tokenAcme   = "tok-acme-0123456789"
	tokenGlobex = "tok-globex-9876543210"
)

const validInterview = `{
  "interview_template_id": "1",
  "job_id": "6789",
  "job_title": "Operations Manager",
  "callback_url": "https://groove-tech.workable.com/interviews/8823119",
  "candidate": {"first_name": "Lakita", "last_name": "Marrero", "phone": "(785)991-6256", "email": "lakita@example.com"},
  "preferences": {"key": "value"}
}`

const validAssessment = `{
  "test_id": 1,
  "job_title": "Accountant",
  "callback_url": "https://groove-tech.workable.com/assessments/42",
  "candidate": {"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com"}
}`

func newMemory() *MemoryBackend {
	return NewMemoryBackend(MemoryBackendOptions{
		InterviewTemplates: []InterviewTemplate{{ID: "1", Name: "Aptitude Interview"}, {ID: "2", Name: "Java Interview"}},
		Tests:              []Test{{ID: NumberID(1), Name: "Aptitude Test"}, {ID: StringID("acc"), Name: "Accounting Test"}},
	})
}

func newTokens() *StaticTokens {
	return NewStaticTokens(map[string]Account{tokenAcme: "acme", tokenGlobex: "globex"})
}

// errorBody is the contract's error document.
type errorBody struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func newTestHandler(t testing.TB, backend any, mod ...func(*HandlerOptions)) *Handler {
	t.Helper()
	opts := HandlerOptions{Tokens: newTokens(), Logger: quietLogger()}
	for _, m := range mod {
		m(&opts)
	}
	h, err := NewHandler(backend, opts)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

type reqSpec struct {
	method, path, body, token, contentType string
	headers                                map[string]string
}

func serve(h http.Handler, s reqSpec) *httptest.ResponseRecorder {
	var body io.Reader
	if s.body != "" {
		body = strings.NewReader(s.body)
	}
	r := httptest.NewRequest(s.method, "http://provider.test"+s.path, body)
	if s.token != "" {
		r.Header.Set("Authorization", "Bearer "+s.token)
	}
	if s.contentType != "" {
		r.Header.Set("Content-Type", s.contentType)
	} else if s.body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for k, v := range s.headers {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func decodeError(t *testing.T, w *httptest.ResponseRecorder) errorBody {
	t.Helper()
	var e errorBody
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e), "body %q", w.Body.String())
	return e
}

// TestErrorTable covers every row of the contract's error table and the
// statuses the handler adds.
func TestErrorTable(t *testing.T) {
	big := `{"job_title":"` + strings.Repeat("x", 2<<20) + `"}`
	tests := []struct {
		name    string
		req     reqSpec
		status  int
		message string
		allow   string
	}{
		{"missing token", reqSpec{method: "GET", path: "/interview-templates"}, 401, "Missing Token", ""},
		{"empty bearer", reqSpec{method: "GET", path: "/interview-templates", headers: map[string]string{"Authorization": "Bearer "}}, 401, "Missing Token", ""},
		// net/http trims header values: "Bearer " arrives as "Bearer".
		{"bare bearer", reqSpec{method: "GET", path: "/interview-templates", headers: map[string]string{"Authorization": "Bearer"}}, 401, "Missing Token", ""},
		{"bearer glued to token", reqSpec{method: "GET", path: "/interview-templates", headers: map[string]string{"Authorization": "Bearer" + tokenAcme}}, 401, "Invalid Token", ""},
		{"invalid token", reqSpec{method: "GET", path: "/interview-templates", token: "nope"}, 401, "Invalid Token", ""},
		{"basic scheme", reqSpec{method: "GET", path: "/interview-templates", headers: map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}}, 401, "Invalid Token", ""},
		{"invalid json", reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: `{"job_title":`}, 400, "Invalid JSON", ""},
		{"json array", reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: `[]`}, 400, "Invalid JSON: the body should be an object", ""},
		{"trailing garbage", reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: `{} {}`}, 400, "Invalid JSON", ""},
		{"field not string", reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: strings.Replace(validInterview, `"job_title": "Operations Manager"`, `"job_title": 7`, 1)}, 400, "Invalid field: job_title should be a string", ""},
		{"nested field not string", reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: strings.Replace(validInterview, `"email": "lakita@example.com"`, `"email": ["a"]`, 1)}, 400, "Invalid field: candidate.email should be a string or a number", ""},
		{"candidate not object", reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: `{"interview_template_id":"1","candidate":"x"}`}, 400, "Invalid field: candidate should be an object", ""},
		{"preferences not object", reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: strings.Replace(validInterview, `{"key": "value"}`, `[1]`, 1)}, 400, "Invalid field: preferences should be an object", ""},
		{"callback not url", reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: strings.Replace(validInterview, `https://groove-tech.workable.com/interviews/8823119`, `groove-tech/8823119`, 1)}, 400, "Invalid field: callback_url should be an absolute https URL", ""},
		{"test id bool", reqSpec{method: "POST", path: "/assessments", token: tokenAcme, body: strings.Replace(validAssessment, `"test_id": 1`, `"test_id": true`, 1)}, 400, "Invalid field: test_id should be a string or a number", ""},
		{"missing template", reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: strings.Replace(validInterview, `"interview_template_id": "1",`, ``, 1)}, 422, "Missing field: interview_template_id should be provided", ""},
		{"missing callback", reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: strings.Replace(validInterview, `"https://groove-tech.workable.com/interviews/8823119"`, `""`, 1)}, 422, "Missing field: callback_url should be provided", ""},
		{"missing test id", reqSpec{method: "POST", path: "/assessments", token: tokenAcme, body: strings.Replace(validAssessment, `"test_id": 1,`, ``, 1)}, 422, "Missing field: test_id should be provided", ""},
		{"unknown interview", reqSpec{method: "GET", path: "/interviews/iv_999", token: tokenAcme}, 404, "Not Found", ""},
		{"unknown assessment", reqSpec{method: "GET", path: "/assessments/as_999", token: tokenAcme}, 404, "Not Found", ""},
		{"unknown path", reqSpec{method: "GET", path: "/nope", token: tokenAcme}, 404, "Not Found", ""},
		{"get on collection", reqSpec{method: "GET", path: "/interviews", token: tokenAcme}, 405, "Method Not Allowed: use POST", "POST"},
		{"post on templates", reqSpec{method: "POST", path: "/interview-templates", token: tokenAcme, body: "{}"}, 405, "Method Not Allowed: use GET", "GET, HEAD"},
		{"delete interview", reqSpec{method: "DELETE", path: "/interviews/iv_1", token: tokenAcme}, 405, "Method Not Allowed: use GET", "GET, HEAD"},
		{"body too large", reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: big}, 413, "Request body too large: the limit is 1048576 bytes", ""},
		{"form content type", reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: validInterview, contentType: "application/x-www-form-urlencoded"}, 415, "Unsupported Content-Type: use application/json", ""},
		{"text content type", reqSpec{method: "POST", path: "/assessments", token: tokenAcme, body: validAssessment, contentType: "text/plain"}, 415, "Unsupported Content-Type: use application/json", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTestHandler(t, newMemory())
			w := serve(h, tt.req)
			require.Equal(t, tt.status, w.Code, w.Body.String())
			require.Equal(t, "application/json; charset=utf-8", w.Header().Get("Content-Type"))
			if diff := cmp.Diff(errorBody{Status: tt.status, Message: tt.message}, decodeError(t, w)); diff != "" {
				t.Errorf("error body (-want +got):\n%s", diff)
			}
			require.Equal(t, tt.allow, w.Header().Get("Allow"))
			if tt.status == 401 {
				require.NotEmpty(t, w.Header().Get("WWW-Authenticate"))
			}
		})
	}
}

// chunkedBody hides the length so the limit is enforced while reading.
type chunkedBody struct{ io.Reader }

func TestBodyLimitWhileReading(t *testing.T) {
	h := newTestHandler(t, newMemory(), func(o *HandlerOptions) { o.MaxBodyBytes = 64 })
	r := httptest.NewRequest("POST", "/interviews", chunkedBody{strings.NewReader(validInterview)})
	r.ContentLength = -1
	r.Header.Set("Authorization", "Bearer "+tokenAcme)
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, 413, w.Code)
	require.Equal(t, "Request body too large: the limit is 64 bytes", decodeError(t, w).Message)
}

// scriptedBackend returns canned errors and records calls.
type scriptedBackend struct {
	err      error
	panicVal any
	calls    atomic.Int32
	release  chan struct{} // if non-nil, CreateInterview waits for it
	entered  chan struct{} // if non-nil, signalled when CreateInterview starts
	accounts chan Account
}

func (b *scriptedBackend) InterviewTemplates(ctx context.Context, account Account) ([]InterviewTemplate, error) {
	if b.panicVal != nil {
		panic(b.panicVal)
	}
	return nil, b.err
}

func (b *scriptedBackend) CreateInterview(ctx context.Context, account Account, req CreateInterviewRequest) (string, error) {
	n := b.calls.Add(1)
	if b.entered != nil {
		b.entered <- struct{}{}
	}
	if b.release != nil {
		<-b.release
	}
	if b.panicVal != nil {
		panic(b.panicVal)
	}
	if b.err != nil {
		return "", b.err
	}
	return fmt.Sprintf("iv_%d", n), nil
}

func (b *scriptedBackend) Interview(ctx context.Context, account Account, id string) (StatusDocument, error) {
	return StatusDocument{}, b.err
}

func TestBackendErrors(t *testing.T) {
	tests := []struct {
		name    string
		backend *scriptedBackend
		status  int
		message string
		logged  string
	}{
		{"conflict", &scriptedBackend{err: fmt.Errorf("candidate invited: %w", ErrConflict)}, 409, "Conflict", ""},
		{"custom conflict", &scriptedBackend{err: &Error{Status: 409, Message: "Entity is already updated"}}, 409, "Entity is already updated", ""},
		{"not found", &scriptedBackend{err: ErrNotFound}, 404, "Not Found", ""},
		{"internal", &scriptedBackend{err: errors.New("db down: password=hunter2")}, 500, "Internal Server Error", "db down"},
		{"panic", &scriptedBackend{panicVal: "boom"}, 500, "Internal Server Error", "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := newTestHandler(t, tt.backend, func(o *HandlerOptions) {
				o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			})
			w := serve(h, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: validInterview})
			require.Equal(t, tt.status, w.Code)
			require.Equal(t, errorBody{tt.status, tt.message}, decodeError(t, w))
			require.Contains(t, logs.String(), tt.logged)
			require.NotContains(t, logs.String(), tokenAcme)
			require.NotContains(t, w.Body.String(), "hunter2")
		})
	}
}

func TestPanicInGetIsRecovered(t *testing.T) {
	var logs bytes.Buffer
	h := newTestHandler(t, &scriptedBackend{panicVal: errors.New("nil map")}, func(o *HandlerOptions) {
		o.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	})
	w := serve(h, reqSpec{method: "GET", path: "/interview-templates", token: tokenAcme})
	require.Equal(t, 500, w.Code)
	require.Contains(t, logs.String(), `"level":"ERROR"`)
	require.Contains(t, logs.String(), "nil map")
	require.NotContains(t, logs.String(), tokenAcme)
}

func TestHappyPaths(t *testing.T) {
	mem := newMemory()
	h := newTestHandler(t, mem)

	w := serve(h, reqSpec{method: "GET", path: "/interview-templates", token: tokenAcme})
	require.Equal(t, 200, w.Code)
	require.JSONEq(t, `{"interview_templates":[{"id":"1","name":"Aptitude Interview"},{"id":"2","name":"Java Interview"}]}`, w.Body.String())

	w = serve(h, reqSpec{method: "GET", path: "/tests", token: tokenAcme})
	require.Equal(t, 200, w.Code)
	require.JSONEq(t, `{"tests":[{"id":1,"name":"Aptitude Test"},{"id":"acc","name":"Accounting Test"}]}`, w.Body.String())

	w = serve(h, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: validInterview})
	require.Equal(t, 201, w.Code, w.Body.String())
	require.JSONEq(t, `{"interview_id":"iv_1"}`, w.Body.String())
	inv, ok := mem.Invitation("iv_1")
	require.True(t, ok)
	want := Invitation{
		Kind: KindInterview, ID: "iv_1", Account: "acme", TemplateID: "1", JobID: "6789", JobTitle: "Operations Manager",
		CallbackURL: "https://groove-tech.workable.com/interviews/8823119",
		Candidate:   Candidate{FirstName: "Lakita", LastName: "Marrero", Phone: "(785)991-6256", Email: "lakita@example.com"},
		Preferences: map[string]any{"key": "value"},
		Result:      StatusDocument{Status: StatusPending},
	}
	if diff := cmp.Diff(want, inv, cmp.AllowUnexported(ID{}), cmpIgnoreCreated); diff != "" {
		t.Errorf("invitation (-want +got):\n%s", diff)
	}

	w = serve(h, reqSpec{method: "GET", path: "/interviews/iv_1", token: tokenAcme})
	require.Equal(t, 200, w.Code)
	require.JSONEq(t, `{"status":"pending"}`, w.Body.String())

	_, err := mem.Complete("iv_1", StatusDocument{ResultsURL: "https://acme.com/interviews/iv_1", Interview: &InterviewResult{
		Score: "78", Grade: ats.GradeExcelled, Details: map[string]any{"behavior": map[string]any{"Influence": 97}}, Duration: "01:01:17",
	}, Attachments: []ats.Attachment{{Description: "Interview Report", URL: "https://acme.com/r.pdf"}}})
	require.NoError(t, err)
	w = serve(h, reqSpec{method: "GET", path: "/interviews/iv_1", token: tokenAcme})
	require.Equal(t, 200, w.Code)
	require.JSONEq(t, `{"status":"completed","results_url":"https://acme.com/interviews/iv_1","grade":"excelled","interview":{"score":"78","grade":"excelled","details":{"behavior":{"Influence":97}},"duration":"01:01:17"},"attachments":[{"description":"Interview Report","url":"https://acme.com/r.pdf"}]}`, w.Body.String())

	w = serve(h, reqSpec{method: "GET", path: "/interviews/iv_1/shared-link", token: tokenAcme})
	require.Equal(t, 200, w.Code)
	require.JSONEq(t, `{"url":"https://provider.example/reports/iv_1/link","ttl":"120","ttl_units":"minutes"}`, w.Body.String())

	w = serve(h, reqSpec{method: "POST", path: "/assessments", token: tokenAcme, body: validAssessment, contentType: "application/json; charset=utf-8"})
	require.Equal(t, 201, w.Code, w.Body.String())
	require.JSONEq(t, `{"assessment_id":"as_2"}`, w.Body.String())
	inv, _ = mem.Invitation("as_2")
	require.Equal(t, NumberID(1), inv.TestID)
	require.Equal(t, "https://groove-tech.workable.com/assessments/42", inv.CallbackURL)

	_, err = mem.Decline("as_2")
	require.NoError(t, err)
	w = serve(h, reqSpec{method: "GET", path: "/assessments/as_2", token: tokenAcme})
	require.Equal(t, 200, w.Code)
	require.JSONEq(t, `{"status":"rejected"}`, w.Body.String())

	w = serve(h, reqSpec{method: "GET", path: "/assessments/as_2/shared-link", token: tokenAcme})
	require.Equal(t, 200, w.Code)

	// An interview id is not an assessment id.
	w = serve(h, reqSpec{method: "GET", path: "/assessments/iv_1", token: tokenAcme})
	require.Equal(t, 404, w.Code)

	// HEAD behaves like GET.
	w = serve(h, reqSpec{method: "HEAD", path: "/interview-templates", token: tokenAcme})
	require.Equal(t, 200, w.Code)
}

var cmpIgnoreCreated = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".CreatedAt" }, cmp.Ignore())

// TestDeclinedStatusServed: GET /interviews/{id} serves a declined
// interview with the configured wire value ("rejected" by default).
func TestDeclinedStatusServed(t *testing.T) {
	for _, tt := range []struct {
		name   string
		option Status
		set    Status
		want   string
	}{
		{"default, declined", "", StatusDeclined, `{"status":"rejected"}`},
		{"default, rejected", "", StatusRejected, `{"status":"rejected"}`},
		{"option declined", StatusDeclined, StatusRejected, `{"status":"declined"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mem := newMemory()
			h := newTestHandler(t, mem, func(o *HandlerOptions) { o.DeclinedStatus = tt.option })
			w := serve(h, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: validInterview})
			require.Equal(t, 201, w.Code)
			_, err := mem.SetResult("iv_1", StatusDocument{Status: tt.set})
			require.NoError(t, err)
			w = serve(h, reqSpec{method: "GET", path: "/interviews/iv_1", token: tokenAcme})
			require.JSONEq(t, tt.want, w.Body.String())
		})
	}
}

// TestAssessmentResultsServedUnderBothKeys: GET /assessments/{id} serves
// the results where either reading of the assessment contract finds them.
func TestAssessmentResultsServedUnderBothKeys(t *testing.T) {
	mem := newMemory()
	h := newTestHandler(t, mem)
	w := serve(h, reqSpec{method: "POST", path: "/assessments", token: tokenAcme, body: validAssessment})
	require.Equal(t, 201, w.Code, w.Body.String())
	_, err := mem.Complete("as_1", StatusDocument{ResultsURL: "https://v.example/r/1", Interview: &InterviewResult{Score: "82", Grade: ats.GradePassed}})
	require.NoError(t, err)
	w = serve(h, reqSpec{method: "GET", path: "/assessments/as_1", token: tokenAcme})
	require.JSONEq(t, `{"status":"completed","results_url":"https://v.example/r/1","grade":"passed","interview":{"score":"82","grade":"passed"},"assessment":{"score":"82","grade":"passed"}}`, w.Body.String())
}

// interviewsOnly implements InterviewBackend but not SharedLinker.
type interviewsOnly struct{ InterviewBackend }

// assessmentsOnly implements AssessmentBackend only.
type assessmentsOnly struct{ AssessmentBackend }

func TestOneContractOnly(t *testing.T) {
	mem := newMemory()
	iv := newTestHandler(t, interviewsOnly{mem})
	as := newTestHandler(t, assessmentsOnly{mem})

	require.Equal(t, 200, serve(iv, reqSpec{method: "GET", path: "/interview-templates", token: tokenAcme}).Code)
	require.Equal(t, 404, serve(iv, reqSpec{method: "GET", path: "/tests", token: tokenAcme}).Code)
	require.Equal(t, 404, serve(iv, reqSpec{method: "POST", path: "/assessments", token: tokenAcme, body: validAssessment}).Code)

	require.Equal(t, 200, serve(as, reqSpec{method: "GET", path: "/tests", token: tokenAcme}).Code)
	require.Equal(t, 404, serve(as, reqSpec{method: "GET", path: "/interview-templates", token: tokenAcme}).Code)
	require.Equal(t, 404, serve(as, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: validInterview}).Code)

	// Shared links need SharedLinker.
	w := serve(iv, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: validInterview})
	require.Equal(t, 201, w.Code)
	w = serve(iv, reqSpec{method: "GET", path: "/interviews/iv_1/shared-link", token: tokenAcme})
	require.Equal(t, 404, w.Code)
	require.Equal(t, "Not Found: shared links are not supported", decodeError(t, w).Message)
}

// pointerOnlyBackend implements InterviewBackend on its pointer type only.
type pointerOnlyBackend struct{ m *MemoryBackend }

func (p *pointerOnlyBackend) InterviewTemplates(ctx context.Context, a Account) ([]InterviewTemplate, error) {
	return p.m.InterviewTemplates(ctx, a)
}

func (p *pointerOnlyBackend) CreateInterview(ctx context.Context, a Account, req CreateInterviewRequest) (string, error) {
	return p.m.CreateInterview(ctx, a, req)
}

func (p *pointerOnlyBackend) Interview(ctx context.Context, a Account, id string) (StatusDocument, error) {
	return p.m.Interview(ctx, a, id)
}

// TestNewHandlerRefuses: a wrong backend or missing tokens is an error at
// construction that says what to do, never a panic at run time.
func TestNewHandlerRefuses(t *testing.T) {
	for _, tt := range []struct {
		name    string
		backend any
		opts    HandlerOptions
		want    string // substring of the error; "" for success
	}{
		{"no tokens", newMemory(), HandlerOptions{}, "HandlerOptions.Tokens is nil"},
		{"nil backend", nil, HandlerOptions{Tokens: newTokens()}, "backend is nil"},
		{"unrelated type", struct{}{}, HandlerOptions{Tokens: newTokens()}, "struct {} implements neither InterviewBackend"},
		{"value of a pointer-receiver backend", pointerOnlyBackend{m: newMemory()}, HandlerOptions{Tokens: newTokens()},
			"pass a pointer (&b, a *provider.pointerOnlyBackend)"},
		{"pointer of a pointer-receiver backend", &pointerOnlyBackend{m: newMemory()}, HandlerOptions{Tokens: newTokens()}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, err := NewHandler(tt.backend, tt.opts)
			if tt.want == "" {
				require.NoError(t, err)
				require.NotNil(t, h)
				return
			}
			require.Nil(t, h)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestMountUnderPrefix(t *testing.T) {
	mem := newMemory()
	h := newTestHandler(t, mem)
	tests := []struct {
		name  string
		mount func(*http.ServeMux)
	}{
		{"StripPrefix on ServeMux", func(mux *http.ServeMux) { mux.Handle("/workable/", http.StripPrefix("/workable", h)) }},
		{"ServeMux without stripping", func(mux *http.ServeMux) { mux.Handle("/workable/", h) }},
		{"nested prefix", func(mux *http.ServeMux) {
			mux.Handle("/api/v1/workable/", http.StripPrefix("/api/v1", h))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mux := http.NewServeMux()
			tt.mount(mux)
			srv := httptest.NewServer(mux)
			defer srv.Close()
			base := srv.URL + "/workable"
			if strings.Contains(tt.name, "nested") {
				base = srv.URL + "/api/v1/workable"
			}

			req, _ := http.NewRequest("GET", base+"/interview-templates", nil)
			req.Header.Set("Authorization", "Bearer "+tokenAcme)
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, 200, resp.StatusCode)

			req, _ = http.NewRequest("POST", base+"/interviews", strings.NewReader(validInterview))
			req.Header.Set("Authorization", "Bearer "+tokenAcme)
			req.Header.Set("Content-Type", "application/json")
			resp, err = srv.Client().Do(req)
			require.NoError(t, err)
			var created struct {
				InterviewID string `json:"interview_id"`
			}
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&created))
			resp.Body.Close()
			require.Equal(t, 201, resp.StatusCode)

			req, _ = http.NewRequest("GET", base+"/interviews/"+created.InterviewID, nil)
			req.Header.Set("Authorization", "Bearer "+tokenAcme)
			resp, err = srv.Client().Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, 200, resp.StatusCode)

			// Outside the mount point the host's mux answers.
			resp, err = srv.Client().Get(srv.URL + "/interviews/" + created.InterviewID)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, 404, resp.StatusCode)
		})
	}
}

func TestRoute(t *testing.T) {
	tests := []struct {
		path string
		kind routeKind
		id   string
	}{
		{"/interview-templates", routeTemplates, ""},
		{"/interview-templates/", routeTemplates, ""},
		{"/x/y/interviews", routeInterviews, ""},
		{"/interviews/abc", routeInterview, "abc"},
		{"/interviews/abc/shared-link", routeInterviewLink, "abc"},
		{"/tests", routeTests, ""},
		{"/assessments", routeAssessments, ""},
		{"/assessments/7", routeAssessment, "7"},
		{"/assessments/7/shared-link", routeAssessmentLink, "7"},
		{"/interviews/shared-link", routeInterview, "shared-link"},
		{"/", routeNone, ""},
		{"", routeNone, ""},
		{"/interviews/a/b", routeNone, ""},
		{"/other/abc", routeNone, ""},
	}
	for _, tt := range tests {
		kind, id := route(tt.path)
		if kind != tt.kind || id != tt.id {
			t.Errorf("route(%q) = %v, %q; want %v, %q", tt.path, kind, id, tt.kind, tt.id)
		}
	}
}

func TestMultiTenant(t *testing.T) {
	mem := newMemory()
	h := newTestHandler(t, mem)
	w := serve(h, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: validInterview})
	require.Equal(t, 201, w.Code)
	w = serve(h, reqSpec{method: "POST", path: "/interviews", token: tokenGlobex, body: validInterview})
	require.Equal(t, 201, w.Code)
	require.JSONEq(t, `{"interview_id":"iv_2"}`, w.Body.String(), "the same payload from another account is another interview")

	invs := mem.Invitations()
	require.Len(t, invs, 2)
	require.Equal(t, Account("acme"), invs[0].Account)
	require.Equal(t, Account("globex"), invs[1].Account)

	// Each account sees only its own interviews.
	require.Equal(t, 200, serve(h, reqSpec{method: "GET", path: "/interviews/iv_1", token: tokenAcme}).Code)
	require.Equal(t, 404, serve(h, reqSpec{method: "GET", path: "/interviews/iv_1", token: tokenGlobex}).Code)

	// The account reaches the backend through the context too.
	var got Account
	probe := &contextProbe{InterviewBackend: mem, seen: &got}
	h2 := newTestHandler(t, probe)
	serve(h2, reqSpec{method: "GET", path: "/interview-templates", token: tokenGlobex})
	require.Equal(t, Account("globex"), got)
}

// idProbe records the id the handler passes to the backend.
type idProbe struct {
	InterviewBackend
	got chan string
}

func (p idProbe) Interview(_ context.Context, _ Account, id string) (StatusDocument, error) {
	p.got <- id
	return StatusDocument{Status: StatusPending}, nil
}

func TestEscapedSlashInID(t *testing.T) {
	probe := idProbe{InterviewBackend: newMemory(), got: make(chan string, 1)}
	mux := http.NewServeMux()
	mux.Handle("/workable/", http.StripPrefix("/workable", newTestHandler(t, probe)))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	req, err := http.NewRequest("GET", srv.URL+"/workable/interviews/a%2Fb%20c", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tokenAcme)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "a/b c", <-probe.got)
}

type contextProbe struct {
	InterviewBackend
	seen *Account
}

func (p *contextProbe) InterviewTemplates(ctx context.Context, account Account) ([]InterviewTemplate, error) {
	a, _ := AccountFromContext(ctx)
	if a != account {
		return nil, errors.New("context and argument disagree")
	}
	*p.seen = a
	return nil, nil
}

func TestTokenRotation(t *testing.T) {
	tokens := NewStaticTokens(map[string]Account{"old-token": "acme"})
	h, err := NewHandler(newMemory(), HandlerOptions{Tokens: tokens, Logger: quietLogger()})
	require.NoError(t, err)
	get := func(tok string) int {
		return serve(h, reqSpec{method: "GET", path: "/interview-templates", token: tok}).Code
	}
	require.Equal(t, 200, get("old-token"))
	require.Equal(t, 401, get("new-token"))

	tokens.Add("new-token", "acme")
	require.Equal(t, 200, get("old-token"), "old and new are valid together")
	require.Equal(t, 200, get("new-token"))

	tokens.Remove("old-token")
	require.Equal(t, 401, get("old-token"))
	require.Equal(t, 200, get("new-token"))
}

func TestResolverError(t *testing.T) {
	var logs bytes.Buffer
	h, err := NewHandler(newMemory(), HandlerOptions{
		Tokens: TokenResolverFunc(func(context.Context, string) (Account, error) { return "", errors.New("vault sealed") }),
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	require.NoError(t, err)
	w := serve(h, reqSpec{method: "GET", path: "/tests", token: "secret-token-value"})
	require.Equal(t, 500, w.Code)
	require.Contains(t, logs.String(), "vault sealed")
	require.NotContains(t, logs.String(), "secret-token-value")
}

func TestResolverPanic(t *testing.T) {
	var logs bytes.Buffer
	h, err := NewHandler(newMemory(), HandlerOptions{
		Tokens: TokenResolverFunc(func(context.Context, string) (Account, error) { panic("resolver bug") }),
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	require.NoError(t, err)
	w := serve(h, reqSpec{method: "GET", path: "/tests", token: "secret-token-value"})
	require.Equal(t, 500, w.Code)
	require.Equal(t, errorBody{500, "Internal Server Error"}, decodeError(t, w))
	require.Contains(t, logs.String(), "resolver bug")
	require.NotContains(t, logs.String(), "secret-token-value")
}

// unencodable returns results encoding/json cannot encode.
type unencodable struct{ *MemoryBackend }

type panickyValue struct{}

func (panickyValue) MarshalJSON() ([]byte, error) { panic("marshal bug") }

func (u unencodable) Interview(_ context.Context, _ Account, id string) (StatusDocument, error) {
	if id == "panics" {
		return StatusDocument{Status: StatusCompleted, Interview: &InterviewResult{Details: map[string]any{"x": panickyValue{}}}}, nil
	}
	return StatusDocument{Status: StatusCompleted, Interview: &InterviewResult{Details: map[string]any{"x": func() {}}}}, nil
}

func TestUnencodableResultIs500(t *testing.T) {
	for _, id := range []string{"func", "panics"} {
		var logs bytes.Buffer
		h := newTestHandler(t, unencodable{newMemory()}, func(o *HandlerOptions) { o.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
		w := serve(h, reqSpec{method: "GET", path: "/interviews/" + id, token: tokenAcme})
		require.Equal(t, 500, w.Code, id)
		require.Equal(t, errorBody{500, "Internal Server Error"}, decodeError(t, w))
		require.Contains(t, logs.String(), "provider: encoding response", id)
	}
}

func TestIdempotentCreateSequential(t *testing.T) {
	mem := newMemory()
	h := newTestHandler(t, mem)
	first := serve(h, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: validInterview})
	require.Equal(t, 201, first.Code)
	again := serve(h, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: validInterview})
	require.Equal(t, 201, again.Code)
	require.Equal(t, first.Body.String(), again.Body.String())
	require.Len(t, mem.Invitations(), 1)

	// Another candidate, template or callback is another interview.
	for _, body := range []string{
		strings.Replace(validInterview, "lakita@example.com", "other@example.com", 1),
		strings.Replace(validInterview, `"interview_template_id": "1"`, `"interview_template_id": "2"`, 1),
		strings.Replace(validInterview, "8823119", "8823120", 1),
	} {
		w := serve(h, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: body})
		require.Equal(t, 201, w.Code)
		require.NotEqual(t, first.Body.String(), w.Body.String())
	}
	require.Len(t, mem.Invitations(), 4)

	// Assessments too.
	a1 := serve(h, reqSpec{method: "POST", path: "/assessments", token: tokenAcme, body: validAssessment})
	a2 := serve(h, reqSpec{method: "POST", path: "/assessments", token: tokenAcme, body: validAssessment})
	require.Equal(t, 201, a2.Code)
	require.Equal(t, a1.Body.String(), a2.Body.String())
	require.Len(t, mem.Invitations(), 5)
}

func TestIdempotentCreateConcurrent(t *testing.T) {
	backend := &scriptedBackend{release: make(chan struct{}), entered: make(chan struct{}, 1)}
	h := newTestHandler(t, backend)
	const n = 16
	waiting := make(chan struct{}, n)
	h.idem.onWait = func() { waiting <- struct{}{} }
	results := make(chan *httptest.ResponseRecorder, n)
	var wg sync.WaitGroup
	post := func() {
		defer wg.Done()
		results <- serve(h, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: validInterview})
	}
	// The first request enters the backend and blocks there.
	wg.Add(1)
	go post()
	<-backend.entered
	for range n - 1 {
		wg.Add(1)
		go post()
	}
	// Release only once every duplicate waits for the first request.
	for range n - 1 {
		<-waiting
	}
	close(backend.release)
	wg.Wait()
	close(results)
	for w := range results {
		require.Equal(t, 201, w.Code)
		require.JSONEq(t, `{"interview_id":"iv_1"}`, w.Body.String())
	}
	require.Equal(t, int32(1), backend.calls.Load(), "the backend is called once")
}

// TestIdempotentCreateConcurrentFailure: duplicates waiting on a create
// that fails get its error, and the next retry calls the backend again.
func TestIdempotentCreateConcurrentFailure(t *testing.T) {
	backend := &scriptedBackend{release: make(chan struct{}), entered: make(chan struct{}, 1), err: &Error{Status: 409, Message: "Entity is already updated"}}
	h := newTestHandler(t, backend)
	waiting := make(chan struct{}, 1)
	h.idem.onWait = func() { waiting <- struct{}{} }
	results := make(chan *httptest.ResponseRecorder, 2)
	post := func() {
		results <- serve(h, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: validInterview})
	}
	go post()
	<-backend.entered
	go post()
	<-waiting
	close(backend.release)
	for range 2 {
		w := <-results
		require.Equal(t, 409, w.Code)
		require.Equal(t, errorBody{409, "Entity is already updated"}, decodeError(t, w))
	}
	require.Equal(t, int32(1), backend.calls.Load())
	backend.err = nil
	backend.entered = nil
	require.Equal(t, 201, serve(h, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: validInterview}).Code)
	require.Equal(t, int32(2), backend.calls.Load())
}

func TestIdempotencyFailureIsNotRemembered(t *testing.T) {
	backend := &scriptedBackend{err: errors.New("transient")}
	h := newTestHandler(t, backend)
	require.Equal(t, 500, serve(h, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: validInterview}).Code)
	backend.err = nil
	w := serve(h, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: validInterview})
	require.Equal(t, 201, w.Code)
	require.Equal(t, int32(2), backend.calls.Load())
}

func TestIdempotencyWindowAndBound(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	mem := newMemory()
	h := newTestHandler(t, mem, func(o *HandlerOptions) {
		o.Now = clock
		o.IdempotencyWindow = time.Hour
		o.IdempotencyMaxKeys = 3
	})
	post := func(email string) string {
		w := serve(h, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: strings.Replace(validInterview, "lakita@example.com", email, 1)})
		require.Equal(t, 201, w.Code)
		return w.Body.String()
	}
	a := post("a@x.com")
	now = now.Add(59 * time.Minute)
	require.Equal(t, a, post("a@x.com"), "within the window")
	now = now.Add(2 * time.Minute)
	require.NotEqual(t, a, post("a@x.com"), "after the window")

	for _, e := range []string{"b@x.com", "c@x.com", "d@x.com", "e@x.com"} {
		post(e)
	}
	require.LessOrEqual(t, h.idem.size("acme"), 3)

	disabled := newTestHandler(t, newMemory(), func(o *HandlerOptions) { o.IdempotencyWindow = -1 })
	w1 := serve(disabled, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: validInterview})
	w2 := serve(disabled, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: validInterview})
	require.NotEqual(t, w1.Body.String(), w2.Body.String())
}

// must is for test fixtures built without a *testing.T.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestContractHandlersRefuse: every contract's handler refuses a nil
// backend or nil tokens at construction with an error naming the field.
func TestContractHandlersRefuse(t *testing.T) {
	mem := newMemory()
	for _, tt := range []struct {
		name string
		make func() (any, error)
		want string // substring of the error; "" for success
	}{
		{"greenhouse without tokens", func() (any, error) {
			return NewGreenhouseHandler(GreenhouseFromAssessments(mem), GreenhouseHandlerOptions{})
		}, "GreenhouseHandlerOptions.Tokens is nil"},
		{"greenhouse without backend", func() (any, error) {
			return NewGreenhouseHandler(nil, GreenhouseHandlerOptions{Tokens: newTokens()})
		}, "backend is nil"},
		{"greenhouse", func() (any, error) {
			return NewGreenhouseHandler(GreenhouseFromAssessments(mem), GreenhouseHandlerOptions{Tokens: newTokens()})
		}, ""},
		{"ashby without tokens", func() (any, error) {
			return NewAshbyHandler(&benchAshbyBackend{}, AshbyHandlerOptions{})
		}, "AshbyHandlerOptions.Tokens is nil"},
		{"ashby without backend", func() (any, error) { return NewAshbyHandler(nil, AshbyHandlerOptions{Tokens: newTokens()}) }, "backend is nil"},
		{"ashby", func() (any, error) {
			return NewAshbyHandler(&benchAshbyBackend{}, AshbyHandlerOptions{Tokens: newTokens()})
		}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.make()
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.want)
		})
	}
}
