package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/internal/fakeats"
	"github.com/atskit/atskit/lifecycle/memstore"
)

// brokenListing lists the fake's candidates and fails after the first
// `after` of them, as a listing whose next page answers 503 does.
type brokenListing struct {
	*fakeats.ATS
	after int
	err   error
}

func (l brokenListing) Candidates(ctx context.Context, f ats.CandidateFilter) iter.Seq2[ats.Candidate, error] {
	return func(yield func(ats.Candidate, error) bool) {
		n := 0
		for c, err := range l.ATS.Candidates(ctx, f) {
			if err == nil && n == l.after {
				err = l.err
			}
			n++
			if !yield(c, err) || err != nil {
				return
			}
		}
	}
}

// TestReconcileListingErrorKeepsFoundDecisions: a listing that fails
// part-way returns the error, but the decisions already found are queued
// (not dropped with the error) and counted, and only those.
func TestReconcileListingErrorKeepsFoundDecisions(t *testing.T) {
	listErr := errors.New("503 from the ATS")
	for _, tc := range []struct {
		name           string
		candidates     int
		after          int
		wantStarted    int
		wantInboxQueue int
	}{
		{name: "fails after two of five", candidates: 5, after: 2, wantStarted: 2, wantInboxQueue: 2},
		{name: "fails at once", candidates: 3, after: 0, wantStarted: 0, wantInboxQueue: 0},
		{name: "does not fail", candidates: 3, after: 3, wantStarted: 3, wantInboxQueue: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := enginetest.New(t, memstore.New())
			for i := range tc.candidates {
				id := fmt.Sprintf("c%d", i)
				h.Candidate(id)
				h.MoveEvent(id, enginetest.StageTrigger) // webhook lost
			}
			h.Connector.Set(enginetest.Source, brokenListing{ATS: h.ATS, after: tc.after, err: listErr})
			res, err := h.Engine.Reconcile(ctx, enginetest.Source)
			if tc.after < tc.candidates && !errors.Is(err, listErr) {
				t.Fatalf("Reconcile error = %v, want %v", err, listErr)
			}
			if diff := cmp.Diff(tc.wantStarted, res.Started); diff != "" {
				t.Errorf("ReconcileResult.Started (-want +got):\n%s", diff)
			}
			evs, err := h.Engine.InboxEvents(ctx, lifecycle.InboxFilter{State: lifecycle.InboxPending})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantInboxQueue, len(evs)); diff != "" {
				t.Errorf("decisions queued in the inbox (-want +got):\n%s", diff)
			}
			h.Drain()
			ivs, err := h.Engine.Interviews(ctx, lifecycle.InterviewFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantInboxQueue, len(ivs)); diff != "" {
				t.Errorf("interviews started once drained (-want +got):\n%s", diff)
			}
		})
	}
}
