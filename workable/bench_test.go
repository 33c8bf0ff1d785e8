package workable_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/benchkit"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
	"github.com/hashicorp/go-retryablehttp"
)

// Benchmark scale: Workable's 50 requests per 10 s (partner/OAuth) scaled
// down to 50 per 500 ms so a run takes about a second. The paced client
// then sends one request every ~10 ms; at a smaller scale (4 ms per
// request with 50 per 200 ms) a sequential sync is bound by loopback
// round trips on a busy machine and the benchmark measures the scheduler,
// not the pacing. Workable's real spacing is 200 ms (partner) or 1 s
// (account).
const (
	benchLimit  = 50
	benchWindow = 500 * time.Millisecond
	benchCands  = 2000
	benchPage   = 20 // 100 pages per sync, spanning two windows
)

func seedSync(srv *workabletest.Server) workabletest.Job {
	job := seedJob(srv, "Sync")
	for i := range benchCands {
		srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: fmt.Sprint("Candidate ", i), Email: fmt.Sprintf("c%d@example.com", i)})
	}
	return job
}

// BenchmarkSyncPaced syncs 2,000 candidates in pages of 20 from a fake that
// allows 50 requests per 500 ms, once with the paced client and once with
// a plain go-retryablehttp client (retrying 429s, no pacing). It reports
// each one's achieved/allowed request rate and 429 count; the paced client
// must reach 95% with zero 429s. The baseline's ratio counts its successful
// requests only; over a run this short it can exceed 1, because Workable's
// fixed windows let an unpaced client put a full window's budget on each
// side of a boundary — at the price of the 429s it reports.
func BenchmarkSyncPaced(b *testing.B) {
	ctx := context.Background()
	allowed := float64(benchLimit) / benchWindow.Seconds()

	paced := workabletest.NewServer(workabletest.WithRateLimit(benchLimit, benchWindow))
	defer paced.Close()
	job := seedSync(paced)
	c, err := workable.NewClient(workable.Options{Subdomain: paced.Subdomain(), Token: workabletest.DefaultAPIKey,
		BaseURL: paced.URL, RateLimit: benchLimit, RateWindow: benchWindow,
	})
	if err != nil {
		b.Fatal(err)
	}

	plain := workabletest.NewServer(workabletest.WithRateLimit(benchLimit, benchWindow))
	defer plain.Close()
	plainJob := seedSync(plain)
	rc := benchkit.BaselineClient(100, 10*time.Millisecond, benchWindow, false)

	var pacedReqs, plainOK int
	var pacedTime, plainTime time.Duration
	b.ResetTimer()
	for b.Loop() {
		before := paced.RequestCount()
		start := time.Now()
		n := 0
		for _, err := range c.Candidates(ctx, ats.CandidateFilter{JobID: job.Shortcode, PageSize: benchPage}) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		pacedTime += time.Since(start)
		pacedReqs += paced.RequestCount() - before
		if n != benchCands {
			b.Fatalf("paced sync saw %d candidates", n)
		}

		b.StopTimer()
		start = time.Now()
		ok, n := plainSync(b, rc, plain.URL+"/candidates?limit="+fmt.Sprint(benchPage)+"&shortcode="+plainJob.Shortcode)
		plainTime += time.Since(start)
		plainOK += ok
		if n != benchCands {
			b.Fatalf("plain sync saw %d candidates", n)
		}
		b.StartTimer()
	}
	pacedRatio := float64(pacedReqs) / pacedTime.Seconds() / allowed
	b.ReportMetric(pacedRatio, "paced-rate/allowed")
	b.ReportMetric(float64(paced.ThrottledCount()), "paced-429s")
	b.ReportMetric(float64(plainOK)/plainTime.Seconds()/allowed, "plain-rate/allowed")
	b.ReportMetric(float64(plain.ThrottledCount()), "plain-429s")
	if paced.ThrottledCount() > 0 {
		b.Errorf("paced client drew %d 429s", paced.ThrottledCount())
	}
	if pacedRatio < 0.95 {
		b.Errorf("paced client reached %.3f of the allowed rate, want ≥ 0.95", pacedRatio)
	}
}

// plainSync follows paging.next with a bare retrying client and returns
// the number of successful requests and of candidates seen.
func plainSync(b *testing.B, rc *retryablehttp.Client, next string) (ok, n int) {
	for next != "" {
		req, err := retryablehttp.NewRequest(http.MethodGet, next, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+workabletest.DefaultAPIKey)
		resp, err := rc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var page struct {
			Candidates []json.RawMessage `json:"candidates"`
			Paging     *struct {
				Next string `json:"next"`
			} `json:"paging"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("plain sync: %v %d", err, resp.StatusCode)
		}
		ok++
		n += len(page.Candidates)
		next = ""
		if page.Paging != nil {
			next = page.Paging.Next
		}
	}
	return ok, n
}

// BenchmarkListCandidates100k streams 100,000 candidates (1,000 pages of
// 100) and samples the live heap every 50 pages: the spread between the
// largest and smallest sample shows that memory does not grow with the
// number of pages.
func BenchmarkListCandidates100k(b *testing.B) {
	const total, page, every = 100_000, 100, 50
	srv := workabletest.NewServer(workabletest.WithoutRateLimit())
	defer srv.Close()
	job := seedJob(srv, "Big")
	for i := range total {
		srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: fmt.Sprint("Candidate ", i)})
	}
	c, err := workable.NewClient(workable.Options{Subdomain: srv.Subdomain(), Token: workabletest.DefaultAPIKey, BaseURL: srv.URL, RateLimit: -1})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var worst uint64
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var heap benchkit.HeapSpread
		n := 0
		for _, err := range c.Candidates(ctx, ats.CandidateFilter{JobID: job.Shortcode, PageSize: page}) {
			if err != nil {
				b.Fatal(err)
			}
			n++
			if n%(page*every) == 0 {
				heap.Sample(b, srv.ResetRequests) // the fake's request log is not the client's memory
			}
		}
		if n != total {
			b.Fatalf("saw %d candidates", n)
		}
		worst = max(worst, heap.Growth())
	}
	benchkit.ReportHeapGrowth(b, worst, total/page, 0)
}
