package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/internal/fakeats"
	"github.com/atskit/atskit/lifecycle/memstore"
)

func effectsOf(t *testing.T, h *enginetest.Harness, kind lifecycle.EffectKind) []lifecycle.Effect {
	t.Helper()
	effs, err := h.Engine.Effects(ctx, lifecycle.EffectFilter{Kind: kind})
	require.NoError(t, err)
	return effs
}

func fixedBackoff(d time.Duration) func(int) time.Duration {
	return func(int) time.Duration { return d }
}

func TestDispatchRateLimitWaitsRetryAfter(t *testing.T) {
	h := newHarness(t)
	iv := reach(t, h, lifecycle.StateInvited)
	h.ATS.Fail("AddNote", &ats.RateLimitError{Err: &ats.APIError{ATS: "fake", StatusCode: 429}, RetryAfter: 30 * time.Second})
	h.Drain()
	notes := effectsOf(t, h, lifecycle.EffectNote)
	require.Len(t, notes, 1)
	require.Equal(t, lifecycle.EffectPending, notes[0].State)
	require.True(t, notes[0].NextAttemptAt.Equal(enginetest.Start.Add(30*time.Second)), "next attempt %v", notes[0].NextAttemptAt)
	require.Contains(t, notes[0].LastError, "429")

	h.Clock.Advance(29 * time.Second)
	require.Zero(t, h.Drain(), "nothing is due before Retry-After")
	h.Clock.Advance(time.Second)
	require.Equal(t, 1, h.Drain())
	require.Len(t, h.ATS.NotesOf(iv.CandidateID), 1)
}

func TestDispatchServerErrorRetriesWithBackoff(t *testing.T) {
	h := newHarness(t)
	h.Disp = h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "d", Backoff: fixedBackoff(5 * time.Second)})
	iv := reach(t, h, lifecycle.StateInvited)
	h.ATS.Fail("AddNote", &ats.APIError{ATS: "fake", StatusCode: 502}, errors.New("dial tcp: connection reset"))
	h.Drain()
	h.Clock.Advance(5 * time.Second)
	h.Drain()
	n := effectsOf(t, h, lifecycle.EffectNote)[0]
	require.Equal(t, lifecycle.EffectPending, n.State)
	require.Equal(t, 2, n.Attempts)
	require.Contains(t, n.LastError, "connection reset")
	h.Clock.Advance(5 * time.Second)
	h.Drain()
	require.Len(t, h.ATS.NotesOf(iv.CandidateID), 1)
	require.Equal(t, lifecycle.EffectDone, effectsOf(t, h, lifecycle.EffectNote)[0].State)
}

func TestDispatchGivesUpAfterMaxAttempts(t *testing.T) {
	h := newHarness(t)
	h.Disp = h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "d", MaxAttempts: 2, Backoff: fixedBackoff(time.Second)})
	reach(t, h, lifecycle.StateInvited)
	h.ATS.Fail("AddNote", &ats.APIError{StatusCode: 500}, &ats.APIError{StatusCode: 500})
	h.Drain()
	h.Clock.Advance(time.Second)
	h.Drain()
	n := effectsOf(t, h, lifecycle.EffectNote)[0]
	require.Equal(t, lifecycle.EffectFailed, n.State)
	require.Contains(t, n.LastError, "gave up after 2 attempts")
}

func TestDispatchPermanentErrors(t *testing.T) {
	tests := []struct {
		name string
		op   string
		err  error
		kind lifecycle.EffectKind
	}{
		{"not found", "MoveCandidate", &ats.APIError{ATS: "fake", Op: "move candidate", StatusCode: 404}, lifecycle.EffectMove},
		{"validation", "MoveCandidate", &ats.ValidationError{Op: "move", Fields: []ats.FieldError{{Field: "target_stage", Message: "unknown"}}}, lifecycle.EffectMove},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			iv := reach(t, h, lifecycle.StateScheduled)
			h.ATS.Fail(tc.op, tc.err)
			h.Drain()
			var failed []lifecycle.Effect
			for _, e := range effectsOf(t, h, tc.kind) {
				if e.State == lifecycle.EffectFailed {
					failed = append(failed, e)
				}
			}
			require.Len(t, failed, 1)
			require.Equal(t, 1, failed[0].Attempts, "permanent errors are not retried")
			require.Equal(t, tc.err.Error(), failed[0].LastError)
			if tc.kind == lifecycle.EffectMove {
				notes := h.ATS.NotesOf(iv.CandidateID)
				require.Contains(t, notes[len(notes)-1], `could not move the candidate to stage "iv-scheduled"`)
			}
		})
	}
}

func TestDispatchOrderPerInterview(t *testing.T) {
	h := newHarness(t)
	h.Disp = h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "d", Backoff: fixedBackoff(time.Minute)})
	iv := reach(t, h, lifecycle.StateScheduled) // invitation note, then schedule note and move
	h.ATS.Fail("AddNote", &ats.APIError{StatusCode: 503})
	h.Drain()
	require.Empty(t, h.ATS.NotesOf(iv.CandidateID))
	require.Empty(t, h.ATS.Moves(), "later effects wait for the failed one")
	h.Clock.Advance(time.Minute)
	h.Drain()
	notes := h.ATS.NotesOf(iv.CandidateID)
	require.Len(t, notes, 2)
	require.Contains(t, notes[0], "invited")
	require.Contains(t, notes[1], "scheduled for")
}

func TestDispatchVendorFailures(t *testing.T) {
	t.Run("insufficient credits", func(t *testing.T) {
		h := newHarness(t)
		h.Vendor.Fail("CreateInterview", permanent{fmt.Errorf("vendor: 402: %w", lifecycle.ErrInsufficientCredits)})
		h.Candidate("c1")
		h.Move("c1", enginetest.StageTrigger)
		h.Drain()
		iv := h.Only("c1")
		require.Equal(t, lifecycle.StateUnableToSchedule, iv.State)
		require.Equal(t, lifecycle.ReasonInsufficientCredits, iv.Reason)
		notes := h.ATS.NotesOf("c1")
		require.Len(t, notes, 1)
		require.Contains(t, notes[0], "unable to schedule the Technical interview with Ada c1: insufficient credits")
		require.Contains(t, h.ATS.Moves(), fakeats.Move{CandidateID: "c1", StageID: enginetest.StageUnable})
	})
	t.Run("transient", func(t *testing.T) {
		h := newHarness(t)
		h.Vendor.Fail("CreateInterview", errors.New("vendor: 503"))
		h.Candidate("c1")
		h.Move("c1", enginetest.StageTrigger)
		h.Drain()
		h.Clock.Advance(time.Hour)
		h.Drain()
		reqs := h.Vendor.Requests()
		require.Len(t, reqs, 2)
		require.Equal(t, reqs[0].IdempotencyKey, reqs[1].IdempotencyKey)
		require.Equal(t, 1, h.Vendor.Created())
		require.Equal(t, "vend-1", h.Only("c1").VendorRef)
	})
	t.Run("cancelled before created", func(t *testing.T) {
		h := newHarness(t)
		iv := reach(t, h, lifecycle.StateRequested)
		_, err := h.Engine.Cancel(ctx, iv.ID, "changed our mind")
		require.NoError(t, err)
		h.Drain()
		require.Zero(t, h.Vendor.Created())
		require.Empty(t, h.Vendor.Cancelled())
	})
}

type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }
func (permanent) Permanent() bool { return true }

func TestDispatchCallbackPermanentError(t *testing.T) {
	h := newHarness(t)
	iv, err := h.Engine.ProviderInterview(ctx, lifecycle.ProviderRequest{Source: "workable", CandidateID: "p1", JobID: "J",
		Candidate: ats.Candidate{Emails: []string{"p@example.com"}}, Callback: lifecycle.Callback{URL: "https://cb", Token: "t"}})
	require.NoError(t, err)
	_, err = h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateDeclined})
	require.NoError(t, err)
	h.Publisher.Fail(permanent{errors.New("callback: 410 gone")})
	h.Drain()
	cb := effectsOf(t, h, lifecycle.EffectCallback)
	require.Len(t, cb, 1)
	require.Equal(t, lifecycle.EffectFailed, cb[0].State)
	require.Equal(t, "callback: 410 gone", cb[0].LastError)
}

// crashStore fails FinishEffect (the acknowledgement) while armed, as if
// the process died right after the ATS call succeeded.
type crashStore struct {
	lifecycle.Store
	armed atomic.Bool
}

var errCrash = errors.New("simulated crash before ack")

func (s *crashStore) FinishEffect(ctx context.Context, id, owner string, o lifecycle.Outcome) error {
	if s.armed.Load() {
		return errCrash
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.Store.FinishEffect(ctx, id, owner, o)
}

func TestCrashBetweenSendAndAck(t *testing.T) {
	for _, tc := range []struct {
		name      string
		minimal   bool // adapter without NoteLister
		wantNotes int
	}{
		{"with NoteLister: no duplicate", false, 1},
		{"without NoteLister: at-least-once", true, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := &crashStore{Store: memstore.New()}
			h := enginetest.New(t, store)
			if tc.minimal {
				h.Connector.Set(enginetest.Source, h.ATS.Minimal())
			}
			iv := reach(t, h, lifecycle.StateInvited)
			h.Drain() // vendor create, tag
			h.Clock.Advance(time.Second)
			_, err := h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateScheduled, At: enginetest.Start.Add(48 * time.Hour)})
			require.NoError(t, err)
			before := len(h.ATS.NotesOf(iv.CandidateID))

			// Replica 1 sends the note, then dies before recording it.
			store.armed.Store(true)
			d1 := h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "replica-1", Lease: time.Minute})
			_, err = d1.RunOnce(ctx)
			require.ErrorIs(t, err, errCrash)
			require.Len(t, h.ATS.NotesOf(iv.CandidateID), before+1)
			store.armed.Store(false)

			// Replica 2 takes over once the lease expired.
			d2 := h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "replica-2", Lease: time.Minute})
			n, err := d2.Drain(ctx)
			require.NoError(t, err)
			require.Zero(t, n, "the lease still holds")
			h.Clock.Advance(time.Minute + time.Second)
			_, err = d2.Drain(ctx)
			require.NoError(t, err)

			notes := h.ATS.NotesOf(iv.CandidateID)
			require.Len(t, notes, before+tc.wantNotes, "notes: %q", notes)
			pending, err := store.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectPending})
			require.NoError(t, err)
			require.Empty(t, pending, "nothing lost")
			require.Len(t, h.ATS.Moves(), 1, "the move after the note happened once")
		})
	}
}

// TestCrashByContextCancel kills the dispatcher by cancelling its context
// right after the ATS accepted the note, before the acknowledgement.
func TestCrashByContextCancel(t *testing.T) {
	store := &crashStore{Store: memstore.New()}
	h := enginetest.New(t, store)
	iv := reach(t, h, lifecycle.StateInvited)
	dctx, kill := context.WithCancel(ctx)
	h.ATS.AfterCall = func(op, _ string) {
		if op == "AddNote" {
			kill()
		}
	}
	d1 := h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "replica-1", Lease: time.Minute, Workers: 1})
	_, _ = d1.Drain(dctx)
	h.ATS.AfterCall = nil
	require.Len(t, h.ATS.NotesOf(iv.CandidateID), 1)

	h.Clock.Advance(2 * time.Minute)
	d2 := h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "replica-2", Lease: time.Minute})
	_, err := d2.Drain(ctx)
	require.NoError(t, err)
	require.Len(t, h.ATS.NotesOf(iv.CandidateID), 1, "no duplicate note")
	pending, err := store.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectPending})
	require.NoError(t, err)
	require.Empty(t, pending, "nothing lost")
	require.Equal(t, 1, h.Vendor.Created())
}

// TestCrashAfterVendorCreate: the vendor created the interview but the
// dispatcher died before recording it; the retry reuses the idempotency key.
func TestCrashAfterVendorCreate(t *testing.T) {
	store := &crashStore{Store: memstore.New()}
	h := enginetest.New(t, store)
	h.Candidate("c1")
	h.Move("c1", enginetest.StageTrigger)
	store.armed.Store(true)
	_, err := h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "r1"}).RunOnce(ctx)
	require.ErrorIs(t, err, errCrash)
	store.armed.Store(false)
	h.Clock.Advance(2 * time.Minute)
	h.Drain()
	require.Len(t, h.Vendor.Requests(), 1, "the ref was recorded before the crash, so no second call")
	require.Equal(t, 1, h.Vendor.Created())
}

func TestDispatcherRun(t *testing.T) {
	h := newHarness(t)
	delivered := make(chan string, 10)
	h.ATS.AfterCall = func(op, cand string) { delivered <- op + " " + cand }
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- h.Disp.Run(rctx) }()
	iv := reach(t, h, lifecycle.StateInvited)
	require.Equal(t, "AddNote "+iv.CandidateID, <-delivered)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}

func TestNoteMarker(t *testing.T) {
	require.True(t, strings.HasPrefix(lifecycle.NoteMarker("fx_1"), "[ref fx_1"))
}
