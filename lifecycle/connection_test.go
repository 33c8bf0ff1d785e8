package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/internal/fakeats"
	"github.com/atskit/atskit/lifecycle/memstore"
)

// tenants is an engine serving two customers' Workable accounts ("acme" and
// "globex") whose jobs and candidates have the same IDs.
type tenants struct {
	t         *testing.T
	store     lifecycle.Store
	conns     *lifecycle.MemoryConnector
	ats       map[string]*fakeats.ATS
	vendor    *fakeats.Vendor
	publisher *fakeats.Publisher
	clock     *enginetest.Clock
	engine    *lifecycle.Engine
	disp      *lifecycle.Dispatcher
	seq       int
}

var tenantIDs = []string{"acme", "globex"}

func newTenants(t *testing.T) *tenants {
	t.Helper()
	tn := &tenants{t: t, store: memstore.New(), conns: &lifecycle.MemoryConnector{}, ats: map[string]*fakeats.ATS{},
		vendor: fakeats.NewVendor(), publisher: &fakeats.Publisher{}, clock: enginetest.NewClock(enginetest.Start)}
	tn.engine = lifecycle.NewEngine(tn.store, lifecycle.Options{
		Connector: tn.conns, Vendor: tn.vendor, Publisher: tn.publisher, VendorName: "InterviewVector",
		RetriggerURL: func(_, id string) string { return "https://vendor.example/retrigger/" + id },
		Now:          tn.clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	tn.disp = tn.engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "d1", Lease: time.Minute})
	for _, id := range tenantIDs {
		f := fakeats.New()
		f.AddJob(ats.Job{ID: enginetest.JobID, Title: "Backend " + id, State: ats.JobPublished,
			Link: ats.JobLink{Linked: true, Marker: "InterviewVector", StageID: enginetest.StageTrigger}}, enginetest.Pipeline...)
		tn.ats[id] = f
		tn.conns.Set(id, f)
		_, err := tn.engine.Connect(ctx, lifecycle.ConnectOptions{ID: id, Kind: "workable"})
		require.NoError(t, err)
		_, err = tn.engine.RefreshPositions(ctx, id)
		require.NoError(t, err)
		pos := lifecycle.PositionID(id, enginetest.JobID)
		_, err = tn.engine.ConfigurePosition(ctx, pos, enginetest.Config)
		require.NoError(t, err)
		_, err = tn.engine.ActivatePosition(ctx, pos)
		require.NoError(t, err)
		// The same candidate ID in both accounts, different people.
		f.PutCandidate(ats.Candidate{ID: "c1", JobID: enginetest.JobID, Name: "Person of " + id, Emails: []string{"c1@" + id + ".example"},
			Stage: ats.StageRef{ID: enginetest.StageApplied, Name: "Applied"}})
	}
	return tn
}

// move moves candidate c1 of connection conn to stage and handles the
// webhook event, which carries the same delivery ID in every account.
func (tn *tenants) move(conn, stage string) error {
	f := tn.ats[conn]
	c, err := f.Candidate(ctx, "c1")
	require.NoError(tn.t, err)
	c.Stage = ats.StageRef{ID: stage}
	f.PutCandidate(c)
	tn.seq++
	return tn.engine.HandleEvent(ctx, ats.Event{ID: fmt.Sprintf("delivery-%d", tn.seq), Connection: conn, Source: "workable",
		Kind: ats.EventStageChanged, CandidateID: "c1", JobID: enginetest.JobID, ToStage: c.Stage})
}

func (tn *tenants) drain() {
	tn.t.Helper()
	_, err := tn.disp.Drain(ctx)
	require.NoError(tn.t, err)
}

func (tn *tenants) interviews(conn string) []lifecycle.Interview {
	tn.t.Helper()
	ivs, err := tn.engine.Interviews(ctx, lifecycle.InterviewFilter{Connection: conn})
	require.NoError(tn.t, err)
	return ivs
}

func TestConnectionsCollidingIDs(t *testing.T) {
	tn := newTenants(t)
	// Both customers move their candidate "c1" of job GROOV005; the ATS
	// deliveries even carry the same IDs.
	for _, conn := range tenantIDs {
		tn.seq = 0
		require.NoError(t, tn.move(conn, enginetest.StageTrigger))
	}
	tn.drain()

	byConn := map[string]lifecycle.Interview{}
	for _, conn := range tenantIDs {
		ivs := tn.interviews(conn)
		require.Len(t, ivs, 1, conn)
		byConn[conn] = ivs[0]
	}
	require.NotEqual(t, byConn["acme"].ID, byConn["globex"].ID)

	t.Run("webhooks", func(t *testing.T) {
		for _, conn := range tenantIDs {
			iv := byConn[conn]
			if iv.Connection != conn || iv.PositionID != conn+":"+enginetest.JobID || iv.Candidate.Name != "Person of "+conn {
				t.Errorf("%s: interview %+v mixes connections", conn, iv)
			}
			// Each account got exactly its own candidate's tag, nothing of the other.
			if d := cmp.Diff([]string{"interviewvector"}, tn.ats[conn].Tags("c1")); d != "" {
				t.Errorf("%s tags (-want +got):\n%s", conn, d)
			}
		}
		var got []string
		for _, r := range tn.vendor.Requests() {
			got = append(got, r.Connection+"/"+r.Candidate.Name)
		}
		slices.Sort(got)
		if d := cmp.Diff([]string{"acme/Person of acme", "globex/Person of globex"}, got); d != "" {
			t.Errorf("vendor requests (-want +got):\n%s", d)
		}
	})

	t.Run("provider contract", func(t *testing.T) {
		req := func(conn string) lifecycle.ProviderRequest {
			return lifecycle.ProviderRequest{Connection: conn, Source: "workable", EventID: "assessment-1", CandidateID: "c9",
				JobID: enginetest.JobID, Candidate: ats.Candidate{ID: "c9", Name: "Applicant of " + conn, Emails: []string{"c9@" + conn + ".example"}},
				Callback: lifecycle.Callback{URL: "https://" + conn + ".workable.example/cb", Token: "tok-" + conn}}
		}
		a, err := tn.engine.ProviderInterview(ctx, req("acme"))
		require.NoError(t, err)
		g, err := tn.engine.ProviderInterview(ctx, req("globex"))
		require.NoError(t, err)
		require.NotEqual(t, a.ID, g.ID, "the second tenant received the first tenant's interview")
		require.Equal(t, "acme", a.Connection)
		require.Equal(t, "globex", g.Connection)
		require.Equal(t, "https://globex.workable.example/cb", g.Callback.URL)
		require.Empty(t, g.Callback.Token, "read APIs never return callback tokens")
		require.Equal(t, "Applicant of globex", g.Candidate.Name)
	})

	t.Run("retrigger links", func(t *testing.T) {
		// Cancel acme's interview so it can be retriggered.
		_, err := tn.engine.Cancel(ctx, byConn["acme"].ID, "test")
		require.NoError(t, err)
		_, err = tn.engine.Retrigger(ctx, "globex", byConn["acme"].ID)
		require.ErrorIs(t, err, lifecycle.ErrNotFound, "a link followed in globex reached acme's interview")
		iv, err := tn.engine.Retrigger(ctx, "acme", byConn["acme"].ID)
		require.NoError(t, err)
		require.Equal(t, lifecycle.StateRequested, iv.State)
	})
}

func TestDisableConnectionQueuedEffects(t *testing.T) {
	tn := newTenants(t)
	for _, conn := range tenantIDs {
		require.NoError(t, tn.move(conn, enginetest.StageTrigger))
	}
	// The customer switches acme off before anything was delivered.
	c, err := tn.engine.DisableConnection(ctx, "acme", "customer disabled the integration")
	require.NoError(t, err)
	require.Equal(t, lifecycle.ConnectionDisabled, c.State)
	for range 3 {
		tn.drain()
		tn.clock.Advance(time.Hour)
	}
	pending, err := tn.engine.Effects(ctx, lifecycle.EffectFilter{Connection: "acme", State: lifecycle.EffectPending})
	require.NoError(t, err)
	require.NotEmpty(t, pending, "queued effects were dropped")
	for _, e := range pending {
		require.Zero(t, e.Attempts, "effect %s of a disabled connection was attempted", e.Kind)
	}
	require.Empty(t, tn.ats["acme"].Tags("c1"))
	require.Equal(t, []string{"interviewvector"}, tn.ats["globex"].Tags("c1"), "the other connection is unaffected")

	// New interviews do not start while disabled.
	tn.ats["acme"].PutCandidate(ats.Candidate{ID: "c2", JobID: enginetest.JobID, Emails: []string{"c2@acme.example"}, Stage: ats.StageRef{ID: enginetest.StageTrigger}})
	require.NoError(t, tn.engine.HandleEvent(ctx, ats.Event{ID: "d-c2", Connection: "acme", Source: "workable", Kind: ats.EventStageChanged,
		CandidateID: "c2", JobID: enginetest.JobID, ToStage: ats.StageRef{ID: enginetest.StageTrigger}}))
	require.Len(t, tn.interviews("acme"), 1)
	_, err = tn.engine.Retrigger(ctx, "acme", tn.interviews("acme")[0].ID)
	require.ErrorIs(t, err, lifecycle.ErrConnectionDisabled)
	_, err = tn.engine.ProviderInterview(ctx, lifecycle.ProviderRequest{Connection: "acme", Source: "workable", CandidateID: "c3", JobID: enginetest.JobID,
		Callback: lifecycle.Callback{URL: "https://cb"}})
	require.ErrorIs(t, err, lifecycle.ErrConnectionDisabled)

	// Re-enabled: the queued effects resume.
	_, err = tn.engine.EnableConnection(ctx, "acme", "customer enabled the integration")
	require.NoError(t, err)
	tn.drain()
	require.Equal(t, []string{"interviewvector"}, tn.ats["acme"].Tags("c1"))
	pending, err = tn.engine.Effects(ctx, lifecycle.EffectFilter{Connection: "acme", State: lifecycle.EffectPending})
	require.NoError(t, err)
	require.Empty(t, pending)
	// Two before, and c2's: enabling reconciles, and c2 is in the
	// trigger stage.
	require.Equal(t, 3, tn.vendor.Created())

	c, err = tn.engine.Connection(ctx, "acme")
	require.NoError(t, err)
	var states []lifecycle.ConnectionState
	for _, h := range c.History {
		states = append(states, h.State)
	}
	if d := cmp.Diff([]lifecycle.ConnectionState{lifecycle.ConnectionEnabled, lifecycle.ConnectionDisabled, lifecycle.ConnectionEnabled}, states); d != "" {
		t.Errorf("audit trail (-want +got):\n%s", d)
	}
}

func TestRemoveConnection(t *testing.T) {
	tn := newTenants(t)
	for _, conn := range tenantIDs {
		require.NoError(t, tn.move(conn, enginetest.StageTrigger))
	}
	tn.drain()
	iv := tn.interviews("acme")[0]
	// A vendor update queues a note for acme, not yet delivered.
	_, err := tn.engine.Report(ctx, iv.ID, lifecycle.Update{ID: "u1", Kind: lifecycle.UpdateInvited, Link: "https://vendor.example/i/1"})
	require.NoError(t, err)
	notesBefore := tn.ats["acme"].Calls("AddNote")

	c, err := tn.engine.RemoveConnection(ctx, "acme", "access revoked in the ATS")
	require.NoError(t, err)
	require.Equal(t, lifecycle.ConnectionRemoved, c.State)
	last := c.History[len(c.History)-1]
	require.Equal(t, lifecycle.ConnectionChange{At: enginetest.Start, State: lifecycle.ConnectionRemoved, Reason: "access revoked in the ATS", Cancelled: 1}, last)
	tn.drain()

	got, err := tn.engine.Interview(ctx, iv.ID)
	require.NoError(t, err)
	require.Equal(t, lifecycle.StateCancelled, got.State)
	require.Contains(t, tn.vendor.Cancelled(), got.VendorRef, "the vendor's interview was not cancelled")
	require.Equal(t, notesBefore, tn.ats["acme"].Calls("AddNote"), "notes were written to a removed account")
	skipped, err := tn.engine.Effects(ctx, lifecycle.EffectFilter{Connection: "acme", Kind: lifecycle.EffectNote})
	require.NoError(t, err)
	for _, e := range skipped {
		if e.State != lifecycle.EffectDone || !strings.Contains(e.LastError, "connection was removed") {
			t.Errorf("note effect %s: state %s, %q; want done, skipped because removed", e.ID, e.State, e.LastError)
		}
	}
	require.Equal(t, lifecycle.StateRequested, tn.interviews("globex")[0].State, "the other connection is unaffected")

	err = tn.move("acme", enginetest.StageOffer)
	require.ErrorIs(t, err, lifecycle.ErrConnectionRemoved)
	_, err = tn.engine.Connect(ctx, lifecycle.ConnectOptions{ID: "acme", Kind: "workable"})
	require.ErrorIs(t, err, lifecycle.ErrConnectionRemoved)
	_, err = tn.engine.EnableConnection(ctx, "acme", "")
	require.ErrorIs(t, err, lifecycle.ErrConnectionRemoved)
}

// tokenAdapter is an adapter reached with one credential; a revoked
// credential answers every call 401.
type tokenAdapter struct {
	*fakeats.ATS
	token   string
	revoked *sync.Map // token -> bool
	used    *[]string
	mu      *sync.Mutex
}

func (a tokenAdapter) check() error {
	a.mu.Lock()
	*a.used = append(*a.used, a.token)
	a.mu.Unlock()
	if _, ok := a.revoked.Load(a.token); ok {
		return &ats.APIError{StatusCode: 401, Message: "token revoked"}
	}
	return nil
}

func (a tokenAdapter) AddNote(ctx context.Context, id string, n ats.Note) error {
	if err := a.check(); err != nil {
		return err
	}
	return a.ATS.AddNote(ctx, id, n)
}

func (a tokenAdapter) AddTags(ctx context.Context, id string, tags ...string) error {
	if err := a.check(); err != nil {
		return err
	}
	return a.ATS.AddTags(ctx, id, tags...)
}

func TestCredentialRotationMidFlow(t *testing.T) {
	tn := newTenants(t)
	var revoked sync.Map
	var used []string
	var mu sync.Mutex
	tn.conns.Set("acme", tokenAdapter{ATS: tn.ats["acme"], token: "old", revoked: &revoked, used: &used, mu: &mu})
	require.NoError(t, tn.move("acme", enginetest.StageTrigger))
	// The customer rotates the token: the old one is revoked before the
	// tag was written.
	revoked.Store("old", true)
	tn.drain()
	require.Empty(t, tn.ats["acme"].Tags("c1"))
	tag, err := tn.engine.Effects(ctx, lifecycle.EffectFilter{Connection: "acme", Kind: lifecycle.EffectTag})
	require.NoError(t, err)
	require.Equal(t, lifecycle.EffectParked, tag[0].State, "a refused credential must not fail the effect for good")

	// The host stores the new token; the engine picks it up without a
	// restart, and the MemoryConnector's notification requeues the
	// parked tag.
	tn.conns.Set("acme", tokenAdapter{ATS: tn.ats["acme"], token: "new", revoked: &revoked, used: &used, mu: &mu})
	tn.clock.Advance(time.Hour)
	tn.drain()
	require.Equal(t, []string{"interviewvector"}, tn.ats["acme"].Tags("c1"))
	mu.Lock()
	defer mu.Unlock()
	if d := cmp.Diff([]string{"old", "new"}, slices.Compact(used)); d != "" {
		t.Errorf("credentials used (-want +got):\n%s", d)
	}
}

// setupAdapter has a CheckSetup in the adapters' convention.
type setupAdapter struct {
	*fakeats.ATS
	ok bool
}

type setupReport struct{ ok bool }

func (r *setupReport) OK() bool       { return r.ok }
func (r *setupReport) String() string { return "[fail] vendor stage: missing" }

func (a setupAdapter) CheckSetup(context.Context) (*setupReport, error) {
	return &setupReport{ok: a.ok}, nil
}

func TestConnectRunsCheckSetup(t *testing.T) {
	tests := []struct {
		name    string
		adapter ats.Adapter
		wantErr error
	}{
		{"setup ok", setupAdapter{fakeats.New(), true}, nil},
		{"setup failed", setupAdapter{fakeats.New(), false}, lifecycle.ErrSetupFailed},
		{"no CheckSetup", fakeats.New(), nil},
		{"unknown connection", nil, lifecycle.ErrUnknownConnection},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conns := &lifecycle.MemoryConnector{}
			if tc.adapter != nil {
				conns.Set("acme", tc.adapter)
			}
			e := lifecycle.NewEngine(memstore.New(), lifecycle.Options{Connector: conns, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			c, err := e.Connect(ctx, lifecycle.ConnectOptions{ID: "acme", Kind: "workable"})
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				var se *lifecycle.SetupError
				if errors.As(err, &se) {
					require.Contains(t, se.Error(), "vendor stage: missing")
				}
				_, err := e.Connection(ctx, "acme")
				require.ErrorIs(t, err, lifecycle.ErrNotFound, "a failed connect recorded the connection")
				return
			}
			require.NoError(t, err)
			require.Equal(t, lifecycle.ConnectionEnabled, c.State)
		})
	}
}
