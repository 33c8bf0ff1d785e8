package levertest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/lever/levertest"
)

func get(t *testing.T, srv *levertest.Server, path string, auth bool) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	if auth {
		req.SetBasicAuth(levertest.DefaultAPIKey, "")
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

func TestAuthAndErrors(t *testing.T) {
	srv := levertest.NewServer()
	defer srv.Close()
	if st, m := get(t, srv, "/stages", false); st != 401 || m["code"] != "UnauthorizedError" {
		t.Errorf("no auth: %d %v", st, m)
	}
	if st, m := get(t, srv, "/postings/nope", true); st != 404 || m["message"] != "Posting not found" {
		t.Errorf("missing posting: %d %v", st, m)
	}
	if st, _ := get(t, srv, "/stages?limit=0", true); st != 400 {
		t.Errorf("limit=0: %d", st)
	}
	if st, _ := get(t, srv, "/stages?offset=garbage", true); st != 400 {
		t.Errorf("bad offset: %d", st)
	}
}

func TestRateLimit(t *testing.T) {
	srv := levertest.NewServer(levertest.WithRateLimit(1, 3))
	defer srv.Close()
	codes := map[int]int{}
	for range 5 {
		st, _ := get(t, srv, "/stages", true)
		codes[st]++
	}
	if codes[200] != 3 || codes[429] != 2 || srv.ThrottledCount() != 2 {
		t.Errorf("codes = %v, throttled = %d", codes, srv.ThrottledCount())
	}
}

func TestPagination(t *testing.T) {
	srv := levertest.NewServer(levertest.WithRateLimit(0, 0))
	defer srv.Close()
	srv.AddStages("a", "b", "c")
	_, m := get(t, srv, "/stages?limit=2", true)
	if m["hasNext"] != true || len(m["data"].([]any)) != 2 {
		t.Fatalf("page 1 = %v", m)
	}
	_, m2 := get(t, srv, "/stages?limit=2&offset="+m["next"].(string), true)
	if m2["hasNext"] != false || len(m2["data"].([]any)) != 1 {
		t.Errorf("page 2 = %v", m2)
	}
}

func TestFaultsAreDeterministic(t *testing.T) {
	run := func() []int {
		srv := levertest.NewServer(levertest.WithRateLimit(0, 0), levertest.WithFaults(levertest.Faults{
			Probability: 0.5, Kinds: []levertest.FaultKind{levertest.FaultServerError, levertest.FaultRateLimit}, Seed: 42,
		}))
		defer srv.Close()
		var out []int
		for range 20 {
			st, _ := get(t, srv, "/stages", true)
			out = append(out, st)
		}
		if len(srv.InjectedFaults()) == 0 {
			t.Error("no faults injected")
		}
		return out
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("runs differ: %v vs %v", a, b)
		}
	}
}

// TestOversizedBodyRefused: a body over MaxRequestBytes is answered 413
// with a Lever-shaped error, never parsed truncated, and nothing changes.
func TestOversizedBodyRefused(t *testing.T) {
	srv := levertest.NewServer(levertest.WithRateLimit(0, 0))
	defer srv.Close()
	u := srv.AddUser(levertest.User{Name: "Bot", Email: "bot@v.test"})
	o := srv.AddOpportunity(levertest.Opportunity{Name: "A B"})
	body := `{"value":"` + strings.Repeat("x", levertest.MaxRequestBytes) + `"}`
	req, _ := http.NewRequest("POST", srv.URL+"/opportunities/"+o.ID+"/notes?perform_as="+u.ID, strings.NewReader(body))
	req.SetBasicAuth(levertest.DefaultAPIKey, "")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusRequestEntityTooLarge || m["code"] != "RequestEntityTooLarge" || !strings.Contains(m["message"].(string), "exceeds") {
		t.Errorf("oversized note: %d %v; want 413 RequestEntityTooLarge", resp.StatusCode, m)
	}
	if n := srv.Notes(o.ID); len(n) != 0 {
		t.Errorf("an oversized request created %d notes", len(n))
	}
}

// TestRateLimitMessage: the 429 body states the configured limit.
func TestRateLimitMessage(t *testing.T) {
	srv := levertest.NewServer(levertest.WithRateLimit(2, 1))
	defer srv.Close()
	get(t, srv, "/stages", true)
	st, m := get(t, srv, "/stages", true)
	if st != 429 || m["code"] != "TooManyRequests" || m["message"] != "Rate limit exceeded: 2 requests per second, burst 1" {
		t.Errorf("429: %d %v", st, m)
	}
}

// TestFaultKinds: faults are drawn only from Kinds, counted per kind, and
// nil Kinds means all three.
func TestFaultKinds(t *testing.T) {
	srv := levertest.NewServer(levertest.WithRateLimit(0, 0), levertest.WithFaults(levertest.Faults{
		Probability: 1, Kinds: []levertest.FaultKind{levertest.FaultServerError, levertest.FaultRateLimit}, Seed: 5,
	}))
	defer srv.Close()
	for range 40 {
		if st, _ := get(t, srv, "/stages", true); st != http.StatusServiceUnavailable && st != http.StatusTooManyRequests {
			t.Fatalf("status %d, want an injected 503 or 429", st)
		}
	}
	got := srv.InjectedFaults()
	if len(got) != 2 || got[levertest.FaultServerError]+got[levertest.FaultRateLimit] != 40 {
		t.Errorf("injected = %v, want 40 split over 5xx and 429", got)
	}

	srv.SetFaults(levertest.Faults{Probability: 1, Stall: time.Millisecond, Seed: 5})
	srv.ResetRequests()
	for range 60 {
		get(t, srv, "/stages", true)
	}
	got = srv.InjectedFaults()
	for _, k := range []levertest.FaultKind{levertest.FaultServerError, levertest.FaultRateLimit, levertest.FaultStall} {
		if got[k] == 0 {
			t.Errorf("injected = %v, want every default kind", got)
		}
	}

	srv.SetFaults(levertest.Faults{})
	srv.ResetRequests()
	if st, _ := get(t, srv, "/stages", true); st != http.StatusOK || len(srv.InjectedFaults()) != 0 {
		t.Errorf("zero Faults: status %d, injected %v", st, srv.InjectedFaults())
	}
}

// TestLoudNotFoundOutsideBasePath: a client that drops the /v1 base path,
// or follows the web-app resume link, gets a 404 that says why.
func TestLoudNotFoundOutsideBasePath(t *testing.T) {
	srv := levertest.NewServer(levertest.WithRateLimit(0, 0))
	defer srv.Close()
	for _, path := range []string{"/stages", "/opportunities/x/resumes/y/download", "/candidates/x"} {
		t.Run(path, func(t *testing.T) {
			resp, err := http.Get(strings.TrimSuffix(srv.URL, "/v1") + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 404 || !strings.Contains(string(b), "/v1 base path") {
				t.Errorf("GET %s = %d %s", path, resp.StatusCode, b)
			}
		})
	}
}

// TestThrottleHasNoRetryAfter: Lever documents no Retry-After (nor any
// rate-limit header) on 429, so none of the fake's 429s carries one and
// clients are tested on their own backoff.
func TestThrottleHasNoRetryAfter(t *testing.T) {
	for _, tt := range []struct {
		name string
		srv  func() *levertest.Server
	}{
		{"rate limit", func() *levertest.Server { return levertest.NewServer(levertest.WithRateLimit(1, 1)) }},
		{"FailRequests(429)", func() *levertest.Server {
			s := levertest.NewServer(levertest.WithRateLimit(0, 0))
			s.FailRequests(http.StatusTooManyRequests)
			return s
		}},
		{"injected fault", func() *levertest.Server {
			return levertest.NewServer(levertest.WithRateLimit(0, 0), levertest.WithFaults(levertest.Faults{Probability: 1, Kinds: []levertest.FaultKind{levertest.FaultRateLimit}}))
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := tt.srv()
			defer srv.Close()
			seen := 0
			for range 3 {
				req, _ := http.NewRequest("GET", srv.URL+"/stages", nil)
				req.SetBasicAuth(levertest.DefaultAPIKey, "")
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusTooManyRequests {
					continue
				}
				seen++
				if h := resp.Header.Get("Retry-After"); h != "" {
					t.Errorf("429 with Retry-After %q", h)
				}
			}
			if seen == 0 {
				t.Fatal("no 429 answered")
			}
		})
	}
}

// TestRevokeAPIKey: a revoked key is answered 401 with Lever's error body
// until it is added again.
func TestRevokeAPIKey(t *testing.T) {
	srv := levertest.NewServer()
	defer srv.Close()
	type answer struct {
		Status int
		Code   any
	}
	var got []answer
	for _, step := range []func(){func() {}, func() { srv.RevokeAPIKey(levertest.DefaultAPIKey) }, func() { srv.AddAPIKey(levertest.DefaultAPIKey) }} {
		step()
		st, m := get(t, srv, "/stages", true)
		got = append(got, answer{st, m["code"]})
	}
	want := []answer{{200, nil}, {401, "UnauthorizedError"}, {200, nil}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers before, after revoking, after adding again (-want +got):\n%s", diff)
	}
}

// TestOffsetTokensEdges: the fake accepts its own opportunity tokens for
// opportunities created before 1970 (a negative ms), and refuses a token
// of one kind of listing on another instead of reading it as a position.
func TestOffsetTokensEdges(t *testing.T) {
	srv := levertest.NewServer(levertest.WithRateLimit(0, 0))
	defer srv.Close()
	srv.AddStages("a", "b")
	for i := range 3 {
		srv.AddOpportunity(levertest.Opportunity{Name: strconv.Itoa(i), CreatedAt: time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC)})
	}
	_, opps := get(t, srv, "/opportunities?limit=1", true)
	oppNext, _ := opps["next"].(string)
	if st, m := get(t, srv, "/opportunities?limit=1&offset="+url.QueryEscape(oppNext), true); st != 200 || len(m["data"].([]any)) != 1 || m["hasNext"] != true {
		t.Errorf("page 2 of a pre-1970 listing: %d %v", st, m)
	}
	_, stages := get(t, srv, "/stages?limit=1", true)
	stageNext, _ := stages["next"].(string)
	if st, _ := get(t, srv, "/stages?limit=1&offset="+url.QueryEscape(oppNext), true); st != 400 {
		t.Errorf("an opportunity token on /stages: %d, want 400", st)
	}
	if st, _ := get(t, srv, "/opportunities?limit=1&offset="+url.QueryEscape(stageNext), true); st != 400 {
		t.Errorf("a stage token on /opportunities: %d, want 400", st)
	}
}
