package ashby_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/atskit/atskit/ashby"
	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/ats/atstest"
)

// TestWebhookClaims: the verifier's replay claims are provisional until
// the events are stored, released when storing failed and made with the
// request's context (see atstest.RunWebhookClaims).
func TestWebhookClaims(t *testing.T) {
	atstest.RunWebhookClaims(t, atstest.WebhookClaims{
		Start: hookTime,
		Verifier: func(guard ats.ReplayGuard, now func() time.Time, lease time.Duration) ats.WebhookVerifier {
			return ashby.WebhookVerifier{Secrets: []string{"s"}, Replay: guard, Connection: "acme", Now: now, ClaimLease: lease}
		},
		Handler: func(v ats.WebhookVerifier, fn func(context.Context, []ats.Event) error) http.Handler {
			return ashby.WebhookHandler(v, fn, ashby.WebhookHandlerOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		},
		Delivery: func() ([]byte, http.Header) {
			body := stageChangeBody("app-1", "job-1", "st", hookTime)
			return body, signed("s", body)
		},
	})
}
