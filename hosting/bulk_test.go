package hosting_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/hosting"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/memstore"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
)

// gate is a transport that holds every request while it is closed: an ATS
// that hangs.
type gate struct {
	mu   sync.Mutex
	open chan struct{} // closed while the gate is open
	next http.RoundTripper
}

func newGate() *gate {
	g := &gate{open: make(chan struct{}), next: http.DefaultTransport}
	close(g.open)
	return g
}

func (g *gate) hold() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.open = make(chan struct{})
}

func (g *gate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	close(g.open)
}

func (g *gate) RoundTrip(r *http.Request) (*http.Response, error) {
	g.mu.Lock()
	open := g.open
	g.mu.Unlock()
	select {
	case <-open:
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
	return g.next.RoundTrip(r)
}

// signalVendor reports each interview it creates on created.
type signalVendor struct{ created chan string }

func (v signalVendor) CreateInterview(_ context.Context, r lifecycle.VendorRequest) (string, error) {
	v.created <- r.InterviewID
	return "v-" + r.IdempotencyKey, nil
}
func (signalVendor) CancelInterview(context.Context, string) error { return nil }

// TestBulkMoveWorkable: a recruiter bulk-moves 20 Workable candidates into
// the vendor stage while the account is paced at Workable's documented
// account-token limit (10 requests per window; the fake enforces it with
// 429s). Every delivery is answered 200 at its first attempt — even while
// the ATS hangs, since the webhook only stores the event — and the
// dispatcher, running throughout, then gives every candidate one
// interview. (The window is 500 ms instead of 10 s to keep the test short:
// the client's pacer sleeps in real time, so a fake clock cannot stand in
// for it; the ratio of requests to window is the documented one.)
func TestBulkMoveWorkable(t *testing.T) {
	const n, window = 20, 500 * time.Millisecond
	srv := workabletest.NewServer(workabletest.WithRateLimit(workable.AccountRateLimit, window))
	t.Cleanup(srv.Close)
	job := srv.AddJob(workabletest.Job{Title: "Backend", Stages: workabletest.StagesNamed("Applied", "InterviewVector", "Offer")})
	var cands []string
	for i := range n {
		c := srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Stage: "applied",
			Name: fmt.Sprintf("Candidate %d", i), Email: fmt.Sprintf("c%d@example.com", i)})
		cands = append(cands, c.ID)
	}
	g := newGate()
	client, err := workable.NewClient(workable.Options{Subdomain: srv.Subdomain(), Token: workabletest.DefaultAPIKey, BaseURL: srv.URL,
		MemberID: srv.DefaultMemberID(), HTTPClient: &http.Client{Transport: g}, VendorStage: "InterviewVector",
		RateLimit: workable.AccountRateLimit, RateWindow: window, Logger: quietLog()})
	require.NoError(t, err)

	vendor := signalVendor{created: make(chan string, 2*n)}
	engine := lifecycle.NewEngine(memstore.New(), lifecycle.Options{Connector: lifecycle.NewMemoryConnector(map[string]ats.Adapter{"acme": client}),
		Vendor: vendor, Logger: quietLog()})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	positions, err := engine.RefreshPositions(ctx, "acme")
	require.NoError(t, err)
	require.Len(t, positions, 1)
	_, err = engine.ConfigurePosition(ctx, positions[0].ID, lifecycle.PositionConfig{Rounds: []lifecycle.Round{{Name: "Tech"}},
		Require: []lifecycle.Field{lifecycle.FieldEmail}})
	require.NoError(t, err)
	_, err = engine.ActivatePosition(ctx, positions[0].ID)
	require.NoError(t, err)

	verifiers := &hosting.MemoryVerifiers{}
	const secret = "whsec-acme"
	verifiers.Set("workable", "acme", workable.WebhookVerifier{Secrets: []string{secret}, Connection: "acme"})
	h, err := hosting.NewHandler(hosting.Options{Engine: engine, Webhooks: verifiers, Logger: quietLog()})
	require.NoError(t, err)
	hooks := httptest.NewServer(h)
	t.Cleanup(hooks.Close)
	srv.Subscribe("candidate_moved", hooks.URL+"/hooks/workable/acme", secret)

	disp := engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "d"})
	stopped := make(chan error, 1)
	go func() { stopped <- disp.Run(ctx) }()
	defer func() { cancel(); <-stopped }()

	// The ATS hangs while the recruiter moves everyone.
	g.hold()
	for _, id := range cands {
		require.NoError(t, srv.MoveCandidate(id, "interviewvector"))
	}
	require.NoError(t, srv.WaitDeliveries(ctx))
	deliveries := srv.Deliveries()
	require.Len(t, deliveries, n)
	for _, d := range deliveries {
		require.True(t, d.Delivered, "delivery %s answered %d", d.ID, d.Status)
		require.Equal(t, 1, d.Attempts, "delivery %s was retried", d.ID)
	}
	pending, err := engine.InboxEvents(ctx, lifecycle.InboxFilter{State: lifecycle.InboxPending})
	require.NoError(t, err)
	require.Len(t, pending, n, "every event waits in the inbox")

	// The ATS answers again, paced: every candidate gets an interview.
	g.release()
	got := map[string]bool{}
	for len(got) < n {
		select {
		case id := <-vendor.created:
			got[id] = true
		case <-ctx.Done():
			t.Fatalf("%d of %d interviews created before the deadline", len(got), n)
		}
	}
	for _, id := range cands {
		ivs, err := engine.Interviews(ctx, lifecycle.InterviewFilter{Connection: "acme", CandidateID: id})
		require.NoError(t, err)
		require.Len(t, ivs, 1, "candidate %s", id)
	}
	t.Logf("ATS requests %d, answered 429: %d", srv.RequestCount(), srv.ThrottledCount())
}

func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }
