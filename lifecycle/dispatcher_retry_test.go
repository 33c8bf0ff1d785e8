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
