package httpx

import (
	"context"
	"testing"
	"time"

	"github.com/atskit/atskit/pacing"
)

// TestPacerShare: pacers sharing one pacing.Pacer book in it instead of
// their own windows, and Delay reports the shared budget without booking.
func TestPacerShare(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	shared := &pacing.Memory{Now: clock}
	lim := pacing.Limit{N: 2, Window: time.Hour}
	a, b := NewWindowPacer(100, time.Hour, clock), NewWindowPacer(100, time.Hour, clock)
	a.Share(shared, "acme", lim)
	b.Share(shared, "acme", lim)
	tests := []struct {
		name string
		p    *Pacer
		want time.Duration
	}{
		{"first client, first request", a, 0},
		{"second client, second request", b, 0},
		{"first client, third request", a, time.Hour},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := tc.p.Delay(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if d != tc.want {
				t.Fatalf("Delay = %s, want %s", d, tc.want)
			}
			if i < 2 {
				// Within budget: Wait books without waiting.
				if err := tc.p.Wait(ctx); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	if d, _ := NewWindowPacer(100, time.Hour, clock).Delay(ctx); d != 0 {
		t.Errorf("an unshared pacer waits %s for another's budget", d)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := a.Wait(cctx); err == nil {
		t.Error("Wait for a spent budget returned nil after ctx was cancelled")
	}
}
