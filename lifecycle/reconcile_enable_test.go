package lifecycle_test

import (
	"context"
	"io"
	"iter"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/internal/fakeats"
)

// TestEventWhileDisabledRecoveredOnEnable: a candidate moved into the
// trigger stage while the connection was disabled starts nothing then,
// and gets an interview when the connection is enabled again.
func TestEventWhileDisabledRecoveredOnEnable(t *testing.T) {
	tn := newTenants(t)
	_, err := tn.engine.DisableConnection(ctx, "acme", "off")
	require.NoError(t, err)
	tn.ats["acme"].PutCandidate(ats.Candidate{ID: "c2", JobID: enginetest.JobID, Emails: []string{"c2@acme.example"}, Stage: ats.StageRef{ID: enginetest.StageTrigger}})
	require.NoError(t, tn.engine.AcceptEvents(ctx, []ats.Event{{ID: "d-c2", Connection: "acme", Source: "workable", Kind: ats.EventStageChanged,
		CandidateID: "c2", JobID: enginetest.JobID, ToStage: ats.StageRef{ID: enginetest.StageTrigger}}}))
	tn.drain()
	ivs, err := tn.engine.Interviews(ctx, lifecycle.InterviewFilter{Connection: "acme", CandidateID: "c2"})
	require.NoError(t, err)
	require.Empty(t, ivs, "a disabled connection starts nothing")

	_, err = tn.engine.EnableConnection(ctx, "acme", "on")
	require.NoError(t, err)
	tn.drain() // the reconcile's decisions go through the inbox
	ivs, err = tn.engine.Interviews(ctx, lifecycle.InterviewFilter{Connection: "acme", CandidateID: "c2"})
	require.NoError(t, err)
	require.Len(t, ivs, 1, "c2 entered the stage while acme was disabled; enabling must start its interview")
}

// TestRunReconcilesAtStart: with default options, Run reconciles every
// enabled connection when it starts, so a candidate whose webhook was
// missed gets an interview without waiting an interval (decided by a
// dispatcher, as the store has an inbox).
func TestRunReconcilesAtStart(t *testing.T) {
	tn := newTenants(t)
	// A webhook never delivered: the candidate is just there.
	tn.ats["acme"].PutCandidate(ats.Candidate{ID: "c2", JobID: enginetest.JobID, Emails: []string{"c2@acme.example"}, Stage: ats.StageRef{ID: enginetest.StageTrigger}})
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	started := make(chan string, 4)
	e := lifecycle.NewEngine(tn.store, lifecycle.Options{Connector: tn.conns, Vendor: tn.vendor, VendorName: "InterviewVector", Now: tn.clock.Now,
		OnStateChange: func(_ context.Context, c lifecycle.InterviewStateChange) {
			started <- c.Interview.CandidateID
			cancel()
		}})
	done := make(chan error, 2)
	go func() { done <- e.Run(rctx) }()
	go func() { done <- e.Dispatcher(lifecycle.DispatcherOptions{Owner: "run"}).Run(rctx) }()
	require.Equal(t, "c2", <-started)
	require.ErrorIs(t, <-done, context.Canceled)
	<-done
	ivs, err := tn.engine.Interviews(ctx, lifecycle.InterviewFilter{Connection: "acme", CandidateID: "c2"})
	require.NoError(t, err)
	require.Len(t, ivs, 1)
}

// TestRequeueEvents: inbox events given up on are put back in line by
// RequeueEvent and by EnableConnection, and processed once the cause is
// gone.
func TestRequeueEvents(t *testing.T) {
	for _, tc := range []struct {
		name    string
		requeue func(tn *tenants, id string) error
	}{
		{"RequeueEvent", func(tn *tenants, id string) error { return tn.engine.RequeueEvent(ctx, id) }},
		{"RequeueEvents", func(tn *tenants, _ string) error {
			n, err := tn.engine.RequeueEvents(ctx, "acme")
			require.Equal(t, 1, n)
			return err
		}},
		{"EnableConnection", func(tn *tenants, _ string) error {
			if _, err := tn.engine.DisableConnection(ctx, "acme", "off"); err != nil {
				return err
			}
			_, err := tn.engine.EnableConnection(ctx, "acme", "on")
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tn := newTenants(t)
			// Reading the candidate fails permanently (a 422) once.
			tn.ats["acme"].Fail("Candidate", ats.ErrValidation)
			tn.ats["acme"].PutCandidate(ats.Candidate{ID: "c9", JobID: enginetest.JobID, Emails: []string{"c9@acme.example"}, Stage: ats.StageRef{ID: enginetest.StageTrigger}})
			require.NoError(t, tn.engine.AcceptEvents(ctx, []ats.Event{{ID: "d-c9", Connection: "acme", Source: "workable", Kind: ats.EventStageChanged,
				CandidateID: "c9", JobID: enginetest.JobID, ToStage: ats.StageRef{ID: enginetest.StageTrigger}}}))
			tn.drain()
			failed, err := tn.engine.InboxEvents(ctx, lifecycle.InboxFilter{Connection: "acme", State: lifecycle.InboxFailed})
			require.NoError(t, err)
			require.Len(t, failed, 1)
			require.ErrorIs(t, tn.engine.RequeueEvent(ctx, "in_nope"), lifecycle.ErrNotFound)
			require.NoError(t, tc.requeue(tn, failed[0].ID))
			again, err := tn.engine.InboxEvents(ctx, lifecycle.InboxFilter{Connection: "acme", State: lifecycle.InboxFailed})
			require.NoError(t, err)
			require.Empty(t, again)
			tn.drain()
			ivs, err := tn.engine.Interviews(ctx, lifecycle.InterviewFilter{Connection: "acme", CandidateID: "c9"})
			require.NoError(t, err)
			require.Len(t, ivs, 1, "the requeued event (or the reconcile of enabling) starts c9's interview")
		})
	}
}

// stalledLister is an adapter whose candidate listing hangs until release
// is closed: a reconciliation pass over a huge or throttled account.
type stalledLister struct {
	*fakeats.ATS
	listing chan struct{}
	release chan struct{}
}

func (s stalledLister) Candidates(ctx context.Context, f ats.CandidateFilter) iter.Seq2[ats.Candidate, error] {
	return func(yield func(ats.Candidate, error) bool) {
		select {
		case s.listing <- struct{}{}:
		default:
		}
		select {
		case <-s.release:
		case <-ctx.Done():
			yield(ats.Candidate{}, ctx.Err())
			return
		}
		for c, err := range s.ATS.Candidates(ctx, f) {
			if !yield(c, err) {
				return
			}
		}
	}
}

// TestRunExpiresWhileReconciling: a reconciliation pass that takes long
// (here: never ends until released) does not hold up invitation expiry.
func TestRunExpiresWhileReconciling(t *testing.T) {
	tn := newTenants(t)
	require.NoError(t, tn.move("acme", enginetest.StageTrigger))
	ivs, err := tn.engine.Interviews(ctx, lifecycle.InterviewFilter{Connection: "acme", CandidateID: "c1"})
	require.NoError(t, err)
	require.Len(t, ivs, 1)
	_, err = tn.engine.Report(ctx, ivs[0].ID, lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://vendor.example/s/1",
		ExpiresAt: tn.clock.Now().Add(time.Hour)})
	require.NoError(t, err)
	tn.clock.Advance(2 * time.Hour) // the invitation is overdue

	stalled := stalledLister{ATS: tn.ats["acme"], listing: make(chan struct{}, 1), release: make(chan struct{})}
	defer close(stalled.release)
	tn.conns.Set("acme", stalled)
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	expired := make(chan lifecycle.State, 4)
	e := lifecycle.NewEngine(tn.store, lifecycle.Options{Connector: tn.conns, Vendor: tn.vendor, VendorName: "InterviewVector", Now: tn.clock.Now,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnStateChange: func(_ context.Context, c lifecycle.InterviewStateChange) { expired <- c.To }})
	done := make(chan error, 1)
	go func() { done <- e.Run(rctx) }()
	<-stalled.listing // reconciliation is under way, and hangs
	select {
	case st := <-expired:
		require.Equal(t, lifecycle.StateExpired, st)
	case <-time.After(30 * time.Second): // a failure bound, not a synchronisation
		t.Fatal("the overdue invitation did not expire while a reconciliation pass was in progress")
	}
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}

// TestEnableEnabledConnectionIsNoop: enabling a connection that is already
// enabled changes nothing — inbox events given up on stay failed and no
// reconcile runs — while enabling a disabled one requeues them and
// reconciles.
func TestEnableEnabledConnectionIsNoop(t *testing.T) {
	for _, tc := range []struct {
		name        string
		disable     bool
		wantFailed  int
		wantPending int
	}{
		{"already enabled", false, 1, 0},
		// The failed event, requeued, and the reconcile's decisions
		// for c8 and c9 (in the stage without an interview).
		{"disabled", true, 0, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tn := newTenants(t)
			tn.ats["acme"].Fail("Candidate", ats.ErrValidation)
			tn.ats["acme"].PutCandidate(ats.Candidate{ID: "c9", JobID: enginetest.JobID, Emails: []string{"c9@acme.example"}, Stage: ats.StageRef{ID: enginetest.StageTrigger}})
			require.NoError(t, tn.engine.AcceptEvents(ctx, []ats.Event{{ID: "d-c9", Connection: "acme", Source: "workable", Kind: ats.EventStageChanged,
				CandidateID: "c9", JobID: enginetest.JobID, ToStage: ats.StageRef{ID: enginetest.StageTrigger}}}))
			tn.drain()
			// c8's webhook was missed: a reconcile would queue it.
			tn.ats["acme"].PutCandidate(ats.Candidate{ID: "c8", JobID: enginetest.JobID, Emails: []string{"c8@acme.example"}, Stage: ats.StageRef{ID: enginetest.StageTrigger}})
			if tc.disable {
				_, err := tn.engine.DisableConnection(ctx, "acme", "off")
				require.NoError(t, err)
			}
			_, err := tn.engine.EnableConnection(ctx, "acme", "on")
			require.NoError(t, err)
			failed, err := tn.engine.InboxEvents(ctx, lifecycle.InboxFilter{Connection: "acme", State: lifecycle.InboxFailed})
			require.NoError(t, err)
			pending, err := tn.engine.InboxEvents(ctx, lifecycle.InboxFilter{Connection: "acme", State: lifecycle.InboxPending})
			require.NoError(t, err)
			require.Equal(t, []int{tc.wantFailed, tc.wantPending}, []int{len(failed), len(pending)}, "failed, pending inbox events")
		})
	}
}
