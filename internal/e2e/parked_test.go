package e2e

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/workable/workabletest"
)

// TestRevokedTokenParksResult: with the Workable token revoked the
// completion note cannot land; it is parked (not failed, not retried in a
// loop), and the interview is not reported. Once the token is restored
// and the connection's parked effects are requeued, the note lands and the
// interview is reported.
func TestRevokedTokenParksResult(t *testing.T) {
	f := newFlow(t, "workable")
	ada := f.rig.addCandidate(t, "Ada Lovelace", "ada@example.com")
	f.rig.recruiterMove(t, ada, stageTrigger)
	f.settle()
	iv := f.only(ada)
	f.report(iv.ID, lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://iv.example/s/ada"})

	f.wk.RevokeToken(workabletest.DefaultAPIKey)
	if _, err := f.engine.Report(f.ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateCompleted,
		Result: &ats.Result{Grade: ats.GradeFailed, Score: "41", ReportURL: "https://iv.example/r/ada"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.disp.Drain(f.ctx); err != nil {
		t.Fatal(err)
	}
	parked, err := f.engine.Effects(f.ctx, lifecycle.EffectFilter{State: lifecycle.EffectParked, InterviewID: iv.ID})
	if err != nil {
		t.Fatal(err)
	}
	// The note is parked; the candidate's later effects wait behind the
	// connection's cool-down (and would park in turn), none delivered.
	var kinds []lifecycle.EffectKind
	for _, e := range parked {
		kinds = append(kinds, e.Kind)
	}
	if diff := cmp.Diff([]lifecycle.EffectKind{lifecycle.EffectNote}, kinds); diff != "" {
		t.Errorf("parked effects (-want +got):\n%s", diff)
	}
	if got := f.only(ada).State; got != lifecycle.StateCompleted {
		t.Errorf("state with the result parked = %s, want completed (not reported)", got)
	}
	notesBefore := len(f.rig.notes(ada))

	f.wk.AddToken(workabletest.DefaultAPIKey, workabletest.AllScopes()...)
	n, err := f.engine.RequeueConnection(f.ctx, "workable")
	if err != nil {
		t.Fatal(err)
	}
	if n < len(parked) {
		t.Errorf("RequeueConnection = %d, want at least %d", n, len(parked))
	}
	f.settle()
	if got := len(f.rig.notes(ada)); got != notesBefore+1 {
		t.Errorf("notes after requeue = %d, want %d", got, notesBefore+1)
	}
	if got := f.only(ada).State; got != lifecycle.StateReported {
		t.Errorf("state after requeue = %s, want reported", got)
	}
	f.noEffectsLeft()
}
