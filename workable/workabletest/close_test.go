package workabletest_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/atskit/atskit/workable/workabletest"
	"github.com/stretchr/testify/require"
)

// waitFor polls cond until it holds, failing after 5 s. It waits for
// asynchronous effects the fake offers no signal for; it is never a fixed
// sleep.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

// waitGoroutines waits (as goleak does) for the goroutine count to fall
// back to at most n: goroutines that were told to stop exit
// asynchronously.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	ok := false
	defer func() {
		if !ok {
			buf := make([]byte, 1<<20)
			t.Logf("goroutines:\n%s", buf[:runtime.Stack(buf, true)])
		}
	}()
	waitFor(t, fmt.Sprintf("at most %d goroutines", n), func() bool { return runtime.NumGoroutine() <= n })
	ok = true
}

// TestCloseStopsDeliveries checks that Close ends delivery goroutines
// waiting to retry, starts no new deliveries, and hangs up on the
// webhook target: nothing of the fake outlives Close.
func TestCloseStopsDeliveries(t *testing.T) {
	attempts := make(chan struct{}, 16)
	var mu sync.Mutex
	open := map[net.Conn]bool{}
	allClosed := make(chan struct{})
	target := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError) // Workable replays anything but 200
		attempts <- struct{}{}
	}))
	target.Config.ConnState = func(c net.Conn, st http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		switch st {
		case http.StateNew:
			open[c] = true
		case http.StateClosed, http.StateHijacked:
			delete(open, c)
			if len(open) == 0 {
				select {
				case <-allClosed:
				default:
					close(allClosed)
				}
			}
		}
	}
	target.Start()
	defer target.Close()
	runtime.GC()
	baseline := runtime.NumGoroutine()

	srv := workabletest.NewServer(workabletest.WithoutRateLimit(), workabletest.WithWebhookRetryGaps(time.Hour, time.Hour, time.Hour, time.Hour))
	job := srv.AddJob(workabletest.Job{Title: "J"})
	srv.Subscribe("candidate_created", target.URL, "s3cret")
	for range 3 {
		srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: "A B"})
	}
	for range 3 {
		<-attempts // each delivery made its first attempt and now waits an hour to retry
	}

	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waits for deliveries' retry backoff")
	}
	for _, d := range srv.Deliveries() {
		require.Equal(t, 1, d.Attempts)
		require.False(t, d.Delivered)
	}
	require.NotPanics(t, func() { srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: "After Close"}) })
	require.Len(t, srv.Deliveries(), 3, "a closed server delivers nothing")
	select {
	case <-allClosed:
	case <-time.After(5 * time.Second):
		t.Fatal("the fake's delivery connections to the target outlive Close")
	}
	waitGoroutines(t, baseline)
}

// TestCloseEndsStalls checks that a stalled request (fault injection) does
// not hold Close for the length of the stall.
func TestCloseEndsStalls(t *testing.T) {
	srv := workabletest.NewServer(workabletest.WithoutRateLimit(), workabletest.WithFaults(workabletest.Faults{
		Probability: 1, Kinds: []workabletest.FaultKind{workabletest.FaultStall}, Stall: time.Hour,
	}))
	wrote := make(chan struct{})
	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
			WroteRequest: func(httptrace.WroteRequestInfo) { close(wrote) },
		})
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/jobs", nil)
		req.Header.Set("Authorization", "Bearer "+workabletest.DefaultAPIKey)
		resp, err := srv.Client().Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		resp.Body.Close()
		done <- result{status: resp.StatusCode}
	}()
	<-wrote
	// The fault is counted just before the handler stalls; wait for it so
	// that Close meets a stalled request, not one still being read.
	waitFor(t, "the request to stall", func() bool { return srv.InjectedFaults()[workabletest.FaultStall] == 1 })
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waits out a one-hour stall")
	}
	r := <-done
	if r.err == nil {
		require.Equal(t, http.StatusServiceUnavailable, r.status, "a stall ended by Close answers 503")
	}
	require.Equal(t, 1, srv.InjectedFaults()[workabletest.FaultStall])
}

func TestOversizedRequestBody(t *testing.T) {
	srv := workabletest.NewServer(workabletest.WithoutRateLimit())
	defer srv.Close()
	job := srv.AddJob(workabletest.Job{Title: "J"})
	c := srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: "A B"})
	body := make([]byte, workabletest.MaxRequestBytes+1)
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/candidates/"+c.ID+"/comments", &bytesReader{n: len(body)})
	require.NoError(t, err)
	req.ContentLength = int64(len(body))
	req.Header.Set("Authorization", "Bearer "+workabletest.DefaultAPIKey)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	require.Empty(t, srv.Comments())
}

// bytesReader yields n spaces without allocating them.
type bytesReader struct{ n int }

func (r *bytesReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = ' '
	}
	r.n -= k
	return k, nil
}
