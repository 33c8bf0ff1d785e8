package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
)

// runInbox runs the checks of the optional lifecycle.Inbox and
// lifecycle.Pruner capabilities; a store without one skips its checks.
func runInbox(t *testing.T, newStore func(t *testing.T) lifecycle.Store) {
	inboxTests := []struct {
		name string
		fn   func(t *testing.T, s lifecycle.Store, in lifecycle.Inbox)
	}{
		{"InboxAcceptDedup", testInboxAcceptDedup},
		{"InboxOrdering", testInboxOrdering},
		{"InboxLeases", testInboxLeases},
		{"InboxRetryAndFail", testInboxRetryAndFail},
		{"InboxPerConnection", testInboxPerConnection},
		{"InboxConcurrentClaims", testInboxConcurrentClaims},
		{"InboxRequeue", testInboxRequeue},
	}
	for _, tc := range inboxTests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			in, ok := s.(lifecycle.Inbox)
			if !ok {
				t.Skipf("%T does not implement lifecycle.Inbox", s)
			}
			tc.fn(t, s, in)
		})
	}
	t.Run("Prune", func(t *testing.T) {
		s := newStore(t)
		p, ok := s.(lifecycle.Pruner)
		if !ok {
			t.Skipf("%T does not implement lifecycle.Pruner", s)
		}
		testPrune(t, s, p)
	})
}

// inboxEvent returns a pending inbox event of connection conn for a
// candidate, with event ID eventID.
func inboxEvent(id, conn, candidate, eventID string) lifecycle.InboxEvent {
	return lifecycle.InboxEvent{
		ID: id, Connection: conn, Source: "workable", EventID: eventID, OrderKey: conn + "/" + candidate,
		Event: ats.Event{ID: eventID, Source: "workable", Connection: conn, Kind: ats.EventStageChanged, Type: "candidate_moved",
			CandidateID: candidate, JobID: "J1", ToStage: ats.StageRef{ID: "iv", Name: "InterviewVector"}, Time: t0, Snapshot: true},
		State: lifecycle.InboxPending, NextAttemptAt: t0, AcceptedAt: t0,
	}
}

func claimEventIDs(t *testing.T, in lifecycle.Inbox, c lifecycle.Claim) []string {
	t.Helper()
	evs, err := in.ClaimEvents(context.Background(), c)
	require.NoError(t, err)
	ids := []string{}
	for _, ev := range evs {
		require.Equal(t, c.Owner, ev.ClaimedBy)
		require.Equal(t, lifecycle.InboxPending, ev.State)
		ids = append(ids, ev.ID)
	}
	return ids
}

func processed(t *testing.T, in lifecycle.Inbox, id, owner string, at time.Time) {
	t.Helper()
	require.NoError(t, in.FinishEvent(context.Background(), id, owner, lifecycle.InboxOutcome{State: lifecycle.InboxProcessed, At: at}))
}

// testInboxAcceptDedup: accepted events are stored as given (Raw
// dropped) and pending; an event ID already in the inbox, in any state,
// is not accepted again, within one call or across calls; events without
// an ID are never de-duplicated.
func testInboxAcceptDedup(t *testing.T, _ lifecycle.Store, in lifecycle.Inbox) {
	ctx := context.Background()
	a := inboxEvent("in_a", "acme", "c1", "ev-1")
	a.Event.Raw = []byte(`{"candidate":{"email":"ada@example.com"}}`)
	a.TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" // kept with the event
	dup := inboxEvent("in_dup", "acme", "c1", "ev-1")
	otherConn := inboxEvent("in_b", "globex", "c1", "ev-1")
	anon1, anon2 := inboxEvent("in_n1", "acme", "c2", ""), inboxEvent("in_n2", "acme", "c2", "")
	n, err := in.AcceptEvents(ctx, []lifecycle.InboxEvent{a, dup, otherConn, anon1, anon2})
	require.NoError(t, err)
	require.Equal(t, 4, n)

	got, err := in.InboxEvents(ctx, lifecycle.InboxFilter{})
	require.NoError(t, err)
	want := []lifecycle.InboxEvent{a, otherConn, anon1, anon2}
	want[0].Event.Raw = nil
	for i := 1; i < len(got); i++ {
		require.Less(t, got[i-1].Seq, got[i].Seq, "Seq must increase in accept order")
	}
	if d := cmp.Diff(want, got, cmpInbox); d != "" {
		t.Errorf("inbox (-want +got):\n%s", d)
	}

	// Processed or not, a redelivery is not accepted again.
	require.Equal(t, []string{"in_a", "in_b", "in_n1"}, claimEventIDs(t, in, lifecycle.Claim{Owner: "w", Now: t0, Lease: time.Minute, Limit: 10}))
	processed(t, in, "in_a", "w", t0)
	n, err = in.AcceptEvents(ctx, []lifecycle.InboxEvent{inboxEvent("in_a2", "acme", "c1", "ev-1"), inboxEvent("in_b2", "globex", "c1", "ev-1")})
	require.NoError(t, err)
	require.Zero(t, n)
	acme, err := in.InboxEvents(ctx, lifecycle.InboxFilter{Connection: "acme", State: lifecycle.InboxPending})
	require.NoError(t, err)
	require.Equal(t, []string{"in_n1", "in_n2"}, inboxIDs(acme))
}

// cmpInbox compares inbox events on what the caller gave and the store
// keeps, ignoring the Seq it assigns and comparing times as instants.
var cmpInbox = cmp.Options{
	cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Seq" }, cmp.Ignore()),
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
}

func inboxIDs(evs []lifecycle.InboxEvent) []string {
	ids := []string{}
	for _, ev := range evs {
		ids = append(ids, ev.ID)
	}
	return ids
}

// testInboxOrdering: only the oldest pending event of an order key (one
// candidate) is claimable, so a candidate's events are processed in order
// and never two at once.
func testInboxOrdering(t *testing.T, _ lifecycle.Store, in lifecycle.Inbox) {
	ctx := context.Background()
	_, err := in.AcceptEvents(ctx, []lifecycle.InboxEvent{
		inboxEvent("a1", "acme", "A", "e1"), inboxEvent("b1", "acme", "B", "e2"), inboxEvent("a2", "acme", "A", "e3"),
	})
	require.NoError(t, err)
	_, err = in.AcceptEvents(ctx, []lifecycle.InboxEvent{inboxEvent("a3", "acme", "A", "e4"), inboxEvent("c1", "acme", "C", "e5")})
	require.NoError(t, err)
	c := lifecycle.Claim{Owner: "w1", Now: t0, Lease: time.Minute, Limit: 10}
	require.Equal(t, []string{"a1", "b1", "c1"}, claimEventIDs(t, in, c))
	processed(t, in, "a1", "w1", t0)
	require.Equal(t, []string{"a2"}, claimEventIDs(t, in, c))
	require.NoError(t, in.FinishEvent(ctx, "a2", "w1", lifecycle.InboxOutcome{State: lifecycle.InboxFailed, Attempts: 1, Error: "404", At: t0}))
	require.Equal(t, []string{"a3"}, claimEventIDs(t, in, c), "a failed event no longer holds back its successors")
	// Limit caps a claim.
	_, err = in.AcceptEvents(ctx, []lifecycle.InboxEvent{inboxEvent("d1", "acme", "D", "e6"), inboxEvent("e1", "acme", "E", "e7")})
	require.NoError(t, err)
	c.Limit = 1
	require.Equal(t, []string{"d1"}, claimEventIDs(t, in, c))
}

// testInboxLeases: a claimed event is leased; after the lease ends another
// owner takes it over (its first owner died) and the first owner can no
// longer record an outcome.
func testInboxLeases(t *testing.T, _ lifecycle.Store, in lifecycle.Inbox) {
	ctx := context.Background()
	_, err := in.AcceptEvents(ctx, []lifecycle.InboxEvent{inboxEvent("a1", "acme", "A", "e1")})
	require.NoError(t, err)
	require.Equal(t, []string{"a1"}, claimEventIDs(t, in, lifecycle.Claim{Owner: "w1", Now: t0, Lease: time.Minute, Limit: 10}))
	require.Empty(t, claimEventIDs(t, in, lifecycle.Claim{Owner: "w2", Now: t0.Add(59 * time.Second), Lease: time.Minute, Limit: 10}))
	require.Empty(t, claimEventIDs(t, in, lifecycle.Claim{Owner: "w2", Now: t0.Add(time.Minute), Lease: time.Minute, Limit: 10}), "the lease holds to its last instant")

	later := t0.Add(2 * time.Minute)
	got, err := in.ClaimEvents(ctx, lifecycle.Claim{Owner: "w2", Now: later, Lease: time.Minute, Limit: 10})
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.True(t, got[0].LeaseUntil.Equal(later.Add(time.Minute)), "lease until %v", got[0].LeaseUntil)
	require.ErrorIs(t, in.FinishEvent(ctx, "a1", "w1", lifecycle.InboxOutcome{State: lifecycle.InboxProcessed, At: later}), lifecycle.ErrLeaseLost)
	require.ErrorIs(t, in.FinishEvent(ctx, "nope", "w2", lifecycle.InboxOutcome{State: lifecycle.InboxProcessed, At: later}), lifecycle.ErrNotFound)
	processed(t, in, "a1", "w2", later)

	evs, err := in.InboxEvents(ctx, lifecycle.InboxFilter{})
	require.NoError(t, err)
	require.Len(t, evs, 1)
	require.Equal(t, lifecycle.InboxProcessed, evs[0].State)
	require.Empty(t, evs[0].ClaimedBy)
	require.True(t, evs[0].DoneAt.Equal(later))
	require.Empty(t, claimEventIDs(t, in, lifecycle.Claim{Owner: "w3", Now: t0.Add(time.Hour), Lease: time.Minute, Limit: 10}))
	require.ErrorIs(t, in.FinishEvent(ctx, "a1", "w2", lifecycle.InboxOutcome{State: lifecycle.InboxProcessed, At: later}), lifecycle.ErrLeaseLost)
}

// testInboxRetryAndFail: an event put back pending after a failure waits
// until its next attempt and keeps its attempts and error; while it waits
// it does not hold back the newer events of its order key, and it is not
// claimed while one of them is leased. An event put back without having
// failed (LastError empty: a pacing delay) still holds them back.
func testInboxRetryAndFail(t *testing.T, _ lifecycle.Store, in lifecycle.Inbox) {
	ctx := context.Background()
	_, err := in.AcceptEvents(ctx, []lifecycle.InboxEvent{inboxEvent("a1", "acme", "A", "e1"), inboxEvent("a2", "acme", "A", "e2")})
	require.NoError(t, err)
	c := lifecycle.Claim{Owner: "w1", Now: t0, Lease: time.Minute, Limit: 10}
	require.Equal(t, []string{"a1"}, claimEventIDs(t, in, c))
	require.NoError(t, in.FinishEvent(ctx, "a1", "w1", lifecycle.InboxOutcome{State: lifecycle.InboxPending, Attempts: 1,
		NextAttemptAt: t0.Add(10 * time.Second), Error: "429 Too Many Requests", At: t0}))
	c.Now = t0.Add(5 * time.Second)
	require.Equal(t, []string{"a2"}, claimEventIDs(t, in, c), "a retrying event holds back its candidate's newer one")
	c.Now = t0.Add(10 * time.Second)
	require.Empty(t, claimEventIDs(t, in, c), "a1 is due, but a2 of the same candidate is leased")
	processed(t, in, "a2", "w1", c.Now)
	got, err := in.ClaimEvents(ctx, c)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, "a1", got[0].ID)
	require.Equal(t, 1, got[0].Attempts)
	require.Equal(t, "429 Too Many Requests", got[0].LastError)
	require.NoError(t, in.FinishEvent(ctx, "a1", "w1", lifecycle.InboxOutcome{State: lifecycle.InboxFailed, Attempts: 2, Error: "422", At: c.Now}))
	failed, err := in.InboxEvents(ctx, lifecycle.InboxFilter{State: lifecycle.InboxFailed})
	require.NoError(t, err)
	require.Len(t, failed, 1)
	require.Equal(t, 2, failed[0].Attempts)
	require.Equal(t, "422", failed[0].LastError)

	// Put back without a failure (its connection's pacing): still first
	// in line.
	_, err = in.AcceptEvents(ctx, []lifecycle.InboxEvent{inboxEvent("a3", "acme", "A", "e3"), inboxEvent("a4", "acme", "A", "e4")})
	require.NoError(t, err)
	require.Equal(t, []string{"a3"}, claimEventIDs(t, in, c))
	require.NoError(t, in.FinishEvent(ctx, "a3", "w1", lifecycle.InboxOutcome{State: lifecycle.InboxPending,
		NextAttemptAt: c.Now.Add(time.Minute), At: c.Now}))
	require.Empty(t, claimEventIDs(t, in, c), "a3 waits for its connection's pacing, without a failure: a4 waits behind it")
	c.Now = c.Now.Add(time.Minute)
	require.Equal(t, []string{"a3"}, claimEventIDs(t, in, c))
}

// testInboxPerConnection: a claim takes at most PerConnection events of one
// connection and none of a skipped one; events of a disabled connection
// are claimed (they may end interviews).
func testInboxPerConnection(t *testing.T, s lifecycle.Store, in lifecycle.Inbox) {
	ctx := context.Background()
	var evs []lifecycle.InboxEvent
	for i := range 6 {
		evs = append(evs, inboxEvent(fmt.Sprintf("busy-%d", i), "busy", fmt.Sprintf("c%d", i), fmt.Sprintf("e%d", i)))
	}
	evs = append(evs, inboxEvent("quiet1", "quiet1", "c1", "e1"), inboxEvent("quiet2", "quiet2", "c1", "e1"))
	_, err := in.AcceptEvents(ctx, evs)
	require.NoError(t, err)
	_, err = s.SaveConnection(ctx, lifecycle.Connection{ID: "quiet2", Kind: "workable", State: lifecycle.ConnectionDisabled})
	require.NoError(t, err)
	for _, tc := range []struct {
		name  string
		claim lifecycle.Claim
		want  []string
	}{
		{"two per connection", lifecycle.Claim{Owner: "a", Limit: 4, PerConnection: 2}, []string{"busy-0", "busy-1", "quiet1", "quiet2"}},
		{"again", lifecycle.Claim{Owner: "b", Limit: 10, PerConnection: 2, Skip: []string{"nobody"}}, []string{"busy-2", "busy-3"}},
		{"skipping busy", lifecycle.Claim{Owner: "c", Limit: 10, Skip: []string{"busy"}}, []string{}},
		{"one per connection", lifecycle.Claim{Owner: "c", Limit: 10, PerConnection: 1}, []string{"busy-4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.claim.Now, tc.claim.Lease = t0, time.Minute
			if d := cmp.Diff(tc.want, claimEventIDs(t, in, tc.claim)); d != "" {
				t.Errorf("claim (-want +got):\n%s", d)
			}
		})
	}
}

// testInboxConcurrentClaims: concurrent claimers never get the same event.
func testInboxConcurrentClaims(t *testing.T, _ lifecycle.Store, in lifecycle.Inbox) {
	ctx := context.Background()
	const n = 60
	var evs []lifecycle.InboxEvent
	for i := range n {
		evs = append(evs, inboxEvent(fmt.Sprintf("in%02d", i), fmt.Sprintf("conn%d", i%3), fmt.Sprintf("c%d", i), fmt.Sprintf("e%d", i)))
	}
	_, err := in.AcceptEvents(ctx, evs)
	require.NoError(t, err)
	var mu sync.Mutex
	seen := map[string]string{}
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := fmt.Sprintf("w%d", w)
			for {
				got, err := in.ClaimEvents(ctx, lifecycle.Claim{Owner: owner, Now: t0, Lease: time.Hour, Limit: 4, PerConnection: 2})
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				for _, ev := range got {
					mu.Lock()
					if prev, ok := seen[ev.ID]; ok {
						t.Errorf("%s claimed by %s and %s", ev.ID, prev, owner)
					}
					seen[ev.ID] = owner
					mu.Unlock()
					if err := in.FinishEvent(ctx, ev.ID, owner, lifecycle.InboxOutcome{State: lifecycle.InboxProcessed, At: t0}); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	require.Len(t, seen, n)
}

// testPrune: Prune deletes done effects, processed-event records and
// processed inbox events older than before, at most limit of each per
// call, and keeps everything newer, failed or parked.
func testPrune(t *testing.T, s lifecycle.Store, p lifecycle.Pruner) {
	ctx := context.Background()
	old, recent := t0, t0.Add(48*time.Hour)
	before := t0.Add(24 * time.Hour)

	// Effects: three old done, one recent done, one old failed, one
	// old parked, one pending.
	var effs []lifecycle.Effect
	for _, id := range []string{"old1", "old2", "old3", "recent", "failed", "parked", "pending"} {
		effs = append(effs, effect(id, "K-"+id))
	}
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Effects: effs}))
	_, err := s.ClaimEffects(ctx, lifecycle.Claim{Owner: "w", Now: t0, Lease: time.Hour, Limit: 10})
	require.NoError(t, err)
	for _, x := range []struct {
		id    string
		state lifecycle.EffectState
		at    time.Time
	}{{"old1", lifecycle.EffectDone, old}, {"old2", lifecycle.EffectDone, old}, {"old3", lifecycle.EffectDone, old},
		{"recent", lifecycle.EffectDone, recent}, {"failed", lifecycle.EffectFailed, old}, {"parked", lifecycle.EffectParked, old}} {
		require.NoError(t, s.BeginAttempt(ctx, x.id, "w", t0))
		require.NoError(t, s.FinishEffect(ctx, x.id, "w", lifecycle.Outcome{State: x.state, At: x.at}))
	}
	// Processed events, recorded at the change's time.
	for i, at := range []time.Time{old, old, old, recent} {
		require.NoError(t, s.Commit(ctx, lifecycle.Change{Event: &lifecycle.EventRef{Connection: "acme", Source: "workable", ID: fmt.Sprintf("ev%d", i)}, At: at}))
	}
	// Inbox events, when the store has an inbox.
	in, hasInbox := s.(lifecycle.Inbox)
	if hasInbox {
		var evs []lifecycle.InboxEvent
		for _, id := range []string{"i-old1", "i-old2", "i-old3", "i-recent", "i-failed", "i-pending"} {
			evs = append(evs, inboxEvent(id, "acme", id, id))
		}
		_, err := in.AcceptEvents(ctx, evs)
		require.NoError(t, err)
		_, err = in.ClaimEvents(ctx, lifecycle.Claim{Owner: "w", Now: t0, Lease: time.Hour, Limit: 5})
		require.NoError(t, err)
		for _, x := range []struct {
			id    string
			state lifecycle.InboxState
			at    time.Time
		}{{"i-old1", lifecycle.InboxProcessed, old}, {"i-old2", lifecycle.InboxProcessed, old}, {"i-old3", lifecycle.InboxProcessed, old},
			{"i-recent", lifecycle.InboxProcessed, recent}, {"i-failed", lifecycle.InboxFailed, old}} {
			require.NoError(t, in.FinishEvent(ctx, x.id, "w", lifecycle.InboxOutcome{State: x.state, At: x.at}))
		}
	}

	perKind := 2
	if hasInbox {
		perKind = 3
	}
	n, err := p.Prune(ctx, before, 2)
	require.NoError(t, err)
	require.Equal(t, 2*perKind, n, "at most limit of each kind")
	n, err = p.Prune(ctx, before, 2)
	require.NoError(t, err)
	require.Equal(t, perKind, n, "the rest")
	n, err = p.Prune(ctx, before, 2)
	require.NoError(t, err)
	require.Zero(t, n)

	left, err := s.Effects(ctx, lifecycle.EffectFilter{})
	require.NoError(t, err)
	ids := []string{}
	for _, e := range left {
		ids = append(ids, e.ID)
	}
	if d := cmp.Diff([]string{"recent", "failed", "parked", "pending"}, ids); d != "" {
		t.Errorf("effects left (-want +got):\n%s", d)
	}
	for i, want := range []bool{false, false, false, true} {
		seen, err := s.EventProcessed(ctx, lifecycle.EventRef{Connection: "acme", Source: "workable", ID: fmt.Sprintf("ev%d", i)})
		require.NoError(t, err)
		require.Equal(t, want, seen, "event ev%d kept", i)
	}
	if hasInbox {
		evs, err := in.InboxEvents(ctx, lifecycle.InboxFilter{})
		require.NoError(t, err)
		if d := cmp.Diff([]string{"i-recent", "i-failed", "i-pending"}, inboxIDs(evs)); d != "" {
			t.Errorf("inbox left (-want +got):\n%s", d)
		}
		// A pruned event's ID may be accepted again.
		n, err := in.AcceptEvents(ctx, []lifecycle.InboxEvent{inboxEvent("again", "acme", "i-old1", "i-old1")})
		require.NoError(t, err)
		require.Equal(t, 1, n)
	}
	// The outbox still works after pruning.
	got, err := s.ClaimEffects(ctx, lifecycle.Claim{Owner: "w2", Now: t0.Add(3 * time.Hour), Lease: time.Minute, Limit: 10})
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, "pending", got[0].ID)
}

// testInboxRequeue: failed events, and only those, are put back in line
// (by ID or by connection) with their attempts reset, ahead of later
// events of the same order key for one attempt: failing again, a requeued
// event lets them go first. A store without lifecycle.InboxRequeuer skips
// it.
func testInboxRequeue(t *testing.T, _ lifecycle.Store, in lifecycle.Inbox) {
	r, ok := in.(lifecycle.InboxRequeuer)
	if !ok {
		t.Skipf("%T does not implement lifecycle.InboxRequeuer", in)
	}
	ctx := context.Background()
	_, err := in.AcceptEvents(ctx, []lifecycle.InboxEvent{inboxEvent("a1", "acme", "A", "e1"), inboxEvent("a2", "acme", "A", "e2"),
		inboxEvent("b1", "beta", "B", "e1"), inboxEvent("a3", "acme", "C", "e3")})
	require.NoError(t, err)
	c := lifecycle.Claim{Owner: "w1", Now: t0, Lease: time.Minute, Limit: 10}
	require.Equal(t, []string{"a1", "b1", "a3"}, claimEventIDs(t, in, c))
	for _, id := range []string{"a1", "b1"} {
		require.NoError(t, in.FinishEvent(ctx, id, "w1", lifecycle.InboxOutcome{State: lifecycle.InboxFailed, Attempts: 5, Error: "gave up", At: t0}))
	}
	processed(t, in, "a3", "w1", t0)
	at := t0.Add(time.Hour)
	for _, tc := range []struct {
		name string
		f    lifecycle.InboxFilter
		id   string
		want []string
	}{
		{"unknown ID", lifecycle.InboxFilter{}, "nope", nil},
		{"processed event stays", lifecycle.InboxFilter{}, "a3", nil},
		{"by ID", lifecycle.InboxFilter{}, "b1", []string{"b1"}},
		{"by connection", lifecycle.InboxFilter{Connection: "acme"}, "", []string{"a1"}},
		{"nothing failed left", lifecycle.InboxFilter{}, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := r.RequeueInboxEvents(ctx, tc.f, tc.id, at)
			require.NoError(t, err)
			var got []string
			for _, ev := range evs {
				got = append(got, ev.ID)
				require.Equal(t, lifecycle.InboxPending, ev.State)
				require.Zero(t, ev.Attempts)
				require.True(t, ev.NextAttemptAt.Equal(at), "NextAttemptAt %v, want %v", ev.NextAttemptAt, at)
			}
			require.Equal(t, tc.want, got)
		})
	}
	// Due at the requeue time; a1 is again first in line for its
	// candidate, before a2.
	c.Now, c.Owner = at, "w2"
	require.Equal(t, []string{"a1", "b1"}, claimEventIDs(t, in, c))
	// a1 fails again: it waits for its retry behind a2 rather than
	// holding a2 for another round of attempts.
	require.NoError(t, in.FinishEvent(ctx, "a1", "w2", lifecycle.InboxOutcome{State: lifecycle.InboxPending, Attempts: 1,
		NextAttemptAt: at.Add(time.Hour), Error: "500", At: at}))
	require.Equal(t, []string{"a2"}, claimEventIDs(t, in, c), "a requeued event that fails again holds its candidate's newer events hostage")
}
