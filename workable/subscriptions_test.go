package workable_test

import (
	"context"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
	"github.com/stretchr/testify/require"
)

func TestSubscriptions(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, nil)
	ctx := context.Background()

	moved, err := c.CreateSubscription(ctx, ats.Subscription{Event: "candidate_moved", Target: "https://v.example.com/hooks/moved", StageID: "interviewvector"})
	require.NoError(t, err)
	wantRequest(t, lastRequest(t, srv), "POST", "/subscriptions", nil, map[string]any{
		"target": "https://v.example.com/hooks/moved", "event": "candidate_moved",
		"args": map[string]any{"account_id": "acme", "job_shortcode": "", "stage_slug": "interviewvector"},
	})
	require.NotEmpty(t, moved.ID)

	created, err := c.CreateSubscription(ctx, ats.Subscription{Event: "candidate_created", Target: "https://v.example.com/hooks/created"})
	require.NoError(t, err)
	wantRequest(t, lastRequest(t, srv), "POST", "/subscriptions", nil, map[string]any{"target": "https://v.example.com/hooks/created", "event": "candidate_created"})

	// A 409 for an existing target returns the existing subscription.
	again, err := c.CreateSubscription(ctx, ats.Subscription{Event: "candidate_moved", Target: "https://v.example.com/hooks/moved", StageID: "interviewvector"})
	require.NoError(t, err)
	diff(t, moved, again)

	list, err := paging.Collect(c.Subscriptions(ctx))
	require.NoError(t, err)
	diff(t, []ats.Subscription{moved, created}, list)
	wantRequest(t, lastRequest(t, srv), "GET", "/subscriptions", nil, nil)

	require.NoError(t, c.DeleteSubscription(ctx, created.ID))
	wantRequest(t, lastRequest(t, srv), "DELETE", "/subscriptions/"+created.ID, nil, nil)
	require.ErrorIs(t, c.DeleteSubscription(ctx, created.ID), ats.ErrNotFound)
	require.Len(t, srv.Subscriptions(), 1)

	_, err = c.CreateSubscription(ctx, ats.Subscription{Event: "candidate_exploded", Target: "https://v.example.com/x"})
	require.ErrorIs(t, err, ats.ErrValidation)
	_, err = c.CreateSubscription(ctx, ats.Subscription{Event: "candidate_moved"})
	require.ErrorIs(t, err, ats.ErrValidation)
}

func TestEnsureSubscription(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, nil)
	ctx := context.Background()
	want := ats.Subscription{Event: "candidate_moved", Target: "https://v.example.com/hooks"}
	first, err := c.EnsureSubscription(ctx, want)
	require.NoError(t, err)
	second, err := c.EnsureSubscription(ctx, want)
	require.NoError(t, err)
	diff(t, first, second)
	require.Len(t, srv.Subscriptions(), 1)

	_, err = c.EnsureSubscription(ctx, ats.Subscription{Event: "candidate_created", Target: want.Target})
	require.ErrorIs(t, err, ats.ErrConflict)
	require.Contains(t, err.Error(), "one subscription per target")

	restore := srv.FailRequests(500)
	_, err = c.EnsureSubscription(ctx, ats.Subscription{Event: "candidate_moved", Target: "https://v.example.com/other"})
	restore()
	require.Error(t, err)
	require.Len(t, srv.Subscriptions(), 1)
}
