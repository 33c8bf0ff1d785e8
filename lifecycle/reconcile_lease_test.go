package lifecycle_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/memstore"
)

// TestPeriodicReconcileOneReplica: replicas sharing a store with
// lifecycle.ReconcileLeaser list a connection's candidates once per
// interval between them — the one that claims the lease — while explicit
// Reconcile calls always run; over a store without it every replica
// lists.
func TestPeriodicReconcileOneReplica(t *testing.T) {
	const interval = time.Hour
	for _, tc := range []struct {
		name  string
		store lifecycle.Store
		// want is the listing calls after: both replicas' passes at
		// start; both again within the interval; both after it; both
		// at a tick 5% early (timer jitter, clock skew: the lease is
		// shorter than the interval); one explicit Reconcile by each.
		want []int
	}{
		{"lease", memstore.New(), []int{1, 1, 2, 3, 5}},
		{"no lease", storeWithoutInbox{memstore.New()}, []int{2, 4, 6, 8, 10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := enginetest.New(t, tc.store)
			opts := h.Options()
			opts.ReconcileInterval = interval
			replicas := []*lifecycle.Engine{lifecycle.NewEngine(tc.store, opts), lifecycle.NewEngine(tc.store, opts)}
			base := h.ATS.Calls("Candidates")
			var got []int
			pass := func() {
				for _, e := range replicas {
					e.ReconcileAllForTest(ctx)
				}
				got = append(got, h.ATS.Calls("Candidates")-base)
			}
			pass()
			h.Clock.Advance(interval / 2)
			pass()
			h.Clock.Advance(interval / 2)
			pass()
			h.Clock.Advance(interval - interval/20)
			pass()
			for _, e := range replicas {
				if _, err := e.Reconcile(ctx, enginetest.Source); err != nil {
					t.Fatal(err)
				}
			}
			got = append(got, h.ATS.Calls("Candidates")-base)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("candidate listings (-want +got):\n%s", diff)
			}
		})
	}
}
