package enginetest

import (
	"context"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
)

// Reconcile checks Engine.Reconcile over a store that implements
// lifecycle.Inbox: its decisions are queued under the candidate's order
// key and made by a dispatcher on the candidate as read then, so a
// candidate seen out of the stage who moved back in keeps the interview;
// and a candidate whose interview was cancelled when they left the stage
// and who came back while the connection was disabled gets it restarted.
func Reconcile(t *testing.T, newStore func(t *testing.T) lifecycle.Store) {
	ctx := context.Background()
	invited := func(t *testing.T, h *Harness, id string) lifecycle.Interview {
		t.Helper()
		h.Candidate(id)
		h.Move(id, StageTrigger)
		iv, err := h.Engine.Report(ctx, h.Only(id).ID, lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://v.example/s/" + id})
		if err != nil {
			t.Fatal(err)
		}
		h.Drain()
		return iv
	}
	t.Run("decided in the candidate's order", func(t *testing.T) {
		h := New(t, newStore(t))
		iv := invited(t, h, "c1")
		h.MoveEvent("c1", StageOffer) // the webhook is lost
		res, err := h.Engine.Reconcile(ctx, Source)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Queued || res.Cancelled != 1 {
			t.Fatalf("Reconcile = %+v, want one candidate queued for a decision", res)
		}
		if got := h.Only("c1").State; got != lifecycle.StateInvited {
			t.Fatalf("after Reconcile c1 = %s, want invited until the dispatcher decides", got)
		}
		// Back in the stage; the webhook is queued behind the decision.
		if err := h.Engine.AcceptEvents(ctx, []ats.Event{h.MoveEvent("c1", StageTrigger)}); err != nil {
			t.Fatal(err)
		}
		h.wantInbox(t, map[lifecycle.InboxState]int{lifecycle.InboxPending: 2})
		h.Drain()
		if got := h.Only("c1"); got.State != lifecycle.StateInvited || got.ID != iv.ID {
			t.Errorf("c1 = %s (%s), want %s still invited", got.State, got.ID, iv.ID)
		}
	})
	t.Run("back in the stage while disabled", func(t *testing.T) {
		h := New(t, newStore(t))
		invited(t, h, "c1")
		h.Move("c1", StageOffer)
		if _, err := h.Engine.DisableConnection(ctx, Source, "off"); err != nil {
			t.Fatal(err)
		}
		h.Move("c1", StageTrigger) // starts nothing: disabled
		if got := h.Only("c1"); got.State != lifecycle.StateCancelled || !got.LeftStage {
			t.Fatalf("c1 = %s (left stage %t), want cancelled as having left the stage", got.State, got.LeftStage)
		}
		if _, err := h.Engine.EnableConnection(ctx, Source, "on"); err != nil {
			t.Fatal(err)
		}
		h.Drain()
		if got := h.Only("c1"); got.State != lifecycle.StateRequested || got.Attempt != 2 {
			t.Errorf("c1 = %s attempt %d, want requested again (attempt 2)", got.State, got.Attempt)
		}
	})
}
