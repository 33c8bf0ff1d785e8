package workable_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/ats/atstest"
	"github.com/atskit/atskit/workable"
)

// TestWebhookClaims: the verifier's replay claims are provisional until
// the events are stored, released when storing failed and made with the
// request's context (see atstest.RunWebhookClaims).
func TestWebhookClaims(t *testing.T) {
	atstest.RunWebhookClaims(t, atstest.WebhookClaims{
		Start: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC),
		Verifier: func(guard ats.ReplayGuard, now func() time.Time, lease time.Duration) ats.WebhookVerifier {
			return workable.WebhookVerifier{Secrets: []string{secret}, Replay: guard, Connection: "acme", Now: now, ClaimLease: lease}
		},
		Handler: func(v ats.WebhookVerifier, fn func(context.Context, []ats.Event) error) http.Handler {
			return workable.WebhookHandler(v, fn, workable.WebhookHandlerOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		},
		Delivery: func() ([]byte, http.Header) { return signed(movedBody) },
	})
}
