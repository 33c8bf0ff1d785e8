package e2e

import (
	"net/http"
	"testing"

	"github.com/atskit/atskit/lifecycle"
)

// TestLateRedelivery: the "entered the vendor's stage" delivery fails
// (the endpoint was down), the recruiter moves the candidate on to the
// offer stage, and only then the ATS retries the first delivery. The
// engine decides on the candidate as the ATS returns it now: no interview,
// no invitation. (Both adapters also mark their events Snapshot; the
// engine-level TestLateStageEventDecidesOnRealState covers an adapter that
// does not.)
func TestLateRedelivery(t *testing.T) {
	for _, source := range []string{"workable", "lever"} {
		t.Run(source, func(t *testing.T) {
			f := newFlow(t, source)
			cand := f.rig.addCandidate(t, "Late Larry", "larry@example.com")
			f.slot.Set(nil) // the endpoint answers 500
			before := len(f.rig.deliveries())
			f.rig.recruiterMove(t, cand, stageTrigger)
			f.rig.flush(t)
			ds := f.rig.deliveries()
			if len(ds) <= before {
				t.Fatal("the move fired no delivery")
			}
			entered := ds[before]
			if entered.Delivered {
				t.Fatal("the first delivery was accepted while the engine was down")
			}
			f.slot.Set(f.engine)
			f.rig.recruiterMove(t, cand, stageOffer)
			f.settle()
			if code := f.hs.post(t, f.rig.hookPath, entered.Body, entered.Header); code != http.StatusOK {
				t.Fatalf("the retried delivery answered %d", code)
			}
			f.settle()
			ivs, err := f.engine.Interviews(f.ctx, lifecycleFilter(f, cand))
			if err != nil {
				t.Fatal(err)
			}
			if len(ivs) != 0 || f.vendor.Total() != 0 {
				t.Errorf("late delivery: %d interviews, %d vendor invitations; want none", len(ivs), f.vendor.Total())
			}
		})
	}
}

func lifecycleFilter(f *flow, cand string) lifecycle.InterviewFilter {
	return lifecycle.InterviewFilter{Source: f.rig.source, CandidateID: cand}
}
