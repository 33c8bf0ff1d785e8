package workabletest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atskit/atskit/workable/workabletest"
	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

func get(t *testing.T, srv *workabletest.Server, path, token string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var body map[string]any
	_ = json.Unmarshal(data, &body)
	return resp, body
}

func TestRateLimitWindows(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	srv := workabletest.NewServer(workabletest.WithRateLimit(3, time.Second), workabletest.WithClock(clock))
	defer srv.Close()
	for i, want := range []int{200, 200, 200, 429} {
		resp, _ := get(t, srv, "/jobs", workabletest.DefaultAPIKey)
		require.Equal(t, want, resp.StatusCode, "request %d", i)
		require.Equal(t, "3", resp.Header.Get("X-Rate-Limit-Limit"))
		require.Equal(t, "1700000001", resp.Header.Get("X-Rate-Limit-Reset"))
	}
	require.Equal(t, 1, srv.ThrottledCount())
	now = now.Add(time.Second) // next fixed window
	resp, _ := get(t, srv, "/jobs", workabletest.DefaultAPIKey)
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "2", resp.Header.Get("X-Rate-Limit-Remaining"))
}

func TestAuthErrors(t *testing.T) {
	srv := workabletest.NewServer(workabletest.WithoutRateLimit())
	defer srv.Close()
	resp, body := get(t, srv, "/jobs", "nope")
	require.Equal(t, 401, resp.StatusCode)
	require.Empty(t, resp.Header.Get("X-Rate-Limit-Remaining"))
	require.Contains(t, body["error"], "error")
	srv.AddToken("cands", "r_candidates")
	resp, body = get(t, srv, "/jobs", "cands")
	require.Equal(t, 403, resp.StatusCode)
	require.Equal(t, "Forbidden", body["error"])
	srv.AddPartnerToken("p", "uid", "r_jobs")
	resp, _ = get(t, srv, "/jobs", "p")
	require.Equal(t, 401, resp.StatusCode, "partner tokens need X-WORKABLE-CLIENT-ID")
}

func TestFaultsAreDeterministic(t *testing.T) {
	run := func() (map[workabletest.FaultKind]int, []int) {
		srv := workabletest.NewServer(workabletest.WithoutRateLimit(), workabletest.WithFaults(workabletest.Faults{
			Probability: 0.3, Seed: 42, Kinds: []workabletest.FaultKind{workabletest.FaultServerError, workabletest.FaultRateLimit, workabletest.FaultStall},
			Stall: time.Millisecond,
		}))
		defer srv.Close()
		var codes []int
		for range 50 {
			resp, _ := get(t, srv, "/jobs", workabletest.DefaultAPIKey)
			codes = append(codes, resp.StatusCode)
		}
		return srv.InjectedFaults(), codes
	}
	f1, c1 := run()
	f2, c2 := run()
	require.Equal(t, f1, f2)
	require.Equal(t, c1, c2)
	total := 0
	for _, n := range f1 {
		total += n
	}
	require.Greater(t, total, 5)
	require.Less(t, total, 30)
}

func TestDeliveryRetriedUntil200(t *testing.T) {
	srv := workabletest.NewServer(workabletest.WithoutRateLimit(), workabletest.WithWebhookRetryGaps(time.Millisecond, 2*time.Millisecond, 4*time.Millisecond))
	defer srv.Close()
	job := srv.AddJob(workabletest.Job{Title: "J"})
	var calls int
	target := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		body, _ := io.ReadAll(r.Body)
		require.Equal(t, workabletest.Sign(body, "s3cret"), r.Header.Get(workabletest.SignatureHeader))
		require.True(t, strings.Contains(string(body), `"event_type":"candidate_created"`))
		if calls < 3 {
			w.WriteHeader(http.StatusAccepted) // only 200 counts
			return
		}
	})
	ts := newTarget(t, target)
	srv.Subscribe("candidate_created", ts, "s3cret")
	srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: "A"})
	require.NoError(t, srv.WaitDeliveries(context.Background()))
	d := srv.Deliveries()
	require.Len(t, d, 1)
	require.Equal(t, 3, d[0].Attempts)
	require.True(t, d[0].Delivered)
}

// TestRequestLog: LastRequest reports whether there was a request, and
// ResetRequests forgets the log and zeroes the counters, as in every fake.
func TestRequestLog(t *testing.T) {
	srv := workabletest.NewServer(workabletest.WithRateLimit(1, time.Hour))
	defer srv.Close()
	if _, ok := srv.LastRequest(); ok {
		t.Fatal("LastRequest reported a request before any was sent")
	}
	get(t, srv, "/jobs", workabletest.DefaultAPIKey)
	if resp, _ := get(t, srv, "/members", workabletest.DefaultAPIKey); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("second request: %d, want 429", resp.StatusCode)
	}
	last, ok := srv.LastRequest()
	if !ok || last.Path != "/members" {
		t.Fatalf("LastRequest = %+v, %v; want /members", last, ok)
	}
	if srv.RequestCount() != 2 || srv.ThrottledCount() != 1 {
		t.Fatalf("counters before reset: %d requests, %d throttled; want 2, 1", srv.RequestCount(), srv.ThrottledCount())
	}
	srv.ResetRequests()
	_, ok = srv.LastRequest()
	if d := cmp.Diff([]int{0, 0, 0}, []int{len(srv.Requests()), srv.RequestCount(), srv.ThrottledCount()}); d != "" || ok {
		t.Errorf("after ResetRequests (requests, count, throttled) (-want +got):\n%s (last request: %v)", d, ok)
	}
}
