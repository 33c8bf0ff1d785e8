package lever_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/atskit/atskit/internal/benchkit"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/hashicorp/go-retryablehttp"
)

const (
	benchOpps  = 2000
	benchPage  = 10  // 200 requests per sync
	benchRate  = 100 // Lever's 10/s scaled up 10× to keep wall time short
	benchBurst = 20  // Lever's documented burst
)

func benchServer(b *testing.B) *levertest.Server {
	b.Helper()
	srv := levertest.NewServer(levertest.WithRateLimit(benchRate, benchBurst))
	for i := range benchOpps {
		srv.AddOpportunity(levertest.Opportunity{Name: fmt.Sprintf("Cand %d", i), Emails: []string{fmt.Sprintf("c%d@example.com", i)}})
	}
	return srv
}

// allowedRequests is how many requests a token bucket of rate r and the
// given burst admits in elapsed, starting full: the opening burst plus the
// steady rate. Dividing the requests actually served by it gives a ratio
// that cannot exceed 1 for a client the server never throttled, so a
// paced client's score is its steady-state efficiency and not inflated by
// the free opening burst.
func allowedRequests(r float64, burst int, elapsed time.Duration) float64 {
	return float64(burst) + r*elapsed.Seconds()
}

// BenchmarkSyncPaced syncs 2,000 opportunities 10 per page (200 requests)
// against a fresh levertest limited to 100 req/s with burst 20, once with
// the paced lever client and once with an unpaced go-retryablehttp client
// (retrying 429s with jittered backoff), and reports for each the share of
// the allowed requests (burst + rate × elapsed) it got served and the 429s
// it drew; vs-baseline is the paced share over the unpaced one. The paced
// client must reach at least 0.95 with zero 429s.
func BenchmarkSyncPaced(b *testing.B) {
	ctx := context.Background()
	var pacedReqs, pacedAllowed, paced429 float64
	var plainOK, plainAllowed, plain429 float64
	for b.Loop() {
		b.StopTimer()
		srv := benchServer(b)
		c, err := lever.NewClient(lever.Options{APIKey: levertest.DefaultAPIKey, BaseURL: srv.URL, RateLimit: benchRate, Burst: benchBurst})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		n := 0
		for _, err := range c.ListOpportunities(ctx, lever.ListOpportunitiesOptions{Limit: benchPage}) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		elapsed := time.Since(start)
		b.StopTimer()
		if n != benchOpps {
			b.Fatalf("synced %d, want %d", n, benchOpps)
		}
		pacedReqs += float64(srv.RequestCount() - srv.ThrottledCount())
		pacedAllowed += allowedRequests(benchRate, benchBurst, elapsed)
		paced429 += float64(srv.ThrottledCount())
		srv.Close()

		srv = benchServer(b)
		ok, throttled, elapsed := plainSync(b, srv)
		plainOK += float64(ok)
		plainAllowed += allowedRequests(benchRate, benchBurst, elapsed)
		plain429 += float64(throttled)
		srv.Close()
		b.StartTimer()
	}
	pacedRatio, plainRatio := pacedReqs/pacedAllowed, plainOK/plainAllowed
	b.ReportMetric(pacedRatio, "paced-rate/allowed")
	b.ReportMetric(paced429, "paced-429s")
	b.ReportMetric(plainRatio, "plain-rate/allowed")
	b.ReportMetric(plain429, "plain-429s")
	b.ReportMetric(pacedRatio/plainRatio, "vs-baseline")
	if paced429 > 0 {
		b.Errorf("paced client drew %v 429s, want none", paced429)
	}
	if pacedRatio < 0.95 {
		b.Errorf("paced client reached %.3f of the allowed rate, want ≥ 0.95", pacedRatio)
	}
	// Served requests can never exceed what the bucket admits; a ratio
	// above 1 means the measure, not the client, is wrong.
	if pacedRatio > 1.001 || plainRatio > 1.001 {
		b.Errorf("rate ratios %.3f (paced), %.3f (plain) exceed 1: the allowed budget is miscounted", pacedRatio, plainRatio)
	}
}

// plainSync follows hasNext/next with a bare go-retryablehttp client and
// returns the requests served, the 429s drawn and the time taken.
func plainSync(b *testing.B, srv *levertest.Server) (ok, throttled int, elapsed time.Duration) {
	b.Helper()
	rc := benchkit.BaselineClient(50, 5*time.Millisecond, 50*time.Millisecond, true)
	start := time.Now()
	n, offset := 0, ""
	for {
		q := url.Values{"limit": {fmt.Sprint(benchPage)}}
		if offset != "" {
			q.Set("offset", offset)
		}
		req, err := retryablehttp.NewRequest(http.MethodGet, srv.URL+"/opportunities?"+q.Encode(), nil)
		if err != nil {
			b.Fatal(err)
		}
		req.SetBasicAuth(levertest.DefaultAPIKey, "")
		resp, err := rc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var p struct {
			Data    []json.RawMessage `json:"data"`
			HasNext bool              `json:"hasNext"`
			Next    string            `json:"next"`
		}
		err = json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("baseline page: status %d, %v", resp.StatusCode, err)
		}
		n += len(p.Data)
		if !p.HasNext {
			break
		}
		offset = p.Next
	}
	elapsed = time.Since(start)
	if n != benchOpps {
		b.Fatalf("baseline synced %d, want %d", n, benchOpps)
	}
	return srv.RequestCount() - srv.ThrottledCount(), srv.ThrottledCount(), elapsed
}

// BenchmarkListOpportunities100k streams 100,000 opportunities (1,000
// pages of 100) and samples the live heap every 50 pages: the spread
// between the largest and smallest sample shows that the client's memory
// does not grow with the number of pages. The sync must not grow the heap
// by more than 4 MiB (a few pages' worth) however many pages it reads.
func BenchmarkListOpportunities100k(b *testing.B) {
	const total, page, every = 100_000, 100, 50
	srv := levertest.NewServer(levertest.WithRateLimit(0, 0))
	defer srv.Close()
	for i := range total {
		srv.AddOpportunity(levertest.Opportunity{Name: fmt.Sprint("Cand ", i), Emails: []string{fmt.Sprintf("c%d@example.com", i)}})
	}
	c, err := lever.NewClient(lever.Options{APIKey: levertest.DefaultAPIKey, BaseURL: srv.URL, RateLimit: -1})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var worst uint64
	b.ReportAllocs()
	for b.Loop() {
		var heap benchkit.HeapSpread
		n := 0
		for _, err := range c.ListOpportunities(ctx, lever.ListOpportunitiesOptions{Limit: page}) {
			if err != nil {
				b.Fatal(err)
			}
			n++
			if n%(page*every) == 0 {
				heap.Sample(b, srv.ResetRequests) // the fake's request log is not the client's memory
			}
		}
		if n != total {
			b.Fatalf("saw %d opportunities, want %d", n, total)
		}
		worst = max(worst, heap.Growth())
	}
	benchkit.ReportHeapGrowth(b, worst, total/page, 4<<20)
}
