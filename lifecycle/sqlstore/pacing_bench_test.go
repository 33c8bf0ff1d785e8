package sqlstore_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
)

// countingTransport counts answers by status and signals when the number
// of 2xx answers reaches target.
type countingTransport struct {
	ok, throttled atomic.Int64
	target        int64
	reached       chan struct{}
	once          sync.Once
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		c.throttled.Add(1)
	case resp.StatusCode < 300:
		if c.ok.Add(1) == c.target {
			c.once.Do(func() { close(c.reached) })
		}
	}
	return resp, nil
}

// BenchmarkSharedPacing runs three engine replicas, each with its own
// store handle, Workable client and dispatcher, on one PostgreSQL
// database, delivering notes to one Workable account through a fake that
// enforces the account limit of 10 requests per 10 s (scaled down to 10
// per second; the clients' 2% margin is then 20 ms, still above the
// scheduling jitter of a loaded machine). The clients share the account's budget through
// Store.Pacer. It reports the 429 answers (target 0) and served/allowed,
// the 2xx answers over the most the fake's fixed windows allowed in the
// elapsed time (target ≥ 0.9).
func BenchmarkSharedPacing(b *testing.B) {
	const (
		limit  = 10
		window = time.Second
		notes  = 60
	)
	var throttled, ratio float64
	for b.Loop() {
		dsn := postgresSchema(b)
		fake := workabletest.NewServer(workabletest.WithRateLimit(limit, window))
		job := fake.AddJob(workabletest.Job{Title: "Backend"})
		var effs []lifecycle.Effect
		now := time.Now()
		for i := range notes {
			c := fake.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: fmt.Sprintf("Candidate %d", i)})
			effs = append(effs, lifecycle.Effect{ID: fmt.Sprintf("fx-%d", i), Kind: lifecycle.EffectNote, InterviewID: "iv-" + c.ID,
				OrderKey: "acme/" + c.ID, Connection: "acme", Source: "workable", CandidateID: c.ID,
				Payload: []byte(`{"body":"hello"}`), NextAttemptAt: now, CreatedAt: now})
		}
		ct := &countingTransport{target: notes, reached: make(chan struct{})}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var start time.Time
		for r := range 3 {
			st := openPostgres(b, dsn)
			if r == 0 {
				if err := st.Commit(ctx, lifecycle.Change{Effects: effs}); err != nil {
					b.Fatal(err)
				}
			}
			wk, err := workable.NewClient(workable.Options{Subdomain: fake.Subdomain(), Token: workabletest.DefaultAPIKey,
				BaseURL: fake.URL, MemberID: fake.DefaultMemberID(), HTTPClient: &http.Client{Transport: ct},
				RateLimit: limit, RateWindow: window, Pacer: st.Pacer(), PacerAccount: "workable/acme",
			})
			if err != nil {
				b.Fatal(err)
			}
			conns := &lifecycle.MemoryConnector{}
			conns.Set("acme", wk)
			e := lifecycle.NewEngine(st, lifecycle.Options{Connector: conns, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			d := e.Dispatcher(lifecycle.DispatcherOptions{Owner: fmt.Sprintf("replica-%d", r), Workers: 4, PerConnection: 4,
				PollInterval: 10 * time.Millisecond})
			if r == 0 {
				start = time.Now()
			}
			wg.Go(func() { _ = d.Run(ctx) })
		}
		select {
		case <-ct.reached:
		case <-time.After(time.Minute):
			b.Fatalf("%d of %d notes delivered in a minute", ct.ok.Load(), notes)
		}
		elapsed := time.Since(start)
		cancel()
		wg.Wait()
		fake.Close()
		// A fixed-window server allows limit requests in every window the
		// run touched.
		allowed := float64(limit) * (float64(elapsed)/float64(window) + 1)
		ratio += float64(ct.ok.Load()) / allowed
		throttled += float64(ct.throttled.Load())
	}
	b.ReportMetric(throttled/float64(b.N), "429s")
	b.ReportMetric(ratio/float64(b.N), "served/allowed")
}
