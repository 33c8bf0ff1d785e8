package lifecycle_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
)

// TestReportDuplicateIDAfterMoveOn: a vendor redelivers an update (same
// ID) after the interview moved on. The duplicate changes nothing and is
// not an error — otherwise the vendor would retry it forever — and Report
// returns the interview as stored.
func TestReportDuplicateIDAfterMoveOn(t *testing.T) {
	h := newHarness(t)
	iv := reach(t, h, lifecycle.StateRequested)
	invite := lifecycle.Update{ID: "wh-invite", Kind: lifecycle.UpdateInvited, Link: "https://v.example/s/1"}
	_, err := h.Engine.Report(ctx, iv.ID, invite)
	require.NoError(t, err)
	scheduled, err := h.Engine.Report(ctx, iv.ID, lifecycle.Update{ID: "wh-sched", Kind: lifecycle.UpdateScheduled, At: enginetest.Start.Add(24 * time.Hour)})
	require.NoError(t, err)
	before, err := h.Engine.Effects(ctx, lifecycle.EffectFilter{InterviewID: iv.ID})
	require.NoError(t, err)

	got, err := h.Engine.Report(ctx, iv.ID, invite)
	require.NoError(t, err, "a redelivered update is a no-op, not an illegal transition")
	require.Equal(t, lifecycle.StateScheduled, got.State)
	require.Equal(t, scheduled.Version, got.Version)
	after, err := h.Engine.Effects(ctx, lifecycle.EffectFilter{InterviewID: iv.ID})
	require.NoError(t, err)
	require.Len(t, after, len(before))

	// Without an ID the same update is judged on its own: refused.
	invite.ID = ""
	_, err = h.Engine.Report(ctx, iv.ID, invite)
	require.ErrorIs(t, err, lifecycle.ErrIllegalTransition)
}

// TestReportDuplicateIDReturnsStored: two deliveries of one update race;
// both succeed and both return the interview as stored.
func TestReportDuplicateIDReturnsStored(t *testing.T) {
	h := newHarness(t)
	iv := reach(t, h, lifecycle.StateInvited)
	u := lifecycle.Update{ID: "wh-1", Kind: lifecycle.UpdateScheduled, At: enginetest.Start.Add(24 * time.Hour)}
	results := make(chan lifecycle.Interview, 2)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			got, err := h.Engine.Report(ctx, iv.ID, u)
			results <- got
			errs <- err
		}()
	}
	stored := func() lifecycle.Interview {
		got, err := h.Engine.Interview(ctx, iv.ID)
		require.NoError(t, err)
		return got
	}
	for range 2 {
		require.NoError(t, <-errs)
		got := <-results
		require.Equal(t, lifecycle.StateScheduled, got.State)
		require.Equal(t, stored().Version, got.Version)
	}
	require.Equal(t, iv.Version+1, stored().Version, "applied once")
}
