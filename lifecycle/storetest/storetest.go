package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
)

// Run runs the conformance suite; newStore must return a fresh, empty store
// for each subtest.
func Run(t *testing.T, newStore func(t *testing.T) lifecycle.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s lifecycle.Store)
	}{
		{"Positions", testPositions},
		{"InterviewRoundTrip", testInterviewRoundTrip},
		{"InterviewFilter", testInterviewFilter},
		{"DuplicateInterview", testDuplicateInterview},
		{"VersionConflict", testVersionConflict},
		{"DuplicateEvent", testDuplicateEvent},
		{"OutboxOrdering", testOutboxOrdering},
		{"OutboxLeases", testOutboxLeases},
		{"OutboxLeaseExpiry", testOutboxLeaseExpiry},
		{"OutboxRetryAndFail", testOutboxRetryAndFail},
		{"ConcurrentCreate", testConcurrentCreate},
		{"ConcurrentUpdate", testConcurrentUpdate},
		{"ConcurrentClaims", testConcurrentClaims},
		{"ConnectionScoping", testConnectionScoping},
		{"Connections", testConnections},
		{"ClaimSkipsDisabledConnection", testClaimSkipsDisabledConnection},
		{"ClaimPerConnection", testClaimPerConnection},
		{"Paging", testPaging},
		{"CountEffects", testCountEffects},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
	runInbox(t, newStore)          // inbox.go
	runReconcileLease(t, newStore) // reconcile_lease.go
}

var t0 = time.Date(2025, 3, 14, 9, 30, 0, 123456000, time.UTC)

func interview(id, candidate string, round int) lifecycle.Interview {
	return lifecycle.Interview{
		ID: id, Connection: "workable", Source: "workable", CandidateID: candidate, JobID: "J1",
		PositionID: "workable:J1", Round: round, RoundName: fmt.Sprintf("Round %d", round+1),
		State: lifecycle.StateRequested, Attempt: 1,
		CreatedAt: t0, UpdatedAt: t0,
	}
}

func effect(id, orderKey string) lifecycle.Effect {
	return lifecycle.Effect{
		ID: id, Kind: lifecycle.EffectNote, InterviewID: orderKey, OrderKey: orderKey,
		Connection: "workable", Source: "workable", CandidateID: "c1", Payload: []byte(`{"body":"hello ` + id + `"}`),
		NextAttemptAt: t0, CreatedAt: t0,
	}
}

func testPositions(t *testing.T, s lifecycle.Store) {
	ctx := context.Background()
	_, err := s.Position(ctx, "workable:none")
	require.ErrorIs(t, err, lifecycle.ErrNotFound)

	p := lifecycle.Position{
		ID: "workable:J2", Connection: "workable", Source: "workable", JobID: "J2", Title: "Backend", Status: lifecycle.PositionPending,
		Link:   ats.JobLink{Linked: true, Marker: "InterviewVector", StageID: "iv"},
		Stages: []ats.Stage{{ID: "applied", Name: "Applied", Kind: ats.StageApplied}, {ID: "iv", Name: "InterviewVector", Kind: ats.StageInterview, Position: 1}},
		Config: lifecycle.PositionConfig{
			Rounds: []lifecycle.Round{{Name: "Tech", Template: "tpl-1"}},
			Notes:  map[lifecycle.NoteKind]string{"invited": "hi {{.Link}}"},
		},
		CreatedAt: t0, UpdatedAt: t0,
	}
	saved, err := s.SavePosition(ctx, p)
	require.NoError(t, err)
	require.EqualValues(t, 1, saved.Version)
	got, err := s.Position(ctx, p.ID)
	require.NoError(t, err)
	want := p
	want.Version = 1
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("Position mismatch (-want +got):\n%s", d)
	}

	// Inserting the same ID again is a conflict.
	_, err = s.SavePosition(ctx, p)
	require.ErrorIs(t, err, lifecycle.ErrVersionConflict)

	got.Status = lifecycle.PositionActive
	saved, err = s.SavePosition(ctx, got)
	require.NoError(t, err)
	require.EqualValues(t, 2, saved.Version)
	// A stale version is a conflict and changes nothing.
	got.Title = "stale"
	_, err = s.SavePosition(ctx, got)
	require.ErrorIs(t, err, lifecycle.ErrVersionConflict)
	cur, err := s.Position(ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, "Backend", cur.Title)

	for _, q := range []lifecycle.Position{
		{ID: "workable:J1", Connection: "workable", Source: "workable", JobID: "J1", Status: lifecycle.PositionPending},
		{ID: "lever:P1", Connection: "lever", Source: "lever", JobID: "P1", Status: lifecycle.PositionActive},
	} {
		_, err := s.SavePosition(ctx, q)
		require.NoError(t, err)
	}
	ids := func(f lifecycle.PositionFilter) []string {
		ps, err := s.Positions(ctx, f)
		require.NoError(t, err)
		var out []string
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	require.Equal(t, []string{"lever:P1", "workable:J1", "workable:J2"}, ids(lifecycle.PositionFilter{}))
	require.Equal(t, []string{"workable:J1", "workable:J2"}, ids(lifecycle.PositionFilter{Source: "workable"}))
	require.Equal(t, []string{"lever:P1", "workable:J2"}, ids(lifecycle.PositionFilter{Status: lifecycle.PositionActive}))
	require.Equal(t, []string{"workable:J2"}, ids(lifecycle.PositionFilter{Source: "workable", Status: lifecycle.PositionActive}))
}

func testInterviewRoundTrip(t *testing.T, s lifecycle.Store) {
	ctx := context.Background()
	_, err := s.Interview(ctx, "nope")
	require.ErrorIs(t, err, lifecycle.ErrNotFound)
	_, err = s.InterviewByKey(ctx, lifecycle.InterviewKey{Connection: "workable", CandidateID: "c1", PositionID: "workable:J1"})
	require.ErrorIs(t, err, lifecycle.ErrNotFound)

	iv := interview("iv1", "c1", 0)
	iv.State = lifecycle.StateScheduled
	iv.Missing = []lifecycle.Field{lifecycle.FieldPhone}
	iv.Candidate = ats.Candidate{ID: "c1", JobID: "J1", Name: "Ada Lovelace", Emails: []string{"ada@example.com"}, Stage: ats.StageRef{ID: "iv", Name: "InterviewVector"}}
	iv.ScheduledAt = t0.Add(48 * time.Hour)
	iv.ExpiresAt = t0.Add(72 * time.Hour)
	iv.Result = &ats.Result{Score: "87", Grade: ats.GradePassed, Summary: "Strong", ReportURL: "https://v.example/r/1",
		Attachments: []ats.Attachment{{Description: "Recording", URL: "https://v.example/rec/1"}},
		Details:     []ats.FeedbackField{{Name: "Coding", Value: "4/5"}}}
	iv.Callback = &lifecycle.Callback{URL: "https://workable.example/cb", Token: "secret"}
	iv.VendorRef, iv.VendorAttempt = "vend-1", 1
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Create: []lifecycle.Interview{iv}}))

	want := iv
	want.Version = 1
	got, err := s.Interview(ctx, "iv1")
	require.NoError(t, err)
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("Interview mismatch (-want +got):\n%s", d)
	}
	got, err = s.InterviewByKey(ctx, iv.Key())
	require.NoError(t, err)
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("InterviewByKey mismatch (-want +got):\n%s", d)
	}
	// Mutating the returned value must not change the store.
	got.Candidate.Emails[0] = "changed@example.com"
	again, err := s.Interview(ctx, "iv1")
	require.NoError(t, err)
	require.Equal(t, "ada@example.com", again.Candidate.Emails[0])
}

func testInterviewFilter(t *testing.T, s lifecycle.Store) {
	ctx := context.Background()
	a := interview("a", "c1", 0)
	b := interview("b", "c1", 1)
	b.State = lifecycle.StateInvited
	b.ExpiresAt = t0.Add(time.Hour)
	b.CreatedAt = t0.Add(time.Second)
	c := interview("c", "c2", 0)
	c.State = lifecycle.StateInvited
	c.ExpiresAt = t0.Add(3 * time.Hour)
	c.CreatedAt = t0.Add(2 * time.Second)
	d := interview("d", "c1", 0)
	d.Source, d.PositionID = "lever", "lever:P1"
	d.CreatedAt = t0.Add(3 * time.Second)
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Create: []lifecycle.Interview{a, b, c, d}}))

	tests := []struct {
		name string
		f    lifecycle.InterviewFilter
		want []string
	}{
		{"all", lifecycle.InterviewFilter{}, []string{"a", "b", "c", "d"}},
		{"source", lifecycle.InterviewFilter{Source: "workable"}, []string{"a", "b", "c"}},
		{"candidate", lifecycle.InterviewFilter{Source: "workable", CandidateID: "c1"}, []string{"a", "b"}},
		{"candidate any source", lifecycle.InterviewFilter{CandidateID: "c1"}, []string{"a", "b", "d"}},
		{"position", lifecycle.InterviewFilter{PositionID: "lever:P1"}, []string{"d"}},
		{"states", lifecycle.InterviewFilter{States: []lifecycle.State{lifecycle.StateInvited}}, []string{"b", "c"}},
		{"expires", lifecycle.InterviewFilter{ExpiresBefore: t0.Add(2 * time.Hour)}, []string{"b"}},
		{"expires exact", lifecycle.InterviewFilter{ExpiresBefore: t0.Add(3 * time.Hour)}, []string{"b", "c"}},
		{"limit", lifecycle.InterviewFilter{Limit: 2}, []string{"a", "b"}},
		{"none", lifecycle.InterviewFilter{Source: "greenhouse"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ivs, err := s.Interviews(ctx, tc.f)
			require.NoError(t, err)
			var got []string
			for _, iv := range ivs {
				got = append(got, iv.ID)
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func testDuplicateInterview(t *testing.T, s lifecycle.Store) {
	ctx := context.Background()
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Create: []lifecycle.Interview{interview("iv1", "c1", 0)}}))
	// Same key, different ID: refused, and nothing of the change is written.
	err := s.Commit(ctx, lifecycle.Change{
		Event:   &lifecycle.EventRef{Source: "workable", ID: "ev-dup"},
		Create:  []lifecycle.Interview{interview("iv2", "c1", 1), interview("iv3", "c1", 0)},
		Effects: []lifecycle.Effect{effect("e1", "iv2")},
	})
	require.ErrorIs(t, err, lifecycle.ErrDuplicateInterview)
	_, err = s.Interview(ctx, "iv2")
	require.ErrorIs(t, err, lifecycle.ErrNotFound)
	seen, err := s.EventProcessed(ctx, lifecycle.EventRef{Source: "workable", ID: "ev-dup"})
	require.NoError(t, err)
	require.False(t, seen)
	effs, err := s.Effects(ctx, lifecycle.EffectFilter{})
	require.NoError(t, err)
	require.Empty(t, effs)
}

func testVersionConflict(t *testing.T, s lifecycle.Store) {
	ctx := context.Background()
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Create: []lifecycle.Interview{interview("iv1", "c1", 0)}}))
	iv, err := s.Interview(ctx, "iv1")
	require.NoError(t, err)
	require.EqualValues(t, 1, iv.Version)

	iv.State = lifecycle.StateInvited
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Update: []lifecycle.Interview{iv}, Effects: []lifecycle.Effect{effect("e1", "iv1")}}))
	cur, err := s.Interview(ctx, "iv1")
	require.NoError(t, err)
	require.EqualValues(t, 2, cur.Version)
	require.Equal(t, lifecycle.StateInvited, cur.State)

	// iv still carries version 1: stale.
	iv.State = lifecycle.StateCancelled
	err = s.Commit(ctx, lifecycle.Change{
		Event:   &lifecycle.EventRef{Source: "workable", ID: "ev-stale"},
		Update:  []lifecycle.Interview{iv},
		Effects: []lifecycle.Effect{effect("e2", "iv1")},
	})
	require.ErrorIs(t, err, lifecycle.ErrVersionConflict)
	cur, err = s.Interview(ctx, "iv1")
	require.NoError(t, err)
	require.Equal(t, lifecycle.StateInvited, cur.State)
	effs, err := s.Effects(ctx, lifecycle.EffectFilter{})
	require.NoError(t, err)
	require.Len(t, effs, 1)
	seen, err := s.EventProcessed(ctx, lifecycle.EventRef{Source: "workable", ID: "ev-stale"})
	require.NoError(t, err)
	require.False(t, seen)

	// Updating an interview that does not exist is a conflict too.
	ghost := interview("ghost", "c9", 0)
	ghost.Version = 1
	require.ErrorIs(t, s.Commit(ctx, lifecycle.Change{Update: []lifecycle.Interview{ghost}}), lifecycle.ErrVersionConflict)
}

func testDuplicateEvent(t *testing.T, s lifecycle.Store) {
	ctx := context.Background()
	ev := lifecycle.EventRef{Source: "lever", ID: "delivery-1"}
	seen, err := s.EventProcessed(ctx, ev)
	require.NoError(t, err)
	require.False(t, seen)
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Event: &ev, Create: []lifecycle.Interview{interview("iv1", "c1", 0)}}))
	seen, err = s.EventProcessed(ctx, ev)
	require.NoError(t, err)
	require.True(t, seen)
	// Same ID from another source is a different event.
	seen, err = s.EventProcessed(ctx, lifecycle.EventRef{Source: "workable", ID: "delivery-1"})
	require.NoError(t, err)
	require.False(t, seen)

	err = s.Commit(ctx, lifecycle.Change{Event: &ev, Create: []lifecycle.Interview{interview("iv2", "c2", 0)}, Effects: []lifecycle.Effect{effect("e1", "iv2")}})
	require.ErrorIs(t, err, lifecycle.ErrDuplicateEvent)
	_, err = s.Interview(ctx, "iv2")
	require.ErrorIs(t, err, lifecycle.ErrNotFound)
	effs, err := s.Effects(ctx, lifecycle.EffectFilter{})
	require.NoError(t, err)
	require.Empty(t, effs)
	// An event-only change records the event.
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Event: &lifecycle.EventRef{Source: "lever", ID: "delivery-2"}}))
	seen, err = s.EventProcessed(ctx, lifecycle.EventRef{Source: "lever", ID: "delivery-2"})
	require.NoError(t, err)
	require.True(t, seen)
}

func claimIDs(t *testing.T, s lifecycle.Store, c lifecycle.Claim) []string {
	t.Helper()
	effs, err := s.ClaimEffects(context.Background(), c)
	require.NoError(t, err)
	var ids []string
	for _, e := range effs {
		require.Equal(t, c.Owner, e.ClaimedBy)
		require.Equal(t, lifecycle.EffectPending, e.State)
		ids = append(ids, e.ID)
	}
	return ids
}

func done(t *testing.T, s lifecycle.Store, id, owner string) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, s.BeginAttempt(ctx, id, owner, t0))
	require.NoError(t, s.FinishEffect(ctx, id, owner, lifecycle.Outcome{State: lifecycle.EffectDone, At: t0}))
}

func testOutboxOrdering(t *testing.T, s lifecycle.Store) {
	ctx := context.Background()
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Effects: []lifecycle.Effect{effect("a1", "A"), effect("b1", "B"), effect("a2", "A")}}))
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Effects: []lifecycle.Effect{effect("a3", "A"), effect("c1", "C")}}))

	effs, err := s.Effects(ctx, lifecycle.EffectFilter{})
	require.NoError(t, err)
	require.Len(t, effs, 5)
	for i := 1; i < len(effs); i++ {
		require.Less(t, effs[i-1].Seq, effs[i].Seq, "Seq must increase in commit order")
	}
	e := effs[0]
	require.Equal(t, "a1", e.ID)
	require.Equal(t, lifecycle.EffectNote, e.Kind)
	require.JSONEq(t, `{"body":"hello a1"}`, string(e.Payload))
	require.Equal(t, lifecycle.EffectPending, e.State)
	require.Zero(t, e.Attempts)
	require.False(t, e.Unacked)

	claim := lifecycle.Claim{Owner: "w1", Now: t0, Lease: time.Minute, Limit: 10}
	// Only the head of each order key is claimable.
	require.Equal(t, []string{"a1", "b1", "c1"}, claimIDs(t, s, claim))
	done(t, s, "a1", "w1")
	claim.Now = t0.Add(time.Second)
	require.Equal(t, []string{"a2"}, claimIDs(t, s, claim))
	done(t, s, "a2", "w1")
	done(t, s, "b1", "w1")
	require.Equal(t, []string{"a3"}, claimIDs(t, s, claim))

	// Limit caps a claim.
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Effects: []lifecycle.Effect{effect("d1", "D"), effect("e1", "E")}}))
	claim.Owner, claim.Limit = "w2", 1
	require.Equal(t, []string{"d1"}, claimIDs(t, s, claim))

	doneEffs, err := s.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectDone})
	require.NoError(t, err)
	require.Len(t, doneEffs, 3)
	byIV, err := s.Effects(ctx, lifecycle.EffectFilter{InterviewID: "A"})
	require.NoError(t, err)
	require.Len(t, byIV, 3)
}

func testOutboxLeases(t *testing.T, s lifecycle.Store) {
	ctx := context.Background()
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Effects: []lifecycle.Effect{effect("a1", "A")}}))
	c1 := lifecycle.Claim{Owner: "w1", Now: t0, Lease: time.Minute, Limit: 10}
	require.Equal(t, []string{"a1"}, claimIDs(t, s, c1))
	// Leased: nobody else gets it, not even the same owner again.
	require.Empty(t, claimIDs(t, s, lifecycle.Claim{Owner: "w2", Now: t0.Add(30 * time.Second), Lease: time.Minute, Limit: 10}))
	require.NoError(t, s.BeginAttempt(ctx, "a1", "w1", t0))
	effs, err := s.Effects(ctx, lifecycle.EffectFilter{})
	require.NoError(t, err)
	require.Equal(t, 1, effs[0].Attempts)
	require.True(t, effs[0].Unacked)
	require.Equal(t, "w1", effs[0].ClaimedBy)

	// w1 "crashes": the lease expires and w2 claims the effect, seeing the
	// unacknowledged attempt.
	c2 := lifecycle.Claim{Owner: "w2", Now: t0.Add(2 * time.Minute), Lease: time.Minute, Limit: 10}
	got, err := s.ClaimEffects(ctx, c2)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.True(t, got[0].Unacked)
	require.Equal(t, 1, got[0].Attempts)
	require.True(t, got[0].LeaseUntil.Equal(t0.Add(3*time.Minute)), "lease until %v", got[0].LeaseUntil)

	// w1 wakes up: its lease is gone.
	require.ErrorIs(t, s.BeginAttempt(ctx, "a1", "w1", t0), lifecycle.ErrLeaseLost)
	require.ErrorIs(t, s.FinishEffect(ctx, "a1", "w1", lifecycle.Outcome{State: lifecycle.EffectDone, At: t0}), lifecycle.ErrLeaseLost)
	require.ErrorIs(t, s.FinishEffect(ctx, "nope", "w1", lifecycle.Outcome{State: lifecycle.EffectDone, At: t0}), lifecycle.ErrNotFound)

	require.NoError(t, s.FinishEffect(ctx, "a1", "w2", lifecycle.Outcome{State: lifecycle.EffectDone, At: t0.Add(2 * time.Minute)}))
	effs, err = s.Effects(ctx, lifecycle.EffectFilter{})
	require.NoError(t, err)
	require.Equal(t, lifecycle.EffectDone, effs[0].State)
	require.False(t, effs[0].Unacked)
	require.True(t, effs[0].DoneAt.Equal(t0.Add(2*time.Minute)))
	// A finished effect is never claimed again, and cannot be finished twice.
	require.Empty(t, claimIDs(t, s, lifecycle.Claim{Owner: "w3", Now: t0.Add(time.Hour), Lease: time.Minute, Limit: 10}))
	require.ErrorIs(t, s.FinishEffect(ctx, "a1", "w2", lifecycle.Outcome{State: lifecycle.EffectDone, At: t0}), lifecycle.ErrLeaseLost)
}

// testOutboxLeaseExpiry: an attempt may only begin while the lease holds.
// Once it ended another owner may claim the effect, so a late BeginAttempt
// by the old owner is refused even before anyone reclaimed it.
func testOutboxLeaseExpiry(t *testing.T, s lifecycle.Store) {
	ctx := context.Background()
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Effects: []lifecycle.Effect{effect("a1", "A"), effect("b1", "B")}}))
	require.Equal(t, []string{"a1", "b1"}, claimIDs(t, s, lifecycle.Claim{Owner: "w1", Now: t0, Lease: time.Minute, Limit: 10}))

	// At the last instant of the lease the attempt may begin.
	require.NoError(t, s.BeginAttempt(ctx, "a1", "w1", t0.Add(time.Minute)))
	// After it, not: the effect is up for grabs.
	require.ErrorIs(t, s.BeginAttempt(ctx, "b1", "w1", t0.Add(time.Minute+time.Nanosecond)), lifecycle.ErrLeaseLost)
	effs, err := s.Effects(ctx, lifecycle.EffectFilter{})
	require.NoError(t, err)
	require.Equal(t, 1, effs[0].Attempts)
	require.Zero(t, effs[1].Attempts, "a refused attempt is not counted")
	require.False(t, effs[1].Unacked)

	// Another owner takes b1 over and may attempt it.
	later := t0.Add(2 * time.Minute)
	got, err := s.ClaimEffects(ctx, lifecycle.Claim{Owner: "w2", Now: later, Lease: time.Minute, Limit: 10})
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.True(t, got[0].Unacked, "a1's attempt by w1 was never acknowledged")
	require.False(t, got[1].Unacked, "b1 was never attempted")
	require.ErrorIs(t, s.FinishEffect(ctx, "a1", "w1", lifecycle.Outcome{State: lifecycle.EffectDone, At: later}), lifecycle.ErrLeaseLost)
	require.NoError(t, s.BeginAttempt(ctx, "b1", "w2", later))
	require.NoError(t, s.FinishEffect(ctx, "b1", "w2", lifecycle.Outcome{State: lifecycle.EffectDone, At: later}))
}

func testOutboxRetryAndFail(t *testing.T, s lifecycle.Store) {
	ctx := context.Background()
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Effects: []lifecycle.Effect{effect("a1", "A"), effect("a2", "A")}}))
	c := lifecycle.Claim{Owner: "w1", Now: t0, Lease: time.Minute, Limit: 10}
	require.Equal(t, []string{"a1"}, claimIDs(t, s, c))
	require.NoError(t, s.BeginAttempt(ctx, "a1", "w1", t0))
	require.NoError(t, s.FinishEffect(ctx, "a1", "w1", lifecycle.Outcome{State: lifecycle.EffectPending, NextAttemptAt: t0.Add(10 * time.Second), Error: "503 Service Unavailable", At: t0}))

	// Not due yet, and a2 waits behind it.
	c.Now = t0.Add(5 * time.Second)
	require.Empty(t, claimIDs(t, s, c))
	c.Now = t0.Add(10 * time.Second)
	got, err := s.ClaimEffects(ctx, c)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, "a1", got[0].ID)
	require.Equal(t, "503 Service Unavailable", got[0].LastError)
	require.False(t, got[0].Unacked)
	require.Equal(t, 1, got[0].Attempts)

	require.NoError(t, s.BeginAttempt(ctx, "a1", "w1", c.Now))
	require.NoError(t, s.FinishEffect(ctx, "a1", "w1", lifecycle.Outcome{State: lifecycle.EffectFailed, Error: "404 Not Found", At: c.Now}))
	failed, err := s.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectFailed})
	require.NoError(t, err)
	require.Len(t, failed, 1)
	require.Equal(t, "404 Not Found", failed[0].LastError)
	require.Equal(t, 2, failed[0].Attempts)
	// A failed effect no longer blocks its successors.
	require.Equal(t, []string{"a2"}, claimIDs(t, s, c))
}

func testConcurrentCreate(t *testing.T, s lifecycle.Store) {
	ctx := context.Background()
	const n = 8
	var wins, dups atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			iv := interview(fmt.Sprintf("iv%d", i), "c1", 0)
			err := s.Commit(ctx, lifecycle.Change{
				Event:   &lifecycle.EventRef{Source: "workable", ID: fmt.Sprintf("ev%d", i)},
				Create:  []lifecycle.Interview{iv},
				Effects: []lifecycle.Effect{effect(fmt.Sprintf("e%d", i), iv.ID)},
			})
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, lifecycle.ErrDuplicateInterview):
				dups.Add(1)
			default:
				t.Errorf("commit %d: %v", i, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	require.EqualValues(t, 1, wins.Load())
	require.EqualValues(t, n-1, dups.Load())
	ivs, err := s.Interviews(ctx, lifecycle.InterviewFilter{})
	require.NoError(t, err)
	require.Len(t, ivs, 1)
	effs, err := s.Effects(ctx, lifecycle.EffectFilter{})
	require.NoError(t, err)
	require.Len(t, effs, 1)
	require.Equal(t, ivs[0].ID, effs[0].InterviewID)
}

func testConcurrentUpdate(t *testing.T, s lifecycle.Store) {
	ctx := context.Background()
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Create: []lifecycle.Interview{interview("iv1", "c1", 0)}}))
	const n, per = 4, 5
	var wg sync.WaitGroup
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range per {
				for {
					iv, err := s.Interview(ctx, "iv1")
					if err != nil {
						t.Error(err)
						return
					}
					iv.Attempt++
					err = s.Commit(ctx, lifecycle.Change{Update: []lifecycle.Interview{iv}, Effects: []lifecycle.Effect{effect(fmt.Sprintf("w%d-%d-v%d", w, j, iv.Version), "iv1")}})
					if err == nil {
						break
					}
					if !errors.Is(err, lifecycle.ErrVersionConflict) {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	iv, err := s.Interview(ctx, "iv1")
	require.NoError(t, err)
	require.Equal(t, 1+n*per, iv.Attempt, "no update may be lost")
	require.EqualValues(t, 1+n*per, iv.Version)
	effs, err := s.Effects(ctx, lifecycle.EffectFilter{})
	require.NoError(t, err)
	require.Len(t, effs, n*per)
}

func testConcurrentClaims(t *testing.T, s lifecycle.Store) {
	ctx := context.Background()
	const n = 60
	var effs []lifecycle.Effect
	for i := range n {
		effs = append(effs, effect(fmt.Sprintf("e%02d", i), fmt.Sprintf("K%d", i%20)))
	}
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Effects: effs}))

	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := fmt.Sprintf("w%d", w)
			idle := 0
			for idle < 50 {
				got, err := s.ClaimEffects(ctx, lifecycle.Claim{Owner: owner, Now: t0, Lease: time.Hour, Limit: 3})
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					mu.Lock()
					total := len(seen)
					mu.Unlock()
					if total == n {
						return
					}
					idle++
					continue
				}
				for _, e := range got {
					mu.Lock()
					seen[e.ID]++
					mu.Unlock()
					if err := s.BeginAttempt(ctx, e.ID, owner, t0); err != nil {
						t.Error(err)
					}
					if err := s.FinishEffect(ctx, e.ID, owner, lifecycle.Outcome{State: lifecycle.EffectDone, At: t0}); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	require.Len(t, seen, n)
	for id, c := range seen {
		require.Equal(t, 1, c, "effect %s claimed %d times", id, c)
	}
}

// testPaging checks the listing cursors: every page continues strictly
// after the previous one's last record, ties in CreatedAt broken by ID.
func testPaging(t *testing.T, s lifecycle.Store) {
	ctx := context.Background()
	var ivs []lifecycle.Interview
	for i, id := range []string{"e", "a", "d", "b", "c"} {
		iv := interview(id, "cand-"+id, 0)
		iv.CreatedAt = t0.Add(time.Duration(i/2) * time.Second) // e,a share a time; d,b too
		ivs = append(ivs, iv)
	}
	var effs []lifecycle.Effect
	for i := range 5 {
		e := effect(fmt.Sprintf("fx%d", i), fmt.Sprintf("k%d", i))
		if i == 2 {
			e.Connection = "lever"
		}
		effs = append(effs, e)
	}
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Create: ivs, Effects: effs}))
	for _, id := range []string{"workable:J3", "workable:J1", "lever:J1", "workable:J2"} {
		conn, _, _ := strings.Cut(id, ":")
		_, err := s.SavePosition(ctx, lifecycle.Position{ID: id, Connection: conn, Source: conn, JobID: id, Status: lifecycle.PositionPending})
		require.NoError(t, err)
	}
	stored, err := s.Effects(ctx, lifecycle.EffectFilter{})
	require.NoError(t, err)
	seqOf := map[string]int64{}
	for _, e := range stored {
		seqOf[e.ID] = e.Seq
	}

	t.Run("interviews", func(t *testing.T) {
		tests := []struct {
			name string
			f    lifecycle.InterviewFilter
			want []string
		}{
			{"first page", lifecycle.InterviewFilter{Limit: 2}, []string{"a", "e"}},
			{"after a tie", lifecycle.InterviewFilter{Limit: 2, After: lifecycle.InterviewCursor{CreatedAt: t0, ID: "a"}}, []string{"e", "b"}},
			{"after the tie", lifecycle.InterviewFilter{Limit: 2, After: lifecycle.InterviewCursor{CreatedAt: t0, ID: "e"}}, []string{"b", "d"}},
			{"last page", lifecycle.InterviewFilter{Limit: 2, After: lifecycle.InterviewCursor{CreatedAt: t0.Add(time.Second), ID: "d"}}, []string{"c"}},
			{"past the end", lifecycle.InterviewFilter{After: lifecycle.InterviewCursor{CreatedAt: t0.Add(2 * time.Second), ID: "c"}}, nil},
			{"with a filter", lifecycle.InterviewFilter{CandidateID: "cand-d", After: lifecycle.InterviewCursor{CreatedAt: t0, ID: "e"}}, []string{"d"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				page, err := s.Interviews(ctx, tc.f)
				require.NoError(t, err)
				var got []string
				for _, iv := range page {
					got = append(got, iv.ID)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
	})
	t.Run("effects", func(t *testing.T) {
		tests := []struct {
			name string
			f    lifecycle.EffectFilter
			want []string
		}{
			{"first page", lifecycle.EffectFilter{Limit: 2}, []string{"fx0", "fx1"}},
			{"next page", lifecycle.EffectFilter{Limit: 2, AfterSeq: seqOf["fx1"]}, []string{"fx2", "fx3"}},
			{"filtered page", lifecycle.EffectFilter{Connection: "workable", Limit: 2, AfterSeq: seqOf["fx1"]}, []string{"fx3", "fx4"}},
			{"last page", lifecycle.EffectFilter{Limit: 2, AfterSeq: seqOf["fx3"]}, []string{"fx4"}},
			{"past the end", lifecycle.EffectFilter{AfterSeq: seqOf["fx4"]}, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				page, err := s.Effects(ctx, tc.f)
				require.NoError(t, err)
				var got []string
				for _, e := range page {
					got = append(got, e.ID)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
	})
	t.Run("positions", func(t *testing.T) {
		tests := []struct {
			name string
			f    lifecycle.PositionFilter
			want []string
		}{
			{"first page", lifecycle.PositionFilter{Limit: 2}, []string{"lever:J1", "workable:J1"}},
			{"next page", lifecycle.PositionFilter{Limit: 2, AfterID: "workable:J1"}, []string{"workable:J2", "workable:J3"}},
			{"filtered", lifecycle.PositionFilter{Connection: "workable", AfterID: "lever:J1"}, []string{"workable:J1", "workable:J2", "workable:J3"}},
			{"past the end", lifecycle.PositionFilter{AfterID: "workable:J3"}, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				page, err := s.Positions(ctx, tc.f)
				require.NoError(t, err)
				var got []string
				for _, p := range page {
					got = append(got, p.ID)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
	})
}

// testCountEffects checks lifecycle.EffectCounter, for stores that
// implement it, against the listing.
func testCountEffects(t *testing.T, s lifecycle.Store) {
	c, ok := s.(lifecycle.EffectCounter)
	if !ok {
		t.Skip("the store does not implement lifecycle.EffectCounter (optional)")
	}
	ctx := context.Background()
	var effs []lifecycle.Effect
	for i, conn := range []string{"acme", "acme", "globex", "acme", ""} {
		e := effect(fmt.Sprintf("fx%d", i), fmt.Sprintf("k%d", i))
		e.Connection = conn // "" counts as the default connection, its source
		effs = append(effs, e)
	}
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Effects: effs}))
	claimed := claimIDs(t, s, lifecycle.Claim{Owner: "o", Now: t0, Lease: time.Minute, Limit: 1})
	require.Len(t, claimed, 1)
	require.NoError(t, s.BeginAttempt(ctx, claimed[0], "o", t0))
	require.NoError(t, s.FinishEffect(ctx, claimed[0], "o", lifecycle.Outcome{State: lifecycle.EffectParked, Error: "x", At: t0}))

	got, err := c.CountEffects(ctx, []lifecycle.EffectState{lifecycle.EffectPending, lifecycle.EffectParked, lifecycle.EffectFailed})
	require.NoError(t, err)
	want := map[lifecycle.EffectState]map[string]int64{}
	for _, e := range mustEffects(t, s) {
		conn := e.Connection
		if conn == "" {
			conn = e.Source
		}
		if want[e.State] == nil {
			want[e.State] = map[string]int64{}
		}
		want[e.State][conn]++
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CountEffects vs listing (-want +got):\n%s", diff)
	}
	if len(want[lifecycle.EffectParked]) != 1 {
		t.Errorf("setup: want one parked effect, have %v", want)
	}
}

func mustEffects(t *testing.T, s lifecycle.Store) []lifecycle.Effect {
	t.Helper()
	effs, err := s.Effects(context.Background(), lifecycle.EffectFilter{})
	require.NoError(t, err)
	return effs
}
