package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/internal/fakeats"
	"github.com/atskit/atskit/lifecycle/memstore"
	"github.com/stretchr/testify/require"
)

// lateTimeoutATS stores a note and then reports a timeout, once: the
// answer was lost on the way back, as when a client's per-attempt timeout
// fires while the ATS is still answering.
type lateTimeoutATS struct {
	*fakeats.ATS
	timeouts int
}

func (a *lateTimeoutATS) AddNote(ctx context.Context, id string, n ats.Note) error {
	if err := a.ATS.AddNote(ctx, id, n); err != nil {
		return err
	}
	if a.timeouts > 0 {
		a.timeouts--
		return errors.New("Post \"https://ats.example/notes\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
	}
	return nil
}

// TestNoteRetryAfterTimeoutNoDuplicate: a note attempt that timed out after
// the ATS stored the note is looked up before the retry, so the note is
// not posted twice.
func TestNoteRetryAfterTimeoutNoDuplicate(t *testing.T) {
	h := newHarness(t)
	h.Connector.Set(enginetest.Source, &lateTimeoutATS{ATS: h.ATS, timeouts: 1})
	iv := reach(t, h, lifecycle.StateInvited)
	h.Drain() // the invitation note times out after landing
	h.Clock.Advance(lifecycle.DefaultBackoff(1) * 2)
	h.Drain() // the retry finds it
	require.Len(t, h.ATS.NotesOf(iv.CandidateID), 1, "notes: %q", h.ATS.NotesOf(iv.CandidateID))
	pending, err := h.Store.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectPending})
	require.NoError(t, err)
	require.Empty(t, pending)
}

// flakyCommitStore fails the next Commit calls while fail > 0.
type flakyCommitStore struct {
	lifecycle.Store
	fail atomic.Int32
}

func (s *flakyCommitStore) Commit(ctx context.Context, c lifecycle.Change) error {
	if s.fail.Add(-1) >= 0 {
		return errors.New("database is down")
	}
	return s.Store.Commit(ctx, c)
}

// TestDispatchKeepsFailureItCannotRecord: the vendor refuses an interview
// for good, but the transition to unable-to-schedule cannot be committed.
// The effect must not be failed silently — the interview would wait in
// requested forever — but retried until the failure is recorded.
func TestDispatchKeepsFailureItCannotRecord(t *testing.T) {
	store := &flakyCommitStore{Store: memstore.New()}
	h := enginetest.New(t, store)
	h.Disp = h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "d", Backoff: fixedBackoff(time.Second)})
	credits := permanent{fmt.Errorf("vendor: 402: %w", lifecycle.ErrInsufficientCredits)}
	h.Vendor.Fail("CreateInterview", credits, credits)
	h.Candidate("c1")
	h.Move("c1", enginetest.StageTrigger)
	store.fail.Store(1) // the commit recording the refusal
	h.Drain()
	require.Equal(t, lifecycle.StateRequested, h.Only("c1").State)
	creates := effectsOf(t, h, lifecycle.EffectVendorCreate)
	require.Len(t, creates, 1)
	require.Equal(t, lifecycle.EffectPending, creates[0].State, "kept for another try")
	require.Contains(t, creates[0].LastError, "database is down")

	h.Clock.Advance(time.Second)
	h.Drain()
	iv := h.Only("c1")
	require.Equal(t, lifecycle.StateUnableToSchedule, iv.State)
	require.Equal(t, lifecycle.ReasonInsufficientCredits, iv.Reason)
	require.Equal(t, lifecycle.EffectFailed, effectsOf(t, h, lifecycle.EffectVendorCreate)[0].State)
	require.Len(t, h.ATS.NotesOf("c1"), 1)
}

// inFlightATS stands for an ATS still working on a note when the client
// gives up: AddNote takes 20 s of the engine's clock and reports a timeout
// without the note having landed yet; land stores it afterwards, as the
// ATS finishing the request would.
type inFlightATS struct {
	*fakeats.ATS
	clock   *enginetest.Clock
	calls   int
	pending []ats.Note
	cand    string
}

func (a *inFlightATS) AddNote(ctx context.Context, id string, n ats.Note) error {
	a.calls++
	if a.calls > 1 {
		return a.ATS.AddNote(ctx, id, n)
	}
	a.clock.Advance(20 * time.Second)
	a.pending, a.cand = append(a.pending, n), id
	return fmt.Errorf("Post \"https://ats.example/notes\": %w", context.DeadlineExceeded)
}

func (a *inFlightATS) land(t *testing.T) {
	for _, n := range a.pending {
		require.NoError(t, a.ATS.AddNote(context.Background(), a.cand, n))
	}
	a.pending = nil
}

// TestNoteRetryWaitsForCallGivenUpOn: a note attempt given up on after
// 20 s may still be under way at the ATS, so the retry (and the look-up
// before it) waits at least as long again, instead of the 1 s backoff, and
// then finds the note that landed meanwhile: one note, not two.
func TestNoteRetryWaitsForCallGivenUpOn(t *testing.T) {
	h := newHarness(t)
	a := &inFlightATS{ATS: h.ATS, clock: h.Clock}
	h.Connector.Set(enginetest.Source, a)
	iv := reach(t, h, lifecycle.StateInvited)
	h.Drain() // the invitation note is given up on after 20 s
	require.Equal(t, 1, a.calls)
	h.Clock.Advance(lifecycle.DefaultBackoff(1) * 2)
	h.Drain()
	require.Equal(t, 1, a.calls, "retried before the call given up on had time to land")
	a.land(t) // the ATS finishes the request
	h.Clock.Advance(20 * time.Second)
	h.Drain() // the retry looks the note up and finds it
	require.Len(t, h.ATS.NotesOf(iv.CandidateID), 1, "notes: %q", h.ATS.NotesOf(iv.CandidateID))
	require.Equal(t, 1, a.calls, "the note was posted again")
}
