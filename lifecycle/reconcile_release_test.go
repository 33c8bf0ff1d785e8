package lifecycle_test

import (
	"context"
	"iter"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/internal/fakeats"
	"github.com/atskit/atskit/lifecycle/memstore"
)

// interruptedLister lists, then has the pass interrupted (cancel: Run
// stopping) before the listing ends.
type interruptedLister struct {
	*fakeats.ATS
	cancel context.CancelFunc
}

func (l interruptedLister) Candidates(ctx context.Context, f ats.CandidateFilter) iter.Seq2[ats.Candidate, error] {
	return func(yield func(ats.Candidate, error) bool) {
		for range l.ATS.Candidates(ctx, f) {
		}
		l.cancel()
		yield(ats.Candidate{}, ctx.Err())
	}
}

// TestPeriodicReconcileReleasesLeaseOnFailure: replica A claims the
// connection's reconcile lease; when its pass fails (the ATS answers an
// error) or is interrupted (shutdown), it releases the lease, so replica
// B's pass five minutes later reconciles the connection instead of nobody
// for nine tenths of the interval. A pass that succeeds keeps the lease.
func TestPeriodicReconcileReleasesLeaseOnFailure(t *testing.T) {
	const interval = time.Hour
	for _, tc := range []struct {
		name string
		// setup breaks A's pass; it returns A's context.
		setup func(h *enginetest.Harness, opts *lifecycle.Options) context.Context
		// want is the listings of A's pass and B's, five minutes later.
		want int
	}{
		{
			name: "listing fails",
			setup: func(h *enginetest.Harness, _ *lifecycle.Options) context.Context {
				h.ATS.Fail("Candidates", &ats.APIError{ATS: "fake", StatusCode: 503})
				return ctx
			},
			want: 2,
		},
		{
			name: "interrupted",
			setup: func(h *enginetest.Harness, opts *lifecycle.Options) context.Context {
				actx, cancel := context.WithCancel(ctx)
				t.Cleanup(cancel)
				opts.Connector = lifecycle.NewMemoryConnector(map[string]ats.Adapter{enginetest.Source: interruptedLister{ATS: h.ATS, cancel: cancel}})
				return actx
			},
			want: 2,
		},
		{
			name:  "succeeds",
			setup: func(*enginetest.Harness, *lifecycle.Options) context.Context { return ctx },
			want:  1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := memstore.New()
			h := enginetest.New(t, store)
			opts := h.Options()
			opts.ReconcileInterval = interval
			optsA := opts
			actx := tc.setup(h, &optsA)
			a, b := lifecycle.NewEngine(store, optsA), lifecycle.NewEngine(store, opts)
			base := h.ATS.Calls("Candidates")
			a.ReconcileAllForTest(actx)
			h.Clock.Advance(5 * time.Minute)
			b.ReconcileAllForTest(ctx)
			if diff := cmp.Diff(tc.want, h.ATS.Calls("Candidates")-base); diff != "" {
				t.Errorf("candidate listings of A's pass and B's (-want +got):\n%s", diff)
			}
		})
	}
}
