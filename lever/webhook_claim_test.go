package lever_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
)

// TestWebhookClaimLapses: the replay guard's claim is provisional until
// the handler stored the events. A handler that dies between verifying a
// delivery and storing it (kill -9, OOM, deploy: "crash" = the claim is
// taken, fn and the confirmation never run) no longer loses the
// delivery: Lever's retry after the claim's lease is accepted and its
// events are passed on. A copy within the lease is answered 503 (Lever
// retries it later), and a copy of a confirmed delivery is acknowledged
// 200 without acting, as before.
func TestWebhookClaimLapses(t *testing.T) {
	const secret = "sig-token"
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	handlers := map[string]func(v lever.WebhookVerifier, fn func(context.Context, []ats.Event) error) http.Handler{
		"ats.NewWebhookHandler": func(v lever.WebhookVerifier, fn func(context.Context, []ats.Event) error) http.Handler {
			return ats.NewWebhookHandler(v, fn, ats.WebhookHandlerOptions{Source: "lever", Logger: quiet})
		},
		"lever.WebhookHandler": func(v lever.WebhookVerifier, fn func(context.Context, []ats.Event) error) http.Handler {
			return lever.WebhookHandler(v, fn, lever.WebhookHandlerOptions{Logger: quiet})
		},
	}
	type step struct {
		advance    time.Duration // move the clock first
		crash      bool          // verify (claim) only, as a handler that dies before storing
		wantStatus int
		wantEvents int
	}
	cases := []struct {
		name  string
		lease time.Duration
		steps []step
	}{
		{"crash, retry after the lease is accepted", 0, []step{
			{crash: true},
			{advance: ats.DefaultClaimLease + time.Second, wantStatus: http.StatusOK, wantEvents: 1},
			{advance: ats.DefaultClaimLease + time.Second, wantStatus: http.StatusOK}, // confirmed now: a replay
		}},
		{"crash, retry within the lease is asked to retry", 0, []step{
			{crash: true},
			{advance: ats.DefaultClaimLease - time.Second, wantStatus: http.StatusServiceUnavailable},
			{advance: 2 * time.Second, wantStatus: http.StatusOK, wantEvents: 1},
		}},
		{"configured lease", 10 * time.Second, []step{
			{crash: true},
			{advance: 11 * time.Second, wantStatus: http.StatusOK, wantEvents: 1},
		}},
		{"confirmed delivery stays a replay past the lease", 0, []step{
			{wantStatus: http.StatusOK, wantEvents: 1},
			{wantStatus: http.StatusOK},
			{advance: 24 * time.Hour, wantStatus: http.StatusOK},
		}},
	}
	for hname, newHandler := range handlers {
		for _, tc := range cases {
			t.Run(hname+"/"+tc.name, func(t *testing.T) {
				now := start
				clock := func() time.Time { return now }
				guard := &ats.MemoryReplayGuard{Now: clock}
				v := lever.WebhookVerifier{Secrets: []string{secret}, Replay: guard, Connection: "acme-lever", Now: clock, ClaimLease: tc.lease}
				body := levertest.SignDelivery(secret, levertest.NewDeliveryToken(), "", lever.EventCandidateStageChange,
					strconv.FormatInt(start.UnixMilli(), 10),
					map[string]any{"opportunityId": "opp-1", "toStageId": "stage-vendor"})
				var got int
				h := newHandler(v, func(_ context.Context, evs []ats.Event) error { got += len(evs); return nil })
				for i, s := range tc.steps {
					now = now.Add(s.advance)
					if s.crash {
						if _, err := v.VerifyWebhook(body, http.Header{}); err != nil {
							t.Fatalf("step %d: VerifyWebhook = %v", i, err)
						}
						continue
					}
					got = 0
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/hooks/lever/acme-lever", bytes.NewReader(body)))
					type result struct{ Status, Events int }
					if diff := cmp.Diff(result{s.wantStatus, s.wantEvents}, result{rec.Code, got}); diff != "" {
						t.Errorf("step %d (-want +got):\n%s", i, diff)
					}
					if rec.Code == http.StatusServiceUnavailable && rec.Header().Get("Retry-After") == "" {
						t.Errorf("step %d: 503 without Retry-After", i)
					}
				}
			})
		}
	}
}
