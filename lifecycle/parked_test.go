package lifecycle_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
)

// TestParkedResultIsNotReported: a result note refused for authorization
// reasons is parked, the interview stays completed, and an operator's
// RequeueEffect delivers it and reports the interview.
func TestParkedResultIsNotReported(t *testing.T) {
	for _, status := range []int{401, 403} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			h := newHarness(t)
			iv := reach(t, h, lifecycle.StateScheduled)
			h.Drain()
			h.ATS.Fail("AddNote", &ats.APIError{ATS: "fake", StatusCode: status})
			if status == http.StatusUnauthorized {
				// A refused token refuses the read that checks it
				// again after parking (a 403 is not checked).
				h.ATS.Fail("Candidate", &ats.APIError{ATS: "fake", StatusCode: status})
			}
			if _, err := h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateCompleted,
				Result: &ats.Result{Grade: ats.GradePassed, Score: "90"}}); err != nil {
				t.Fatal(err)
			}
			h.Drain()
			parked, err := h.Engine.Effects(ctx, lifecycle.EffectFilter{InterviewID: iv.ID, State: lifecycle.EffectParked})
			if err != nil {
				t.Fatal(err)
			}
			if len(parked) != 1 || parked[0].Kind != lifecycle.EffectNote {
				t.Fatalf("parked = %+v, want the completion note", parked)
			}
			if diff := cmp.Diff(lifecycle.StateCompleted, h.Only(iv.CandidateID).State); diff != "" {
				t.Errorf("state with the note parked (-want +got):\n%s", diff)
			}
			if err := h.Engine.RequeueEffect(ctx, parked[0].ID); err != nil {
				t.Fatal(err)
			}
			h.Drain()
			if diff := cmp.Diff(lifecycle.StateReported, h.Only(iv.CandidateID).State); diff != "" {
				t.Errorf("state after requeue (-want +got):\n%s", diff)
			}
			if err := h.Engine.RequeueEffect(ctx, parked[0].ID); !errors.Is(err, lifecycle.ErrNotFound) {
				t.Errorf("requeueing a delivered effect = %v, want ErrNotFound", err)
			}
		})
	}
}
