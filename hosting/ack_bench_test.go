package hosting_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/hosting"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/memstore"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
)

// BenchmarkWebhookAck measures how long a Workable webhook waits for its
// answer (p99, in ms) while a dispatcher processes the deliveries in the
// background, with the ATS throttled to Workable's documented account-token
// limit (10 requests per 10 s, enforced by the fake with 429s and by the
// client's pacer) and with an unthrottled ATS, and reports the ratio of
// the two p99s (target ≤ 1.2: a throttled ATS must not slow answers).
func BenchmarkWebhookAck(b *testing.B) {
	var base float64
	b.Run("unthrottled", func(b *testing.B) { base = benchAck(b, false) })
	b.Run("throttled", func(b *testing.B) {
		p99 := benchAck(b, true)
		if base > 0 {
			b.ReportMetric(p99/base, "p99-vs-unthrottled")
		}
	})
}

// benchAck posts b.N signed deliveries, each moving another candidate into
// the vendor stage, one after another, and returns the p99 answer time in
// milliseconds.
func benchAck(b *testing.B, throttled bool) float64 {
	opt, limit := workabletest.WithoutRateLimit(), -1
	if throttled {
		opt, limit = workabletest.WithRateLimit(workable.AccountRateLimit, workable.RateWindow), workable.AccountRateLimit
	}
	srv := workabletest.NewServer(opt)
	b.Cleanup(srv.Close)
	job := srv.AddJob(workabletest.Job{Title: "Backend", Stages: workabletest.StagesNamed("Applied", "InterviewVector", "Offer")})
	client, err := workable.NewClient(workable.Options{Subdomain: srv.Subdomain(), Token: workabletest.DefaultAPIKey, BaseURL: srv.URL,
		MemberID: srv.DefaultMemberID(), RateLimit: limit, RateWindow: workable.RateWindow, Logger: quietLog(), VendorStage: "InterviewVector"})
	if err != nil {
		b.Fatal(err)
	}
	engine := lifecycle.NewEngine(memstore.New(), lifecycle.Options{Connector: lifecycle.NewMemoryConnector(map[string]ats.Adapter{"acme": client}),
		Vendor: vendor{}, Logger: quietLog()})
	ctx, cancel := context.WithCancel(context.Background())
	positions, err := engine.RefreshPositions(ctx, "acme")
	if err != nil || len(positions) != 1 {
		b.Fatalf("positions %v, %v", positions, err)
	}
	if _, err := engine.ConfigurePosition(ctx, positions[0].ID, lifecycle.PositionConfig{Rounds: []lifecycle.Round{{Name: "Tech"}}}); err != nil {
		b.Fatal(err)
	}
	if _, err := engine.ActivatePosition(ctx, positions[0].ID); err != nil {
		b.Fatal(err)
	}
	const secret = "whsec-acme"
	verifiers := &hosting.MemoryVerifiers{}
	verifiers.Set("workable", "acme", workable.WebhookVerifier{Secrets: []string{secret}, Connection: "acme"})
	h, err := hosting.NewHandler(hosting.Options{Engine: engine, Webhooks: verifiers, Logger: quietLog()})
	if err != nil {
		b.Fatal(err)
	}
	hooks := httptest.NewServer(h)
	b.Cleanup(hooks.Close)
	stopped := make(chan error, 1)
	go func() { stopped <- engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "d"}).Run(ctx) }()
	defer func() { cancel(); <-stopped }()

	bodies := make([][]byte, b.N)
	for i := range b.N {
		c := srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Stage: "interviewvector",
			Name: fmt.Sprintf("Candidate %d", i), Email: fmt.Sprintf("c%d@example.com", i)})
		bodies[i], _ = json.Marshal(map[string]any{"id": fmt.Sprintf("evt-%d", i), "event_type": "candidate_moved",
			"fired_at": time.Now().UTC().Format(time.RFC3339), "resource_type": "candidate",
			"data": map[string]any{"id": c.ID, "job": map[string]any{"shortcode": job.Shortcode}, "stage": "InterviewVector"}})
	}
	url := hooks.URL + "/hooks/workable/acme"
	took := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := range b.N {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(bodies[i]))
		req.Header.Set(workable.SignatureHeader, workable.Sign(bodies[i], secret))
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		took[i] = time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("delivery %d answered %d", i, resp.StatusCode)
		}
	}
	b.StopTimer()
	slices.Sort(took)
	p99 := float64(took[min(len(took)-1, len(took)*99/100)]) / float64(time.Millisecond)
	b.ReportMetric(p99, "p99-ms")
	return p99
}
