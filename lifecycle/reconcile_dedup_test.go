package lifecycle_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/memstore"
)

// TestReconcileTwiceBeforeDrainReadsOnce: two reconciles before the
// dispatchers catch up (a backlog on a rate-limited account, or Run's
// tick next to EnableConnection or ActivatePosition) queue each candidate
// twice; the second copy finds the decision made and costs no ATS read.
// Events queued by an earlier version, which do not say what they were
// queued for, are still decided on a read each.
func TestReconcileTwiceBeforeDrainReadsOnce(t *testing.T) {
	const n = 3
	live := []lifecycle.State{lifecycle.StateRequested, lifecycle.StateNeedsInfo, lifecycle.StateInvited, lifecycle.StateScheduled}
	for _, tc := range []struct {
		name string
		// setup leaves n candidates whose webhooks were lost and queues
		// two decisions for each.
		setup     func(t *testing.T, h *enginetest.Harness, ids []string)
		wantReads int
		wantLive  int
	}{
		{
			name: "start",
			setup: func(t *testing.T, h *enginetest.Harness, ids []string) {
				for _, id := range ids {
					h.Candidate(id)
					h.MoveEvent(id, enginetest.StageTrigger) // webhook lost
				}
				reconcileTwice(t, h)
			},
			wantReads: n,
			wantLive:  n,
		},
		{
			name: "cancel",
			setup: func(t *testing.T, h *enginetest.Harness, ids []string) {
				for _, id := range ids {
					h.Candidate(id)
					h.Move(id, enginetest.StageTrigger)
				}
				h.Drain()
				for _, id := range ids {
					h.MoveEvent(id, enginetest.StageOffer) // webhook lost
				}
				reconcileTwice(t, h)
			},
			wantReads: n,
			wantLive:  0,
		},
		{
			name: "start queued by an earlier version",
			setup: func(t *testing.T, h *enginetest.Harness, ids []string) {
				var evs []ats.Event
				for _, id := range ids {
					h.Candidate(id)
					h.MoveEvent(id, enginetest.StageTrigger) // webhook lost
					ev := ats.Event{Source: enginetest.Source, Kind: ats.EventStageChanged, Type: "atskit.reconcile",
						CandidateID: id, JobID: enginetest.JobID}
					evs = append(evs, ev, ev)
				}
				if err := h.Engine.AcceptEvents(ctx, evs); err != nil {
					t.Fatal(err)
				}
			},
			wantReads: 2 * n,
			wantLive:  n,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := enginetest.New(t, memstore.New())
			var ids []string
			for i := range n {
				ids = append(ids, fmt.Sprintf("c%d", i))
			}
			tc.setup(t, h, ids)
			pending, err := h.Engine.InboxEvents(ctx, lifecycle.InboxFilter{State: lifecycle.InboxPending})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(2*n, len(pending)); diff != "" {
				t.Fatalf("queued decisions (-want +got):\n%s", diff)
			}
			before := h.ATS.Calls("Candidate")
			h.Drain()
			if diff := cmp.Diff(tc.wantReads, h.ATS.Calls("Candidate")-before); diff != "" {
				t.Errorf("candidate reads while draining (-want +got):\n%s", diff)
			}
			ivs, err := h.Engine.Interviews(ctx, lifecycle.InterviewFilter{States: live})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantLive, len(ivs)); diff != "" {
				t.Errorf("live interviews once drained (-want +got):\n%s", diff)
			}
		})
	}
}

// reconcileTwice runs two reconciles of the harness's connection without
// a dispatcher in between.
func reconcileTwice(t *testing.T, h *enginetest.Harness) {
	t.Helper()
	for range 2 {
		if _, err := h.Engine.Reconcile(ctx, enginetest.Source); err != nil {
			t.Fatal(err)
		}
	}
}
