package provider_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atskit/atskit/ashby/ashbytest"
	"github.com/atskit/atskit/provider"
	"github.com/google/go-cmp/cmp"
)

// ashbyVendor is a test AshbyBackend: one assessment per application and
// type, a "blocked" email domain refused with a user message.
type ashbyVendor struct {
	mu       sync.Mutex
	starts   int
	byApp    map[string]string
	canceled []string
	fields   []provider.AshbyCustomField
	got      []provider.AshbyStartRequest
}

func (v *ashbyVendor) AshbyAssessmentTypes(ctx context.Context, a provider.Account) ([]provider.AshbyAssessmentType, error) {
	return []provider.AshbyAssessmentType{{ID: "go-senior", Name: "Go (senior)", Description: "90 minutes"}}, nil
}

func (v *ashbyVendor) StartAshbyAssessment(ctx context.Context, a provider.Account, r provider.AshbyStartRequest) (provider.AshbyStartResult, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.got = append(v.got, r)
	if strings.HasSuffix(r.Candidate.Email, "@blocked.test") {
		return provider.AshbyStartResult{}, &provider.AshbyUserError{Message: "Candidates from blocked.test cannot take this test"}
	}
	if _, ok := v.byApp[r.Application.AshbyID]; ok {
		return provider.AshbyStartResult{}, provider.ErrConflict
	}
	v.starts++
	id := "asmt-" + r.Application.AshbyID[:8]
	v.byApp[r.Application.AshbyID] = id
	return provider.AshbyStartResult{AssessmentID: id, FirstUpdate: &provider.AshbyUpdate{
		Timestamp: 1700000000000,
		Status:    &provider.AshbyDataValue{Identifier: "status", Label: "Status", Type: provider.AshbyString, Value: provider.AshbyStatusStarted},
		Metadata:  []provider.AshbyDataValue{{Identifier: "invite", Label: "Invitation", Type: provider.AshbyURL, Value: "https://vendor.test/i/" + id}},
	}}, nil
}

func (v *ashbyVendor) CancelAshbyAssessment(ctx context.Context, a provider.Account, id string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, x := range v.byApp {
		if x == id {
			v.canceled = append(v.canceled, id)
			return nil
		}
	}
	return provider.ErrNotFound
}

func (v *ashbyVendor) AshbyCustomFields(ctx context.Context, a provider.Account) ([]provider.AshbyCustomField, error) {
	return v.fields, nil
}

type ashbyRig struct {
	fake   *ashbytest.Server
	vendor *ashbyVendor
	url    string
	job    ashbytest.Job
}

func newAshbyRig(t *testing.T) *ashbyRig {
	t.Helper()
	fake := ashbytest.NewServer()
	t.Cleanup(fake.Close)
	v := &ashbyVendor{byApp: map[string]string{}, fields: []provider.AshbyCustomField{
		{ID: "level", Name: "Level", Type: "ValueSelect", IsRequired: true, PossibleValues: []provider.AshbyFieldValue{{Key: "sr", Value: "Senior"}}},
	}}
	h := must(provider.NewAshbyHandler(v, provider.AshbyHandlerOptions{Tokens: provider.NewStaticTokens(map[string]provider.Account{"partner-key": "acme"})}))
	mux := http.NewServeMux()
	mux.Handle("/ashby/", http.StripPrefix("/ashby", h))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	job := fake.AddJob(ashbytest.Job{Title: "Go Engineer", Stages: []ashbytest.Stage{{Title: "Applied"}}})
	return &ashbyRig{fake: fake, vendor: v, url: srv.URL + "/ashby", job: job}
}

func (r *ashbyRig) app(name, email string) string {
	p := r.fake.AddCandidate(ashbytest.Candidate{Name: name, Emails: []string{email}})
	return r.fake.AddApplication(ashbytest.Application{CandidateID: p.ID, JobID: r.job.ID}).ID
}

// TestAshbyPartnerFlow has the fake play Ashby against the handler:
// list, start (with the inline first update applied), a repeated start,
// 409 and 422 refusals, custom fields and cancel.
func TestAshbyPartnerFlow(t *testing.T) {
	r := newAshbyRig(t)
	ctx := context.Background()
	ashby := r.fake.Partner(r.url, "partner-key")

	types, err := ashby.ListAssessments(ctx)
	if err != nil || len(types) != 1 || types[0].ID != "go-senior" {
		t.Fatalf("ListAssessments = %+v, %v", types, err)
	}
	fields, err := ashby.CustomFields(ctx)
	if err != nil || len(fields) != 1 || fields[0].PossibleValues[0].Key != "sr" {
		t.Fatalf("CustomFields = %+v, %v", fields, err)
	}

	app := r.app("Ada Lovelace", "ada@example.com")
	out, err := ashby.StartAssessment(ctx, app, "go-senior", map[string]any{"level": "sr"})
	if err != nil || !out.Updated {
		t.Fatalf("StartAssessment = %+v, %v", out, err)
	}
	a, _ := r.fake.Assessment(out.AssessmentID)
	if a.StartedAt.UnixMilli() != 1700000000000 || len(a.Metadata) != 1 {
		t.Errorf("the inline update was not applied: %+v", a)
	}
	got := r.vendor.got[0]
	if got.Candidate.FirstName != "Ada" || got.Application.AshbyID != app || got.Job.Name != "Go Engineer" || string(got.AdditionalFields["level"]) != `"sr"` {
		t.Errorf("backend got %+v", got)
	}

	again, err := ashby.StartAssessment(ctx, app, "go-senior", nil)
	if err != nil || again.AssessmentID != out.AssessmentID || !again.Updated || r.vendor.starts != 1 {
		t.Errorf("a repeated start = %+v, %v (backend starts %d); want the same assessment and inline update, no second start", again, err, r.vendor.starts)
	}

	cases := []struct {
		name, typ, email string
		status           int
		msg              string
	}{
		{"another type for the same application is a conflict", "go-junior", "ada2@example.com", 409, "the candidate is already being assessed"},
		{"refused with a user message", "go-senior", "x@blocked.test", 422, "Candidates from blocked.test cannot take this test"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := app
			if tc.status == 422 {
				id = r.app("Blocked Person", tc.email)
			}
			_, err := ashby.StartAssessment(ctx, id, tc.typ, nil)
			var pe *ashbytest.PartnerError
			if !errors.As(err, &pe) || pe.Status != tc.status || pe.Message != tc.msg {
				t.Errorf("StartAssessment = %v; want %d %q", err, tc.status, tc.msg)
			}
		})
	}

	if err := ashby.CancelAssessment(ctx, out.AssessmentID); err != nil {
		t.Fatal(err)
	}
	var pe *ashbytest.PartnerError
	if err := ashby.CancelAssessment(ctx, "nope"); !errors.As(err, &pe) || pe.Status != 404 {
		t.Errorf("cancel of an unknown assessment = %v; want 404", err)
	}
	if diff := cmp.Diff([]string{out.AssessmentID}, r.vendor.canceled); diff != "" {
		t.Errorf("cancelled (-want +got):\n%s", diff)
	}
}

func TestAshbyHandlerRequests(t *testing.T) {
	r := newAshbyRig(t)
	basic := func(user, pass string) string {
		req, _ := http.NewRequest("POST", "/", nil)
		req.SetBasicAuth(user, pass)
		return req.Header.Get("Authorization")
	}
	full := `{"assessment_type_id":"go-senior","candidate":{"ashby_id":"c1","first_name":"A","last_name":"B","email":"a@b.test","ashby_profile_url":"https://x"},"application":{"ashby_id":"app-000001","status":"Active"},"job":{"ashby_id":"j1","name":"Eng","ashby_job_url":"https://x"}}`
	cases := []struct {
		name, method, path, auth, body string
		status                         int
		contains                       string
	}{
		{"basic with the key as user", "POST", "/assessment.list", basic("partner-key", ""), `{}`, 200, `"assessment_type_id":"go-senior"`},
		{"basic with the key as password", "POST", "/assessment.list", basic("", "partner-key"), `{}`, 200, `"success":true`},
		{"bearer", "POST", "/assessment.list", "Bearer partner-key", ``, 200, `"success":true`},
		{"no credentials", "POST", "/assessment.list", "", `{}`, 401, `"success":false`},
		{"wrong key", "POST", "/assessment.list", basic("nope", ""), `{}`, 401, `"invalid_api_key"`},
		{"GET", "GET", "/assessment.list", basic("partner-key", ""), ``, 405, `"method_not_allowed"`},
		{"unknown endpoint", "POST", "/assessment.nope", basic("partner-key", ""), `{}`, 404, `"not_found"`},
		{"start: bad JSON", "POST", "/assessment.start", basic("partner-key", ""), `{`, 400, `"invalid_input"`},
		{"start: missing field", "POST", "/assessment.start", basic("partner-key", ""), `{"assessment_type_id":"go-senior"}`, 422, `"message":"missing field: candidate.ashby_id"`},
		{"start: ok", "POST", "/assessment.start", basic("partner-key", ""), full, 200, `"update_request":{"assessment_id":"asmt-app-0000"`},
		{"cancel: no id", "POST", "/assessment.cancel", basic("partner-key", ""), `{}`, 422, `"missing field: assessment_id"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, r.url+tc.path, strings.NewReader(tc.body))
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || !strings.Contains(string(raw), tc.contains) {
				t.Errorf("%d %s; want %d containing %s", resp.StatusCode, raw, tc.status, tc.contains)
			}
		})
	}
}

func TestAshbyUpdateValidate(t *testing.T) {
	dv := func(id, typ string, v any) *provider.AshbyDataValue {
		return &provider.AshbyDataValue{Identifier: id, Label: id, Type: typ, Value: v}
	}
	status, result, profile := dv("status", provider.AshbyString, "Started"), dv("score", provider.AshbyNumericScore, 87), dv("profile", provider.AshbyURL, "https://vendor.test/r/1")
	cases := []struct {
		name  string
		u     provider.AshbyUpdate
		field string // "" means valid
	}{
		{"started", provider.AshbyUpdate{AssessmentID: "a", Status: status}, ""},
		{"complete", provider.AshbyUpdate{AssessmentID: "a", Status: status, Result: result, ProfileURL: profile}, ""},
		{"cancelled without status", provider.AshbyUpdate{AssessmentID: "a", CancelledReason: dv("why", provider.AshbyString, "withdrew")}, ""},
		{"no id", provider.AshbyUpdate{Status: status}, "assessment_id"},
		{"no status", provider.AshbyUpdate{AssessmentID: "a"}, "assessment_status"},
		{"result without profile", provider.AshbyUpdate{AssessmentID: "a", Status: status, Result: result}, "assessment_profile_url"},
		{"profile of type string", provider.AshbyUpdate{AssessmentID: "a", Status: status, Result: result, ProfileURL: dv("p", provider.AshbyString, "x")}, "assessment_profile_url"},
		{"score as a string", provider.AshbyUpdate{AssessmentID: "a", Status: status, Result: dv("s", provider.AshbyNumericScore, "87"), ProfileURL: profile}, "assessment_result"},
		{"bool as a string", provider.AshbyUpdate{AssessmentID: "a", Status: dv("s", provider.AshbyBooleanSuccess, "yes")}, "assessment_status"},
		{"unknown type", provider.AshbyUpdate{AssessmentID: "a", Status: dv("s", "percent", 1)}, "assessment_status"},
		{"relative url", provider.AshbyUpdate{AssessmentID: "a", Status: status, Metadata: []provider.AshbyDataValue{*dv("m", provider.AshbyURL, "/r/1")}}, "metadata[0]"},
		{"duplicate identifier", provider.AshbyUpdate{AssessmentID: "a", Status: status, Metadata: []provider.AshbyDataValue{*dv("status", provider.AshbyString, "x")}}, "metadata[0]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.u.Validate()
			var ve *provider.ValidationError
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("Validate = %v", err)
			case tc.field != "" && (!errors.As(err, &ve) || ve.Field != tc.field):
				t.Fatalf("Validate = %v; want a ValidationError on %s", err, tc.field)
			}
		})
	}
}

func TestAshbyPublisher(t *testing.T) {
	fake := ashbytest.NewServer()
	defer fake.Close()
	fake.AddAPIKey("read-only", "candidatesRead")
	p := fake.AddCandidate(ashbytest.Candidate{Name: "Ada Lovelace"})
	fake.AddAssessment("asmt-1")
	now := time.UnixMilli(1700000000000)
	pub := provider.NewAshbyPublisher(provider.AshbyPublisherOptions{
		BaseURL: fake.URL, Now: func() time.Time { return now },
		PublisherOptions: provider.PublisherOptions{AllowLoopback: true, AllowInsecureHTTP: true, MaxRetries: -1},
	})
	ctx := context.Background()
	profile := &provider.AshbyDataValue{Identifier: "profile", Label: "Report", Type: provider.AshbyURL, Value: "https://vendor.test/r/1"}
	done := provider.AshbyUpdate{AssessmentID: "asmt-1",
		Status:     &provider.AshbyDataValue{Identifier: "status", Label: "Status", Type: provider.AshbyString, Value: "Completed"},
		Result:     &provider.AshbyDataValue{Identifier: "score", Label: "Score", Type: provider.AshbyNumericScore, Value: 87},
		ProfileURL: profile}
	cases := []struct {
		name      string
		key       string
		u         provider.AshbyUpdate
		ok        bool
		permanent bool
		status    int
	}{
		{"complete", ashbytest.DefaultAPIKey, done, true, false, 200},
		{"unknown assessment (success:false in a 200)", ashbytest.DefaultAPIKey, provider.AshbyUpdate{AssessmentID: "nope", Status: done.Status}, false, true, 200},
		{"key without candidatesWrite", "read-only", done, false, true, 403},
		{"invalid before sending", ashbytest.DefaultAPIKey, provider.AshbyUpdate{AssessmentID: "asmt-1"}, false, true, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := pub.Update(ctx, tc.key, tc.u)
			if tc.ok != (err == nil) || d.StatusCode != tc.status {
				t.Fatalf("Update = %+v, %v", d, err)
			}
			var pe *provider.PublishError
			if err != nil && (!errors.As(err, &pe) || pe.Permanent() != tc.permanent) {
				t.Errorf("error %v; want a PublishError with Permanent() = %v", err, tc.permanent)
			}
			if err != nil && strings.Contains(err.Error(), tc.key) {
				t.Errorf("error %q contains the key", err)
			}
		})
	}
	a, _ := fake.Assessment("asmt-1")
	if !a.Complete() || a.Result.Value != float64(87) {
		t.Errorf("assessment after the update: %+v", a)
	}
	last, _ := fake.LastRequest()
	if !strings.Contains(string(last.Body), `"timestamp":1700000000000`) {
		t.Errorf("zero timestamp not set to now: %s", last.Body)
	}

	var c provider.AshbyCompletedAssessment
	c.CandidateID, c.PartnerID = p.ID, "partner-1"
	c.Assessment.TypeID, c.Assessment.ID, c.Assessment.Name = "go-senior", "asmt-9", "Go (senior)"
	c.Assessment.Result = provider.AshbyDataValue{Identifier: "passed", Label: "Passed", Type: provider.AshbyBooleanSuccess, Value: true}
	if _, err := pub.AddCompletedToCandidate(ctx, ashbytest.DefaultAPIKey, c); err != nil {
		t.Fatal(err)
	}
	if got := fake.CompletedAssessments(); len(got) != 1 || got[0].AssessmentID != "asmt-9" || got[0].Result.Value != true {
		t.Errorf("completed = %+v", got)
	}
	c.PartnerID = ""
	if _, err := pub.AddCompletedToCandidate(ctx, ashbytest.DefaultAPIKey, c); err == nil {
		t.Error("AddCompletedToCandidate without partnerId was sent")
	}

	// The SSRF guard: by default only https to *.ashbyhq.com.
	strict := provider.NewAshbyPublisher(provider.AshbyPublisherOptions{BaseURL: fake.URL})
	if _, err := strict.Update(ctx, ashbytest.DefaultAPIKey, done); !errors.Is(err, provider.ErrUnsafeCallback) {
		t.Errorf("Update to a loopback http URL = %v; want ErrUnsafeCallback", err)
	}
}

// must is for test fixtures built without a *testing.T.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
