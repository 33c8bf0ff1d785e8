package provider

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/google/go-cmp/cmp"
)

const ghKey = "gh-key-acme"

func ghSetup(t *testing.T) (*GreenhouseHandler, *MemoryBackend, *StaticTokens) {
	t.Helper()
	mem := NewMemoryBackend(MemoryBackendOptions{Tests: []Test{{ID: NumberID(12345), Name: "My First Test"}, {ID: StringID("py-1"), Name: "Python"}}})
	keys := NewStaticTokens(map[string]Account{ghKey: "acme", "gh-key-globex": "globex"})
	return must(NewGreenhouseHandler(GreenhouseFromAssessments(mem), GreenhouseHandlerOptions{Tokens: keys, Logger: quietLogger()})), mem, keys
}

func ghDo(h http.Handler, method, target, key, body string) (int, string, http.Header) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if key != "" {
		req.SetBasicAuth(key, "")
	}
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, req)
	return rr.Code, strings.TrimSpace(rr.Body.String()), rr.Header()
}

const ghSendBody = `{"partner_test_id":"12345","candidate":{"first_name":"Harry","last_name":"Potter","preferred_name":null,
"email":"hpotter@hogwarts.edu","phone_number":null,"resume_url":null,"greenhouse_profile_url":"https://app.greenhouse.io/people/17681532?application_id=26234709"},
"sent_by":"recruiter@hogwarts.edu","url":"https://app.greenhouse.io/integrations/testing_partners/take_home_tests/12345","new_field":1}`

func TestGreenhouseEndpoints(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		target     string
		key        string
		body       string
		wantStatus int
		wantBody   string // exact, or a substring when prefixed with "~"
	}{
		{"list_tests", "GET", "/list_tests", ghKey, "", 200, `[{"partner_test_id":"12345","partner_test_name":"My First Test"},{"partner_test_id":"py-1","partner_test_name":"Python"}]`},
		{"list_tests without key", "GET", "/list_tests", "", "", 401, "~API key"},
		{"list_tests with unknown key", "GET", "/list_tests", "nope", "", 401, "~Invalid API key"},
		{"list_tests with a 171-character key", "GET", "/list_tests", strings.Repeat("k", 171), "", 401, "~API key"},
		{"list_tests by POST", "POST", "/list_tests", ghKey, "", 405, "~Method"},
		{"send_test", "POST", "/send_test", ghKey, ghSendBody, 200, `~{"partner_interview_id":"`},
		{"send_test unknown test", "POST", "/send_test", ghKey, strings.Replace(ghSendBody, `"12345"`, `"999"`, 1), 404, "~Not Found"},
		{"send_test without email", "POST", "/send_test", ghKey, strings.Replace(ghSendBody, `"hpotter@hogwarts.edu"`, `null`, 1), 400, "~candidate.email"},
		{"send_test with a relative url", "POST", "/send_test", ghKey, strings.Replace(ghSendBody, `"https://app.greenhouse.io/integrations`, `"/integrations`, 1), 400, "~url"},
		{"send_test with a numeric test id", "POST", "/send_test", ghKey, strings.Replace(ghSendBody, `"12345"`, `12345`, 1), 400, "~partner_test_id should be a string"},
		{"send_test invalid JSON", "POST", "/send_test", ghKey, `{`, 400, "~Invalid JSON"},
		{"send_test trailing data", "POST", "/send_test", ghKey, ghSendBody + `{}`, 400, "~trailing"},
		{"test_status unknown", "GET", "/test_status?partner_interview_id=nope", ghKey, "", 404, "~Not Found"},
		{"test_status without id", "GET", "/test_status", ghKey, "", 400, "~partner_interview_id"},
		{"response_error", "POST", "/response_error", ghKey, `{"api_call":"test_status","errors":["partner_status is 'complete' but partner_profile url is missing"],"partner_test_id":"12345","partner_test_name":"Personality Test","partner_interview_id":"299506","candidate_email":"hpotter@hogwarts.edu"}`, 200, `{"status":200}`},
		{"request_errors path", "POST", "/request_errors", ghKey, `{"api_call":"send_test","errors":["x"]}`, 200, `{"status":200}`},
		{"response_error without api_call", "POST", "/response_error", ghKey, `{"errors":["x"]}`, 400, "~api_call"},
		{"unknown path", "GET", "/tests", ghKey, "", 404, "~Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _, _ := ghSetup(t)
			status, body, hdr := ghDo(h, tt.method, tt.target, tt.key, tt.body)
			if status != tt.wantStatus {
				t.Fatalf("status %d (%s), want %d", status, body, tt.wantStatus)
			}
			if sub, ok := strings.CutPrefix(tt.wantBody, "~"); ok {
				if !strings.Contains(body, sub) {
					t.Errorf("body %s lacks %q", body, sub)
				}
			} else if body != tt.wantBody {
				t.Errorf("body %s, want %s", body, tt.wantBody)
			}
			if status == 401 && hdr.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

func TestGreenhouseSendTestStatusFlow(t *testing.T) {
	h, mem, keys := ghSetup(t)
	_, body, _ := ghDo(h, "POST", "/send_test", ghKey, ghSendBody)
	var sent struct {
		ID string `json:"partner_interview_id"`
	}
	if err := json.Unmarshal([]byte(body), &sent); err != nil || sent.ID == "" {
		t.Fatalf("send_test: %s", body)
	}
	t.Run("idempotent", func(t *testing.T) {
		_, again, _ := ghDo(h, "POST", "/send_test", ghKey, strings.Replace(ghSendBody, "hpotter@", "HPotter@", 1))
		if again != body || len(mem.Invitations()) != 1 {
			t.Errorf("repeat answered %s (first %s) and made %d invitations", again, body, len(mem.Invitations()))
		}
	})
	t.Run("another tenant cannot read it", func(t *testing.T) {
		if status, _, _ := ghDo(h, "GET", "/test_status?partner_interview_id="+sent.ID, "gh-key-globex", ""); status != 404 {
			t.Errorf("status %d, want 404", status)
		}
	})
	t.Run("pending", func(t *testing.T) {
		_, got, _ := ghDo(h, "GET", "/test_status?partner_interview_id="+sent.ID, ghKey, "")
		if want := `{"partner_status":"pending","partner_profile_url":null,"partner_score":null,"metadata":null}`; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
	t.Run("complete", func(t *testing.T) {
		if _, err := mem.Complete(sent.ID, StatusDocument{Status: StatusCompleted, ResultsURL: "https://vendor.example/r/1",
			Interview: &InterviewResult{Score: "78", Grade: ats.GradeExcelled, Details: map[string]any{"behavior": map[string]any{"influence": 97}, "lang": "go"}}}); err != nil {
			t.Fatal(err)
		}
		_, got, _ := ghDo(h, "GET", "/test_status?partner_interview_id="+sent.ID, ghKey, "")
		want := `{"partner_status":"complete","partner_profile_url":"https://vendor.example/r/1","partner_score":78,"metadata":{"behavior.influence":97,"grade":"excelled","lang":"go"}}`
		if got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	})
	t.Run("rotation: a new key for the tenant works, the removed one does not", func(t *testing.T) {
		keys.Add("gh-key-acme-2", "acme")
		keys.Remove(ghKey)
		if status, _, _ := ghDo(h, "GET", "/test_status?partner_interview_id="+sent.ID, "gh-key-acme-2", ""); status != 200 {
			t.Errorf("new key: %d", status)
		}
		if status, _, _ := ghDo(h, "GET", "/test_status?partner_interview_id="+sent.ID, ghKey, ""); status != 401 {
			t.Errorf("removed key: %d", status)
		}
	})
}

// ghStub is a GreenhouseBackend answering fixed values.
type ghStub struct {
	status  GreenhouseTestStatus
	calls   atomic.Int32
	block   chan struct{}
	entered chan struct{} // closed by the first SendGreenhouseTest
	once    sync.Once
}

func (s *ghStub) GreenhouseTests(context.Context, Account) ([]GreenhouseTest, error) {
	return []GreenhouseTest{{ID: "1", Name: ""}}, nil
}
func (s *ghStub) SendGreenhouseTest(ctx context.Context, _ Account, _ GreenhouseSendTestRequest) (string, error) {
	s.calls.Add(1)
	if s.entered != nil {
		s.once.Do(func() { close(s.entered) })
	}
	if s.block != nil {
		<-s.block
	}
	return "inst-1", nil
}
func (s *ghStub) GreenhouseTestStatus(context.Context, Account, string) (GreenhouseTestStatus, error) {
	return s.status, nil
}

func TestGreenhouseRefusesInvalidBackendAnswers(t *testing.T) {
	score := 1.5
	tests := []struct {
		name   string
		target string
		status GreenhouseTestStatus
		want   int
	}{
		{"test without a name", "/list_tests", GreenhouseTestStatus{}, 500},
		{"complete without profile url", "/test_status?partner_interview_id=1", GreenhouseTestStatus{Status: "complete"}, 500},
		{"nested metadata", "/test_status?partner_interview_id=1", GreenhouseTestStatus{Status: "sent", Metadata: map[string]any{"a": map[string]any{"b": 1}}}, 500},
		{"array metadata", "/test_status?partner_interview_id=1", GreenhouseTestStatus{Status: "sent", Metadata: map[string]any{"a": []any{1}}}, 500},
		{"flat metadata", "/test_status?partner_interview_id=1", GreenhouseTestStatus{Status: "Sent to candidate", Score: &score, Metadata: map[string]any{"a": 1, "b": "x", "c": true, "d": nil}}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := must(NewGreenhouseHandler(&ghStub{status: tt.status}, GreenhouseHandlerOptions{Tokens: NewStaticTokens(map[string]Account{ghKey: "a"}), Logger: quietLogger()}))
			if status, body, _ := ghDo(h, "GET", tt.target, ghKey, ""); status != tt.want {
				t.Errorf("status %d (%s), want %d", status, body, tt.want)
			}
		})
	}
}

func TestGreenhouseConcurrentSendTestCallsBackendOnce(t *testing.T) {
	stub := &ghStub{block: make(chan struct{}), entered: make(chan struct{})}
	h := must(NewGreenhouseHandler(stub, GreenhouseHandlerOptions{Tokens: NewStaticTokens(map[string]Account{ghKey: "a"}), Logger: quietLogger()}))
	var wg sync.WaitGroup
	bodies := make([]string, 4)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, bodies[i], _ = ghDo(h, "POST", "/send_test", ghKey, ghSendBody)
		}()
	}
	<-stub.entered // one request reached the backend; the others wait on it or arrive later
	close(stub.block)
	wg.Wait()
	if n := stub.calls.Load(); n != 1 {
		t.Errorf("backend called %d times, want 1", n)
	}
	for _, b := range bodies {
		if b != `{"partner_interview_id":"inst-1"}` {
			t.Errorf("body %s", b)
		}
	}
}

func TestGreenhousePublisherNotify(t *testing.T) {
	var mu sync.Mutex
	var got []string
	status := http.StatusNoContent
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		user, pass, _ := r.BasicAuth()
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path+" "+user+":"+pass+" body="+string(body))
		mu.Unlock()
		w.WriteHeader(status)
	}))
	defer srv.Close()
	testGH := func(mod ...func(*PublisherOptions)) *GreenhousePublisher {
		o := PublisherOptions{AllowLoopback: true, AllowInsecureHTTP: true, RetryWaitMin: 1e6, RetryWaitMax: 2e6, MaxRetries: 2, Logger: quietLogger()}
		for _, m := range mod {
			m(&o)
		}
		return NewGreenhousePublisher(o)
	}
	t.Run("PATCH without body, Basic key", func(t *testing.T) {
		d, err := testGH().Notify(context.Background(), srv.URL+"/integrations/testing_partners/take_home_tests/12345", ghKey)
		if err != nil || d.Attempts != 1 || d.StatusCode != 204 {
			t.Fatalf("Notify = %+v, %v", d, err)
		}
		if diff := cmp.Diff([]string{"PATCH /integrations/testing_partners/take_home_tests/12345 " + ghKey + ": body="}, got); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
	})
	tests := []struct {
		name      string
		url       string
		pub       *GreenhousePublisher
		status    int
		permanent bool
		wantErr   error
	}{
		{"private address refused by the guard", "https://10.0.0.1/x", NewGreenhousePublisher(PublisherOptions{Logger: quietLogger()}), 0, true, ErrUnsafeCallback},
		{"host outside greenhouse.io", "https://evil.example/x", NewGreenhousePublisher(PublisherOptions{Logger: quietLogger()}), 0, true, ErrUnsafeCallback},
		{"http refused", "http://app.greenhouse.io/x", NewGreenhousePublisher(PublisherOptions{Logger: quietLogger()}), 0, true, ErrUnsafeCallback},
		{"404 is permanent", srv.URL + "/x", testGH(), 404, true, nil},
		{"503 is retried, then temporary", srv.URL + "/x", testGH(), 503, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status = tt.status
			_, err := tt.pub.Notify(context.Background(), tt.url, ghKey)
			var pe *PublishError
			if !errors.As(err, &pe) || pe.Permanent() != tt.permanent {
				t.Fatalf("err = %v; want a PublishError with Permanent()=%v", err, tt.permanent)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), ghKey) {
				t.Errorf("error leaks the key: %v", err)
			}
		})
	}
}
