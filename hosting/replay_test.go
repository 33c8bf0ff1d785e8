package hosting_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/hosting"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/memstore"
	"github.com/atskit/atskit/workable"
)

// TestWebhookClaimConfirmedAfterInbox: with the store as the replay guard,
// a delivery claimed by a replica that died before storing it ("crash":
// the verifier claimed, nothing else ran) is answered 503 while the claim's
// lease runs and, once it lapsed, is accepted into the engine's inbox; the
// 200 confirms the claim, so a later copy is acknowledged without a second
// inbox event.
func TestWebhookClaimConfirmedAfterInbox(t *testing.T) {
	const secret = "whsec-acme"
	body := []byte(`{"id":"evt-crash","event_type":"candidate_moved","fired_at":"2026-11-30T09:00:00Z","resource_type":"candidate",` +
		`"data":{"id":"cand-1","job":{"shortcode":"JOB1"},"stage":"InterviewVector"}}`)
	cases := []struct {
		name       string
		lease      time.Duration
		wantStatus []int
		wantInbox  int
	}{
		// A lease of a nanosecond has lapsed by the time the retry arrives.
		{"lease lapsed: accepted, then a confirmed replay", time.Nanosecond, []int{http.StatusOK, http.StatusOK}, 1},
		{"within the lease: retry later", time.Hour, []int{http.StatusServiceUnavailable}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			store := memstore.New()
			engine := lifecycle.NewEngine(store, lifecycle.Options{Connector: lifecycle.NewMemoryConnector(map[string]ats.Adapter{}),
				Vendor: vendor{}, Logger: quietLog()})
			v := workable.WebhookVerifier{Secrets: []string{secret}, Connection: "acme", Replay: store, ClaimLease: tc.lease}
			verifiers := &hosting.MemoryVerifiers{}
			verifiers.Set("workable", "acme", v)
			h, err := hosting.NewHandler(hosting.Options{Engine: engine, Webhooks: verifiers, Logger: quietLog()})
			if err != nil {
				t.Fatal(err)
			}
			header := http.Header{workable.SignatureHeader: {workable.Sign(body, secret)}}
			if _, err := v.VerifyWebhook(body, header); err != nil {
				t.Fatalf("VerifyWebhook = %v", err) // the claim; then the replica dies
			}
			var got []int
			for range tc.wantStatus {
				req := httptest.NewRequest(http.MethodPost, "/hooks/workable/acme", bytes.NewReader(body))
				req.Header = header.Clone()
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				got = append(got, rec.Code)
			}
			if diff := cmp.Diff(tc.wantStatus, got); diff != "" {
				t.Errorf("answers (-want +got):\n%s", diff)
			}
			inbox, err := engine.InboxEvents(ctx, lifecycle.InboxFilter{Connection: "acme"})
			if err != nil {
				t.Fatal(err)
			}
			if len(inbox) != tc.wantInbox {
				t.Errorf("%d inbox events, want %d", len(inbox), tc.wantInbox)
			}
			if tc.wantInbox > 0 {
				st, err := store.ClaimDelivery(ctx, "acme", workable.DeliveryKey(body), time.Now().Add(time.Hour))
				if err != nil || st != ats.ClaimConfirmed {
					t.Errorf("claim after the 200 = %v, %v; want %v", st, err, ats.ClaimConfirmed)
				}
			}
		})
	}
}
