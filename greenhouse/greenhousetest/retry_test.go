package greenhousetest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestWebhookRetryGaps: a delivery the receiver keeps failing is attempted
// once plus once per retry gap, at most the webhook's MaxAttempts; the
// deprecated WithDeliverySchedule is the same option.
func TestWebhookRetryGaps(t *testing.T) {
	us := time.Microsecond
	cases := []struct {
		name        string
		opt         Option
		maxAttempts int
		want        int
	}{
		{"no retries", WithWebhookRetryGaps(), 7, 1},
		{"two retries", WithWebhookRetryGaps(us, us), 7, 3},
		{"capped by MaxAttempts", WithWebhookRetryGaps(us, us, us, us), 2, 2},
		{"deprecated name", WithDeliverySchedule(us, us), 7, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusInternalServerError)
			}))
			defer recv.Close()
			s := NewServer(tc.opt)
			defer s.Close()
			s.mu.Lock()
			id := s.st.next()
			s.st.webhooks[id] = &Webhook{ID: id, URL: recv.URL, Event: "test_event", Secret: "s", MaxAttempts: tc.maxAttempts}
			s.st.webhookIDs = append(s.st.webhookIDs, id)
			s.queueLocked("test_event", func() any { return map[string]any{} })
			s.mu.Unlock()
			if err := s.WaitDeliveries(context.Background()); err != nil {
				t.Fatal(err)
			}
			ds := s.Deliveries()
			if len(ds) != 1 || ds[0].Attempts != tc.want || ds[0].Status != http.StatusInternalServerError || ds[0].Delivered {
				t.Errorf("deliveries = %+v, want one undelivered after %d attempts", ds, tc.want)
			}
		})
	}
}
