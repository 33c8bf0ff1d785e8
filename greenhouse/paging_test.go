package greenhouse_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/greenhouse"
	"github.com/atskit/atskit/greenhouse/greenhousetest"
	"github.com/atskit/atskit/internal/paging"
	"github.com/atskit/atskit/pacing"
	"github.com/google/go-cmp/cmp"
)

func TestNextLink(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   string
	}{
		{"next", []string{`<https://harvest.greenhouse.io/v3/jobs?cursor=abc>; rel="next"`}, "https://harvest.greenhouse.io/v3/jobs?cursor=abc"},
		{"unquoted, mixed case", []string{`<https://h/v3/jobs?cursor=a>; REL=next`}, "https://h/v3/jobs?cursor=a"},
		{"among others", []string{`<https://h/a>; rel="prev", <https://h/b>; rel="next"`}, "https://h/b"},
		{"several rel values", []string{`<https://h/b>; rel="last next"`}, "https://h/b"},
		{"separate header values", []string{`<https://h/a>; rel="prev"`, `<https://h/b>; rel="next"`}, "https://h/b"},
		{"none", nil, ""},
		{"empty", []string{""}, ""},
		{"garbage", []string{`https://h/b; rel=next`, `<`, `<>; rel=next`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := greenhouse.NextLink(tt.values); got != tt.want {
				t.Errorf("NextLink(%q) = %q, want %q", tt.values, got, tt.want)
			}
		})
	}
}

// TestCursorIsTheOnlyParameter checks that every page after the first is
// requested with the cursor alone, as Greenhouse requires.
func TestCursorIsTheOnlyParameter(t *testing.T) {
	srv := newServer(t)
	for range 5 {
		srv.AddJob(greenhousetest.Job{})
	}
	c := newClient(t, srv)
	jobs, err := paging.Collect(c.Jobs(context.Background(), ats.ListJobsOptions{State: ats.JobPublished, PageSize: 2}))
	if err != nil || len(jobs) != 5 {
		t.Fatalf("%d jobs, %v", len(jobs), err)
	}
	var queries []string
	for _, r := range srv.Requests() {
		keys := ""
		for k := range r.Query {
			if k != "per_page" && k != "status" {
				keys += k
			}
		}
		queries = append(queries, keys)
	}
	if diff := cmp.Diff([]string{"", "cursor", "cursor"}, queries); diff != "" {
		t.Errorf("query parameters beyond the first page's filters (-want +got)\n%s", diff)
	}
	for _, r := range srv.Requests()[1:] {
		if len(r.Query) != 1 {
			t.Errorf("page request carries %v besides the cursor", r.Query)
		}
	}
}

func TestListShapeErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		link   string
		want   error
	}{
		{name: "object instead of array", status: 200, body: `{"message":"processing"}`},
		{name: "invalid JSON", status: 200, body: `[{"id":`},
		{name: "next link to another host", status: 200, body: `[]`, link: `<https://evil.example/v3/jobs?cursor=x>; rel="next"`},
		{name: "422 with v1 error body", status: 422, body: `{"message":"Validation error","errors":[{"message":"must be 1-500","field":"per_page"}]}`, want: ats.ErrValidation},
		{name: "403 with v3 error body", status: 403, body: `{"errors":[{"message":"missing scope"}]}`, want: ats.ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				if calls > 1 && tt.link != "" {
					t.Errorf("followed a next link to another host: %s", r.URL)
				}
				if tt.link != "" {
					w.Header().Set("Link", tt.link)
				}
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer ts.Close()
			c, err := greenhouse.NewClient(greenhouse.Options{TokenSource: staticToken("t"), BaseURL: ts.URL + "/v3", RateLimit: -1, MaxRetries: -1})
			if err != nil {
				t.Fatal(err)
			}
			_, err = paging.Collect(c.Jobs(context.Background(), ats.ListJobsOptions{}))
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			t.Log(err)
		})
	}
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		body string
		want string
	}{
		{`{"message":"Validation error","errors":[{"message":"is required","field":"from_stage_id"}]}`, "Validation error (from_stage_id: is required)"},
		{`{"errors":[{"message":"bad"},{"message":"worse","field":"x"}]}`, "bad; x: worse"},
		{`{"message":"Resource not found"}`, "Resource not found"},
		{`{"error":"invalid_token"}`, "invalid_token"},
		{`{"message":"m","errors":["a","b"]}`, "m (a; b)"},
		{`<html>oops</html>`, "<html>oops</html>"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusUnprocessableEntity)
				w.Write([]byte(tt.body))
			}))
			defer ts.Close()
			c, _ := greenhouse.NewClient(greenhouse.Options{TokenSource: staticToken("t"), BaseURL: ts.URL + "/v3", RateLimit: -1, MaxRetries: -1})
			_, err := paging.Collect(c.Jobs(context.Background(), ats.ListJobsOptions{}))
			var ae *ats.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("%T is not an *ats.APIError", err)
			}
			if ae.Message != tt.want {
				t.Errorf("Message = %q, want %q", ae.Message, tt.want)
			}
		})
	}
}

// TestRateLimit checks the fake's headers and 429, and that a client paced
// at the fake's limit draws no 429 while one that is not gets
// ats.ErrRateLimited with the server's Retry-After.
func TestRateLimit(t *testing.T) {
	srv := newServer(t, greenhousetest.WithRateLimit(5, 200*time.Millisecond))
	seed(t, srv)
	// The client's window is twice the server's: requests sent in one
	// client window can only bunch into one server window if their
	// latencies differ by more than 200 ms, which a loaded CI machine
	// running the race detector does produce at a 50 ms margin.
	paced := newClient(t, srv, func(o *greenhouse.Options) { o.RateLimit, o.RateWindow = 5, 400*time.Millisecond })
	for range 12 {
		if _, err := paging.Collect(paced.Jobs(context.Background(), ats.ListJobsOptions{})); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.ThrottledCount(); n != 0 {
		t.Fatalf("paced client drew %d 429s", n)
	}
	unpaced := newClient(t, srv, func(o *greenhouse.Options) { o.MaxRetries = -1 })
	var err error
	for range 12 {
		if _, err = paging.Collect(unpaced.Jobs(context.Background(), ats.ListJobsOptions{})); errors.Is(err, ats.ErrRateLimited) {
			break
		}
	}
	d, ok := ats.RetryAfter(err)
	if !ok || d <= 0 || d > time.Second {
		t.Errorf("err = %v, RetryAfter = %v %v; want a rate-limit error with the server's wait", err, d, ok)
	}
}

// TestSharedBudget: two clients of one account (two acting users) share
// the account's budget through a
// pacing.Pacer (as replicas do through lifecycle/sqlstore's Store.Pacer),
// and draw no 429 between them; each with a budget of its own, they do.
func TestSharedBudget(t *testing.T) {
	// The clients' window is twice the server's so that scheduling
	// jitter on a loaded test machine cannot bunch five requests into
	// one of the server's windows; the test is about sharing, not about
	// the margin.
	const n, window = 4, 400 * time.Millisecond
	cases := []struct {
		name    string
		opts    func() [2]func(*greenhouse.Options)
		want429 bool
	}{
		{"pacing.Pacer", func() [2]func(*greenhouse.Options) {
			shared := &pacing.Memory{}
			set := func(o *greenhouse.Options) {
				o.Pacer, o.PacerAccount, o.RateLimit, o.RateWindow = shared, "conn-1", n, window
			}
			return [2]func(*greenhouse.Options){set, set}
		}, false},
		{"separate budgets", func() [2]func(*greenhouse.Options) {
			set := func(o *greenhouse.Options) { o.RateLimit, o.RateWindow = n, window }
			return [2]func(*greenhouse.Options){set, set}
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, greenhousetest.WithRateLimit(n, 200*time.Millisecond))
			mods := tc.opts()
			a := newClient(t, srv, mods[0], func(o *greenhouse.Options) { o.MaxRetries = -1 })
			b := newClient(t, srv, mods[1], func(o *greenhouse.Options) { o.MaxRetries = -1; o.UserID = id(srv.ServiceAccountID()) })
			var wg sync.WaitGroup
			for _, c := range []*greenhouse.Client{a, b} {
				wg.Go(func() {
					for range 5 {
						_, _ = c.RejectionReasons(context.Background())
						c.ResetCaches()
					}
				})
			}
			wg.Wait()
			if got := srv.ThrottledCount(); (got > 0) != tc.want429 {
				t.Errorf("429 answers: %d; want any: %v", got, tc.want429)
			}
		})
	}
}
