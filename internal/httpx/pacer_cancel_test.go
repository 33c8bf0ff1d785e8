package httpx

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/atskit/atskit/pacing"
)

// TestPacerReleasesOnCancel reproduces callers that give up while they
// wait for their turn (a webhook sender timed out): 40 of them must not
// make the next caller wait 40 turns. The clock is fake and the callers'
// turns are an hour away, so nothing waits for real; the test reads the
// pacer's own bookings through Delay.
func TestPacerReleasesOnCancel(t *testing.T) {
	const budget, cancelled = 10, 40
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	tests := []struct {
		name string
		new  func() *Pacer
	}{
		{"window", func() *Pacer { return NewWindowPacer(budget, time.Hour, clock) }},
		{"token bucket", func() *Pacer { return NewPacer(rate.Every(time.Hour), budget, clock) }},
		{"shared memory", func() *Pacer {
			p := NewWindowPacer(budget, time.Hour, clock)
			p.Share(&pacing.Memory{Now: clock}, "acme", pacing.Limit{N: budget, Window: time.Hour})
			return p
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.new()
			ctx := context.Background()
			for range budget {
				if err := p.Wait(ctx); err != nil {
					t.Fatal(err)
				}
			}
			want, err := p.Delay(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if want != time.Hour {
				t.Fatalf("Delay with the budget spent = %s, want 1h", want)
			}
			waiting := make(chan time.Time, 4*cancelled)
			p.sleeping = func(at time.Time) { waiting <- at }
			wctx, cancel := context.WithCancel(ctx)
			errs := make(chan error, cancelled)
			var wg sync.WaitGroup
			for range cancelled {
				wg.Go(func() { errs <- p.Wait(wctx) })
			}
			for range cancelled {
				<-waiting // every caller is waiting for its turn
			}
			cancel()
			wg.Wait()
			close(errs)
			for err := range errs {
				if !errors.Is(err, context.Canceled) {
					t.Errorf("a cancelled Wait returned %v, want context.Canceled", err)
				}
			}
			got, err := p.Delay(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("after %d cancelled callers the next waits %s, want %s", cancelled, got, want)
			}
		})
	}
}
