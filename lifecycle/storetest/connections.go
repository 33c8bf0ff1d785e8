package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/atskit/atskit/lifecycle"
)

// inConn returns interview(id, candidate, 0) moved to connection conn, with
// the same job and candidate IDs as in any other connection.
func inConn(id, conn, candidate string) lifecycle.Interview {
	iv := interview(id, candidate, 0)
	iv.Connection = conn
	iv.PositionID = lifecycle.PositionID(conn, "J1")
	return iv
}

// testConnectionScoping stores the same job, candidate, position key and
// event ID in two connections of one ATS: every key keeps them apart.
func testConnectionScoping(t *testing.T, s lifecycle.Store) {
	ctx := context.Background()
	for _, conn := range []string{"acme", "globex"} {
		_, err := s.SavePosition(ctx, lifecycle.Position{ID: lifecycle.PositionID(conn, "J1"), Connection: conn, Source: "workable", JobID: "J1", Status: lifecycle.PositionActive})
		require.NoError(t, err)
	}
	ev := func(conn string) *lifecycle.EventRef {
		return &lifecycle.EventRef{Connection: conn, Source: "workable", ID: "delivery-1"}
	}
	fx := func(id, conn string) lifecycle.Effect {
		e := effect(id, conn+"/c1")
		e.Connection = conn
		return e
	}
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Event: ev("acme"), Create: []lifecycle.Interview{inConn("iv-a", "acme", "c1")}, Effects: []lifecycle.Effect{fx("e-a", "acme")}}))
	// Same candidate, job, round and delivery ID in another account.
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Event: ev("globex"), Create: []lifecycle.Interview{inConn("iv-g", "globex", "c1")}, Effects: []lifecycle.Effect{fx("e-g", "globex")}}))

	tests := []struct {
		conn, interview, effect, position string
	}{
		{"acme", "iv-a", "e-a", "acme:J1"},
		{"globex", "iv-g", "e-g", "globex:J1"},
	}
	for _, tc := range tests {
		t.Run(tc.conn, func(t *testing.T) {
			seen, err := s.EventProcessed(ctx, *ev(tc.conn))
			require.NoError(t, err)
			require.True(t, seen)
			got, err := s.InterviewByKey(ctx, lifecycle.InterviewKey{Connection: tc.conn, CandidateID: "c1", PositionID: lifecycle.PositionID(tc.conn, "J1")})
			require.NoError(t, err)
			require.Equal(t, tc.interview, got.ID)
			require.Equal(t, tc.conn, got.Connection)
			ivs, err := s.Interviews(ctx, lifecycle.InterviewFilter{Connection: tc.conn, CandidateID: "c1"})
			require.NoError(t, err)
			if d := cmp.Diff([]string{tc.interview}, interviewIDs(ivs)); d != "" {
				t.Errorf("Interviews of %s (-want +got):\n%s", tc.conn, d)
			}
			effs, err := s.Effects(ctx, lifecycle.EffectFilter{Connection: tc.conn})
			require.NoError(t, err)
			require.Len(t, effs, 1)
			require.Equal(t, tc.effect, effs[0].ID)
			require.Equal(t, tc.conn, effs[0].Connection)
			ps, err := s.Positions(ctx, lifecycle.PositionFilter{Connection: tc.conn})
			require.NoError(t, err)
			require.Len(t, ps, 1)
			require.Equal(t, tc.position, ps[0].ID)
			require.Equal(t, tc.conn, ps[0].Connection)
		})
	}
	seen, err := s.EventProcessed(ctx, *ev("initech"))
	require.NoError(t, err)
	require.False(t, seen, "an event ID seen in other connections is new in a third")
	// The same key twice in one connection is still a duplicate.
	err = s.Commit(ctx, lifecycle.Change{Create: []lifecycle.Interview{inConn("iv-a2", "acme", "c1")}})
	require.ErrorIs(t, err, lifecycle.ErrDuplicateInterview)
}

func interviewIDs(ivs []lifecycle.Interview) []string {
	var out []string
	for _, iv := range ivs {
		out = append(out, iv.ID)
	}
	return out
}

func testConnections(t *testing.T, s lifecycle.Store) {
	ctx := context.Background()
	_, err := s.Connection(ctx, "acme")
	require.ErrorIs(t, err, lifecycle.ErrNotFound)
	c := lifecycle.Connection{ID: "acme", Kind: "workable", State: lifecycle.ConnectionEnabled, CreatedAt: t0, UpdatedAt: t0,
		History: []lifecycle.ConnectionChange{{At: t0, State: lifecycle.ConnectionEnabled, Reason: "connected"}}}
	saved, err := s.SaveConnection(ctx, c)
	require.NoError(t, err)
	require.EqualValues(t, 1, saved.Version)
	got, err := s.Connection(ctx, "acme")
	require.NoError(t, err)
	want := c
	want.Version = 1
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("Connection mismatch (-want +got):\n%s", d)
	}
	_, err = s.SaveConnection(ctx, c)
	require.ErrorIs(t, err, lifecycle.ErrVersionConflict, "inserting an existing ID")
	got.State = lifecycle.ConnectionDisabled
	_, err = s.SaveConnection(ctx, got)
	require.NoError(t, err)
	_, err = s.SaveConnection(ctx, got)
	require.ErrorIs(t, err, lifecycle.ErrVersionConflict, "saving a stale version")
	_, err = s.SaveConnection(ctx, lifecycle.Connection{ID: "globex", Kind: "lever", State: lifecycle.ConnectionEnabled})
	require.NoError(t, err)

	tests := []struct {
		name string
		f    lifecycle.ConnectionFilter
		want []string
	}{
		{"all", lifecycle.ConnectionFilter{}, []string{"acme", "globex"}},
		{"kind", lifecycle.ConnectionFilter{Kind: "lever"}, []string{"globex"}},
		{"state", lifecycle.ConnectionFilter{State: lifecycle.ConnectionDisabled}, []string{"acme"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := s.Connections(ctx, tc.f)
			require.NoError(t, err)
			var ids []string
			for _, c := range cs {
				ids = append(ids, c.ID)
			}
			if d := cmp.Diff(tc.want, ids); d != "" {
				t.Errorf("Connections(%+v) (-want +got):\n%s", tc.f, d)
			}
		})
	}
}

// testClaimSkipsDisabledConnection: effects of a disabled connection are
// not claimed (not dropped either) and become claimable when it is enabled.
func testClaimSkipsDisabledConnection(t *testing.T, s lifecycle.Store) {
	ctx := context.Background()
	var effs []lifecycle.Effect
	for _, x := range []struct{ id, conn string }{{"e1", "off"}, {"e2", "on"}, {"e3", "off"}} {
		e := effect(x.id, x.conn+"/"+x.id)
		e.Connection = x.conn
		effs = append(effs, e)
	}
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Effects: effs}))
	c, err := s.SaveConnection(ctx, lifecycle.Connection{ID: "off", Kind: "workable", State: lifecycle.ConnectionDisabled})
	require.NoError(t, err)

	require.Equal(t, []string{"e2"}, claimIDs(t, s, lifecycle.Claim{Owner: "a", Now: t0, Lease: time.Minute, Limit: 10}))
	done(t, s, "e2", "a")
	require.Empty(t, claimIDs(t, s, lifecycle.Claim{Owner: "a", Now: t0.Add(time.Hour), Lease: time.Minute, Limit: 10}), "disabled effects stay unclaimed")
	pending, err := s.Effects(ctx, lifecycle.EffectFilter{Connection: "off", State: lifecycle.EffectPending})
	require.NoError(t, err)
	require.Len(t, pending, 2, "disabled effects are kept")
	for _, e := range pending {
		require.Zero(t, e.Attempts)
	}

	c.State = lifecycle.ConnectionEnabled
	_, err = s.SaveConnection(ctx, c)
	require.NoError(t, err)
	require.Equal(t, []string{"e1", "e3"}, claimIDs(t, s, lifecycle.Claim{Owner: "b", Now: t0.Add(2 * time.Hour), Lease: time.Minute, Limit: 10}))
}

// testClaimPerConnection: a claim takes at most PerConnection effects of
// one connection, so one connection's backlog leaves room for the others.
func testClaimPerConnection(t *testing.T, s lifecycle.Store) {
	ctx := context.Background()
	var effs []lifecycle.Effect
	for i := range 6 {
		e := effect(fmt.Sprintf("busy-%d", i), fmt.Sprintf("busy/c%d", i))
		e.Connection = "busy"
		effs = append(effs, e)
	}
	for _, conn := range []string{"quiet1", "quiet2"} {
		e := effect(conn, conn+"/c1")
		e.Connection = conn
		effs = append(effs, e)
	}
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Effects: effs}))
	got := claimIDs(t, s, lifecycle.Claim{Owner: "a", Now: t0, Lease: time.Minute, Limit: 4, PerConnection: 2})
	if d := cmp.Diff([]string{"busy-0", "busy-1", "quiet1", "quiet2"}, got); d != "" {
		t.Errorf("claim (-want +got):\n%s", d)
	}
	got = claimIDs(t, s, lifecycle.Claim{Owner: "b", Now: t0, Lease: time.Minute, Limit: 10, PerConnection: 2, Skip: []string{"nobody"}})
	if d := cmp.Diff([]string{"busy-2", "busy-3"}, got); d != "" {
		t.Errorf("second claim (-want +got):\n%s", d)
	}
	// A skipped connection's effects stay for another claim.
	more := effect("quiet3", "quiet3/c1")
	more.Connection = "quiet3"
	require.NoError(t, s.Commit(ctx, lifecycle.Change{Effects: []lifecycle.Effect{more}}))
	got = claimIDs(t, s, lifecycle.Claim{Owner: "c", Now: t0, Lease: time.Minute, Limit: 10, Skip: []string{"busy"}})
	if d := cmp.Diff([]string{"quiet3"}, got); d != "" {
		t.Errorf("claim skipping busy (-want +got):\n%s", d)
	}
	got = claimIDs(t, s, lifecycle.Claim{Owner: "c", Now: t0, Lease: time.Minute, Limit: 10, PerConnection: 1, Skip: []string{"quiet1", "quiet3"}})
	if d := cmp.Diff([]string{"busy-4"}, got); d != "" {
		t.Errorf("claim skipping two, one per connection (-want +got):\n%s", d)
	}
}
