package lifecycle_test

import (
	"context"
	"fmt"
	"iter"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/internal/fakeats"
	"github.com/atskit/atskit/lifecycle/memstore"
)

// reconcileStores are the two ways Reconcile decides: through the store's
// inbox (the dispatcher decides, in the candidate's order) and directly,
// for a store without one.
var reconcileStores = []struct {
	name  string
	store func() lifecycle.Store
	queue bool
}{
	{"inbox", func() lifecycle.Store { return memstore.New() }, true},
	{"no inbox", func() lifecycle.Store { return storeWithoutInbox{memstore.New()} }, false},
}

// TestReconcile: candidates whose webhooks were missed are recovered —
// one who sits in the trigger stage gets an interview, one who left gets
// the live interview cancelled — and a second run changes nothing.
func TestReconcile(t *testing.T) {
	for _, st := range reconcileStores {
		t.Run(st.name, func(t *testing.T) {
			h := enginetest.New(t, st.store())
			// r1's "entered the stage" webhook never arrived.
			r1 := h.Candidate("r1")
			r1.Stage = ats.StageRef{ID: enginetest.StageTrigger, Name: "InterviewVector"}
			h.ATS.PutCandidate(r1)
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
			if diff := cmp.Diff(lifecycle.ReconcileResult{Positions: 1, Seen: 1, Started: 1, Cancelled: 1, Queued: st.queue}, res); diff != "" {
				t.Errorf("first run (-want +got):\n%s", diff)
			}
			h.Drain()
			if got := h.Only("r1").State; got != lifecycle.StateRequested {
				t.Errorf("r1 = %s, want requested", got)
			}
			if got := h.Only(iv2.CandidateID); got.State != lifecycle.StateCancelled || !got.LeftStage {
				t.Errorf("c2 = %s (left stage %t), want cancelled as having left the stage", got.State, got.LeftStage)
			}
			res, err = h.Engine.Reconcile(ctx, iv2.Connection)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(lifecycle.ReconcileResult{Positions: 1, Seen: 1, Queued: st.queue}, res); diff != "" {
				t.Errorf("second run (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReconcileRestartsAfterReentry: a candidate whose interview was
// cancelled because they left the trigger stage, and who came back while
// the connection was disabled (the move started nothing), gets the
// interview restarted by reconciling, as the move's webhook would have;
// interviews that ended otherwise while the candidate stayed in the stage
// (cancelled by the host, expired) are not restarted.
func TestReconcileRestartsAfterReentry(t *testing.T) {
	for _, st := range reconcileStores {
		for _, tc := range []struct {
			name string
			end  func(t *testing.T, h *enginetest.Harness, iv lifecycle.Interview)
			want lifecycle.State
		}{
			{"left and came back while disabled", func(t *testing.T, h *enginetest.Harness, iv lifecycle.Interview) {
				h.Move(iv.CandidateID, enginetest.StageOffer)
				_, err := h.Engine.DisableConnection(ctx, enginetest.Source, "off")
				require.NoError(t, err)
				h.Move(iv.CandidateID, enginetest.StageTrigger) // recorded, starts nothing
				_, err = h.Engine.EnableConnection(ctx, enginetest.Source, "on")
				require.NoError(t, err)
			}, lifecycle.StateRequested},
			{"cancelled by the host", func(t *testing.T, h *enginetest.Harness, iv lifecycle.Interview) {
				_, err := h.Engine.Cancel(ctx, iv.ID, "position filled")
				require.NoError(t, err)
			}, lifecycle.StateCancelled},
			{"expired", func(t *testing.T, h *enginetest.Harness, iv lifecycle.Interview) {
				_, err := h.Engine.ExpireDue(ctx, h.Clock.Now().Add(200*time.Hour))
				require.NoError(t, err)
			}, lifecycle.StateExpired},
		} {
			t.Run(st.name+"/"+tc.name, func(t *testing.T) {
				h := enginetest.New(t, st.store())
				iv := reach(t, h, lifecycle.StateInvited)
				tc.end(t, h, iv)
				h.Drain()
				_, err := h.Engine.Reconcile(ctx, iv.Connection)
				require.NoError(t, err)
				h.Drain()
				got := h.Only(iv.CandidateID)
				require.Equal(t, tc.want, got.State)
				if tc.want == lifecycle.StateRequested {
					require.Equal(t, 2, got.Attempt, "a fresh attempt")
					require.False(t, got.LeftStage, "a restart clears LeftStage")
				}
			})
		}
	}
}

// otherJobLister lists candidates without filtering by job (as an ATS
// listing may not), and, when blankJob, without their job.
type otherJobLister struct {
	*fakeats.ATS
	blankJob bool
}

func (l otherJobLister) Candidates(ctx context.Context, f ats.CandidateFilter) iter.Seq2[ats.Candidate, error] {
	f.JobID = ""
	return func(yield func(ats.Candidate, error) bool) {
		for c, err := range l.ATS.Candidates(ctx, f) {
			if l.blankJob {
				c.JobID = ""
			}
			if !yield(c, err) {
				return
			}
		}
	}
}

// TestReconcileOtherJob: a candidate in a stage with the trigger stage's ID
// but for another job — listed with that job, or listed without one and
// read with it — is never started under this position.
func TestReconcileOtherJob(t *testing.T) {
	for _, st := range reconcileStores {
		for _, blank := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/listed without job %t", st.name, blank), func(t *testing.T) {
				h := enginetest.New(t, st.store())
				h.ATS.PutCandidate(ats.Candidate{ID: "x1", JobID: "OTHERJOB", Emails: []string{"x1@example.com"},
					Stage: ats.StageRef{ID: enginetest.StageTrigger, Name: "InterviewVector"}})
				h.Connector.Set(enginetest.Source, otherJobLister{ATS: h.ATS, blankJob: blank})
				_, err := h.Engine.Reconcile(ctx, enginetest.Source)
				require.NoError(t, err)
				h.Drain()
				ivs, err := h.Engine.Interviews(ctx, lifecycle.InterviewFilter{CandidateID: "x1"})
				require.NoError(t, err)
				require.Empty(t, ivs, "a candidate of another job got an interview under this position")
			})
		}
	}
}

// TestReconcileDecidesInCandidateOrder: with an inbox, Reconcile decides
// nothing itself; it queues the candidate with the order key of the
// candidate's webhook events, so a candidate it saw out of the stage who
// moved back in (a webhook in the inbox meanwhile) keeps the interview:
// the decision is made on the candidate as read when it is the
// candidate's turn.
func TestReconcileDecidesInCandidateOrder(t *testing.T) {
	h := newHarness(t)
	iv := reach(t, h, lifecycle.StateInvited)
	h.Drain()
	h.MoveEvent(iv.CandidateID, enginetest.StageOffer) // its webhook is lost
	res, err := h.Engine.Reconcile(ctx, iv.Connection)
	require.NoError(t, err)
	require.Equal(t, 1, res.Cancelled)
	require.True(t, res.Queued)
	require.Equal(t, lifecycle.StateInvited, h.Only(iv.CandidateID).State, "Reconcile decided outside the candidate's order")
	pending, err := h.Engine.InboxEvents(ctx, lifecycle.InboxFilter{State: lifecycle.InboxPending})
	require.NoError(t, err)
	require.Len(t, pending, 1)
	// The recruiter moves the candidate back; that webhook is queued
	// behind reconcile's decision, under the same order key.
	require.NoError(t, h.Engine.AcceptEvents(ctx, []ats.Event{h.MoveEvent(iv.CandidateID, enginetest.StageTrigger)}))
	pending, err = h.Engine.InboxEvents(ctx, lifecycle.InboxFilter{State: lifecycle.InboxPending})
	require.NoError(t, err)
	require.Len(t, pending, 2)
	require.Equal(t, pending[0].OrderKey, pending[1].OrderKey, "reconcile's decision and the webhook are ordered apart")
	h.Drain()
	require.Equal(t, lifecycle.StateInvited, h.Only(iv.CandidateID).State, "the candidate is back in the stage; the interview must stand")
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
	h.Drain() // the activation's reconcile decides through the inbox
	if got := h.Only("c1").State; got != lifecycle.StateRequested {
		t.Errorf("after activation c1 = %s, want requested", got)
	}
}
