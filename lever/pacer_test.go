package lever_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/atskit/atskit/pacing"
)

// TestSharedPacer: Lever's token bucket is per API key, so two Clients for
// one customer must share one budget. With a shared Pacer the server never
// throttles; with one Pacer each, it does.
func TestSharedPacer(t *testing.T) {
	if testing.Short() {
		t.Skip("paces real requests for about two seconds")
	}
	run := func(shared bool) int {
		// The server admits 1.5 times the clients' rate and twice their
		// burst, so that scheduling jitter on a loaded machine cannot
		// bunch the shared pacer's requests past its bucket (they would
		// have to arrive more than 100 ms late, together); separate pacers
		// still exceed it: 120 requests in about 0.5 s where it admits
		// about 95.
		srv := levertest.NewServer(levertest.WithRateLimit(150, 20))
		defer srv.Close()
		opts := lever.Options{APIKey: levertest.DefaultAPIKey, BaseURL: srv.URL, RateLimit: 100, Burst: 10, MaxRetries: -1}
		if shared {
			// One budget for the account, as the host shares it across
			// clients (and, through sqlstore, across replicas).
			opts.Pacer, opts.PacerAccount = &pacing.Memory{}, "acme-lever"
		}
		a, _ := lever.NewClient(opts)
		b, _ := lever.NewClient(opts)
		var wg sync.WaitGroup
		for _, c := range []*lever.Client{a, b} {
			wg.Go(func() {
				for range 60 {
					c.ListStages(context.Background())
				}
			})
		}
		wg.Wait()
		return srv.ThrottledCount()
	}
	start := time.Now()
	if n := run(true); n != 0 {
		t.Errorf("shared pacer: the server throttled %d requests", n)
	}
	if n := run(false); n == 0 {
		t.Errorf("separate pacers: the server throttled nothing; the test no longer exercises the shared budget")
	}
	t.Logf("took %v", time.Since(start))
}
