package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
)

// ConfirmingGuard is a ReplayGuard with provisional claims: what
// RunDeliveryConfirmer checks.
type ConfirmingGuard interface {
	ats.ReplayGuard
	ats.DeliveryConfirmer
}

// RunDeliveryConfirmer checks an ats.DeliveryConfirmer (the stores in
// lifecycle/memstore and lifecycle/sqlstore, and ats.MemoryReplayGuard);
// newGuard must return a fresh, empty guard for each subtest. Leases and
// expiries are checked against the wall clock, with instants an hour in
// the past or future, so no clock needs injecting.
func RunDeliveryConfirmer(t *testing.T, newGuard func(t *testing.T) ConfirmingGuard) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, g ConfirmingGuard)
	}{
		{"ClaimThenInFlight", testClaimThenInFlight},
		{"LapsedLease", testClaimLapsedLease},
		{"ConfirmedIsReplay", testClaimConfirmedIsReplay},
		{"ConfirmedExpiry", testClaimConfirmedExpiry},
		{"ConfirmWithoutClaim", testConfirmWithoutClaim},
		{"ConfirmKeepsLaterExpiry", testConfirmKeepsLaterExpiry},
		{"ForgetProvisional", testClaimForget},
		{"RememberedIsConfirmed", testClaimRemembered},
		{"ConcurrentClaims", testClaimConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newGuard(t)) })
	}
}

func claim(t *testing.T, g ConfirmingGuard, connection, key string, leaseEnd time.Time) ats.ClaimState {
	t.Helper()
	st, err := g.ClaimDelivery(context.Background(), connection, key, leaseEnd)
	if err != nil {
		t.Fatalf("ClaimDelivery(%q, %q): %v", connection, key, err)
	}
	return st
}

func confirm(t *testing.T, g ConfirmingGuard, connection, key string, expires time.Time) {
	t.Helper()
	if err := g.ConfirmDelivery(context.Background(), connection, key, expires); err != nil {
		t.Fatalf("ConfirmDelivery(%q, %q): %v", connection, key, err)
	}
}

func testClaimThenInFlight(t *testing.T, g ConfirmingGuard) {
	lease := time.Now().Add(time.Hour)
	got := []ats.ClaimState{claim(t, g, "acme", "k", lease), claim(t, g, "acme", "k", lease), claim(t, g, "globex", "k", lease)}
	want := []ats.ClaimState{ats.ClaimAcquired, ats.ClaimInFlight, ats.ClaimAcquired}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
}

func testClaimLapsedLease(t *testing.T, g ConfirmingGuard) {
	// A handler claimed and died: its lease ended, the retry is accepted
	// (and holds its own lease).
	got := []ats.ClaimState{
		claim(t, g, "c", "k", time.Now().Add(-time.Second)),
		claim(t, g, "c", "k", time.Now().Add(time.Hour)),
		claim(t, g, "c", "k", time.Now().Add(time.Hour)),
	}
	want := []ats.ClaimState{ats.ClaimAcquired, ats.ClaimAcquired, ats.ClaimInFlight}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
}

func testClaimConfirmedIsReplay(t *testing.T, g ConfirmingGuard) {
	// Confirmed with a lease that would have ended: the claim now lasts
	// until its expiry, for claims and for RememberDelivery.
	claim(t, g, "c", "k", time.Now().Add(-time.Second))
	confirm(t, g, "c", "k", time.Now().Add(time.Hour))
	if st := claim(t, g, "c", "k", time.Now().Add(time.Hour)); st != ats.ClaimConfirmed {
		t.Errorf("claim of a confirmed key = %v, want %v", st, ats.ClaimConfirmed)
	}
	if remember(t, g, "c", "k", time.Now().Add(time.Hour)) {
		t.Error("RememberDelivery of a confirmed key reported first")
	}
}

func testClaimConfirmedExpiry(t *testing.T, g ConfirmingGuard) {
	claim(t, g, "c", "k", time.Now().Add(time.Hour))
	confirm(t, g, "c", "k", time.Now().Add(-time.Second))
	if st := claim(t, g, "c", "k", time.Now().Add(time.Hour)); st != ats.ClaimAcquired {
		t.Errorf("claim of a confirmed key past its expiry = %v, want %v", st, ats.ClaimAcquired)
	}
}

func testConfirmWithoutClaim(t *testing.T, g ConfirmingGuard) {
	// The claim lapsed and was pruned before the handler confirmed.
	confirm(t, g, "c", "k", time.Now().Add(time.Hour))
	if st := claim(t, g, "c", "k", time.Now().Add(time.Hour)); st != ats.ClaimConfirmed {
		t.Errorf("claim after a confirmation = %v, want %v", st, ats.ClaimConfirmed)
	}
}

func testConfirmKeepsLaterExpiry(t *testing.T, g ConfirmingGuard) {
	confirm(t, g, "c", "k", time.Now().Add(time.Hour))
	confirm(t, g, "c", "k", time.Now().Add(-time.Second))
	if st := claim(t, g, "c", "k", time.Now().Add(time.Hour)); st != ats.ClaimConfirmed {
		t.Errorf("a second confirmation with an earlier expiry shortened the first: claim = %v, want %v", st, ats.ClaimConfirmed)
	}
}

func testClaimForget(t *testing.T, g ConfirmingGuard) {
	lease := time.Now().Add(time.Hour)
	claim(t, g, "c", "k", lease)
	if err := g.ForgetDelivery(context.Background(), "c", "k"); err != nil {
		t.Fatal(err)
	}
	if st := claim(t, g, "c", "k", lease); st != ats.ClaimAcquired {
		t.Errorf("claim after ForgetDelivery = %v, want %v", st, ats.ClaimAcquired)
	}
}

func testClaimRemembered(t *testing.T, g ConfirmingGuard) {
	remember(t, g, "c", "k", time.Now().Add(time.Hour))
	if st := claim(t, g, "c", "k", time.Now().Add(time.Hour)); st != ats.ClaimConfirmed {
		t.Errorf("claim of a RememberDelivery key = %v, want %v", st, ats.ClaimConfirmed)
	}
}

func testClaimConcurrent(t *testing.T, g ConfirmingGuard) {
	// Replicas receiving the same delivery at once: one acquires, the
	// others see it in flight.
	const n = 16
	lease := time.Now().Add(time.Hour)
	var mu sync.Mutex
	counts := map[ats.ClaimState]int{}
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			st, err := g.ClaimDelivery(context.Background(), "c", "same", lease)
			if err != nil {
				t.Errorf("ClaimDelivery: %v", err)
				return
			}
			mu.Lock()
			counts[st]++
			mu.Unlock()
		})
	}
	wg.Wait()
	want := map[ats.ClaimState]int{ats.ClaimAcquired: 1, ats.ClaimInFlight: n - 1}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("concurrent claims (-want +got):\n%s", diff)
	}
}
