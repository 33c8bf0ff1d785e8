package lever_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/ats/atstest"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
)

// TestWebhookClaims: the verifier's replay claims on delivery tokens are
// provisional until the events are stored, released when storing failed
// and made with the request's context (see atstest.RunWebhookClaims).
func TestWebhookClaims(t *testing.T) {
	const secret = "sig-token"
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	atstest.RunWebhookClaims(t, atstest.WebhookClaims{
		Start: start,
		Verifier: func(guard ats.ReplayGuard, now func() time.Time, lease time.Duration) ats.WebhookVerifier {
			return lever.WebhookVerifier{Secrets: []string{secret}, Replay: guard, Connection: "acme-lever", Now: now, ClaimLease: lease}
		},
		Handler: func(v ats.WebhookVerifier, fn func(context.Context, []ats.Event) error) http.Handler {
			return lever.WebhookHandler(v, fn, lever.WebhookHandlerOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		},
		Delivery: func() ([]byte, http.Header) {
			return levertest.SignDelivery(secret, levertest.NewDeliveryToken(), "", lever.EventCandidateStageChange,
				strconv.FormatInt(start.UnixMilli(), 10),
				map[string]any{"opportunityId": "opp-1", "toStageId": "stage-vendor"}), http.Header{}
		},
	})
}
