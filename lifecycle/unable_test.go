package lifecycle_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
)

// TestUnableErrorPostsAtOnce: a vendor refusal naming an unable-to-schedule
// reason (*lifecycle.UnableError, however wrapped) ends the interview with
// that reason at the first failure, without retries, and its note says the
// reason and the vendor's sentence — never the Go error text.
func TestUnableErrorPostsAtOnce(t *testing.T) {
	goText := errors.New("acme-vendor: POST /v2/interviews: 409 template_archived")
	const prefix = "InterviewVector: unable to schedule the Technical interview with Ada c1: "
	tests := []struct {
		name       string
		err        error
		wantReason lifecycle.UnableReason
		wantNote   string
	}{
		{"organisation cancelled", &lifecycle.UnableError{Reason: lifecycle.ReasonOrganisationCancel, Detail: "the interview template was archived", Err: goText},
			lifecycle.ReasonOrganisationCancel, prefix + "the organisation cancelled the interview (the interview template was archived)."},
		{"candidate cancelled, wrapped", fmt.Errorf("acme-vendor: %w", &lifecycle.UnableError{Reason: lifecycle.ReasonCandidateCancelled, Detail: "the candidate opted out of automated interviews"}),
			lifecycle.ReasonCandidateCancelled, prefix + "the candidate cancelled the interview (the candidate opted out of automated interviews)."},
		{"no reason, no detail", &lifecycle.UnableError{Err: goText},
			lifecycle.ReasonOther, prefix + "the interview could not be held (the interview could not be created)."},
		{"credits inside", &lifecycle.UnableError{Err: fmt.Errorf("402: %w", lifecycle.ErrInsufficientCredits)},
			lifecycle.ReasonInsufficientCredits, prefix + "insufficient credits (the interview could not be created: the interview account has no credits left)."},
		{"reason atskit does not define", &lifecycle.UnableError{Reason: "template_missing", Detail: "the interview template is missing"},
			"template_missing", prefix + "the interview could not be held (the interview template is missing)."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.Candidate("c1")
			h.Vendor.Fail("CreateInterview", tc.err)
			h.Move("c1", enginetest.StageTrigger)
			h.Drain()
			iv := h.Only("c1")
			got := struct {
				State  lifecycle.State
				Reason lifecycle.UnableReason
				Notes  []string
				Asked  int
			}{iv.State, iv.Reason, notesWithoutMarker(h, "c1"), len(h.Vendor.Requests())}
			want := got
			want.State, want.Reason, want.Notes, want.Asked = lifecycle.StateUnableToSchedule, tc.wantReason, []string{tc.wantNote}, 1 // asked once, never again
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			creates := effectsOf(t, h, lifecycle.EffectVendorCreate)
			if len(creates) != 1 || creates[0].Attempts != 1 || creates[0].State != lifecycle.EffectFailed {
				t.Errorf("vendor create effects %+v, want one failed after 1 attempt", creates)
			}
		})
	}
}
