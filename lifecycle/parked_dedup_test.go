package lifecycle_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/internal/fakeats"
)

// lostAnswerATS is the fake ATS whose first AddNote stores the note but
// whose answer never arrives (the client times out).
type lostAnswerATS struct {
	*fakeats.ATS
	calls atomic.Int64
}

func (a *lostAnswerATS) AddNote(ctx context.Context, id string, n ats.Note) error {
	err := a.ATS.AddNote(ctx, id, n)
	if a.calls.Add(1) == 1 && err == nil {
		return context.DeadlineExceeded
	}
	return err
}

// TestRequeuedNoteLooksUpEarlierAttempt: a note whose first attempt
// reached the ATS without an answer, and whose retry was refused for the
// credentials (parked), is looked up before it is sent again once
// requeued — the requeue resets its attempts but not the fact that it was
// attempted — so the candidate gets it once.
func TestRequeuedNoteLooksUpEarlierAttempt(t *testing.T) {
	h := newHarness(t)
	iv := reach(t, h, lifecycle.StateScheduled)
	h.Drain()
	h.Connector.Set(enginetest.Source, &lostAnswerATS{ATS: h.ATS})
	if _, err := h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateCompleted,
		Result: &ats.Result{Grade: ats.GradePassed, Score: "90"}}); err != nil {
		t.Fatal(err)
	}
	h.Drain() // the note lands; its answer is lost
	// The token is revoked: the retry's look-up, and the check of the
	// credentials after parking, are refused.
	unauthorized := &ats.APIError{ATS: "fake", StatusCode: 401}
	h.ATS.Fail("Notes", unauthorized)
	h.ATS.Fail("Candidate", unauthorized)
	h.Clock.Advance(time.Hour)
	h.Drain()
	parked, err := h.Engine.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectParked})
	if err != nil {
		t.Fatal(err)
	}
	if len(parked) != 1 || parked[0].Kind != lifecycle.EffectNote {
		t.Fatalf("parked = %+v, want the completion note", parked)
	}
	// The token is restored.
	if _, err := h.Engine.RequeueConnection(ctx, enginetest.Source); err != nil {
		t.Fatal(err)
	}
	h.Drain()
	completed := 0
	for _, n := range h.ATS.NotesOf(iv.CandidateID) {
		if strings.Contains(n, " completed the ") {
			completed++
		}
	}
	if diff := cmp.Diff(1, completed); diff != "" {
		t.Errorf("completion notes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(lifecycle.StateReported, h.Only(iv.CandidateID).State); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
}
