package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/memstore"
)

// countingStore counts listing calls and can ignore the cursors and limits
// (a store written before they existed) or fail.
type countingStore struct {
	lifecycle.Store
	calls        int
	ignoreCursor bool
	fail         error
}

func (s *countingStore) Interviews(ctx context.Context, f lifecycle.InterviewFilter) ([]lifecycle.Interview, error) {
	s.calls++
	if s.fail != nil {
		return nil, s.fail
	}
	if s.ignoreCursor {
		f.After, f.Limit = lifecycle.InterviewCursor{}, 0
	}
	return s.Store.Interviews(ctx, f)
}

func (s *countingStore) Effects(ctx context.Context, f lifecycle.EffectFilter) ([]lifecycle.Effect, error) {
	s.calls++
	if s.ignoreCursor {
		f.AfterSeq, f.Limit = 0, 0
	}
	return s.Store.Effects(ctx, f)
}

func (s *countingStore) Positions(ctx context.Context, f lifecycle.PositionFilter) ([]lifecycle.Position, error) {
	s.calls++
	if s.ignoreCursor {
		f.AfterID, f.Limit = "", 0
	}
	return s.Store.Positions(ctx, f)
}

func TestAllIterators(t *testing.T) {
	tests := []struct {
		name         string
		pageSize     int
		ignoreCursor bool
		wantCalls    int // listing calls for the 7 interviews
	}{
		{name: "pages of 3", pageSize: 3, wantCalls: 3},
		{name: "pages of 7 (one more to see the end)", pageSize: 7, wantCalls: 2},
		{name: "default page size", wantCalls: 1},
		{name: "store ignoring the cursor", pageSize: 3, ignoreCursor: true, wantCalls: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := &countingStore{Store: memstore.New()}
			h := enginetest.New(t, cs)
			var want []string
			for i := range 7 {
				id := fmt.Sprintf("c%d", i)
				h.Candidate(id)
				h.Move(id, enginetest.StageTrigger)
				h.Clock.Advance(1) // distinct CreatedAt, but IDs are random
				want = append(want, h.Only(id).ID)
			}
			cs.calls, cs.ignoreCursor = 0, tt.ignoreCursor
			var got []string
			for iv, err := range h.Engine.AllInterviews(ctx, lifecycle.InterviewFilter{Limit: tt.pageSize}) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, iv.ID)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("AllInterviews (-want +got):\n%s", diff)
			}
			if cs.calls != tt.wantCalls {
				t.Errorf("AllInterviews made %d store calls, want %d", cs.calls, tt.wantCalls)
			}

			effs, err := h.Engine.Effects(ctx, lifecycle.EffectFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var wantFx, gotFx []string
			for _, e := range effs {
				wantFx = append(wantFx, e.ID)
			}
			for e, err := range h.Engine.AllEffects(ctx, lifecycle.EffectFilter{Limit: tt.pageSize}) {
				if err != nil {
					t.Fatal(err)
				}
				gotFx = append(gotFx, e.ID)
			}
			if diff := cmp.Diff(wantFx, gotFx); diff != "" {
				t.Errorf("AllEffects (-want +got):\n%s", diff)
			}

			var gotPos []string
			for p, err := range h.Engine.AllPositions(ctx, lifecycle.PositionFilter{Limit: tt.pageSize}) {
				if err != nil {
					t.Fatal(err)
				}
				gotPos = append(gotPos, p.ID)
			}
			if diff := cmp.Diff([]string{enginetest.PositionID}, gotPos); diff != "" {
				t.Errorf("AllPositions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAllInterviewsStopsAndFails(t *testing.T) {
	cs := &countingStore{Store: memstore.New()}
	h := enginetest.New(t, cs)
	for i := range 5 {
		id := fmt.Sprintf("c%d", i)
		h.Candidate(id)
		h.Move(id, enginetest.StageTrigger)
	}
	t.Run("break stops reading", func(t *testing.T) {
		cs.calls = 0
		n := 0
		for _, err := range h.Engine.AllInterviews(ctx, lifecycle.InterviewFilter{Limit: 2}) {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == 2 {
				break
			}
		}
		if cs.calls != 1 {
			t.Errorf("store calls after breaking in the first page: %d, want 1", cs.calls)
		}
	})
	t.Run("error is yielded once", func(t *testing.T) {
		boom := errors.New("database is down")
		cs.fail = boom
		defer func() { cs.fail = nil }()
		var errs []error
		for iv, err := range h.Engine.AllInterviews(ctx, lifecycle.InterviewFilter{}) {
			if iv.ID != "" {
				t.Errorf("interview %s yielded with the error", iv.ID)
			}
			errs = append(errs, err)
		}
		if len(errs) != 1 || !errors.Is(errs[0], boom) {
			t.Errorf("errors yielded: %v, want [%v]", errs, boom)
		}
	})
}
