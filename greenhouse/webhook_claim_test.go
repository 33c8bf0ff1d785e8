package greenhouse_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/ats/atstest"
	"github.com/atskit/atskit/greenhouse"
	"github.com/atskit/atskit/greenhouse/greenhousetest"
)

// TestWebhookClaims: the verifier's replay claims are provisional until
// the events are stored, released when storing failed and made with the
// request's context (see atstest.RunWebhookClaims).
func TestWebhookClaims(t *testing.T) {
	atstest.RunWebhookClaims(t, atstest.WebhookClaims{
		Start: webhookNow,
		Verifier: func(guard ats.ReplayGuard, now func() time.Time, lease time.Duration) ats.WebhookVerifier {
			return greenhouse.WebhookVerifier{Secrets: []string{"s"}, Replay: guard, Connection: "acme", Now: now, ClaimLease: lease}
		},
		Handler: func(v ats.WebhookVerifier, fn func(context.Context, []ats.Event) error) http.Handler {
			return greenhouse.WebhookHandler(v, fn, greenhouse.WebhookHandlerOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		},
		Delivery: func() ([]byte, http.Header) {
			return greenhousetest.SignWebhook("candidate_stage_change", stageChange(webhookNow), "s", "evt-1")
		},
	})
}
