package lifecycle_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
)

// TestStaleEventIgnored: an event older than the last event applied to the
// candidate's interview does nothing and is not even read; events without
// a time, at the same time, or for a candidate with no interview are
// decided as usual (on the candidate as re-read).
func TestStaleEventIgnored(t *testing.T) {
	tests := []struct {
		name string
		// at is the late "archived" event's time relative to the applied
		// event; zero duration with noTime sends no time at all.
		at        time.Duration
		noTime    bool
		noIV      bool
		wantStale int64
		wantRead  bool
	}{
		{"older than the state applied", -time.Second, false, false, 1, false},
		{"same time", 0, false, false, 0, true},
		{"no time", 0, true, false, 0, true},
		{"newer", time.Second, false, false, 0, true},
		{"candidate without interview", -time.Second, false, true, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.Candidate("c1")
			applied := h.Clock.Now()
			if !tc.noIV {
				h.Move("c1", enginetest.StageTrigger)
				if got := h.Only("c1").LastEventAt; !got.Equal(applied) {
					t.Fatalf("LastEventAt %v, want %v", got, applied)
				}
			}
			late := ats.Event{ID: "late", Source: enginetest.Source, Kind: ats.EventArchived, CandidateID: "c1", JobID: enginetest.JobID}
			if !tc.noTime {
				late.Time = applied.Add(tc.at)
			}
			reads := h.ATS.Calls("Candidate")
			stale := h.Engine.StaleEvents()
			if err := h.Engine.HandleEvent(ctx, late); err != nil {
				t.Fatal(err)
			}
			got := struct {
				Stale int64
				Read  bool
			}{h.Engine.StaleEvents() - stale, h.ATS.Calls("Candidate") > reads}
			want := got
			want.Stale, want.Read = tc.wantStale, tc.wantRead
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if !tc.noIV {
				if diff := cmp.Diff(lifecycle.StateRequested, h.Only("c1").State); diff != "" {
					t.Errorf("state (-want +got):\n%s", diff)
				}
			}
		})
	}
}
