package lifecycle_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/memstore"
)

// readATS is an adapter for inbox tests: Candidate runs behave (nil
// answers at once) and counts; the rest of ats.Adapter is unused.
type readATS struct {
	ats.Adapter
	behave func(ctx context.Context) error
	reads  atomic.Int64
	delay  time.Duration
}

func (a *readATS) Candidate(ctx context.Context, id string) (ats.Candidate, error) {
	a.reads.Add(1)
	if a.behave != nil {
		if err := a.behave(ctx); err != nil {
			return ats.Candidate{}, err
		}
	}
	return ats.Candidate{ID: id, JobID: "J1", Disqualified: true}, nil
}

type pacedReadATS struct{ *readATS }

func (a pacedReadATS) PacingDelay(context.Context) (time.Duration, error) { return a.delay, nil }

// acceptArchived accepts n "archived" events (each read the candidate
// first) of connection conn.
func acceptArchived(t *testing.T, e *lifecycle.Engine, conn string, n int) {
	t.Helper()
	evs := make([]ats.Event, n)
	for i := range evs {
		evs[i] = ats.Event{ID: fmt.Sprintf("%s-%d", conn, i), Source: "workable", Connection: conn, Kind: ats.EventArchived,
			CandidateID: fmt.Sprintf("c%d", i)}
	}
	require.NoError(t, e.AcceptEvents(ctx, evs))
}

func inboxStates(t *testing.T, e *lifecycle.Engine, conn string) (states map[lifecycle.InboxState]int, attempts int) {
	t.Helper()
	evs, err := e.InboxEvents(ctx, lifecycle.InboxFilter{Connection: conn})
	require.NoError(t, err)
	states = map[lifecycle.InboxState]int{}
	for _, ev := range evs {
		states[ev.State]++
		attempts += ev.Attempts
	}
	return states, attempts
}

// TestInboxBacksOffFromBadConnection: while one connection's ATS answers
// 429, refuses the credentials, stalls or has no request budget left, its
// events wait — tried at most once, none dropped — and the other
// connection's events are all processed.
func TestInboxBacksOffFromBadConnection(t *testing.T) {
	tests := []struct {
		name  string
		bad   ats.Adapter
		reads int64 // reads of the bad connection
	}{
		{"rate limited", &readATS{behave: func(context.Context) error {
			return &ats.RateLimitError{Err: &ats.APIError{StatusCode: 429}, RetryAfter: 10 * time.Second}
		}}, 1},
		{"unauthorized", &readATS{behave: func(context.Context) error { return &ats.APIError{StatusCode: 401, Message: "token revoked"} }}, 1},
		{"stalled", &readATS{behave: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }}, 1},
		{"out of budget", pacedReadATS{&readATS{delay: 30 * time.Second}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := enginetest.NewClock(enginetest.Start)
			conns := &lifecycle.MemoryConnector{}
			good := &readATS{}
			conns.Set("good", good)
			conns.Set("bad", tc.bad)
			e := lifecycle.NewEngine(memstore.New(), lifecycle.Options{Connector: conns, Now: clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			acceptArchived(t, e, "bad", 5)
			acceptArchived(t, e, "good", 5)
			d := e.Dispatcher(lifecycle.DispatcherOptions{Owner: "d", Workers: 2, PerConnection: 1, CallTimeout: 20 * time.Millisecond})
			_, err := d.Drain(ctx)
			require.NoError(t, err)

			require.EqualValues(t, 5, good.reads.Load())
			states, _ := inboxStates(t, e, "good")
			if diff := cmp.Diff(map[lifecycle.InboxState]int{lifecycle.InboxProcessed: 5}, states); diff != "" {
				t.Errorf("good connection's inbox (-want +got):\n%s", diff)
			}
			states, attempts := inboxStates(t, e, "bad")
			if diff := cmp.Diff(map[lifecycle.InboxState]int{lifecycle.InboxPending: 5}, states); diff != "" {
				t.Errorf("bad connection's inbox (-want +got):\n%s", diff)
			}
			require.EqualValues(t, tc.reads, attempts, "failed attempts of the bad connection")
			var reads int64
			switch a := tc.bad.(type) {
			case *readATS:
				reads = a.reads.Load()
			case pacedReadATS:
				reads = a.reads.Load()
			}
			require.Equal(t, tc.reads, reads, "the bad connection was read again while backing off")
		})
	}
}

// TestInboxRemovedConnection: events of a removed connection are dropped
// (recorded processed, with the reason) without reading the ATS.
func TestInboxRemovedConnection(t *testing.T) {
	conns := &lifecycle.MemoryConnector{}
	a := &readATS{}
	conns.Set("gone", a)
	e := lifecycle.NewEngine(memstore.New(), lifecycle.Options{Connector: conns, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	_, err := e.Connect(ctx, lifecycle.ConnectOptions{ID: "gone", Kind: "workable", SkipSetupCheck: true})
	require.NoError(t, err)
	acceptArchived(t, e, "gone", 2)
	_, err = e.RemoveConnection(ctx, "gone", "access revoked")
	require.NoError(t, err)
	_, err = e.Dispatcher(lifecycle.DispatcherOptions{Owner: "d"}).Drain(ctx)
	require.NoError(t, err)
	evs, err := e.InboxEvents(ctx, lifecycle.InboxFilter{Connection: "gone"})
	require.NoError(t, err)
	require.Len(t, evs, 2)
	for _, ev := range evs {
		require.Equal(t, lifecycle.InboxProcessed, ev.State)
		require.Equal(t, "dropped: the connection was removed", ev.LastError)
	}
	require.Zero(t, a.reads.Load())
}

// gatedATS holds every note until the test releases it and reports every
// candidate read.
type gatedATS struct {
	ats.Adapter
	release chan struct{}
	read    chan string
}

func (a gatedATS) AddNote(ctx context.Context, _ string, _ ats.Note) error {
	select {
	case <-a.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (a gatedATS) Candidate(ctx context.Context, id string) (ats.Candidate, error) {
	select {
	case a.read <- id:
	case <-ctx.Done():
		return ats.Candidate{}, ctx.Err()
	}
	return ats.Candidate{ID: id, JobID: "J1", Disqualified: true}, nil
}

// TestRunServesInboxBesideEffects: a dispatcher with one worker and a
// backlog of 50 effects processes a webhook's event after at most two of
// them, not after the whole backlog.
func TestRunServesInboxBesideEffects(t *testing.T) {
	a := gatedATS{release: make(chan struct{}), read: make(chan string)}
	conns := &lifecycle.MemoryConnector{}
	conns.Set("acme", a)
	store := memstore.New()
	e := lifecycle.NewEngine(store, lifecycle.Options{Connector: conns, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	queueNotes(t, store, "acme", 50, time.Now())
	rctx, cancel := context.WithCancel(ctx)
	stopped := make(chan error, 1)
	go func() { stopped <- e.Dispatcher(lifecycle.DispatcherOptions{Owner: "d", Workers: 1}).Run(rctx) }()
	defer func() { cancel(); <-stopped }()

	a.release <- struct{}{} // the worker is delivering the backlog
	acceptArchived(t, e, "acme", 1)
	released := 1
	for {
		select {
		case a.release <- struct{}{}:
			released++
			require.LessOrEqual(t, released, 3, "the event waited behind the effects backlog")
			continue
		case id := <-a.read:
			require.Equal(t, "c0", id)
		}
		break
	}
}
