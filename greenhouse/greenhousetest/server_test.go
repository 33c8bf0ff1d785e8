package greenhousetest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atskit/atskit/greenhouse/greenhousetest"
	"github.com/google/go-cmp/cmp"
)

type rig struct {
	t   *testing.T
	srv *greenhousetest.Server
	tok string
}

func newRig(t *testing.T, opts ...greenhousetest.Option) *rig {
	srv := greenhousetest.NewServer(append([]greenhousetest.Option{greenhousetest.WithRateLimit(0, 0)}, opts...)...)
	t.Cleanup(srv.Close)
	return &rig{t: t, srv: srv, tok: srv.IssueToken(greenhousetest.DefaultClientID, srv.AdminUserID())}
}

// do sends a request to the Harvest API (path relative to URL, or
// absolute) and returns status, header and body.
func (r *rig) do(method, path string, body any) (int, http.Header, string) {
	r.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	u := path
	if !strings.HasPrefix(path, "http") {
		u = r.srv.URL + path
	}
	req, _ := http.NewRequest(method, u, rd)
	if r.tok != "" {
		req.Header.Set("Authorization", "Bearer "+r.tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func nextLink(h http.Header) string {
	v := h.Get("Link")
	if i, j := strings.Index(v, "<"), strings.Index(v, ">"); i >= 0 && j > i {
		return v[i+1 : j]
	}
	return ""
}

func TestListRules(t *testing.T) {
	r := newRig(t)
	for range 3 {
		r.srv.AddJob(greenhousetest.Job{})
	}
	many := strings.TrimSuffix(strings.Repeat("1,", 51), ",")
	tests := []struct {
		name       string
		path       string
		wantStatus int
		wantBody   string
	}{
		{"per_page 0", "/jobs?per_page=0", 422, "per_page"},
		{"per_page 501", "/jobs?per_page=501", 422, "per_page"},
		{"51 ids", "/jobs?ids=" + many, 422, "at most 50"},
		{"non-numeric ids", "/applications?job_ids=a,b", 422, "integer"},
		{"bad status", "/applications?status=in_process", 422, "status"},
		{"bad cursor", "/jobs?cursor=notacursor", 422, "cursor"},
		{"no base path", "/../../v3/jobs", 404, "no route"},
		{"unknown route", "/scorecards", 404, "no route"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.path
			if tt.name == "no base path" {
				u = strings.TrimSuffix(r.srv.URL, greenhousetest.BasePath) + "/v3/jobs"
			}
			status, _, body := r.do(http.MethodGet, u, nil)
			if status != tt.wantStatus || !strings.Contains(body, tt.wantBody) {
				t.Errorf("GET %s = %d %s; want %d containing %q", tt.path, status, body, tt.wantStatus, tt.wantBody)
			}
		})
	}
	t.Run("cursor must be the only parameter", func(t *testing.T) {
		status, h, _ := r.do(http.MethodGet, "/jobs?per_page=1&status=open", nil)
		next := nextLink(h)
		if status != 200 || !strings.Contains(next, "cursor=") || strings.Contains(next, "per_page") {
			t.Fatalf("first page: %d, next %q", status, next)
		}
		if status, _, body := r.do(http.MethodGet, next+"&per_page=50", nil); status != 422 || !strings.Contains(body, "only query parameter") {
			t.Errorf("cursor plus per_page: %d %s, want 422", status, body)
		}
		var seen []string
		for next != "" {
			var status int
			var h http.Header
			var body string
			status, h, body = r.do(http.MethodGet, next, nil)
			if status != 200 {
				t.Fatalf("%d %s", status, body)
			}
			seen = append(seen, body)
			next = nextLink(h)
		}
		if len(seen) != 2 {
			t.Errorf("followed %d more pages, want 2", len(seen))
		}
	})
	t.Run("cursor misuse status is configurable", func(t *testing.T) {
		r2 := newRig(t, greenhousetest.WithCursorMisuseStatus(400))
		r2.srv.AddJob(greenhousetest.Job{})
		r2.srv.AddJob(greenhousetest.Job{})
		_, h, _ := r2.do(http.MethodGet, "/jobs?per_page=1", nil)
		if status, _, _ := r2.do(http.MethodGet, nextLink(h)+"&status=open", nil); status != 400 {
			t.Errorf("status = %d, want 400", status)
		}
	})
}

func TestAuthRules(t *testing.T) {
	r := newRig(t)
	plain := r.srv.AddUser(greenhousetest.User{FirstName: "Ivy", Email: "ivy@example.com"})
	admin := r.tok
	tests := []struct {
		name  string
		token func() string
		setup func()
		want  int
	}{
		{"no token", func() string { return "" }, nil, 401},
		{"unknown token", func() string { return "nope" }, nil, 401},
		{"site admin lists", func() string { return admin }, nil, 200},
		{"non-admin lists", func() string { return r.srv.IssueToken(greenhousetest.DefaultClientID, plain.ID) }, nil, 403},
		{"scope removed from a live token", func() string { return admin }, func() {
			r.srv.SetClientScopes(greenhousetest.DefaultClientID, "harvest:candidates:list")
		}, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup()
			}
			r.tok = tt.token()
			if status, _, _ := r.do(http.MethodGet, "/jobs", nil); status != tt.want {
				t.Errorf("status = %d, want %d", status, tt.want)
			}
		})
	}
	t.Run("non-admin rule can be switched off", func(t *testing.T) {
		r2 := newRig(t, greenhousetest.WithSiteAdminForLists(false))
		u := r2.srv.AddUser(greenhousetest.User{FirstName: "Ivy"})
		r2.tok = r2.srv.IssueToken(greenhousetest.DefaultClientID, u.ID)
		if status, _, _ := r2.do(http.MethodGet, "/jobs", nil); status != 200 {
			t.Errorf("status = %d, want 200", status)
		}
	})
	t.Run("expired token", func(t *testing.T) {
		now := time.Now()
		r3 := newRig(t, greenhousetest.WithClock(func() time.Time { return now }), greenhousetest.WithTokenTTL(time.Minute))
		now = now.Add(2 * time.Minute)
		if status, _, _ := r3.do(http.MethodGet, "/jobs", nil); status != 401 {
			t.Errorf("status = %d, want 401", status)
		}
	})
}

func TestTokenEndpoint(t *testing.T) {
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	srv := greenhousetest.NewServer(greenhousetest.WithClock(func() time.Time { return now }))
	defer srv.Close()
	post := func(id, secret string, form url.Values) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, srv.TokenURL(), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(id, secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	code := func() string {
		nr := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := nr.Get(srv.AuthURL() + "?response_type=code&client_id=" + greenhousetest.PartnerClientID + "&redirect_uri=https://v.example/cb&scope=harvest:jobs:list&state=s")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		u, _ := url.Parse(resp.Header.Get("Location"))
		return u.Query().Get("code")
	}
	t.Run("client credentials body", func(t *testing.T) {
		status, body := post(greenhousetest.DefaultClientID, greenhousetest.DefaultClientSecret, url.Values{"grant_type": {"client_credentials"}, "sub": {strconv.FormatInt(srv.AdminUserID(), 10)}})
		want := map[string]any{"token_type": "Bearer", "expires_at": now.Add(time.Hour).Format(time.RFC3339Nano)}
		got := map[string]any{"token_type": body["token_type"], "expires_at": body["expires_at"]}
		if status != 200 || body["access_token"] == "" || body["refresh_token"] != nil {
			t.Errorf("%d %v", status, body)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
	})
	tests := []struct {
		name   string
		id     string
		secret string
		form   func() url.Values
		want   int
	}{
		{"wrong secret", greenhousetest.DefaultClientID, "x", func() url.Values { return url.Values{"grant_type": {"client_credentials"}} }, 401},
		{"unknown sub", greenhousetest.DefaultClientID, greenhousetest.DefaultClientSecret, func() url.Values { return url.Values{"grant_type": {"client_credentials"}, "sub": {"1"}} }, 400},
		{"partner refused client credentials", greenhousetest.PartnerClientID, greenhousetest.PartnerClientSecret, func() url.Values { return url.Values{"grant_type": {"client_credentials"}} }, 400},
		{"code", greenhousetest.PartnerClientID, greenhousetest.PartnerClientSecret, func() url.Values {
			return url.Values{"grant_type": {"authorization_code"}, "code": {code()}, "redirect_uri": {"https://v.example/cb"}}
		}, 200},
		{"code for another redirect_uri", greenhousetest.PartnerClientID, greenhousetest.PartnerClientSecret, func() url.Values {
			return url.Values{"grant_type": {"authorization_code"}, "code": {code()}, "redirect_uri": {"https://evil.example/cb"}}
		}, 400},
		{"code after 61 s", greenhousetest.PartnerClientID, greenhousetest.PartnerClientSecret, func() url.Values {
			c := code()
			now = now.Add(61 * time.Second)
			return url.Values{"grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {"https://v.example/cb"}}
		}, 400},
		{"unknown grant", greenhousetest.DefaultClientID, greenhousetest.DefaultClientSecret, func() url.Values { return url.Values{"grant_type": {"password"}} }, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, body := post(tt.id, tt.secret, tt.form()); status != tt.want {
				t.Errorf("status = %d (%v), want %d", status, body, tt.want)
			}
		})
	}
	t.Run("refresh rotates", func(t *testing.T) {
		_, first := post(greenhousetest.PartnerClientID, greenhousetest.PartnerClientSecret, url.Values{"grant_type": {"authorization_code"}, "code": {code()}, "redirect_uri": {"https://v.example/cb"}})
		rt, _ := first["refresh_token"].(string)
		status, second := post(greenhousetest.PartnerClientID, greenhousetest.PartnerClientSecret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
		if status != 200 || second["refresh_token"] == rt || second["refresh_token"] == nil {
			t.Fatalf("refresh: %d %v", status, second)
		}
		if status, _ := post(greenhousetest.PartnerClientID, greenhousetest.PartnerClientSecret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}); status != 400 {
			t.Errorf("reusing the old refresh token: %d, want 400", status)
		}
	})
}

func TestApplicationRules(t *testing.T) {
	r := newRig(t)
	j := r.srv.AddJob(greenhousetest.Job{})
	other := r.srv.AddJob(greenhousetest.Job{})
	c := r.srv.AddCandidate(greenhousetest.Candidate{JobID: j.ID, FirstName: "A", LastName: "B"})
	app := "/applications/" + strconv.FormatInt(c.ApplicationID, 10)
	cur := func() int64 { a, _ := r.srv.Application(c.ApplicationID); return a.StageID }
	reason := r.srv.RejectionReasons()[0].ID
	steps := []struct {
		name      string
		method    string
		path      string
		body      any
		want      int
		wantStage func() int64
	}{
		{"move without from_stage_id", "POST", app + "/move", map[string]any{"to_stage_id": j.Stages[1].ID}, 422, nil},
		{"move with a stale from_stage_id", "POST", app + "/move", map[string]any{"from_stage_id": j.Stages[1].ID, "to_stage_id": j.Stages[2].ID}, 422, nil},
		{"move with an unknown field", "POST", app + "/move", map[string]any{"from_stage_id": j.Stages[0].ID, "stage": 1}, 422, nil},
		{"move to a stage of another job", "POST", app + "/move", map[string]any{"from_stage_id": j.Stages[0].ID, "to_stage_id": other.Stages[1].ID}, 422, nil},
		{"advance without a target", "POST", app + "/move", map[string]any{"from_stage_id": j.Stages[0].ID}, 204, func() int64 { return j.Stages[1].ID }},
		{"move to another job lands on its first stage", "POST", app + "/move", map[string]any{"from_stage_id": j.Stages[1].ID, "to_job_id": other.ID}, 204, func() int64 { return other.Stages[0].ID }},
		{"reject without a reason", "POST", app + "/reject", map[string]any{"notes": "x"}, 422, nil},
		{"unreject an active application", "POST", app + "/unreject", map[string]any{}, 422, nil},
		{"reject", "POST", app + "/reject", map[string]any{"rejection_reason_id": reason}, 204, nil},
		{"move a rejected application", "POST", app + "/move", map[string]any{"from_stage_id": other.Stages[0].ID}, 422, nil},
		{"reject twice", "POST", app + "/reject", map[string]any{"rejection_reason_id": reason}, 422, nil},
		{"unreject", "POST", app + "/unreject", map[string]any{}, 204, nil},
		{"unknown application", "POST", "/applications/1/move", map[string]any{"from_stage_id": 1}, 404, nil},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			status, _, body := r.do(st.method, st.path, st.body)
			if status != st.want {
				t.Fatalf("%s %s = %d %s, want %d", st.method, st.path, status, body, st.want)
			}
			if status == 204 && body != "" {
				t.Errorf("204 with a body %q", body)
			}
			if st.wantStage != nil && cur() != st.wantStage() {
				t.Errorf("stage = %d, want %d", cur(), st.wantStage())
			}
		})
	}
	t.Run("status is queried active but answered in_process", func(t *testing.T) {
		_, _, body := r.do("GET", "/applications?status=active&ids="+strconv.FormatInt(c.ApplicationID, 10), nil)
		if !strings.Contains(body, `"status":"in_process"`) {
			t.Errorf("body %s", body)
		}
	})
}

func TestInterviewAndWebhookRules(t *testing.T) {
	r := newRig(t)
	j := r.srv.AddJob(greenhousetest.Job{})
	c := r.srv.AddCandidate(greenhousetest.Candidate{JobID: j.ID, FirstName: "A", LastName: "B"})
	iv := map[string]any{"application_id": c.ApplicationID, "job_interview_id": j.Interviews[0].ID,
		"starts_at": "2026-12-01T09:00:00Z", "ends_at": "2026-12-01T10:00:00Z", "external_event_id": "evt-1"}
	if status, _, body := r.do("POST", "/interviews", iv); status != 201 {
		t.Fatalf("create: %d %s", status, body)
	}
	if status, _, _ := r.do("POST", "/interviews", iv); status != 422 {
		t.Errorf("duplicate external_event_id: %d, want 422", status)
	}
	if status, _, _ := r.do("POST", "/webhooks", map[string]any{"name": "x"}); status != 403 {
		t.Errorf("webhooks as a non-partner: %d, want 403", status)
	}
	r.tok = r.srv.IssueToken(greenhousetest.PartnerClientID, r.srv.AdminUserID())
	if status, _, body := r.do("POST", "/webhooks", map[string]any{"name": "x", "endpoint_url": "https://v.example/h"}); status != 422 {
		t.Errorf("webhook without required fields: %d %s, want 422", status, body)
	}
	if status, _, _ := r.do("DELETE", "/webhooks/1", nil); status != 404 {
		t.Errorf("delete unknown webhook: %d, want 404", status)
	}
}

func TestRateLimitHeaders(t *testing.T) {
	r := newRig(t, greenhousetest.WithRateLimit(2, time.Hour))
	var got [][]string
	for range 3 {
		status, h, _ := r.do("GET", "/jobs", nil)
		got = append(got, []string{strconv.Itoa(status), h.Get("X-RateLimit-Limit"), h.Get("X-RateLimit-Remaining"), h.Get("Retry-After")})
	}
	want := [][]string{{"200", "2", "1", ""}, {"200", "2", "0", ""}, {"429", "2", "0", "3600"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if r.srv.ThrottledCount() != 1 {
		t.Errorf("ThrottledCount = %d", r.srv.ThrottledCount())
	}
}

func TestFaultsAreReproducible(t *testing.T) {
	run := func() map[greenhousetest.FaultKind]int {
		r := newRig(t, greenhousetest.WithFaults(greenhousetest.Faults{Probability: 0.5, Seed: 7, Kinds: []greenhousetest.FaultKind{greenhousetest.FaultServerError, greenhousetest.FaultRateLimit}}))
		for range 40 {
			r.do("GET", "/jobs", nil)
		}
		return r.srv.InjectedFaults()
	}
	a, b := run(), run()
	if diff := cmp.Diff(a, b); diff != "" || a[greenhousetest.FaultServerError]+a[greenhousetest.FaultRateLimit] == 0 {
		t.Errorf("faults differ or none injected: %v %v", a, b)
	}
}
