package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/google/go-cmp/cmp"
)

// tenantBackend is a Backend whose order ids are numbered per account, so
// two tenants' ids collide on purpose.
type tenantBackend struct {
	mu     sync.Mutex
	orders map[Account][]Order
	cancel map[Account][]string
}

func (b *tenantBackend) Catalogue(_ context.Context, a Account) ([]Offering, error) {
	return []Offering{{ID: "7", Name: "Go for " + string(a), Description: "60 minutes"}, {ID: "py", Name: "Python"}}, nil
}

func (b *tenantBackend) Order(_ context.Context, a Account, o Order) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.orders == nil {
		b.orders = map[Account][]Order{}
	}
	b.orders[a] = append(b.orders[a], o)
	return fmt.Sprintf("ord-%d", len(b.orders[a])), nil
}

func (b *tenantBackend) Status(_ context.Context, a Account, id string) (StatusDocument, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var n int
	if _, err := fmt.Sscanf(id, "ord-%d", &n); err != nil || n < 1 || n > len(b.orders[a]) {
		return StatusDocument{}, ErrNotFound
	}
	return StatusDocument{Status: StatusCompleted, ResultsURL: "https://vendor.example/" + string(a) + "/" + id,
		Interview: &InterviewResult{Score: "81", Grade: ats.GradePassed}}, nil
}

func (b *tenantBackend) Cancel(_ context.Context, a Account, id string) error {
	if _, err := b.Status(context.Background(), a, id); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cancel == nil {
		b.cancel = map[Account][]string{}
	}
	b.cancel[a] = append(b.cancel[a], id)
	return nil
}

func (b *tenantBackend) contracts(a Account) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, o := range b.orders[a] {
		out = append(out, o.Contract+":"+o.OfferingID+":"+o.Candidate.Email)
	}
	return out
}

// contractServer mounts every contract served from one Backend, with one
// key per tenant per contract (Workable's bearer tokens, Greenhouse's and
// Ashby's Basic keys).
// contractNow is the contract handlers' clock: a first update whose backend
// leaves the time zero is stamped with it.
var contractNow = time.UnixMilli(1796040000000)

func contractServer(b Backend) http.Handler {
	keys := NewStaticTokens(map[string]Account{"key-acme": "acme", "key-globex": "globex"})
	mux := http.NewServeMux()
	mux.Handle("/workable/", http.StripPrefix("/workable", must(NewHandler(WorkableFrom(b), HandlerOptions{Tokens: keys, Logger: quietLogger()}))))
	mux.Handle("/greenhouse/", http.StripPrefix("/greenhouse", must(NewGreenhouseHandler(GreenhouseFrom(b), GreenhouseHandlerOptions{Tokens: keys, Logger: quietLogger()}))))
	mux.Handle("/ashby/", http.StripPrefix("/ashby", must(NewAshbyHandler(AshbyFrom(b), AshbyHandlerOptions{Tokens: keys, Logger: quietLogger(), Now: func() time.Time { return contractNow }}))))
	return mux
}

type contractCall struct {
	method, path, body string
	basic              bool // Greenhouse and Ashby: HTTP Basic; Workable: bearer
}

func (c contractCall) do(h http.Handler, key string) (int, string) {
	req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.basic {
		req.SetBasicAuth(key, "")
	} else {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, req)
	return rr.Code, strings.TrimSpace(rr.Body.String())
}

const (
	ctAshbyStart = `{"assessment_type_id":"7","candidate":{"ashby_id":"c1","first_name":"Ada","last_name":"Lovelace","email":"ada@example.com"},
"application":{"ashby_id":"app1","status":"Active"},"job":{"ashby_id":"j1","name":"Engineer"}}`
	ctGreenhouseSend = `{"partner_test_id":"7","candidate":{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com"},
"url":"https://app.greenhouse.io/integrations/testing_partners/take_home_tests/1"}`
	wkInterviewBody  = `{"interview_template_id":"7","callback_url":"https://acme.workable.com/cb/1","candidate":{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com"}}`
	wkAssessmentBody = `{"test_id":7,"callback_url":"https://acme.workable.com/cb/2","candidate":{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com"}}`
)

// TestBackendServesEveryContract serves Workable's two contracts,
// Greenhouse's and Ashby's from one Backend and checks each contract's
// catalogue, order, status and cancel reach it with the tenant the key
// resolved to.
func TestBackendServesEveryContract(t *testing.T) {
	tests := []struct {
		name       string
		call       contractCall
		wantStatus int
		want       string // a substring of the body
	}{
		{"workable templates", contractCall{"GET", "/workable/interview-templates", "", false}, 200, `"name":"Go for acme"`},
		{"workable tests number a digit id", contractCall{"GET", "/workable/tests", "", false}, 200, `{"id":7,"name":"Go for acme"}`},
		{"greenhouse list_tests", contractCall{"GET", "/greenhouse/list_tests", "", true}, 200, `{"partner_test_id":"7","partner_test_name":"Go for acme"}`},
		{"ashby assessment.list", contractCall{"POST", "/ashby/assessment.list", "{}", true}, 200, `"description":"60 minutes"`},
		{"workable order", contractCall{"POST", "/workable/interviews", wkInterviewBody, false}, 201, `"interview_id":"ord-1"`},
		{"workable assessment order", contractCall{"POST", "/workable/assessments", wkAssessmentBody, false}, 201, `"assessment_id":"ord-2"`},
		{"greenhouse send_test", contractCall{"POST", "/greenhouse/send_test", ctGreenhouseSend, true}, 200, `{"partner_interview_id":"ord-3"}`},
		{"ashby start with its first update", contractCall{"POST", "/ashby/assessment.start", ctAshbyStart, true}, 200, `"assessment_id":"ord-4","update_request":{"assessment_id":"ord-4","timestamp":1796040000000,"assessment_status":{"identifier":"status","label":"Status","type":"string","value":"Started"}}`},
		{"greenhouse retry is answered without a new order", contractCall{"POST", "/greenhouse/send_test", ctGreenhouseSend, true}, 200, `{"partner_interview_id":"ord-3"}`},
		{"ashby retry is answered without a new order", contractCall{"POST", "/ashby/assessment.start", ctAshbyStart, true}, 200, `"assessment_id":"ord-4"`},
		{"workable status", contractCall{"GET", "/workable/interviews/ord-1", "", false}, 200, `"results_url":"https://vendor.example/acme/ord-1"`},
		{"greenhouse test_status", contractCall{"GET", "/greenhouse/test_status?partner_interview_id=ord-3", "", true}, 200, `{"partner_status":"complete","partner_profile_url":"https://vendor.example/acme/ord-3","partner_score":81,"metadata":{"grade":"passed"}}`},
		{"ashby cancel", contractCall{"POST", "/ashby/assessment.cancel", `{"assessment_id":"ord-4"}`, true}, 200, `"assessment_id":"ord-4"`},
		{"unknown greenhouse test", contractCall{"POST", "/greenhouse/send_test", strings.Replace(ctGreenhouseSend, `"7"`, `"nope"`, 1), true}, 404, ""},
		{"unknown ashby type", contractCall{"POST", "/ashby/assessment.start", strings.Replace(ctAshbyStart, `"7"`, `"nope"`, 1), true}, 404, ""},
		{"unknown greenhouse order", contractCall{"GET", "/greenhouse/test_status?partner_interview_id=ord-9", "", true}, 404, ""},
		{"ashby cancel of an unknown order", contractCall{"POST", "/ashby/assessment.cancel", `{"assessment_id":"ord-9"}`, true}, 404, ""},
	}
	b := &tenantBackend{}
	h := contractServer(b)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := tc.call.do(h, "key-acme")
			if code != tc.wantStatus || !strings.Contains(body, tc.want) {
				t.Fatalf("got %d %s, want %d containing %s", code, body, tc.wantStatus, tc.want)
			}
		})
	}
	want := []string{"workable-interview:7:ada@example.com", "workable-assessment:7:ada@example.com", "greenhouse:7:ada@example.com", "ashby:7:ada@example.com"}
	if diff := cmp.Diff(want, b.contracts("acme")); diff != "" {
		t.Errorf("orders the backend received (-want +got):\n%s", diff)
	}
}

// TestBackendTenantsWithCollidingIDs gives two tenants the same order ids
// in every contract: each key sees its own tenant's order, the same retry
// under the other tenant is a new order (idempotency is per tenant), and
// a key of one tenant cannot reach an order only the other has.
func TestBackendTenantsWithCollidingIDs(t *testing.T) {
	b := &tenantBackend{}
	h := contractServer(b)
	starts := []contractCall{
		{"POST", "/greenhouse/send_test", ctGreenhouseSend, true},
		{"POST", "/ashby/assessment.start", ctAshbyStart, true},
	}
	for _, key := range []string{"key-acme", "key-globex"} {
		for _, c := range starts {
			if code, body := c.do(h, key); code != 200 {
				t.Fatalf("%s %s: %d %s", key, c.path, code, body)
			}
		}
	}
	// Only acme has a third order.
	if code, body := (contractCall{"POST", "/workable/interviews", wkInterviewBody, false}).do(h, "key-acme"); code != 201 {
		t.Fatalf("workable order: %d %s", code, body)
	}
	tests := []struct {
		name, key  string
		call       contractCall
		wantStatus int
		want       string
	}{
		{"greenhouse acme reads its ord-1", "key-acme", contractCall{"GET", "/greenhouse/test_status?partner_interview_id=ord-1", "", true}, 200, "/acme/ord-1"},
		{"greenhouse globex reads its own ord-1", "key-globex", contractCall{"GET", "/greenhouse/test_status?partner_interview_id=ord-1", "", true}, 200, "/globex/ord-1"},
		{"workable globex reads its own ord-2", "key-globex", contractCall{"GET", "/workable/assessments/ord-2", "", false}, 200, "/globex/ord-2"},
		{"acme's key on an order only acme has, from globex's side", "key-globex", contractCall{"GET", "/greenhouse/test_status?partner_interview_id=ord-3", "", true}, 404, ""},
		{"globex cannot cancel acme's ord-3", "key-globex", contractCall{"POST", "/ashby/assessment.cancel", `{"assessment_id":"ord-3"}`, true}, 404, ""},
		{"globex cannot read acme's ord-3 on workable", "key-globex", contractCall{"GET", "/workable/interviews/ord-3", "", false}, 404, ""},
		{"an unknown key is refused", "key-initech", contractCall{"GET", "/greenhouse/list_tests", "", true}, 401, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := tc.call.do(h, tc.key)
			if code != tc.wantStatus || !strings.Contains(body, tc.want) {
				t.Fatalf("got %d %s, want %d containing %q", code, body, tc.wantStatus, tc.want)
			}
		})
	}
	for _, a := range []Account{"acme", "globex"} {
		if got := len(b.contracts(a)); got < 2 {
			t.Errorf("%s: %d orders, want each tenant's own send_test and start (idempotency keyed per tenant)", a, got)
		}
	}
	if diff := cmp.Diff([]string{"greenhouse:7:ada@example.com", "ashby:7:ada@example.com"}, b.contracts("globex")); diff != "" {
		t.Errorf("globex's orders (-want +got):\n%s", diff)
	}
}

// TestBackendStatusIsValidated: a result every contract would refuse
// (completed without a results URL) is a server error in each, never sent.
func TestBackendStatusIsValidated(t *testing.T) {
	b := invalidStatus{&tenantBackend{}}
	h := contractServer(b)
	for _, c := range []contractCall{
		{"GET", "/greenhouse/test_status?partner_interview_id=ord-1", "", true},
		{"GET", "/workable/interviews/ord-1", "", false},
	} {
		t.Run(c.path, func(t *testing.T) {
			if code, body := c.do(h, "key-acme"); code != 500 {
				t.Fatalf("got %d %s, want 500", code, body)
			}
		})
	}
}

type invalidStatus struct{ *tenantBackend }

func (invalidStatus) Status(context.Context, Account, string) (StatusDocument, error) {
	return StatusDocument{Status: StatusCompleted}, nil
}

func TestAshbyUpdateFromResult(t *testing.T) {
	tests := []struct {
		name string
		r    StatusDocument
		want string
	}{
		{"pending is started", StatusDocument{Status: StatusPending}, `{"assessment_id":"a1","timestamp":0,"assessment_status":{"identifier":"status","label":"Status","type":"string","value":"Started"}}`},
		{"completed with a numeric score", StatusDocument{Status: StatusCompleted, ResultsURL: "https://v.example/r", Interview: &InterviewResult{Score: "78%", Grade: ats.GradePassed}},
			`{"assessment_id":"a1","timestamp":0,"assessment_status":{"identifier":"status","label":"Status","type":"string","value":"Completed"},"assessment_profile_url":{"identifier":"profile_url","label":"Report","type":"url","value":"https://v.example/r"},"assessment_result":{"identifier":"score","label":"Score","type":"numeric_score","value":78},"metadata":[{"identifier":"grade","label":"Grade","type":"string","value":"passed"}]}`},
		{"completed with a text score", StatusDocument{Status: StatusCompleted, ResultsURL: "https://v.example/r", Interview: &InterviewResult{Score: "B+"}},
			`{"assessment_id":"a1","timestamp":0,"assessment_status":{"identifier":"status","label":"Status","type":"string","value":"Completed"},"assessment_profile_url":{"identifier":"profile_url","label":"Report","type":"url","value":"https://v.example/r"},"assessment_result":{"identifier":"score","label":"Score","type":"string","value":"B+"}}`},
		{"expired is cancelled", StatusDocument{Status: StatusExpired}, `{"assessment_id":"a1","timestamp":0,"cancelled_reason":{"identifier":"cancelled_reason","label":"Reason","type":"string","value":"Expired"}}`},
		{"rejected is cancelled as declined", StatusDocument{Status: StatusRejected}, `{"assessment_id":"a1","timestamp":0,"cancelled_reason":{"identifier":"cancelled_reason","label":"Reason","type":"string","value":"Declined"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := AshbyUpdateFromResult("a1", tc.r)
			if err := u.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			got, _ := json.Marshal(u)
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestGreenhouseProfileRefs(t *testing.T) {
	tests := []struct{ url, cand, app string }{
		{"https://app.greenhouse.io/people/17681532?application_id=26234709", "17681532", "26234709"},
		{"https://app.greenhouse.io/people/17681532", "17681532", ""},
		{"https://app.greenhouse.io/people/x1?application_id=2a", "", ""},
		{"https://app.greenhouse.io/people/1/edit?application_id=5", "", "5"},
		{"", "", ""},
		{"%zz", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			c, a := greenhouseProfileRefs(tc.url)
			if diff := cmp.Diff([2]string{tc.cand, tc.app}, [2]string{c, a}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
