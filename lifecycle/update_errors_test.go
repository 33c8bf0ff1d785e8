package lifecycle_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
)

// TestReportRefusesIncompleteUpdates: an update lacking what its note
// needs is refused with an *UpdateError naming the field, and nothing is
// posted.
func TestReportRefusesIncompleteUpdates(t *testing.T) {
	tests := []struct {
		name  string
		from  lifecycle.State
		u     lifecycle.Update
		field string
	}{
		{"invited without link", lifecycle.StateRequested, lifecycle.Update{Kind: lifecycle.UpdateInvited}, "Link"},
		{"scheduled without time", lifecycle.StateInvited, lifecycle.Update{Kind: lifecycle.UpdateScheduled}, "At"},
		{"rescheduled without time", lifecycle.StateScheduled, lifecycle.Update{Kind: lifecycle.UpdateRescheduled}, "At"},
		{"completed without result", lifecycle.StateScheduled, lifecycle.Update{Kind: lifecycle.UpdateCompleted}, "Result"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			iv := reach(t, h, tc.from)
			h.Drain()
			notes := len(h.ATS.NotesOf(iv.CandidateID))
			_, err := h.Engine.Report(ctx, iv.ID, tc.u)
			var ue *lifecycle.UpdateError
			if !errors.As(err, &ue) || !errors.Is(err, lifecycle.ErrInvalidUpdate) {
				t.Fatalf("Report = %v, want an *UpdateError", err)
			}
			if diff := cmp.Diff(&lifecycle.UpdateError{Kind: tc.u.Kind, Field: tc.field}, ue); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			h.Drain()
			if got := h.Only(iv.CandidateID).State; got != tc.from {
				t.Errorf("state = %s, want %s unchanged", got, tc.from)
			}
			if got := len(h.ATS.NotesOf(iv.CandidateID)); got != notes {
				t.Errorf("%d notes posted for a refused update", got-notes)
			}
		})
	}
}

// TestSecondCompletion: the same result again is a harmless redelivery; a
// different one is refused with a *ResultConflictError, not dropped.
func TestSecondCompletion(t *testing.T) {
	first := &ats.Result{Grade: ats.GradePassed, Score: "80"}
	tests := []struct {
		name    string
		second  *ats.Result
		wantErr error
	}{
		{"same result", &ats.Result{Grade: ats.GradePassed, Score: "80"}, nil},
		{"different result", &ats.Result{Grade: ats.GradeFailed, Score: "30"}, lifecycle.ErrResultConflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			iv := reach(t, h, lifecycle.StateScheduled)
			if _, err := h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateCompleted, Result: first}); err != nil {
				t.Fatal(err)
			}
			h.Drain()
			_, err := h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateCompleted, Result: tc.second})
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("second completion = %v, want %v", err, tc.wantErr)
			}
			got := h.Only(iv.CandidateID)
			if diff := cmp.Diff(first, got.Result); diff != "" {
				t.Errorf("stored result (-want +got):\n%s", diff)
			}
		})
	}
}
