package ashby_test

import (
	"context"
	"sync"
	"testing"

	"github.com/atskit/atskit/ashby"
	"github.com/atskit/atskit/ashby/ashbytest"
	"github.com/atskit/atskit/pacing"
)

// TestSharedPacer runs two clients of one API key concurrently against a
// fake enforcing the key's token bucket (scaled down): sharing a pacer,
// they get no 429 between them; pacing on their own, they exceed it.
func TestSharedPacer(t *testing.T) {
	const limit, burst = 40, 4
	cases := []struct {
		name    string
		shared  bool
		want429 bool
	}{
		{"shared pacer", true, false},
		{"separate pacers", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// The server's rate is 1.5 times the clients' and its burst
			// twice theirs, so that scheduling jitter on a loaded machine
			// (-race, 2 shared cores) cannot bunch requests past its bucket:
			// the shared pacer's requests would have to arrive more than
			// 100 ms late, together (a burst of 4 at 40/s alone failed in
			// CI). The test is about sharing, not about the margin.
			// Separate pacers together send twice the clients' rate, more
			// than the server's: 60 requests in about 0.65 s where the
			// server admits about 47.
			srv := ashbytest.NewServer(ashbytest.WithRateLimit(limit*3/2, 2*burst))
			defer srv.Close()
			shared := &pacing.Memory{}
			var clients []*ashby.Client
			for range 2 {
				o := ashby.Options{APIKey: ashbytest.DefaultAPIKey, BaseURL: srv.URL, RateLimit: limit, Burst: burst, MaxRetries: -1}
				if tc.shared {
					o.Pacer, o.PacerAccount = shared, "conn-1"
				}
				c, err := ashby.NewClient(o)
				if err != nil {
					t.Fatal(err)
				}
				clients = append(clients, c)
			}
			var wg sync.WaitGroup
			for _, c := range clients {
				wg.Go(func() {
					for range 30 {
						_, _ = c.JobInfo(context.Background(), "none") // one request each
					}
				})
			}
			wg.Wait()
			if got := srv.ThrottledCount(); (got > 0) != tc.want429 {
				t.Errorf("429 answers: %d; want any: %v", got, tc.want429)
			}
		})
	}
}
