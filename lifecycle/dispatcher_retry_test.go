package lifecycle_test

import (
	"context"
	"errors"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/internal/fakeats"
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
	h.Engine.RegisterATS(enginetest.Source, &lateTimeoutATS{ATS: h.ATS, timeouts: 1})
	iv := reach(t, h, lifecycle.StateInvited)
	h.Drain() // the invitation note times out after landing
	h.Clock.Advance(lifecycle.DefaultBackoff(1) * 2)
	h.Drain() // the retry finds it
	require.Len(t, h.ATS.NotesOf(iv.CandidateID), 1, "notes: %q", h.ATS.NotesOf(iv.CandidateID))
	pending, err := h.Store.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectPending})
	require.NoError(t, err)
	require.Empty(t, pending)
}
