package e2e

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/lifecycle"
)

// stepClock is a clock the test moves on explicitly, so two recruiter
// moves never share a millisecond.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *stepClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestOutOfOrderLeverDeliveries: Lever delivers a stage change late, after
// a newer one was applied to the candidate's interview. The late delivery
// is older than the state applied: it does nothing — no read, no note, no
// invitation, no cancellation — and is counted as stale. When the newer
// move changed nothing (the candidate re-entered the vendor stage while
// its interview was still live), the late delivery is not older than the
// state applied: it is decided on the candidate as re-read, which again
// changes nothing.
func TestOutOfOrderLeverDeliveries(t *testing.T) {
	tests := []struct {
		name string
		// first is delivered; late fails and arrives after last.
		first, late, last string
		want              lifecycle.State
		wantStale         int
	}{
		{"moved on to offer, then back to applied", stageTrigger, stageOffer, stageApplied, lifecycle.StateCancelled, 1},
		{"moved out, then back into the vendor stage", stageTrigger, stageApplied, stageTrigger, lifecycle.StateRequested, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := &stepClock{t: time.Now()}
			f := newFlowWith(t, "lever", rigOptions{sync: true, scheduledStage: true, leverNow: clk.Now})
			cand := f.rig.addCandidate(t, "Order Otto", "otto@example.com")
			clk.Advance(time.Second)
			f.rig.recruiterMove(t, cand, tc.first)
			f.settle()

			clk.Advance(time.Second)
			f.slot.Set(nil) // the endpoint answers 500
			before := len(f.rig.deliveries())
			f.rig.recruiterMove(t, cand, tc.late)
			f.rig.flush(t)
			ds := f.rig.deliveries()
			if len(ds) <= before || ds[before].Delivered {
				t.Fatal("the second move fired no failed delivery")
			}
			late := ds[before]
			f.slot.Set(f.engine)

			clk.Advance(time.Second)
			f.rig.recruiterMove(t, cand, tc.last)
			f.settle()
			if got := f.only(cand).State; got != tc.want {
				t.Fatalf("after the newest move: state %s, want %s", got, tc.want)
			}
			reqs, notes, stale := f.rig.requests(), len(f.rig.notes(cand)), f.engine.StaleEvents()

			if code := f.hs.post(t, f.rig.hookPath, late.Body, late.Header); code != http.StatusOK {
				t.Fatalf("the late delivery answered %d", code)
			}
			f.settle()
			got := struct {
				State                 lifecycle.State
				Notes, Stale, Invites int
				ReadsOfStaleDelivery  int
			}{f.only(cand).State, len(f.rig.notes(cand)) - notes, int(f.engine.StaleEvents() - stale), f.vendor.Total(), 0}
			if got.Stale > 0 {
				got.ReadsOfStaleDelivery = f.rig.requests() - reqs
			}
			want := got
			want.State, want.Notes, want.Stale, want.Invites, want.ReadsOfStaleDelivery = tc.want, 0, tc.wantStale, 1, 0
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("after the late delivery (-want +got):\n%s", diff)
			}
		})
	}
}
