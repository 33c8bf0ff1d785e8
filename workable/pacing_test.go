package workable_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/atskit/atskit/pacing"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
)

// TestSharedPacer runs two clients of one account concurrently against a
// fake enforcing the account limit (scaled down): sharing a pacer, they get
// no 429 between them; pacing on their own, they exceed the limit.
func TestSharedPacer(t *testing.T) {
	const n, window = 5, 100 * time.Millisecond
	tests := []struct {
		name      string
		shared    bool
		want429   bool
		requestsP int
	}{
		{"shared pacer", true, false, 10},
		{"separate pacers", false, true, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The clients' window is twice the server's so that scheduling
			// jitter on a loaded machine (-race, 2 shared cores) cannot
			// bunch one request too many into a server window; the test is
			// about sharing, not about the margin. Separate pacers still
			// exceed the limit: together they send twice their own budget.
			srv := workabletest.NewServer(workabletest.WithRateLimit(n, window/2))
			defer srv.Close()
			shared := &pacing.Memory{}
			var clients []*workable.Client
			for range 2 {
				o := &workable.Options{BaseURL: srv.URL, MemberID: srv.DefaultMemberID(), RateLimit: n, RateWindow: window, MaxRetries: -1}
				if tc.shared {
					o.Pacer = shared
				}
				o.Subdomain, o.Token = srv.Subdomain(), workabletest.DefaultAPIKey
				c, err := workable.NewClient(*o)
				if err != nil {
					t.Fatal(err)
				}
				clients = append(clients, c)
			}
			var wg sync.WaitGroup
			for _, c := range clients {
				wg.Go(func() {
					for range tc.requestsP {
						// A job that does not exist: each call is one request (404).
						_, _ = c.Stages(context.Background(), "NONE")
					}
				})
			}
			wg.Wait()
			got := clients[0].ThrottledCount() + clients[1].ThrottledCount()
			if (got > 0) != tc.want429 {
				t.Errorf("429 answers: %d, want any: %v", got, tc.want429)
			}
		})
	}
}
