package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
)

// RunReplayGuard checks an ats.ReplayGuard implementation (the stores in
// lifecycle/memstore and lifecycle/sqlstore); newGuard must return a fresh,
// empty guard for each subtest. Expiry is checked against the wall clock,
// with keys that expired in the past, so no clock needs injecting.
func RunReplayGuard(t *testing.T, newGuard func(t *testing.T) ats.ReplayGuard) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, g ats.ReplayGuard)
	}{
		{"FirstThenReplay", testReplayFirstThenReplay},
		{"PerConnection", testReplayPerConnection},
		{"Expiry", testReplayExpiry},
		{"Forget", testReplayForget},
		{"ConcurrentClaims", testReplayConcurrentClaims},
		{"OddKeys", testReplayOddKeys},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newGuard(t)) })
	}
}

func remember(t *testing.T, g ats.ReplayGuard, connection, key string, expires time.Time) bool {
	t.Helper()
	first, err := g.RememberDelivery(context.Background(), connection, key, expires)
	if err != nil {
		t.Fatalf("RememberDelivery(%q, %q): %v", connection, key, err)
	}
	return first
}

func testReplayFirstThenReplay(t *testing.T, g ats.ReplayGuard) {
	exp := time.Now().Add(time.Hour)
	got := []bool{remember(t, g, "c1", "tok", exp), remember(t, g, "c1", "tok", exp), remember(t, g, "c1", "tok2", exp)}
	if diff := cmp.Diff([]bool{true, false, true}, got); diff != "" {
		t.Errorf("first? (-want +got):\n%s", diff)
	}
}

func testReplayPerConnection(t *testing.T, g ats.ReplayGuard) {
	exp := time.Now().Add(time.Hour)
	// The same key on two connections (two customers' accounts) are two
	// deliveries; "" is the single-account connection.
	got := []bool{remember(t, g, "acme", "tok", exp), remember(t, g, "globex", "tok", exp), remember(t, g, "", "tok", exp), remember(t, g, "acme", "tok", exp)}
	if diff := cmp.Diff([]bool{true, true, true, false}, got); diff != "" {
		t.Errorf("first? (-want +got):\n%s", diff)
	}
}

func testReplayExpiry(t *testing.T, g ats.ReplayGuard) {
	past := time.Now().Add(-time.Second)
	// A key whose window has ended is no longer remembered: the verifier's
	// own window check refuses such a delivery, and the store may prune it.
	got := []bool{remember(t, g, "c", "old", past), remember(t, g, "c", "old", time.Now().Add(time.Hour)), remember(t, g, "c", "old", time.Now().Add(time.Hour))}
	if diff := cmp.Diff([]bool{true, true, false}, got); diff != "" {
		t.Errorf("first? (-want +got):\n%s", diff)
	}
	// Many expired keys, then a live one: pruning must not drop live keys.
	for i := range 600 {
		remember(t, g, "c", fmt.Sprint("expired-", i), past)
	}
	if remember(t, g, "c", "old", time.Now().Add(time.Hour)) {
		t.Error("a live key was forgotten while expired ones were pruned")
	}
}

func testReplayForget(t *testing.T, g ats.ReplayGuard) {
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	remember(t, g, "c", "k", exp)
	if err := g.ForgetDelivery(ctx, "c", "k"); err != nil {
		t.Fatal(err)
	}
	if err := g.ForgetDelivery(ctx, "c", "never-seen"); err != nil {
		t.Errorf("forgetting an unknown key: %v", err)
	}
	if !remember(t, g, "c", "k", exp) {
		t.Error("a forgotten key is still remembered")
	}
}

func testReplayConcurrentClaims(t *testing.T, g ats.ReplayGuard) {
	// Replicas receiving the same delivery at once: exactly one acts.
	const n = 16
	exp := time.Now().Add(time.Hour)
	var wg sync.WaitGroup
	firsts := make(chan bool, n)
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			first, err := g.RememberDelivery(context.Background(), "c", "same", exp)
			if err != nil {
				errs <- err
				return
			}
			firsts <- first
		})
	}
	wg.Wait()
	close(firsts)
	close(errs)
	for err := range errs {
		t.Errorf("RememberDelivery: %v", err)
	}
	count := 0
	for f := range firsts {
		if f {
			count++
		}
	}
	if count != 1 {
		t.Errorf("%d concurrent claims succeeded, want exactly 1", count)
	}
}

func testReplayOddKeys(t *testing.T, g ats.ReplayGuard) {
	exp := time.Now().Add(time.Hour)
	keys := []string{"", "a'b\"c;--", "ü\x00nul", string(make([]byte, 64<<10))}
	for _, k := range keys {
		if !remember(t, g, "c", k, exp) || remember(t, g, "c", k, exp) {
			t.Errorf("key %.20q: want first, then a replay", k)
		}
	}
	// A connection/key split must not collide: ("a", "b:c") vs ("a:b", "c").
	if !remember(t, g, "a", "b:c", exp) || !remember(t, g, "a:b", "c", exp) {
		t.Error("different (connection, key) pairs collided")
	}
	// A context already cancelled is an error, never a silent "first".
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if first, err := g.RememberDelivery(ctx, "c", "cancelled", exp); err == nil && first {
		t.Error("RememberDelivery with a cancelled context claimed the key")
	}
}
