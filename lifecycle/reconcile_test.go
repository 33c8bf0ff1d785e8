package lifecycle_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
)

// TestReconcile: candidates whose webhooks were missed are recovered —
// one who sits in the trigger stage gets an interview, one who left gets
// the live interview cancelled — and a second run changes nothing.
func TestReconcile(t *testing.T) {
	h := newHarness(t)
	// c1's "entered the stage" webhook never arrived.
	c1 := h.Candidate("c1")
	c1.Stage = ats.StageRef{ID: enginetest.StageTrigger, Name: "InterviewVector"}
	h.ATS.PutCandidate(c1)
	// c2 is invited; their move to the offer stage was never delivered.
	iv2 := reach(t, h, lifecycle.StateInvited)
	c2, err := h.ATS.Candidate(ctx, iv2.CandidateID)
	if err != nil {
		t.Fatal(err)
	}
	c2.Stage = ats.StageRef{ID: enginetest.StageOffer, Name: "Offer"}
	h.ATS.PutCandidate(c2)

	res, err := h.Engine.Reconcile(ctx, iv2.Connection)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(lifecycle.ReconcileResult{Positions: 1, Seen: 1, Started: 1, Cancelled: 1}, res); diff != "" {
		t.Errorf("first run (-want +got):\n%s", diff)
	}
	if got := h.Only("c1").State; got != lifecycle.StateRequested {
		t.Errorf("c1 = %s, want requested", got)
	}
	if got := h.Only(iv2.CandidateID).State; got != lifecycle.StateCancelled {
		t.Errorf("c2 = %s, want cancelled", got)
	}
	res, err = h.Engine.Reconcile(ctx, iv2.Connection)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(lifecycle.ReconcileResult{Positions: 1, Seen: 1}, res); diff != "" {
		t.Errorf("second run (-want +got):\n%s", diff)
	}
}

// TestEventForPendingPositionThenActivation: an event for a position that
// is not active starts nothing and is counted; activating the position
// picks the candidate up.
func TestEventForPendingPositionThenActivation(t *testing.T) {
	h := newHarness(t)
	if _, err := h.Engine.DeactivatePosition(ctx, enginetest.PositionID); err != nil {
		t.Fatal(err)
	}
	h.Candidate("c1")
	h.Move("c1", enginetest.StageTrigger)
	ivs, err := h.Engine.Interviews(ctx, lifecycle.InterviewFilter{CandidateID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ivs) != 0 || h.Engine.PendingEvents() != 1 {
		t.Fatalf("pending position: %d interviews, %d events counted; want 0, 1", len(ivs), h.Engine.PendingEvents())
	}
	if _, err := h.Engine.ActivatePosition(ctx, enginetest.PositionID); err != nil {
		t.Fatal(err)
	}
	if got := h.Only("c1").State; got != lifecycle.StateRequested {
		t.Errorf("after activation c1 = %s, want requested", got)
	}
}
