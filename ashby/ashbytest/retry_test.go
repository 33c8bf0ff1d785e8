package ashbytest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestWebhookRetryGaps: a delivery the receiver keeps failing is attempted
// once plus once per retry gap; the deprecated WithWebhookRetryBase gives
// Ashby's ten attempts.
func TestWebhookRetryGaps(t *testing.T) {
	cases := []struct {
		name string
		opt  Option
		want []int
	}{
		{"no retries", WithWebhookRetryGaps(), []int{500}},
		{"two retries", WithWebhookRetryGaps(time.Microsecond, time.Microsecond), []int{500, 500, 500}},
		{"retry base", WithWebhookRetryBase(time.Microsecond), []int{500, 500, 500, 500, 500, 500, 500, 500, 500, 500}},
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
			s.d.webhooks["h1"] = &Webhook{ID: "h1", Type: "candidateDelete", URL: recv.URL, Secret: "s", Enabled: true}
			s.mu.Unlock()
			s.Fire("candidateDelete", map[string]any{"candidate": map[string]any{"id": "c1"}})
			if err := s.WaitDeliveries(context.Background()); err != nil {
				t.Fatal(err)
			}
			ds := s.Deliveries()
			if len(ds) != 1 {
				t.Fatalf("%d deliveries, want 1", len(ds))
			}
			if diff := cmp.Diff(tc.want, ds[0].Statuses); diff != "" {
				t.Errorf("attempts' statuses (-want +got):\n%s", diff)
			}
		})
	}
}
