package lifecycle_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/memstore"
)

// storeWithoutInbox hides memstore's Inbox: AcceptEvents handles events
// at once with HandleEvent.
type storeWithoutInbox struct{ lifecycle.Store }

// TestAcceptEventsWithoutInboxDisabledConnection: without an inbox, an
// event of a disabled connection whose candidate read fails (credentials
// refused) is dropped, as a dispatcher drops it, while the same failure of
// an enabled connection is returned so the ATS delivers it again.
func TestAcceptEventsWithoutInboxDisabledConnection(t *testing.T) {
	for _, tc := range []struct {
		name    string
		disable bool
		wantErr bool
	}{
		{"disabled: dropped", true, false},
		{"enabled: returned for a retry", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tn := newTenants(t)
			e := lifecycle.NewEngine(storeWithoutInbox{tn.store}, lifecycle.Options{Connector: tn.conns, Vendor: tn.vendor,
				VendorName: "InterviewVector", Now: tn.clock.Now})
			if tc.disable {
				_, err := e.DisableConnection(ctx, "acme", "off")
				require.NoError(t, err)
			}
			tn.ats["acme"].Fail("Candidate", ats.ErrUnauthorized)
			err := e.AcceptEvents(ctx, []ats.Event{{ID: "d-c1", Connection: "acme", Source: "workable", Kind: ats.EventStageChanged,
				CandidateID: "c1", JobID: enginetest.JobID, ToStage: ats.StageRef{ID: enginetest.StageTrigger}}})
			if got := err != nil; got != tc.wantErr {
				t.Fatalf("AcceptEvents = %v, want error: %v", err, tc.wantErr)
			}
			if tc.wantErr {
				require.True(t, errors.Is(err, ats.ErrUnauthorized), "error %v", err)
			}
		})
	}
}

// commitFails is a memstore (with its inbox) whose Commit fails while
// failing is set: the database is down.
type commitFails struct {
	*memstore.Store
	failing atomic.Bool
}

var errDatabaseDown = errors.New("database down")

func (s *commitFails) Commit(ctx context.Context, c lifecycle.Change) error {
	if s.failing.Load() {
		return errDatabaseDown
	}
	return s.Store.Commit(ctx, c)
}

// TestStoreErrorOfDisabledConnectionNotDropped: an event of a disabled
// connection whose handling fails because the store does (here: the
// commit cancelling the interview of a candidate who left the stage) is
// not dropped as if the connection's credentials were the cause: without
// an inbox AcceptEvents returns the error (the webhook is answered with an
// error and delivered again), and a dispatcher retries the inbox event.
func TestStoreErrorOfDisabledConnectionNotDropped(t *testing.T) {
	for _, tc := range []struct {
		name  string
		inbox bool
	}{
		{"no inbox: returned", false},
		{"inbox: retried", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tn := newTenants(t)
			require.NoError(t, tn.move("acme", enginetest.StageTrigger))
			store := &commitFails{Store: tn.store.(*memstore.Store)}
			var s lifecycle.Store = store
			if !tc.inbox {
				s = storeWithoutInbox{store}
			}
			e := lifecycle.NewEngine(s, lifecycle.Options{Connector: tn.conns, Vendor: tn.vendor,
				VendorName: "InterviewVector", Now: tn.clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			_, err := e.DisableConnection(ctx, "acme", "off")
			require.NoError(t, err)
			c, err := tn.ats["acme"].Candidate(ctx, "c1")
			require.NoError(t, err)
			c.Stage = ats.StageRef{ID: enginetest.StageOffer, Name: "Offer"}
			tn.ats["acme"].PutCandidate(c)
			store.failing.Store(true)
			err = e.AcceptEvents(ctx, []ats.Event{{ID: "d-out", Connection: "acme", Source: "workable", Kind: ats.EventStageChanged,
				CandidateID: "c1", JobID: enginetest.JobID, ToStage: c.Stage}})
			if !tc.inbox {
				require.ErrorIs(t, err, errDatabaseDown, "the store error was swallowed as if the connection's being disabled explained it")
				return
			}
			require.NoError(t, err)
			_, err = e.Dispatcher(lifecycle.DispatcherOptions{Owner: "d2", Lease: time.Minute}).Drain(ctx)
			require.NoError(t, err)
			evs, err := e.InboxEvents(ctx, lifecycle.InboxFilter{Connection: "acme"})
			require.NoError(t, err)
			require.Len(t, evs, 1)
			require.Equal(t, lifecycle.InboxPending, evs[0].State, "dropped: %s", evs[0].LastError)
			require.Equal(t, 1, evs[0].Attempts)
		})
	}
}
