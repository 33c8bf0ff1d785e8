package lever_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/hashicorp/go-retryablehttp"
)

const (
	benchOpps  = 2000
	benchPage  = 10
	benchRate  = 100 // Lever's 10/s scaled up 10× to keep wall time short
	benchBurst = 20
)

func benchServer(b *testing.B) *levertest.Server {
	srv := levertest.NewServer(levertest.WithRateLimit(benchRate, benchBurst))
	for i := range benchOpps {
		srv.AddOpportunity(levertest.Opportunity{Name: fmt.Sprintf("Cand %d", i), Emails: []string{fmt.Sprintf("c%d@example.com", i)}})
	}
	return srv
}

// BenchmarkSyncPaced syncs 2,000 opportunities 10 per page (200 requests)
// against a fake limited to 100 req/s, burst 20, and reports the achieved
// share of the allowed rate and the 429s received, for the paced lever
// client and for an unpaced go-retryablehttp client.
func BenchmarkSyncPaced(b *testing.B) {
	var ratio, throttled, baseRatio, base429 float64
	for range b.N {
		// Paced lever client.
		srv := benchServer(b)
		c, err := lever.NewClient(lever.Options{APIKey: levertest.DefaultAPIKey, BaseURL: srv.APIURL(), RateLimit: benchRate, Burst: benchBurst})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		n := 0
		for _, err := range c.ListOpportunities(context.Background(), lever.ListOpportunitiesOptions{Limit: benchPage}) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		elapsed := time.Since(start)
		if n != benchOpps {
			b.Fatalf("synced %d, want %d", n, benchOpps)
		}
		reqs := srv.RequestCount()
		ratio += float64(reqs) / elapsed.Seconds() / benchRate
		throttled += float64(srv.ThrottledCount())
		srv.Close()

		// Unpaced baseline: go-retryablehttp retrying 429s with short
		// jittered backoff.
		srv = benchServer(b)
		rc := retryablehttp.NewClient()
		rc.Logger = nil
		rc.RetryMax = 50
		rc.RetryWaitMin, rc.RetryWaitMax = 5*time.Millisecond, 50*time.Millisecond
		rc.Backoff = retryablehttp.LinearJitterBackoff
		start = time.Now()
		n, offset := 0, ""
		for {
			q := url.Values{"limit": {fmt.Sprint(benchPage)}}
			if offset != "" {
				q.Set("offset", offset)
			}
			req, _ := retryablehttp.NewRequest(http.MethodGet, srv.APIURL()+"/opportunities?"+q.Encode(), nil)
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
			if err != nil {
				b.Fatal(err)
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
		ok := srv.RequestCount() - srv.ThrottledCount()
		baseRatio += float64(ok) / elapsed.Seconds() / benchRate
		base429 += float64(srv.ThrottledCount())
		srv.Close()
	}
	N := float64(b.N)
	b.ReportMetric(ratio/N, "rate_ratio")
	b.ReportMetric(throttled/N, "429s")
	b.ReportMetric(baseRatio/N, "baseline_rate_ratio")
	b.ReportMetric(base429/N, "baseline_429s")
	if ratio/N < 0.95 || throttled > 0 {
		b.Errorf("paced sync reached %.3f of the allowed rate with %v 429s; want ≥0.95 and none", ratio/N, throttled)
	}
}
