package levertest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// closeWithin runs s.Close and fails the test if it has not returned
// within limit. The limit is a failure bound, not synchronisation: before
// the fix Close waited for a receiver's 10 s client timeout, or for a
// stall of an hour.
func closeWithin(t *testing.T, s *Server, limit time.Duration) {
	t.Helper()
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("Close did not return within %v", limit)
	}
}

// TestCloseStopsWebhookDelivery: a receiver that never answers does not
// hold Close up; the delivery in flight is cancelled, the queued one is
// recorded as not sent, the delivery goroutine exits, and events after
// Close start nothing.
func TestCloseStopsWebhookDelivery(t *testing.T) {
	arrived := make(chan struct{}, 4)
	release := make(chan struct{})
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer receiver.Close()
	defer close(release)

	s := NewServer(WithRateLimit(0, 0))
	st := s.AddStages("a", "b", "c")
	o := s.AddOpportunity(Opportunity{Name: "Ada Lovelace", StageID: st[0].ID})
	s.AddWebhook(receiver.URL, "candidateStageChange")
	if err := s.MoveCandidate(o.ID, st[1].ID); err != nil {
		t.Fatal(err)
	}
	<-arrived // the first delivery is in flight
	if err := s.MoveCandidate(o.ID, st[2].ID); err != nil {
		t.Fatal(err)
	}

	closeWithin(t, s, 5*time.Second)
	select {
	case <-s.hooks.exited:
	default:
		t.Fatal("the delivery goroutine is still running after Close")
	}
	ds := s.Deliveries()
	if len(ds) != 2 {
		t.Fatalf("%d deliveries recorded, want 2 (in flight and queued)", len(ds))
	}
	for i, d := range ds {
		if d.Err != errClosed || d.StatusCode != 0 {
			t.Errorf("delivery %d = status %d, err %q; want not sent (%q)", i, d.StatusCode, d.Err, errClosed)
		}
	}
	if len(arrived) != 0 {
		t.Error("the queued delivery was sent after Close")
	}

	// After Close: nothing is sent, the event is recorded as not sent, and
	// WaitDeliveries and a second Close return.
	if err := s.MoveCandidate(o.ID, st[0].ID); err != nil {
		t.Fatal(err)
	}
	s.WaitDeliveries(context.Background())
	closeWithin(t, s, 5*time.Second)
	if ds := s.Deliveries(); len(ds) != 3 || ds[2].Err != errClosed {
		t.Errorf("deliveries after Close = %+v, want a third, unsent", ds)
	}
}

// TestCloseReleasesStalledRequest: a request stalled by fault injection
// does not hold Close up; the client gets an answer instead of hanging.
func TestCloseReleasesStalledRequest(t *testing.T) {
	s := NewServer(WithRateLimit(0, 0), WithFaults(Faults{Probability: 1, Kinds: []FaultKind{FaultStall}, Stall: time.Hour, Seed: 1}))
	stalled := make(chan struct{}, 1)
	s.mu.Lock()
	s.stalled = func() { stalled <- struct{}{} }
	s.mu.Unlock()

	type result struct {
		status int
		err    error
	}
	got := make(chan result, 1)
	go func() {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, s.URL+"/stages", nil)
		req.SetBasicAuth(DefaultAPIKey, "")
		resp, err := s.Client().Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		resp.Body.Close()
		got <- result{status: resp.StatusCode}
	}()
	<-stalled
	closeWithin(t, s, 5*time.Second)
	r := <-got
	if r.err == nil && r.status != http.StatusServiceUnavailable {
		t.Errorf("stalled request answered %d, want 503 (or a transport error)", r.status)
	}
	if r.err != nil && errors.Is(r.err, context.DeadlineExceeded) {
		t.Errorf("stalled request timed out instead of being released: %v", r.err)
	}
}

// TestWaitDeliveries: WaitDeliveries returns nil once every delivery was
// answered, and ctx's error, without waiting, while one is still pending
// (a retry whose gap has not passed) and ctx ends.
func TestWaitDeliveries(t *testing.T) {
	for _, tt := range []struct {
		name    string
		status  int
		wantErr error
	}{
		{"answered 200", http.StatusOK, nil},
		{"retry pending when ctx ends", http.StatusInternalServerError, context.Canceled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			answered := make(chan struct{}, 1)
			receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				answered <- struct{}{}
			}))
			defer receiver.Close()
			s := NewServer(WithRateLimit(0, 0), WithWebhookRetryGaps(time.Hour))
			defer s.Close()
			st := s.AddStages("a", "b")
			o := s.AddOpportunity(Opportunity{Name: "Ada Lovelace", StageID: st[0].ID})
			s.AddWebhook(receiver.URL, "candidateStageChange")
			if err := s.MoveCandidate(o.ID, st[1].ID); err != nil {
				t.Fatal(err)
			}
			<-answered
			ctx, cancel := context.WithCancel(context.Background())
			if tt.wantErr != nil {
				cancel() // the hour-long retry gap would otherwise block
			}
			defer cancel()
			if err := s.WaitDeliveries(ctx); !errors.Is(err, tt.wantErr) {
				t.Fatalf("WaitDeliveries = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil {
				if ds := s.Deliveries(); len(ds) != 1 || ds[0].StatusCode != http.StatusOK {
					t.Errorf("deliveries = %+v, want one answered 200", ds)
				}
			}
		})
	}
}
