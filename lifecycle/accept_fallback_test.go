package lifecycle_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
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
