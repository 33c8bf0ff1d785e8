package lifecycle_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
)

// TestLateStageEventDecidesOnRealState: a retried "entered the vendor
// stage" delivery that arrives after the candidate moved on, or was
// disqualified, starts no interview and invites nobody.
func TestLateStageEventDecidesOnRealState(t *testing.T) {
	tests := []struct {
		name  string
		after func(h *enginetest.Harness, c ats.Candidate)
	}{
		{"moved on to offer", func(h *enginetest.Harness, c ats.Candidate) {
			c.Stage = ats.StageRef{ID: enginetest.StageOffer, Name: "Offer"}
			h.ATS.PutCandidate(c)
		}},
		{"disqualified in the stage", func(h *enginetest.Harness, c ats.Candidate) {
			c.Disqualified = true
			h.ATS.PutCandidate(c)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.Candidate("c1")
			late := h.MoveEvent("c1", enginetest.StageTrigger) // delivery lost in transit
			c, err := h.ATS.Candidate(ctx, "c1")
			if err != nil {
				t.Fatal(err)
			}
			tc.after(h, c)
			if err := h.Engine.HandleEvent(ctx, late); err != nil {
				t.Fatal(err)
			}
			h.Drain()
			ivs, err := h.Engine.Interviews(ctx, lifecycle.InterviewFilter{CandidateID: "c1"})
			if err != nil {
				t.Fatal(err)
			}
			if len(ivs) != 0 || h.Vendor.Created() != 0 {
				t.Errorf("late event started %d interviews, %d vendor invitations; want none", len(ivs), h.Vendor.Created())
			}
		})
	}
}

// TestLateArchivedEventDoesNotCancel: an "archived" delivery for a
// candidate the ATS shows restored and still in the stage cancels nothing.
func TestLateArchivedEventDoesNotCancel(t *testing.T) {
	h := newHarness(t)
	iv := reach(t, h, lifecycle.StateInvited)
	if err := h.Engine.HandleEvent(ctx, ats.Event{ID: "late-archive", Source: "workable", Kind: ats.EventArchived, CandidateID: iv.CandidateID}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(lifecycle.StateInvited, h.Only(iv.CandidateID).State); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
}

// TestRetriggerChecksRealState: a re-trigger link clicked after the
// candidate moved on or was disqualified, or after the position was
// deactivated, is refused with the reason; the interview is unchanged.
func TestRetriggerChecksRealState(t *testing.T) {
	tests := []struct {
		name   string
		change func(h *enginetest.Harness, c ats.Candidate)
		want   *lifecycle.RetriggerError
	}{
		{"moved to offer", func(h *enginetest.Harness, c ats.Candidate) {
			c.Stage = ats.StageRef{ID: enginetest.StageOffer, Name: "Offer"}
			h.ATS.PutCandidate(c)
		}, &lifecycle.RetriggerError{Reason: lifecycle.RetriggerLeftStage, Stage: "Offer"}},
		{"disqualified", func(h *enginetest.Harness, c ats.Candidate) {
			c.Disqualified = true
			h.ATS.PutCandidate(c)
		}, &lifecycle.RetriggerError{Reason: lifecycle.RetriggerDisqualified}},
		{"position deactivated", func(h *enginetest.Harness, c ats.Candidate) {
			if _, err := h.Engine.DeactivatePosition(ctx, enginetest.PositionID); err != nil {
				t.Fatal(err)
			}
		}, &lifecycle.RetriggerError{Reason: lifecycle.RetriggerPositionInactive}},
		{"still in the stage", func(h *enginetest.Harness, c ats.Candidate) {}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			iv := reach(t, h, lifecycle.StateNeedsInfo)
			c, err := h.ATS.Candidate(ctx, iv.CandidateID)
			if err != nil {
				t.Fatal(err)
			}
			c.Emails = []string{"ada@example.com"}
			h.ATS.PutCandidate(c)
			tc.change(h, c)
			_, err = h.Engine.Retrigger(ctx, iv.Connection, iv.ID)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Retrigger = %v, want nil", err)
				}
				return
			}
			var re *lifecycle.RetriggerError
			if !errors.As(err, &re) || !errors.Is(err, lifecycle.ErrRetriggerRefused) {
				t.Fatalf("Retrigger = %v, want a *RetriggerError", err)
			}
			tc.want.Interview = iv.ID
			if diff := cmp.Diff(tc.want, re); diff != "" {
				t.Errorf("refusal (-want +got):\n%s", diff)
			}
			if got := h.Only(iv.CandidateID).State; got != lifecycle.StateNeedsInfo {
				t.Errorf("state after a refused re-trigger = %s, want needs_info", got)
			}
		})
	}
}
