package workable_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// newFake starts a fake without rate limiting and with synchronous
// webhook deliveries; opts come after those defaults and override them.
func newFake(t testing.TB, opts ...workabletest.Option) *workabletest.Server {
	t.Helper()
	srv := workabletest.NewServer(append([]workabletest.Option{workabletest.WithoutRateLimit(), workabletest.WithSynchronousWebhooks()}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// newClient returns a client for srv with the default token and member,
// no pacing, one fast retry; mod adjusts the options.
func newClient(t testing.TB, srv *workabletest.Server, mod func(*workable.Options)) *workable.Client {
	t.Helper()
	o := &workable.Options{
		BaseURL: srv.URL, MemberID: srv.DefaultMemberID(), RateLimit: -1,
		MaxRetries: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond,
		VendorStage: "InterviewVector", // the vendor of these tests
	}
	if mod != nil {
		mod(o)
	}
	o.Subdomain, o.Token = srv.Subdomain(), workabletest.DefaultAPIKey
	c, err := workable.NewClient(*o)
	require.NoError(t, err)
	return c
}

// seedJob adds a job with the vendor stage and returns it.
func seedJob(srv *workabletest.Server, title string, stages ...string) workabletest.Job {
	if len(stages) == 0 {
		stages = []string{"Applied", "Phone Screen", "InterviewVector", "Offer"}
	}
	return srv.AddJob(workabletest.Job{Title: title, Stages: workabletest.StagesNamed(stages...)})
}

func TestNewClientValidation(t *testing.T) {
	for _, tc := range []struct {
		name      string
		subdomain string
		token     string
		opts      *workable.Options
		wantKind  workable.TokenKind
		wantErr   bool
	}{
		{"account", "acme", "tok", nil, workable.AccountToken, false},
		{"partner", "acme", "tok", &workable.Options{ClientID: "uid"}, workable.PartnerToken, false},
		{"oauth", "acme", "", &workable.Options{TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "a"})}, workable.OAuthToken, false},
		{"no subdomain", "", "tok", nil, 0, true},
		{"no token", "acme", "", nil, 0, true},
		{"partner without client id", "acme", "tok", &workable.Options{TokenKind: workable.PartnerToken}, 0, true},
		{"oauth without source", "acme", "tok", &workable.Options{TokenKind: workable.OAuthToken}, 0, true},
		{"bad base URL", "acme", "tok", &workable.Options{BaseURL: "::"}, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var o workable.Options
			if tc.opts != nil {
				o = *tc.opts
			}
			o.Subdomain, o.Token = tc.subdomain, tc.token
			c, err := workable.NewClient(o)
			if tc.wantErr {
				require.Error(t, err)
				require.NotContains(t, err.Error(), "tok\"")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantKind, c.TokenKind())
		})
	}
}

func TestAuthHeaders(t *testing.T) {
	srv := newFake(t)
	srv.AddPartnerToken("partner-token", "uid-1", workabletest.AllScopes()...)
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		token      string
		opts       func(*workable.Options)
		wantAuth   string
		wantClient string
	}{
		{"account", workabletest.DefaultAPIKey, nil, "Bearer " + workabletest.DefaultAPIKey, ""},
		{"partner", "partner-token", func(o *workable.Options) { o.ClientID = "uid-1" }, "Bearer partner-token", "uid-1"},
		{"oauth", "", func(o *workable.Options) {
			o.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: workabletest.DefaultAPIKey})
		}, "Bearer " + workabletest.DefaultAPIKey, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &workable.Options{BaseURL: srv.URL, RateLimit: -1}
			if tc.opts != nil {
				tc.opts(o)
			}
			o.Subdomain, o.Token = srv.Subdomain(), tc.token
			c, err := workable.NewClient(*o)
			require.NoError(t, err)
			_, err = c.Stages(ctx, "NOPE")
			require.ErrorIs(t, err, ats.ErrNotFound)
			req := lastRequest(t, srv)
			require.Equal(t, tc.wantAuth, req.Header.Get("Authorization"))
			require.Equal(t, tc.wantClient, req.Header.Get("X-WORKABLE-CLIENT-ID"))
			require.Equal(t, "atskit-workable", req.Header.Get("User-Agent"))
		})
	}
}

func TestErrorMapping(t *testing.T) {
	srv := newFake(t)
	srv.AddToken("jobs-only", "r_jobs")
	ctx := context.Background()
	bad, err := workable.NewClient(workable.Options{Subdomain: srv.Subdomain(), Token: "bad-token", BaseURL: srv.URL, RateLimit: -1})
	require.NoError(t, err)
	_, err = bad.Stages(ctx, "X")
	require.ErrorIs(t, err, ats.ErrUnauthorized)
	var ae *ats.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "The access token is invalid", ae.Message)
	require.Equal(t, "invalid_token", ae.Code)
	require.NotContains(t, err.Error(), "bad-token")

	limited, err := workable.NewClient(workable.Options{Subdomain: srv.Subdomain(), Token: "jobs-only", BaseURL: srv.URL, RateLimit: -1})
	require.NoError(t, err)
	_, err = limited.Candidate(ctx, "10000001")
	require.ErrorIs(t, err, ats.ErrForbidden)
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "Forbidden", ae.Message)

	c := newClient(t, srv, nil)
	restore := srv.FailRequests(http.StatusServiceUnavailable)
	_, err = c.Stages(ctx, "X")
	restore()
	require.ErrorAs(t, err, &ae)
	require.True(t, ae.Temporary())
	require.Equal(t, 503, ae.StatusCode)
}

func TestPacingStaysUnderLimit(t *testing.T) {
	// 10 requests per 100 ms on both sides: 40 sequential requests fill
	// four windows, so they cannot finish before the fourth opens (300 ms),
	// and draw no 429.
	srv := newFake(t, workabletest.WithRateLimit(10, 100*time.Millisecond))
	job := seedJob(srv, "Paced")
	c := newClient(t, srv, func(o *workable.Options) { o.RateLimit, o.RateWindow, o.MaxRetries = 10, 100*time.Millisecond, -1 })
	ctx := context.Background()
	start := time.Now()
	for range 40 {
		_, err := c.Stages(ctx, job.Shortcode)
		require.NoError(t, err)
	}
	require.Zero(t, srv.ThrottledCount())
	require.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond)
}

func TestServerBudgetPauses(t *testing.T) {
	// The client believes it may send 1000/s but the server allows 5 per
	// 100 ms: X-Rate-Limit-Remaining must stop it before a 429.
	srv := newFake(t, workabletest.WithRateLimit(5, 100*time.Millisecond))
	job := seedJob(srv, "Budget")
	c := newClient(t, srv, func(o *workable.Options) { o.RateLimit, o.RateWindow, o.MaxRetries = 1000, time.Second, -1 })
	ctx := context.Background()
	for range 20 {
		_, err := c.Stages(ctx, job.Shortcode)
		require.NoError(t, err)
	}
	require.Zero(t, srv.ThrottledCount())
}

func TestRetriesOn429(t *testing.T) {
	srv := newFake(t)
	job := seedJob(srv, "Retry")
	c := newClient(t, srv, func(o *workable.Options) { o.MaxRetries = -1 })
	restore := srv.FailRequests(http.StatusTooManyRequests)
	_, err := c.Stages(context.Background(), job.Shortcode)
	restore()
	require.ErrorIs(t, err, ats.ErrRateLimited)
	// Workable sends no Retry-After; the wait comes from X-Rate-Limit-Reset
	// (the end of the fake's current one-second window).
	d, ok := ats.RetryAfter(err)
	require.True(t, ok)
	require.Greater(t, d, time.Duration(0))
	require.LessOrEqual(t, d, time.Second)
	require.Equal(t, 1, c.ThrottledCount())
}

func TestContextCancelled(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Candidate(ctx, "x")
	require.True(t, errors.Is(err, context.Canceled), "got %v", err)
	n := 0
	for _, err := range c.Jobs(ctx, ats.ListJobsOptions{}) {
		require.ErrorIs(t, err, context.Canceled)
		n++
	}
	require.Equal(t, 1, n, "the listing yields exactly the context's error")
	require.Zero(t, srv.RequestCount(), "nothing is sent with a cancelled context")
}

func diff(t *testing.T, want, got any, opts ...cmp.Option) {
	t.Helper()
	if d := cmp.Diff(want, got, opts...); d != "" {
		t.Errorf("mismatch (-want +got):\n%s", d)
	}
}
