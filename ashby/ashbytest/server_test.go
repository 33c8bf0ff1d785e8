package ashbytest_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/atskit/atskit/ashby/ashbytest"
	"github.com/google/go-cmp/cmp"
)

type answer struct {
	status     int
	success    bool
	code       string
	results    json.RawMessage
	more       bool
	nextCursor string
	syncToken  string
}

func call(t *testing.T, srv *ashbytest.Server, httpMethod, path, key, body string) answer {
	t.Helper()
	req, _ := http.NewRequest(httpMethod, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.SetBasicAuth(key, "")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var env struct {
		Success           bool            `json:"success"`
		Results           json.RawMessage `json:"results"`
		MoreDataAvailable bool            `json:"moreDataAvailable"`
		NextCursor        string          `json:"nextCursor"`
		SyncToken         string          `json:"syncToken"`
		ErrorInfo         struct {
			Code string `json:"code"`
		} `json:"errorInfo"`
	}
	json.Unmarshal(raw, &env)
	return answer{resp.StatusCode, env.Success, env.ErrorInfo.Code, env.Results, env.MoreDataAvailable, env.NextCursor, env.SyncToken}
}

func TestServerProtocol(t *testing.T) {
	srv := ashbytest.NewServer(ashbytest.WithRateLimit(0, 0))
	defer srv.Close()
	srv.AddAPIKey("reader", "jobsRead")
	job := srv.AddJob(ashbytest.Job{Title: "Eng", Stages: []ashbytest.Stage{{Title: "Applied"}}})
	root := strings.TrimSuffix(srv.URL, ashbytest.BasePath)
	key := ashbytest.DefaultAPIKey
	cases := []struct {
		name                  string
		method, path, key, in string
		status                int
		success               bool
		code                  string
	}{
		{"success", "POST", srv.URL + "/job.info", key, `{"id":"` + job.ID + `"}`, 200, true, ""},
		{"domain error is HTTP 200", "POST", srv.URL + "/job.info", key, `{"id":"nope"}`, 200, false, "job_not_found"},
		{"path without the base path", "POST", root + "/job.info", key, `{}`, 404, false, "not_found"},
		{"unknown method", "POST", srv.URL + "/job.nope", key, `{}`, 404, false, "not_found"},
		{"GET is refused", "GET", srv.URL + "/job.info", key, ``, 405, false, "method_not_allowed"},
		{"no key", "POST", srv.URL + "/job.info", "", `{}`, 401, false, "unauthenticated"},
		{"unknown key", "POST", srv.URL + "/job.info", "nope", `{}`, 403, false, "invalid_api_key"},
		{"missing permission", "POST", srv.URL + "/candidate.info", "reader", `{"id":"x"}`, 403, false, "missing_endpoint_permission"},
		{"unknown field", "POST", srv.URL + "/candidate.info", key, `{"candidateId":"x"}`, 200, false, "invalid_input"},
		{"ill-typed field", "POST", srv.URL + "/job.list", key, `{"limit":"ten"}`, 200, false, "invalid_input"},
		{"bad limit", "POST", srv.URL + "/job.list", key, `{"limit":0}`, 200, false, "invalid_input"},
		{"bad cursor", "POST", srv.URL + "/job.list", key, `{"cursor":"???"}`, 200, false, "invalid_next_cursor"},
		{"bad sync token", "POST", srv.URL + "/job.list", key, `{"syncToken":"???"}`, 200, false, "sync_token_invalid"},
		{"history takes no sync token", "POST", srv.URL + "/application.listHistory", key, `{"applicationId":"x","syncToken":"a"}`, 200, false, "application_not_found"},
		{"stage list needs a plan", "POST", srv.URL + "/interviewStage.list", key, `{}`, 200, false, "invalid_input"},
		{"note as a plain string", "POST", srv.URL + "/candidate.createNote", key, `{"candidateId":"x","note":"hi"}`, 200, false, "candidate_not_found"},
		{"note of a wrong type", "POST", srv.URL + "/candidate.createNote", key, `{"candidateId":"x","note":{"type":"text/markdown","value":"hi"}}`, 200, false, "invalid_input"},
		{"webhook without a secret", "POST", srv.URL + "/webhook.create", key, `{"webhookType":"candidateStageChange","requestUrl":"https://x.test"}`, 200, false, "invalid_input"},
		{"no webhook.list", "POST", srv.URL + "/webhook.list", key, `{}`, 404, false, "not_found"},
		{"no tag removal", "POST", srv.URL + "/candidate.removeTag", key, `{}`, 404, false, "not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := call(t, srv, tc.method, tc.path, tc.key, tc.in)
			if got.status != tc.status || got.success != tc.success || got.code != tc.code {
				t.Errorf("got %d success=%v code=%q; want %d success=%v code=%q", got.status, got.success, got.code, tc.status, tc.success, tc.code)
			}
		})
	}
}

func TestStripNoteHTML(t *testing.T) {
	cases := []struct{ in, want string }{
		{"<b>bold</b> <i>it</i> <u>u</u>", "<b>bold</b> <i>it</i> <u>u</u>"},
		{`<p class="x">para</p><br/><h1>T</h1>`, "paraT"},
		{`<a href="https://x.test" onclick="evil()">link</a>`, `<a href="https://x.test">link</a>`},
		{`<ul><li>a</li></ul><ol><li>b</li></ol><pre><code>c</code></pre>`, `<ul><li>a</li></ul><ol><li>b</li></ol><pre><code>c</code></pre>`},
		{`x<script>alert(1)</script>y<style>p{}</style>z<!-- c -->`, "xyz"},
		{`<B STYLE="x">up</B>`, "<b>up</b>"},
		{"plain & text", "plain & text"},
	}
	for _, tc := range cases {
		if got := ashbytest.StripNoteHTML(tc.in); got != tc.want {
			t.Errorf("StripNoteHTML(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestAssessmentUpdateRules(t *testing.T) {
	dv := func(id, typ string, v any) map[string]any {
		return map[string]any{"identifier": id, "label": id, "type": typ, "value": v}
	}
	status := dv("status", "string", "Started")
	result := dv("score", "numeric_score", 87)
	profile := dv("profile", "url", "https://vendor.test/r/1")
	cases := []struct {
		name   string
		policy ashbytest.TerminalPolicy
		body   []map[string]any // sent in order; the last one's outcome is checked
		code   string
	}{
		{"started", 0, []map[string]any{{"assessment_id": "a1", "timestamp": 1, "assessment_status": status}}, ""},
		{"unknown assessment", 0, []map[string]any{{"assessment_id": "zz", "timestamp": 1, "assessment_status": status}}, "assessment_not_found"},
		{"no timestamp", 0, []map[string]any{{"assessment_id": "a1", "assessment_status": status}}, "invalid_input"},
		{"no status", 0, []map[string]any{{"assessment_id": "a1", "timestamp": 1}}, "invalid_input"},
		{"cancel without status", 0, []map[string]any{{"assessment_id": "a1", "timestamp": 1, "cancelled_reason": dv("why", "string", "withdrawn")}}, ""},
		{"result without profile", 0, []map[string]any{{"assessment_id": "a1", "timestamp": 1, "assessment_status": status, "assessment_result": result}}, "invalid_input"},
		{"profile not a url", 0, []map[string]any{{"assessment_id": "a1", "timestamp": 1, "assessment_status": status, "assessment_result": result, "assessment_profile_url": dv("p", "string", "x")}}, "invalid_input"},
		{"bad type", 0, []map[string]any{{"assessment_id": "a1", "timestamp": 1, "assessment_status": dv("s", "percent", 1)}}, "invalid_input"},
		{"bad value", 0, []map[string]any{{"assessment_id": "a1", "timestamp": 1, "assessment_status": dv("s", "string", []int{1})}}, "invalid_input"},
		{"complete", 0, []map[string]any{{"assessment_id": "a1", "timestamp": 1, "assessment_status": status, "assessment_result": result, "assessment_profile_url": profile}}, ""},
		{"after complete, reject", ashbytest.TerminalReject, []map[string]any{
			{"assessment_id": "a1", "timestamp": 1, "assessment_status": status, "assessment_result": result, "assessment_profile_url": profile},
			{"assessment_id": "a1", "timestamp": 2, "assessment_status": status}}, "invalid_input"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := ashbytest.NewServer(ashbytest.WithTerminalPolicy(tc.policy))
			defer srv.Close()
			srv.AddAssessment("a1")
			var got answer
			for _, b := range tc.body {
				raw, _ := json.Marshal(b)
				got = call(t, srv, "POST", srv.URL+"/assessment.update", ashbytest.DefaultAPIKey, string(raw))
			}
			if got.code != tc.code || got.success != (tc.code == "") {
				t.Errorf("code %q success %v; want %q", got.code, got.success, tc.code)
			}
		})
	}
	srv := ashbytest.NewServer()
	defer srv.Close()
	srv.AddAssessment("a1")
	raw, _ := json.Marshal(map[string]any{"assessment_id": "a1", "timestamp": 1700000000000, "assessment_status": status})
	call(t, srv, "POST", srv.URL+"/assessment.update", ashbytest.DefaultAPIKey, string(raw))
	a, _ := srv.Assessment("a1")
	if a.StartedAt.UnixMilli() != 1700000000000 || a.Complete() {
		t.Errorf("assessment after Started: %+v", a)
	}
}

func TestListPagination(t *testing.T) {
	srv := ashbytest.NewServer(ashbytest.WithPageCap(2), ashbytest.WithRateLimit(0, 0))
	defer srv.Close()
	var want []string
	for i := range 5 {
		want = append(want, srv.AddJob(ashbytest.Job{Title: string(rune('A' + i))}).ID)
	}
	var got []string
	var last answer
	body := `{"limit":100}`
	for pages := 1; pages <= 3; pages++ {
		last = call(t, srv, "POST", srv.URL+"/job.list", ashbytest.DefaultAPIKey, body)
		var jobs []struct{ ID string }
		json.Unmarshal(last.results, &jobs)
		if len(jobs) > 2 {
			t.Fatalf("page of %d exceeds the cap of 2", len(jobs))
		}
		for _, j := range jobs {
			got = append(got, j.ID)
		}
		if (pages < 3) != last.more || (pages < 3) != (last.nextCursor != "") || (pages == 3) != (last.syncToken != "") {
			t.Fatalf("page %d: moreDataAvailable=%v nextCursor=%q syncToken=%q", pages, last.more, last.nextCursor, last.syncToken)
		}
		body = `{"cursor":"` + last.nextCursor + `"}`
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	srv.AddJob(ashbytest.Job{Title: "F"})
	a := call(t, srv, "POST", srv.URL+"/job.list", ashbytest.DefaultAPIKey, `{"syncToken":"`+last.syncToken+`"}`)
	var jobs []struct{ Title string }
	json.Unmarshal(a.results, &jobs)
	if len(jobs) != 1 || jobs[0].Title != "F" {
		t.Errorf("incremental listing = %+v; want only the new job", jobs)
	}
}

// TestListPaginationWhileRecordsLeaveFilter lists Active applications 2
// per page and archives each one listed before asking for the next page:
// every application is still listed once. A cursor that counted matches
// would start the next page past applications still Active.
func TestListPaginationWhileRecordsLeaveFilter(t *testing.T) {
	srv := ashbytest.NewServer(ashbytest.WithPageCap(2), ashbytest.WithRateLimit(0, 0))
	defer srv.Close()
	srv.AddArchiveReason("Withdrew")
	job := srv.AddJob(ashbytest.Job{Title: "Engineer", Stages: []ashbytest.Stage{{Title: "Screen"}}})
	archived := job.Stages[len(job.Stages)-1].ID
	want := map[string]bool{}
	for range 7 {
		c := srv.AddCandidate(ashbytest.Candidate{Name: "C"})
		want[srv.AddApplication(ashbytest.Application{CandidateID: c.ID, JobID: job.ID}).ID] = true
	}
	got := map[string]bool{}
	body := `{"status":"Active"}`
	for pages := 0; ; pages++ {
		if pages > len(want) {
			t.Fatal("the listing does not end")
		}
		a := call(t, srv, "POST", srv.URL+"/application.list", ashbytest.DefaultAPIKey, body)
		var apps []struct{ ID string }
		if err := json.Unmarshal(a.results, &apps); err != nil {
			t.Fatal(err)
		}
		for _, app := range apps {
			if got[app.ID] {
				t.Fatalf("application %s listed twice", app.ID)
			}
			got[app.ID] = true
			if err := srv.MoveCandidate(app.ID, archived); err != nil {
				t.Fatal(err)
			}
		}
		if !a.more {
			break
		}
		body = `{"status":"Active","cursor":"` + a.nextCursor + `"}`
	}
	if len(got) != len(want) {
		t.Errorf("listed %d of the %d Active applications", len(got), len(want))
	}
}

// TestListCursorWithoutPosition: a cursor that does not say where the next
// page starts (the fake's older count-based form) is refused with Ashby's
// invalid_next_cursor, not read as the start of the listing.
func TestListCursorWithoutPosition(t *testing.T) {
	srv := ashbytest.NewServer(ashbytest.WithPageCap(1), ashbytest.WithRateLimit(0, 0))
	defer srv.Close()
	srv.AddJob(ashbytest.Job{Title: "A"})
	srv.AddJob(ashbytest.Job{Title: "B"})
	first := call(t, srv, "POST", srv.URL+"/job.list", ashbytest.DefaultAPIKey, `{}`)
	raw, err := base64.RawURLEncoding.DecodeString(first.nextCursor)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	delete(c, "n")
	c["p"] = 1
	old, _ := json.Marshal(c)
	a := call(t, srv, "POST", srv.URL+"/job.list", ashbytest.DefaultAPIKey, `{"cursor":"`+base64.RawURLEncoding.EncodeToString(old)+`"}`)
	if a.success || a.code != "invalid_next_cursor" {
		t.Errorf("a cursor without a position: success %v code %q, want invalid_next_cursor", a.success, a.code)
	}
}

func TestFaults(t *testing.T) {
	cases := []struct {
		kind   ashbytest.FaultKind
		status int
		code   string
	}{
		{ashbytest.FaultServerError, 503, "internal_error"},
		{ashbytest.FaultRateLimit, 429, "rate_limit_exceeded"},
	}
	for _, tc := range cases {
		t.Run(string(tc.kind), func(t *testing.T) {
			srv := ashbytest.NewServer(ashbytest.WithRateLimit(0, 0), ashbytest.WithFaults(ashbytest.Faults{Probability: 1, Seed: 7, Kinds: []ashbytest.FaultKind{tc.kind}}))
			defer srv.Close()
			for range 3 {
				if got := call(t, srv, "POST", srv.URL+"/job.list", ashbytest.DefaultAPIKey, `{}`); got.status != tc.status || got.code != tc.code {
					t.Fatalf("got %d %q; want %d %q", got.status, got.code, tc.status, tc.code)
				}
			}
			if n := srv.InjectedFaults()[tc.kind]; n != 3 {
				t.Errorf("InjectedFaults = %d, want 3", n)
			}
			srv.SetFaults(ashbytest.Faults{})
			if got := call(t, srv, "POST", srv.URL+"/job.list", ashbytest.DefaultAPIKey, `{}`); !got.success {
				t.Errorf("after SetFaults(zero) the call failed: %+v", got)
			}
		})
	}
}

func TestRateLimitPerKey(t *testing.T) {
	srv := ashbytest.NewServer(ashbytest.WithRateLimit(0.001, 2), ashbytest.WithRetryAfter(3))
	defer srv.Close()
	srv.AddAPIKey("second", ashbytest.AllPermissions()...)
	var statuses []int
	for _, key := range []string{ashbytest.DefaultAPIKey, ashbytest.DefaultAPIKey, ashbytest.DefaultAPIKey, "second"} {
		statuses = append(statuses, call(t, srv, "POST", srv.URL+"/job.list", key, `{}`).status)
	}
	if diff := cmp.Diff([]int{200, 200, 429, 200}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if srv.ThrottledCount() != 1 {
		t.Errorf("ThrottledCount = %d", srv.ThrottledCount())
	}
}
