package enginetest

import (
	"context"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
)

// Parked checks that store parks an effect refused with 401, keeps the
// interview completed, and requeues it (RequeueConnection) so the note
// lands and the interview is reported.
func Parked(t *testing.T, store lifecycle.Store) {
	ctx := context.Background()
	h := New(t, store)
	h.Candidate("c1")
	h.Move("c1", StageTrigger)
	h.Drain()
	iv := h.Only("c1")
	// The token is refused: the note and the read that checks the
	// credentials again after parking it.
	h.ATS.Fail("AddNote", &ats.APIError{ATS: "fake", StatusCode: 401})
	h.ATS.Fail("Candidate", &ats.APIError{ATS: "fake", StatusCode: 401})
	if _, err := h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateCompleted,
		Result: &ats.Result{Grade: ats.GradeFailed}}); err != nil {
		t.Fatal(err)
	}
	h.Drain()
	parked, err := h.Engine.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectParked})
	if err != nil {
		t.Fatal(err)
	}
	if len(parked) != 1 || parked[0].Kind != lifecycle.EffectNote {
		t.Fatalf("parked effects = %+v, want the completion note", parked)
	}
	if got := h.Only("c1").State; got != lifecycle.StateCompleted {
		t.Fatalf("state with the note parked = %s, want completed", got)
	}
	n, err := h.Engine.RequeueConnection(ctx, parked[0].Connection)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("RequeueConnection = %d, want 1", n)
	}
	h.Drain()
	if got := h.Only("c1").State; got != lifecycle.StateReported {
		t.Errorf("state after requeue = %s, want reported", got)
	}
}
