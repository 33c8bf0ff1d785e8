package lifecycle_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
)

// history drives two candidates to requested, one through HandleEvent
// and one through the inbox, delivers everything and returns the events.
func history(t *testing.T, h *enginetest.Harness) (sync, inboxed ats.Event) {
	t.Helper()
	h.Candidate("r1")
	h.Candidate("r2")
	sync, inboxed = h.MoveEvent("r1", enginetest.StageTrigger), h.MoveEvent("r2", enginetest.StageTrigger)
	require.NoError(t, h.Engine.HandleEvent(ctx, sync))
	require.NoError(t, h.Engine.AcceptEvents(ctx, []ats.Event{inboxed}))
	h.Drain()
	return sync, inboxed
}

// counts returns the rows retention concerns: done effects, processed
// inbox events, and which of evs are still recorded as processed.
func counts(t *testing.T, h *enginetest.Harness, evs ...ats.Event) []int {
	t.Helper()
	done, err := h.Store.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectDone})
	require.NoError(t, err)
	in, err := h.Engine.InboxEvents(ctx, lifecycle.InboxFilter{State: lifecycle.InboxProcessed})
	require.NoError(t, err)
	seen := 0
	for _, ev := range evs {
		ok, err := h.Store.EventProcessed(ctx, lifecycle.EventRef{Connection: ev.Source, Source: ev.Source, ID: ev.ID})
		require.NoError(t, err)
		if ok {
			seen++
		}
	}
	return []int{len(done), len(in), seen}
}

// TestPrune: Engine.Prune deletes delivered effects, processed events and
// processed inbox events once they are older than Options.Retention on the
// engine's clock, keeps everything younger, and keeps everything when
// Retention is negative.
func TestPrune(t *testing.T) {
	tests := []struct {
		name      string
		retention time.Duration
		advance   time.Duration
		// want is done effects, processed inbox events and processed
		// event records left, of 4, 1 and 2.
		want       []int
		wantPruned int
	}{
		{"default keeps 30 days", 0, 30 * 24 * time.Hour, []int{4, 1, 2}, 0},
		{"default prunes after 30 days", 0, 30*24*time.Hour + time.Second, []int{0, 0, 0}, 7},
		{"an hour", time.Hour, time.Hour + time.Second, []int{0, 0, 0}, 7},
		{"younger than an hour", time.Hour, time.Minute, []int{4, 1, 2}, 0},
		{"negative keeps forever", -1, 10 * 365 * 24 * time.Hour, []int{4, 1, 2}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			opts := h.Options()
			opts.Retention = tc.retention
			h.Engine = lifecycle.NewEngine(h.Store, opts)
			h.Disp = h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "d"})
			sync, inboxed := history(t, h)
			if d := cmp.Diff([]int{4, 1, 2}, counts(t, h, sync, inboxed)); d != "" {
				t.Fatalf("before pruning (-want +got):\n%s", d)
			}
			h.Clock.Advance(tc.advance)
			n, err := h.Engine.Prune(ctx, h.Clock.Now())
			require.NoError(t, err)
			require.Equal(t, tc.wantPruned, n)
			if d := cmp.Diff(tc.want, counts(t, h, sync, inboxed)); d != "" {
				t.Errorf("after pruning (-want +got):\n%s", d)
			}
			// Interviews are never pruned.
			h.Only("r1")
			h.Only("r2")
		})
	}
}

// TestEngineRunPrunes: Run prunes when it starts.
func TestEngineRunPrunes(t *testing.T) {
	h := newHarness(t)
	sync, inboxed := history(t, h)
	h.Clock.Advance(lifecycle.DefaultRetention + time.Hour)

	pruned := make(chan slog.Record, 1)
	opts := h.Options()
	opts.Logger = slog.New(notifyHandler{ch: pruned, match: func(r slog.Record) bool { return r.Message == "lifecycle: pruned history" }})
	e := lifecycle.NewEngine(h.Store, opts)
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- e.Run(rctx) }()
	<-pruned
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	if d := cmp.Diff([]int{0, 0, 0}, counts(t, h, sync, inboxed)); d != "" {
		t.Errorf("after Run (-want +got):\n%s", d)
	}
}
