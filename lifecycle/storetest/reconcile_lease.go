package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/atskit/atskit/lifecycle"
)

// runReconcileLease checks the optional lifecycle.ReconcileLeaser; a store
// without it skips the checks.
func runReconcileLease(t *testing.T, newStore func(t *testing.T) lifecycle.Store) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, l lifecycle.ReconcileLeaser)
	}{
		{"ReconcileLease", testReconcileLease},
		{"ReconcileLeaseConcurrent", testReconcileLeaseConcurrent},
		{"ReconcileLeaseRelease", testReconcileLeaseRelease},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, ok := newStore(t).(lifecycle.ReconcileLeaser)
			if !ok {
				t.Skip("the store does not implement lifecycle.ReconcileLeaser")
			}
			tc.fn(t, l)
		})
	}
}

// testReconcileLease: a claimed lease keeps every owner out, its own too,
// until it ends (its last instant included), and leases of two
// connections are independent.
func testReconcileLease(t *testing.T, l lifecycle.ReconcileLeaser) {
	ctx := context.Background()
	lease := time.Hour
	steps := []struct {
		name       string
		connection string
		owner      string
		at         time.Duration
		want       bool
	}{
		{"first claim", "acme", "r1", 0, true},
		{"another owner while it holds", "acme", "r2", 30 * time.Minute, false},
		{"another connection", "globex", "r2", 30 * time.Minute, true},
		{"its owner while it holds", "acme", "r1", 40 * time.Minute, false},
		{"just before the end", "acme", "r2", lease - time.Nanosecond, false},
		{"at its end another owner takes over", "acme", "r2", lease, true},
		{"the first owner is out", "acme", "r1", lease + time.Minute, false},
		{"the first owner after that lease", "acme", "r1", 2 * lease, true},
	}
	for _, st := range steps {
		got, err := l.ClaimReconcile(ctx, st.connection, st.owner, t0.Add(st.at), lease)
		require.NoError(t, err, st.name)
		if got != st.want {
			t.Errorf("%s: ClaimReconcile(%s, %s) = %t, want %t", st.name, st.connection, st.owner, got, st.want)
		}
	}
}

// testReconcileLeaseConcurrent: of many owners claiming one connection at
// once, exactly one gets it.
func testReconcileLeaseConcurrent(t *testing.T, l lifecycle.ReconcileLeaser) {
	ctx := context.Background()
	const owners = 8
	var wg sync.WaitGroup
	got := make([]bool, owners)
	errs := make([]error, owners)
	for i := range owners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = l.ClaimReconcile(ctx, "acme", string(rune('a'+i)), t0, time.Hour)
		}()
	}
	wg.Wait()
	n := 0
	for i := range owners {
		require.NoError(t, errs[i])
		if got[i] {
			n++
		}
	}
	if diff := cmp.Diff(1, n); diff != "" {
		t.Errorf("owners that got the lease (-want +got):\n%s", diff)
	}
}

// testReconcileLeaseRelease: ReleaseReconcile ends its owner's lease at
// the given instant, so a claim from then on succeeds; it leaves alone a
// lease another owner holds, one of another connection, and one already
// ended, and releasing a lease never claimed is no error.
func testReconcileLeaseRelease(t *testing.T, l lifecycle.ReconcileLeaser) {
	ctx := context.Background()
	lease := time.Hour
	steps := []struct {
		name       string
		release    bool // ReleaseReconcile, else ClaimReconcile
		connection string
		owner      string
		at         time.Duration
		want       bool // the claim's result
	}{
		{name: "release of a lease never claimed", release: true, connection: "acme", owner: "r1"},
		{name: "r1 claims", connection: "acme", owner: "r1", want: true},
		{name: "r1 claims globex", connection: "globex", owner: "r1", want: true},
		{name: "r2 releases r1's lease", release: true, connection: "acme", owner: "r2", at: 5 * time.Minute},
		{name: "r2 is still out", connection: "acme", owner: "r2", at: 6 * time.Minute},
		{name: "r1 releases", release: true, connection: "acme", owner: "r1", at: 10 * time.Minute},
		{name: "r2 claims at the release", connection: "acme", owner: "r2", at: 10 * time.Minute, want: true},
		{name: "globex is still held", connection: "globex", owner: "r2", at: 10 * time.Minute},
		{name: "r1's late release leaves r2's lease", release: true, connection: "acme", owner: "r1", at: 11 * time.Minute},
		{name: "r3 is out of r2's lease", connection: "acme", owner: "r3", at: 12 * time.Minute},
		{name: "r2 releases after its lease ended", release: true, connection: "acme", owner: "r2", at: 2 * lease},
		{name: "r3 claims after that", connection: "acme", owner: "r3", at: 2 * lease, want: true},
		{name: "r3's lease runs its full length", connection: "acme", owner: "r1", at: 3*lease - time.Nanosecond},
	}
	for _, st := range steps {
		if st.release {
			require.NoError(t, l.ReleaseReconcile(ctx, st.connection, st.owner, t0.Add(st.at)), st.name)
			continue
		}
		got, err := l.ClaimReconcile(ctx, st.connection, st.owner, t0.Add(st.at), lease)
		require.NoError(t, err, st.name)
		if got != st.want {
			t.Errorf("%s: ClaimReconcile(%s, %s) = %t, want %t", st.name, st.connection, st.owner, got, st.want)
		}
	}
}
