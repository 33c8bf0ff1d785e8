package lifecycle_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/internal/fakeats"
	"github.com/atskit/atskit/lifecycle/memstore"
)

// twoPendingNotes drives two candidates to invited and delivers everything
// but their invitation notes, which stay pending (one per order key).
func twoPendingNotes(t *testing.T, h *enginetest.Harness) (a, b lifecycle.Interview) {
	t.Helper()
	a = reach(t, h, lifecycle.StateRequested)
	b = reach(t, h, lifecycle.StateRequested)
	h.Drain()
	for _, iv := range []lifecycle.Interview{a, b} {
		_, err := h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://v.example/s/" + iv.ID})
		require.NoError(t, err)
	}
	require.Len(t, pendingEffects(t, h), 2)
	return a, b
}

func pendingEffects(t *testing.T, h *enginetest.Harness) []lifecycle.Effect {
	t.Helper()
	effs, err := h.Engine.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectPending})
	require.NoError(t, err)
	return effs
}

// TestDispatchSkipsEffectWhoseLeaseEndedInQueue: a dispatcher claims two
// effects but has one worker; the first call is so slow that the second
// effect's lease ends before a worker is free. The second must then not be
// attempted by this dispatcher (another may already have claimed it), and a
// second dispatcher delivers it exactly once.
func TestDispatchSkipsEffectWhoseLeaseEndedInQueue(t *testing.T) {
	h := newHarness(t)
	h.Connector.Set(enginetest.Source, h.ATS.Minimal()) // no NoteLister: a second attempt would duplicate
	a, b := twoPendingNotes(t, h)
	h.ATS.AfterCall = func(op, cand string) {
		if op == "AddNote" && cand == a.CandidateID {
			h.Clock.Advance(2 * time.Minute) // the slow call outlives every lease of the batch
		}
	}
	slow := h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "slow", Workers: 1, BatchSize: 2, PerConnection: 2, Lease: time.Minute})
	n, err := slow.RunOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	h.ATS.AfterCall = nil
	require.Len(t, h.ATS.NotesOf(a.CandidateID), 1)
	require.Empty(t, h.ATS.NotesOf(b.CandidateID), "b's lease ended before its attempt")
	left := pendingEffects(t, h)
	require.Len(t, left, 1)
	require.Equal(t, b.ID, left[0].InterviewID)
	require.Zero(t, left[0].Attempts, "no attempt was begun without a lease")

	other := h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "other", Lease: time.Minute})
	_, err = other.Drain(ctx)
	require.NoError(t, err)
	require.Len(t, h.ATS.NotesOf(b.CandidateID), 1)
	require.Empty(t, pendingEffects(t, h))
}

// deadlineATS records the deadline of the context each note is added with.
type deadlineATS struct {
	*fakeats.ATS
	mu        sync.Mutex
	deadlines []time.Time
}

func (a *deadlineATS) AddNote(ctx context.Context, id string, n ats.Note) error {
	d, ok := ctx.Deadline()
	if !ok {
		return errors.New("AddNote called without a deadline")
	}
	a.mu.Lock()
	a.deadlines = append(a.deadlines, d)
	a.mu.Unlock()
	return a.ATS.AddNote(ctx, id, n)
}

// TestDispatchCallEndsWithLease: ATS calls run under a deadline no later
// than the end of the effect's lease, so a hanging call is abandoned before
// another dispatcher may take the effect over.
func TestDispatchCallEndsWithLease(t *testing.T) {
	h := newHarness(t)
	fa := &deadlineATS{ATS: h.ATS}
	h.Connector.Set(enginetest.Source, fa)
	twoPendingNotes(t, h)
	const lease = 90 * time.Second
	start := time.Now()
	_, err := h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "d", Lease: lease}).Drain(ctx)
	require.NoError(t, err)
	require.Len(t, fa.deadlines, 2)
	for _, d := range fa.deadlines {
		require.False(t, d.After(time.Now().Add(lease)), "deadline %v is past the lease", d)
		require.True(t, d.After(start), "deadline %v", d)
	}
	require.Empty(t, pendingEffects(t, h))
}

// TestDispatchGracefulStop: see enginetest.GracefulStop.
func TestDispatchGracefulStop(t *testing.T) { enginetest.GracefulStop(t, memstore.New()) }
