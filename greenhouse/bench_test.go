package greenhouse_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/greenhouse"
	"github.com/atskit/atskit/greenhouse/greenhousetest"
	"github.com/atskit/atskit/internal/benchkit"
	"github.com/atskit/atskit/pacing"
	"github.com/hashicorp/go-retryablehttp"
)

// Benchmark scale: the fake's 50 requests per 10 s window scaled down to
// 50 per 500 ms, so a run takes about two seconds and the client sends
// one request every ~10 ms (bound by pacing, not by loopback round
// trips).
const (
	benchLimit  = 50
	benchWindow = 500 * time.Millisecond
	benchCands  = 2000
	benchPage   = 20 // 100 pages, two requests each (applications, candidates)
)

func seedBench(srv *greenhousetest.Server, n int) greenhousetest.Job {
	j := srv.AddJob(greenhousetest.Job{Name: "Sync"})
	for i := range n {
		srv.AddCandidate(greenhousetest.Candidate{JobID: j.ID, FirstName: "Candidate", LastName: fmt.Sprint(i), Emails: []string{fmt.Sprintf("c%d@example.com", i)}})
	}
	return j
}

// BenchmarkSyncPaced syncs 2,000 candidates (applications plus their
// persons, 200 requests) from a fake that allows 50 requests per 500 ms,
// once with the paced client and once with a plain go-retryablehttp client
// (retrying 429s, no pacing) listing the same applications. It reports
// each one's served/allowed request rate and 429 count; the paced client
// must reach 0.95 with zero 429s. The baseline counts only its served
// requests; over a run this short either ratio can exceed 1, since a fixed
// window lets a full budget land on each side of a boundary.
func BenchmarkSyncPaced(b *testing.B) { benchSyncPaced(b, nil) }

// BenchmarkSyncPacedShared is BenchmarkSyncPaced with the client's budget
// booked in a shared pacing.Pacer (pacing.Memory; lifecycle/sqlstore's
// Store.Pacer shares it across replicas): the same targets hold.
func BenchmarkSyncPacedShared(b *testing.B) {
	benchSyncPaced(b, func(o *greenhouse.Options) { o.Pacer, o.PacerAccount = &pacing.Memory{}, "bench" })
}

func benchSyncPaced(b *testing.B, mod func(*greenhouse.Options)) {
	ctx := context.Background()
	allowed := float64(benchLimit) / benchWindow.Seconds()

	paced := greenhousetest.NewServer(greenhousetest.WithRateLimit(benchLimit, benchWindow))
	defer paced.Close()
	job := seedBench(paced, benchCands)
	c := newClient(b, paced, func(o *greenhouse.Options) {
		o.RateLimit, o.RateWindow, o.MaxRetries = benchLimit, benchWindow, 0
		if mod != nil {
			mod(o)
		}
	})

	plain := greenhousetest.NewServer(greenhousetest.WithRateLimit(benchLimit, benchWindow))
	defer plain.Close()
	plainJob := seedBench(plain, benchCands)
	tok := plain.IssueToken(greenhousetest.DefaultClientID, plain.AdminUserID())
	rc := benchkit.BaselineClient(100, 10*time.Millisecond, benchWindow, false)

	var pacedReqs, plainOK int
	var pacedTime, plainTime time.Duration
	for b.Loop() {
		before := paced.RequestCount()
		start := time.Now()
		n := 0
		for _, err := range c.Candidates(ctx, ats.CandidateFilter{JobID: id(job.ID), PageSize: benchPage}) {
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
		ok, n := plainSync(b, rc, tok, fmt.Sprintf("%s/applications?per_page=%d&job_ids=%d", plain.URL, benchPage, plainJob.ID))
		plainTime += time.Since(start)
		plainOK += ok
		if n != benchCands {
			b.Fatalf("plain sync saw %d applications", n)
		}
		b.StartTimer()
	}
	pacedRatio := float64(pacedReqs) / pacedTime.Seconds() / allowed
	b.ReportMetric(pacedRatio, "paced-served/allowed")
	b.ReportMetric(float64(paced.ThrottledCount()), "paced-429s")
	b.ReportMetric(float64(plainOK)/plainTime.Seconds()/allowed, "plain-served/allowed")
	b.ReportMetric(float64(plain.ThrottledCount()), "plain-429s")
	if paced.ThrottledCount() > 0 {
		b.Errorf("paced client drew %d 429s", paced.ThrottledCount())
	}
	if pacedRatio < 0.95 {
		b.Errorf("paced client reached %.3f of the allowed rate, want ≥ 0.95", pacedRatio)
	}
}

// plainSync follows Link rel="next" with a bare retrying client and returns
// the number of served requests and of applications seen.
func plainSync(b *testing.B, rc *retryablehttp.Client, tok, next string) (ok, n int) {
	for next != "" {
		req, err := retryablehttp.NewRequest(http.MethodGet, next, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := rc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var page []json.RawMessage
		err = json.NewDecoder(resp.Body).Decode(&page)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("plain sync: %v %d", err, resp.StatusCode)
		}
		ok++
		n += len(page)
		next = greenhouse.NextLink(resp.Header.Values("Link"))
	}
	return ok, n
}

// BenchmarkListCandidates100k streams 100,000 applications with their
// persons (1,000 pages of 100) and samples the live heap every 50 pages:
// the spread between the largest and smallest sample shows that memory
// does not grow with the number of pages. It also reports the bytes
// allocated per page.
func BenchmarkListCandidates100k(b *testing.B) {
	const total, page, every = 100_000, 100, 50
	srv := newServer(b)
	job := seedBench(srv, total)
	c := newClient(b, srv)
	ctx := context.Background()
	var worst uint64
	var allocs uint64
	b.ReportAllocs()
	for b.Loop() {
		var heap benchkit.HeapSpread
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		n := 0
		for cand, err := range c.Candidates(ctx, ats.CandidateFilter{JobID: id(job.ID), PageSize: page}) {
			if err != nil {
				b.Fatal(err)
			}
			if !strings.HasPrefix(cand.Email(), "c") {
				b.Fatalf("candidate %s without its person", cand.ID)
			}
			n++
			if n%(page*every) == 0 {
				heap.Sample(b, srv.ResetRequests) // the fake's request log is not the client's memory
			}
		}
		if n != total {
			b.Fatalf("saw %d candidates", n)
		}
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		allocs = after.TotalAlloc - before.TotalAlloc
		worst = max(worst, heap.Growth())
	}
	benchkit.ReportHeapGrowth(b, worst, total/page, 0)
	b.ReportMetric(float64(allocs)/float64(total/page), "alloc-B/page(client+fake)")
}
