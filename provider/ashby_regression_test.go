package provider_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/provider"
)

// restartBackend is an Ashby backend with cancel: a start makes a new
// assessment unless one is active for the account, application and type
// (then ErrConflict), like a vendor that keeps one live assessment each.
// Its first update leaves Timestamp zero ("now") unless stamp is set.
type restartBackend struct {
	mu      sync.Mutex
	n       int
	active  map[string]string // account/application/type -> id
	starts  int
	got     []provider.AshbyStartRequest
	stamp   int64
	failure error
}

func newRestartBackend() *restartBackend { return &restartBackend{active: map[string]string{}} }

func (v *restartBackend) AshbyAssessmentTypes(context.Context, provider.Account) ([]provider.AshbyAssessmentType, error) {
	return []provider.AshbyAssessmentType{{ID: "t1", Name: "T"}}, nil
}

func (v *restartBackend) StartAshbyAssessment(_ context.Context, a provider.Account, r provider.AshbyStartRequest) (provider.AshbyStartResult, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.starts++
	v.got = append(v.got, r)
	if v.failure != nil {
		return provider.AshbyStartResult{}, v.failure
	}
	k := string(a) + "/" + r.Application.AshbyID + "/" + r.AssessmentTypeID
	if _, ok := v.active[k]; ok {
		return provider.AshbyStartResult{}, provider.ErrConflict
	}
	v.n++
	id := fmt.Sprintf("as-%d", v.n)
	v.active[k] = id
	return provider.AshbyStartResult{AssessmentID: id, FirstUpdate: &provider.AshbyUpdate{Timestamp: v.stamp,
		Status:   &provider.AshbyDataValue{Identifier: "status", Label: "Status", Type: provider.AshbyString, Value: provider.AshbyStatusStarted},
		Metadata: []provider.AshbyDataValue{{Identifier: "invite", Label: "Invitation", Type: provider.AshbyURL, Value: "https://vendor.test/i/" + id}},
	}}, nil
}

func (v *restartBackend) CancelAshbyAssessment(_ context.Context, a provider.Account, id string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	for k, x := range v.active {
		if x == id && strings.HasPrefix(k, string(a)+"/") {
			delete(v.active, k)
			return nil
		}
	}
	return provider.ErrNotFound
}

// ashbyBody is a complete assessment.start body for application app.
func ashbyBody(app string) string {
	return `{"assessment_type_id":"t1","candidate":{"ashby_id":"c1","first_name":"A","last_name":"B","email":"a@x.io","ashby_profile_url":"https://app.ashbyhq.com/c1"},"application":{"ashby_id":"` + app + `","status":"Active"},"job":{"ashby_id":"j1","name":"J","ashby_job_url":"u"}}`
}

type ashbyCall struct{ key, path, body string }

func (c ashbyCall) do(h *provider.AshbyHandler) (int, string) {
	req := httptest.NewRequest("POST", c.path, strings.NewReader(c.body))
	req.SetBasicAuth(c.key, "")
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, req)
	return rr.Code, rr.Body.String()
}

var fixedNow = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

func newRestartHandler(v *restartBackend, logger *slog.Logger) *provider.AshbyHandler {
	return must(provider.NewAshbyHandler(v, provider.AshbyHandlerOptions{
		Tokens: provider.NewStaticTokens(map[string]provider.Account{"key-acme": "acme", "key-other": "other"}),
		Now:    func() time.Time { return fixedNow },
		Logger: logger,
	}))
}

// TestAshbyStartCancelRestart covers the idempotency cache around cancel:
// a start after a cancel starts a new assessment (a recruiter's "cancel
// and resend"), a repeat without a cancel answers the first answer byte for
// byte (update_request included, with a zero timestamp filled with now),
// and a cancel in one account does not forget another account's start.
func TestAshbyStartCancelRestart(t *testing.T) {
	first := `{"success":true,"results":{"assessment_id":"as-1","update_request":{"assessment_id":"as-1","timestamp":` + fmt.Sprint(fixedNow.UnixMilli()) + `,"assessment_status":{"identifier":"status","label":"Status","type":"string","value":"Started"},"metadata":[{"identifier":"invite","label":"Invitation","type":"url","value":"https://vendor.test/i/as-1"}]}}}`
	cases := []struct {
		name       string
		calls      []ashbyCall
		wantLast   string // body of the last answer; "" checks only wantStarts
		wantCode   int
		wantStarts int
	}{
		{
			name:       "repeat answers the first answer, update_request included",
			calls:      []ashbyCall{{"key-acme", "/assessment.start", ashbyBody("app1")}, {"key-acme", "/assessment.start", ashbyBody("app1")}},
			wantLast:   first,
			wantCode:   200,
			wantStarts: 1,
		},
		{
			name: "start after cancel starts a new assessment",
			calls: []ashbyCall{
				{"key-acme", "/assessment.start", ashbyBody("app1")},
				{"key-acme", "/assessment.cancel", `{"assessment_id":"as-1"}`},
				{"key-acme", "/assessment.start", ashbyBody("app1")},
			},
			wantLast:   strings.ReplaceAll(first, "as-1", "as-2"),
			wantCode:   200,
			wantStarts: 2,
		},
		{
			name: "another account's cancel leaves the start cached",
			calls: []ashbyCall{
				{"key-acme", "/assessment.start", ashbyBody("app1")},
				{"key-other", "/assessment.cancel", `{"assessment_id":"as-1"}`}, // 404: not other's
				{"key-acme", "/assessment.start", ashbyBody("app1")},
			},
			wantLast:   first,
			wantCode:   200,
			wantStarts: 1,
		},
		{
			name: "cancel with a numeric id",
			calls: []ashbyCall{
				{"key-acme", "/assessment.start", ashbyBody("app1")},
				{"key-acme", "/assessment.cancel", `{"assessment_id":"as-1"}`},
				{"key-acme", "/assessment.cancel", `{"assessment_id":5}`},
			},
			wantLast:   `{"errorInfo":{"code":"not_found","message":"assessment not found"},"errors":["not_found"],"success":false}`,
			wantCode:   404,
			wantStarts: 1,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newRestartBackend()
			h := newRestartHandler(v, nil)
			var code int
			var body string
			for _, c := range tc.calls {
				code, body = c.do(h)
			}
			if code != tc.wantCode {
				t.Errorf("last answer %d %s; want %d", code, body, tc.wantCode)
			}
			if diff := cmp.Diff(tc.wantLast, body); diff != "" {
				t.Errorf("last answer (-want +got):\n%s", diff)
			}
			if v.starts != tc.wantStarts {
				t.Errorf("backend starts = %d; want %d", v.starts, tc.wantStarts)
			}
		})
	}
}

// TestAshbyStartLenientDecoding: identifiers arrive as strings or numbers,
// and a candidate without a last name (or e-mail) reaches the backend,
// which decides (e.g. asks for the data) instead of a 422.
func TestAshbyStartLenientDecoding(t *testing.T) {
	cases := []struct {
		name     string
		body     string
		wantCode int
		wantApp  string // application.ashby_id the backend got
		wantLast string
		wantMsg  string // substring of a refusal
	}{
		{"numeric ids", `{"assessment_type_id":"t1","candidate":{"ashby_id":7,"first_name":"A","last_name":"B","email":"a@x.io"},"application":{"ashby_id":42},"job":{"ashby_id":9,"name":"J"}}`, 200, "42", "B", ""},
		{"null last_name", `{"assessment_type_id":"t1","candidate":{"ashby_id":"c","first_name":"Madonna","last_name":null,"email":"m@x.io"},"application":{"ashby_id":"a"},"job":{"ashby_id":"j","name":"J"}}`, 200, "a", "", ""},
		{"empty last_name and no email", `{"assessment_type_id":"t1","candidate":{"ashby_id":"c","first_name":"Madonna","last_name":""},"application":{"ashby_id":"a"},"job":{"ashby_id":"j"}}`, 200, "a", "", ""},
		{"escaped string takes the slow path", `{"assessment_type_id":"t\u0031","candidate":{"ashby_id":"c"},"application":{"ashby_id":"a\u0062"},"job":{"ashby_id":"j"}}`, 200, "ab", "", ""},
		{"id of a wrong type names the field", `{"assessment_type_id":"t1","candidate":{"ashby_id":true},"application":{"ashby_id":"a"},"job":{"ashby_id":"j"}}`, 400, "", "", "Invalid field: candidate.ashby_id should be a string or a number"},
		{"missing application id", `{"assessment_type_id":"t1","candidate":{"ashby_id":"c"},"job":{"ashby_id":"j"}}`, 422, "", "", "missing field: application.ashby_id"},
		{"not JSON", `{"assessment_type_id":`, 400, "", "", "Invalid JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newRestartBackend()
			code, body := ashbyCall{"key-acme", "/assessment.start", tc.body}.do(newRestartHandler(v, nil))
			if code != tc.wantCode {
				t.Fatalf("%d %s; want %d", code, body, tc.wantCode)
			}
			if tc.wantMsg != "" {
				if !strings.Contains(body, tc.wantMsg) {
					t.Errorf("answer %s; want it to say %q", body, tc.wantMsg)
				}
				return
			}
			if len(v.got) != 1 {
				t.Fatalf("backend got %d starts; want 1", len(v.got))
			}
			got := v.got[0]
			if diff := cmp.Diff([2]string{tc.wantApp, tc.wantLast}, [2]string{got.Application.AshbyID, got.Candidate.LastName}); diff != "" {
				t.Errorf("backend got (application id, last name) (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAshbyHandlerPaths: the methods are served at the mount root only.
func TestAshbyHandlerPaths(t *testing.T) {
	cases := []struct {
		path string
		want int
	}{
		{"/assessment.list", 200},
		{"assessment.list", 200},
		{"/x/y/assessment.list", 404},
		{"/x/assessment.start", 404},
		{"//assessment.list", 404},
		{"/assessment.list/", 404},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/", strings.NewReader(`{}`))
			req.URL.Path = tc.path
			req.SetBasicAuth("key-acme", "")
			rr := httptest.NewRecorder()
			newRestartHandler(newRestartBackend(), nil).ServeHTTP(rr, req)
			if rr.Code != tc.want {
				t.Errorf("POST %s = %d %s; want %d", tc.path, rr.Code, rr.Body, tc.want)
			}
		})
	}
}

// TestPartnerHandlersDoNotLogBackendErrorText: a backend's error text may
// carry candidate data; the Ashby and Greenhouse handlers log its type only.
func TestPartnerHandlersDoNotLogBackendErrorText(t *testing.T) {
	secret := errors.New("db down for boom@x.io password=hunter2")
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	cases := []struct {
		name string
		run  func() int
	}{
		{"ashby start", func() int {
			v := newRestartBackend()
			v.failure = fmt.Errorf("start: %w", secret)
			code, _ := ashbyCall{"key-acme", "/assessment.start", ashbyBody("app1")}.do(newRestartHandler(v, logger))
			return code
		}},
		{"greenhouse list tests", func() int {
			h := must(provider.NewGreenhouseHandler(failingGreenhouse{secret}, provider.GreenhouseHandlerOptions{
				Tokens: provider.NewStaticTokens(map[string]provider.Account{"gh-key": "acme"}), Logger: logger,
			}))
			req := httptest.NewRequest("GET", "/list_tests", nil)
			req.SetBasicAuth("gh-key", "")
			rr := httptest.NewRecorder()
			h.ServeHTTP(rr, req)
			return rr.Code
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			logs.Reset()
			if code := tc.run(); code != 500 {
				t.Fatalf("status %d; want 500", code)
			}
			if !strings.Contains(logs.String(), "backend failed") {
				t.Fatalf("no backend failure logged: %s", logs.String())
			}
			for _, leak := range []string{"boom@x.io", "hunter2"} {
				if strings.Contains(logs.String(), leak) {
					t.Errorf("log carries %q: %s", leak, logs.String())
				}
			}
		})
	}
}

// failingGreenhouse is a Greenhouse backend whose every call fails with err.
type failingGreenhouse struct{ err error }

func (f failingGreenhouse) GreenhouseTests(context.Context, provider.Account) ([]provider.GreenhouseTest, error) {
	return nil, f.err
}

func (f failingGreenhouse) SendGreenhouseTest(context.Context, provider.Account, provider.GreenhouseSendTestRequest) (string, error) {
	return "", f.err
}

func (f failingGreenhouse) GreenhouseTestStatus(context.Context, provider.Account, string) (provider.GreenhouseTestStatus, error) {
	return provider.GreenhouseTestStatus{}, f.err
}
