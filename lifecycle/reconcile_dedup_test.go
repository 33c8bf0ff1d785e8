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
// tick next to EnableConnection or ActivatePosition) queue each decision
// once, and a decision queued twice anyway (the second pass ran while the
// first copy was being processed) costs one ATS read: the second copy
// finds it made. Events queued by an earlier version, which do not say
// what they were queued for, are still decided on a read each.
func TestReconcileTwiceBeforeDrainReadsOnce(t *testing.T) {
	const n = 3
	live := []lifecycle.State{lifecycle.StateRequested, lifecycle.StateNeedsInfo, lifecycle.StateInvited, lifecycle.StateScheduled}
	lostStarts := func(h *enginetest.Harness, ids []string) {
		for _, id := range ids {
			h.Candidate(id)
			h.MoveEvent(id, enginetest.StageTrigger) // webhook lost
		}
	}
	lostLeaves := func(h *enginetest.Harness, ids []string) {
		for _, id := range ids {
			h.Candidate(id)
			h.Move(id, enginetest.StageTrigger)
		}
		h.Drain()
		for _, id := range ids {
			h.MoveEvent(id, enginetest.StageOffer) // webhook lost
		}
	}
	// queueTwice accepts two copies of a reconcile event per candidate,
	// saying what it was queued for as Reconcile does (or not, as an
	// earlier version did).
	queueTwice := func(t *testing.T, h *enginetest.Harness, ids []string, to, from ats.StageRef) {
		var evs []ats.Event
		for _, id := range ids {
			ev := ats.Event{Source: enginetest.Source, Kind: ats.EventStageChanged, Type: "atskit.reconcile",
				CandidateID: id, JobID: enginetest.JobID, ToStage: to, FromStage: from}
			evs = append(evs, ev, ev)
		}
		if err := h.Engine.AcceptEvents(ctx, evs); err != nil {
			t.Fatal(err)
		}
	}
	trigger := ats.StageRef{ID: enginetest.StageTrigger}
	for _, tc := range []struct {
		name string
		// setup leaves n candidates whose webhooks were lost and has
		// their decisions queued.
		setup      func(t *testing.T, h *enginetest.Harness, ids []string)
		wantQueued int
		wantReads  int
		wantLive   int
	}{
		{
			name: "start, two passes",
			setup: func(t *testing.T, h *enginetest.Harness, ids []string) {
				lostStarts(h, ids)
				reconcileTwice(t, h)
			},
			wantQueued: n, wantReads: n, wantLive: n,
		},
		{
			name: "cancel, two passes",
			setup: func(t *testing.T, h *enginetest.Harness, ids []string) {
				lostLeaves(h, ids)
				reconcileTwice(t, h)
			},
			wantQueued: n, wantReads: n, wantLive: 0,
		},
		{
			name: "start queued twice",
			setup: func(t *testing.T, h *enginetest.Harness, ids []string) {
				lostStarts(h, ids)
				queueTwice(t, h, ids, trigger, ats.StageRef{})
			},
			wantQueued: 2 * n, wantReads: n, wantLive: n,
		},
		{
			name: "cancel queued twice",
			setup: func(t *testing.T, h *enginetest.Harness, ids []string) {
				lostLeaves(h, ids)
				queueTwice(t, h, ids, ats.StageRef{}, trigger)
			},
			wantQueued: 2 * n, wantReads: n, wantLive: 0,
		},
		{
			name: "start queued twice by an earlier version",
			setup: func(t *testing.T, h *enginetest.Harness, ids []string) {
				lostStarts(h, ids)
				queueTwice(t, h, ids, ats.StageRef{}, ats.StageRef{})
			},
			wantQueued: 2 * n, wantReads: 2 * n, wantLive: n,
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
			if diff := cmp.Diff(tc.wantQueued, len(pending)); diff != "" {
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
