package ashby_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ashby"
	"github.com/atskit/atskit/ats"
)

// TestWebhookClaimLapses: a handler that dies after the verifier claimed a
// delivery and before the events were stored ("crash": VerifyWebhook
// only) leaves a provisional claim: a copy within its lease is answered
// 503 (the ATS retries later), the retry after it is accepted and its
// events are passed on, and a copy of that confirmed delivery is
// acknowledged 200 without acting.
func TestWebhookClaimLapses(t *testing.T) {
	now := hookTime
	clock := func() time.Time { return now }
	guard := &ats.MemoryReplayGuard{Now: clock}
	v := ashby.WebhookVerifier{Secrets: []string{"s"}, Replay: guard, Connection: "acme", Now: clock}
	body := stageChangeBody("app-1", "job-1", "st", hookTime)
	header := signed("s", body)
	var got int
	h := ashby.WebhookHandler(v, func(_ context.Context, evs []ats.Event) error { got += len(evs); return nil },
		ashby.WebhookHandlerOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if _, err := v.VerifyWebhook(body, header); err != nil {
		t.Fatalf("VerifyWebhook = %v", err) // the claim; then the process dies
	}
	steps := []struct {
		name           string
		advance        time.Duration
		status, events int
	}{
		{"within the lease", ats.DefaultClaimLease - time.Second, http.StatusServiceUnavailable, 0},
		{"after the lease", 2 * time.Second, http.StatusOK, 1},
		{"confirmed replay", ats.DefaultClaimLease + time.Second, http.StatusOK, 0},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			now = now.Add(s.advance)
			got = 0
			req := httptest.NewRequest(http.MethodPost, "/hooks/ashby/acme", bytes.NewReader(body))
			req.Header = header.Clone()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			type result struct{ Status, Events int }
			if diff := cmp.Diff(result{s.status, s.events}, result{rec.Code, got}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
