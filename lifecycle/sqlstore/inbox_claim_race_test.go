package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/sqlstore"
)

// TestPostgresClaimEventsOneCandidateAtATime: an older event X of a
// candidate failed and waits for its retry at T, so the newer Y is
// claimable. Dispatcher d1 claims Y just before T; d2 claims just after T,
// while d1's claim is still open (not committed) or after it committed.
// d2 must not lease X while d1 holds Y: a candidate's events are never
// processed two at once, also when PostgreSQL claims run concurrently.
func TestPostgresClaimEventsOneCandidateAtATime(t *testing.T) {
	postgresDSN(t)
	for _, tc := range []struct {
		name string
		// open: d2 claims while d1's claim transaction is open.
		open bool
	}{
		{name: "while the other claim is open", open: true},
		{name: "after the other claim committed", open: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newPostgres(t)
			ctx := context.Background()
			t0 := time.Unix(1_800_000_000, 0)
			ev := func(id string) lifecycle.InboxEvent {
				return lifecycle.InboxEvent{ID: id, Connection: "c", Source: "workable", EventID: id, OrderKey: "c/cand1",
					Event: ats.Event{ID: id, Source: "workable", Connection: "c", CandidateID: "cand1"}, State: lifecycle.InboxPending,
					NextAttemptAt: t0, AcceptedAt: t0}
			}
			if _, err := s.AcceptEvents(ctx, []lifecycle.InboxEvent{ev("x"), ev("y")}); err != nil {
				t.Fatal(err)
			}
			claimIDs := func(owner string, now time.Time) []string {
				t.Helper()
				got, err := s.ClaimEvents(ctx, lifecycle.Claim{Owner: owner, Now: now, Lease: time.Minute, Limit: 10})
				if err != nil {
					t.Errorf("claim of %s: %v", owner, err)
				}
				var ids []string
				for _, e := range got {
					ids = append(ids, e.ID)
				}
				return ids
			}
			if diff := cmp.Diff([]string{"x"}, claimIDs("d0", t0)); diff != "" {
				t.Fatalf("first claim (-want +got):\n%s", diff)
			}
			retry := t0.Add(10 * time.Second)
			if err := s.FinishEvent(ctx, "x", "d0", lifecycle.InboxOutcome{State: lifecycle.InboxPending, Attempts: 1, NextAttemptAt: retry, Error: "boom", At: t0}); err != nil {
				t.Fatal(err)
			}

			holding, release := make(chan struct{}), make(chan struct{})
			if tc.open {
				sqlstore.SetAfterClaimEvents(s, func(owner string) {
					if owner == "d1" {
						close(holding)
						<-release
					}
				})
			}
			d1 := make(chan []string, 1)
			go func() { d1 <- claimIDs("d1", retry.Add(-time.Millisecond)) }()
			if tc.open {
				<-holding
			} else {
				got := <-d1
				d1 <- got
			}
			d2 := claimIDs("d2", retry.Add(time.Millisecond))
			if tc.open {
				close(release)
			}
			if diff := cmp.Diff([]string{"y"}, <-d1); diff != "" {
				t.Errorf("d1's claim (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string(nil), d2); diff != "" {
				t.Errorf("d2 claimed while d1 holds y of the same candidate (-want +got):\n%s", diff)
			}
		})
	}
}
