package workabletest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/atskit/atskit/workable/workabletest"
)

// TestWebhookRetryGaps: a delivery the receiver keeps failing is attempted
// once plus once per retry gap; the deprecated WithDeliveryRetries(n, b)
// makes n attempts.
func TestWebhookRetryGaps(t *testing.T) {
	us := time.Microsecond
	cases := []struct {
		name string
		opt  workabletest.Option
		want int
	}{
		{"no retries", workabletest.WithWebhookRetryGaps(), 1},
		{"two retries", workabletest.WithWebhookRetryGaps(us, us), 3},
		{"default", workabletest.WithWebhookRetryGaps(workabletest.DefaultRetryGaps()...), 8},
		{"deprecated attempts and backoff", workabletest.WithDeliveryRetries(4, us), 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusInternalServerError)
			}))
			defer recv.Close()
			srv := workabletest.NewServer(workabletest.WithoutRateLimit(), tc.opt)
			defer srv.Close()
			job := srv.AddJob(workabletest.Job{Title: "J"})
			srv.Subscribe("candidate_created", recv.URL, "s")
			srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: "A"})
			if err := srv.WaitDeliveries(context.Background()); err != nil {
				t.Fatal(err)
			}
			ds := srv.Deliveries()
			if len(ds) != 1 || ds[0].Attempts != tc.want || ds[0].Delivered {
				t.Errorf("deliveries = %+v, want one undelivered after %d attempts", ds, tc.want)
			}
		})
	}
}
