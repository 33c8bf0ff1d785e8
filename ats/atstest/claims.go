package atstest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
)

// WebhookClaims describes an adapter's webhook verifier and handler for
// RunWebhookClaims.
type WebhookClaims struct {
	// Start is the time the suite's clock starts at; Delivery's body must
	// be fresh then (and stay so for a few claim leases).
	Start time.Time
	// Verifier returns the adapter's verifier with guard as its replay
	// guard (Replay), now as its clock (Now) and lease as its ClaimLease
	// (zero: the default).
	Verifier func(guard ats.ReplayGuard, now func() time.Time, lease time.Duration) ats.WebhookVerifier
	// Handler returns the adapter's WebhookHandler over v and fn, quiet
	// (with a logger that discards).
	Handler func(v ats.WebhookVerifier, fn func(context.Context, []ats.Event) error) http.Handler
	// Delivery returns a signed delivery that yields at least one event
	// to act on.
	Delivery func() (body []byte, header http.Header)
}

// RunWebhookClaims checks how an adapter's verifier and handler claim
// deliveries in a replay guard (ats.ClaimDelivery), through both the
// adapter's own handler and ats.NewWebhookHandler (which hosting's
// per-connection route uses):
//
//   - a handler that dies after claiming a delivery and before storing it
//     does not lose it: a copy within the claim's lease is answered 503
//     with Retry-After, the ATS's retry after the lease is accepted, and
//     the configured ClaimLease is honoured;
//   - a delivery whose events were stored is confirmed: a copy is
//     acknowledged 200 without acting, also after the lease;
//   - a delivery whose processing failed (500) is released, so the ATS's
//     immediate retry is accepted, with a guard that offers provisional
//     claims (ats.DeliveryConfirmer) and with one that does not;
//   - the claim is made with the request's context: a cancelled request
//     claims nothing (503, nothing acted on, the retry accepted), and the
//     request's context values (a trace) reach every guard call;
//   - the verifier implements ats.WebhookContextVerifier and its claim
//     fails with ats.ErrReplayGuardFailed when ctx is cancelled.
func RunWebhookClaims(t *testing.T, c WebhookClaims) {
	t.Helper()
	if c.Verifier == nil || c.Handler == nil || c.Delivery == nil {
		t.Fatal("WebhookClaims needs Verifier, Handler and Delivery")
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	handlers := []struct {
		name string
		new  func(v ats.WebhookVerifier, fn func(context.Context, []ats.Event) error) http.Handler
	}{
		{"adapter handler", c.Handler},
		{"ats.NewWebhookHandler", func(v ats.WebhookVerifier, fn func(context.Context, []ats.Event) error) http.Handler {
			return ats.NewWebhookHandler(v, func(ctx context.Context, evs []ats.Event) error {
				if len(evs) == 0 {
					return nil
				}
				return fn(ctx, evs)
			}, ats.WebhookHandlerOptions{Source: "atstest", Logger: quiet})
		}},
	}
	type step struct {
		advance    time.Duration // move the clock first
		crash      bool          // claim only (VerifyWebhook), as a handler that dies before storing
		cancelled  bool          // the request's context is cancelled before it is served
		fnErr      bool          // fn fails
		wantStatus int
		wantEvents int
	}
	lease := ats.DefaultClaimLease
	cases := []struct {
		name  string
		lease time.Duration
		plain bool // the guard has no provisional claims (RememberDelivery only)
		steps []step
	}{
		{name: "crash, retry after the lease is accepted", steps: []step{
			{crash: true},
			{advance: lease + time.Second, wantStatus: http.StatusOK, wantEvents: 1},
			{advance: lease + time.Second, wantStatus: http.StatusOK}, // confirmed now: a replay
		}},
		{name: "crash, retry within the lease is asked to retry", steps: []step{
			{crash: true},
			{advance: lease - time.Second, wantStatus: http.StatusServiceUnavailable},
			{advance: 2 * time.Second, wantStatus: http.StatusOK, wantEvents: 1},
		}},
		{name: "configured lease", lease: 10 * time.Second, steps: []step{
			{crash: true},
			{advance: 9 * time.Second, wantStatus: http.StatusServiceUnavailable},
			{advance: 2 * time.Second, wantStatus: http.StatusOK, wantEvents: 1},
		}},
		{name: "confirmed delivery stays a replay past the lease", steps: []step{
			{wantStatus: http.StatusOK, wantEvents: 1},
			{wantStatus: http.StatusOK},
			{advance: 2*lease + time.Second, wantStatus: http.StatusOK},
		}},
		{name: "failed processing is released", steps: []step{
			{fnErr: true, wantStatus: http.StatusInternalServerError, wantEvents: 1},
			{wantStatus: http.StatusOK, wantEvents: 1},
			{wantStatus: http.StatusOK},
		}},
		{name: "failed processing is released by a guard without provisional claims", plain: true, steps: []step{
			{fnErr: true, wantStatus: http.StatusInternalServerError, wantEvents: 1},
			{wantStatus: http.StatusOK, wantEvents: 1},
			{wantStatus: http.StatusOK},
		}},
		{name: "cancelled request claims nothing", steps: []step{
			{cancelled: true, wantStatus: http.StatusServiceUnavailable},
			{wantStatus: http.StatusOK, wantEvents: 1},
		}},
	}
	for _, h := range handlers {
		for _, tc := range cases {
			t.Run(h.name+"/"+tc.name, func(t *testing.T) {
				now := c.Start
				clock := func() time.Time { return now }
				var guard ats.ReplayGuard = &ats.MemoryReplayGuard{Now: clock}
				if tc.plain {
					guard = rememberOnly{guard}
				}
				v := c.Verifier(guard, clock, tc.lease)
				body, header := c.Delivery()
				var got int
				var fail bool
				handler := h.new(v, func(_ context.Context, evs []ats.Event) error {
					got += len(evs)
					if fail {
						return errors.New("atstest: storing the events failed")
					}
					return nil
				})
				for i, s := range tc.steps {
					now = now.Add(s.advance)
					if s.crash {
						if _, err := v.VerifyWebhook(body, header.Clone()); err != nil {
							t.Fatalf("step %d: VerifyWebhook = %v", i, err)
						}
						continue
					}
					got, fail = 0, s.fnErr
					req := httptest.NewRequest(http.MethodPost, "/hooks/atstest", bytes.NewReader(body))
					req.Header = header.Clone()
					if s.cancelled {
						ctx, cancel := context.WithCancel(req.Context())
						cancel()
						req = req.WithContext(ctx)
					}
					rec := httptest.NewRecorder()
					handler.ServeHTTP(rec, req)
					type result struct{ Status, Events int }
					if diff := cmp.Diff(result{s.wantStatus, s.wantEvents}, result{rec.Code, got}); diff != "" {
						t.Errorf("step %d (-want +got):\n%s", i, diff)
					}
					if rec.Code == http.StatusServiceUnavailable && !s.cancelled && rec.Header().Get("Retry-After") == "" {
						t.Errorf("step %d: 503 without Retry-After", i)
					}
				}
			})
		}
		t.Run(h.name+"/request context reaches the guard", func(t *testing.T) {
			now := c.Start
			clock := func() time.Time { return now }
			guard := &recordingGuard{MemoryReplayGuard: ats.MemoryReplayGuard{Now: clock}}
			v := c.Verifier(guard, clock, 0)
			body, header := c.Delivery()
			fail := true
			handler := h.new(v, func(context.Context, []ats.Event) error {
				if fail {
					return errors.New("atstest: storing the events failed")
				}
				return nil
			})
			for _, f := range []bool{true, false} {
				fail = f
				req := httptest.NewRequest(http.MethodPost, "/hooks/atstest", bytes.NewReader(body))
				req.Header = header.Clone()
				req = req.WithContext(context.WithValue(req.Context(), requestMark{}, "delivery"))
				handler.ServeHTTP(httptest.NewRecorder(), req)
			}
			want := []guardCall{{"claim", true}, {"forget", true}, {"claim", true}, {"confirm", true}}
			if diff := cmp.Diff(want, guard.calls()); diff != "" {
				t.Errorf("guard calls, and whether each carried the request's context (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("VerifyWebhookContext", func(t *testing.T) {
		guard := &ats.MemoryReplayGuard{Now: func() time.Time { return c.Start }}
		v := c.Verifier(guard, func() time.Time { return c.Start }, 0)
		cv, ok := v.(ats.WebhookContextVerifier)
		if !ok {
			t.Fatalf("%T does not implement ats.WebhookContextVerifier: its claim cannot use the request's context", v)
		}
		body, header := c.Delivery()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := cv.VerifyWebhookContext(ctx, body, header)
		if !errors.Is(err, ats.ErrReplayGuardFailed) || !errors.Is(err, context.Canceled) {
			t.Errorf("VerifyWebhookContext(cancelled) = %v; want ats.ErrReplayGuardFailed wrapping context.Canceled", err)
		}
		if evs, err := cv.VerifyWebhookContext(context.Background(), body, header); err != nil || len(evs) == 0 {
			t.Errorf("VerifyWebhookContext after a cancelled claim = %d events, %v; want the delivery accepted", len(evs), err)
		}
	})
}

// rememberOnly hides a guard's provisional claims (ats.DeliveryConfirmer),
// as a host's own ReplayGuard written before they existed would.
type rememberOnly struct{ ats.ReplayGuard }

// requestMark is a context key the suite puts on requests, to see which
// guard calls receive the request's context.
type requestMark struct{}

// guardCall is one call a recordingGuard saw.
type guardCall struct {
	Op     string
	Marked bool // the context carried requestMark
}

// recordingGuard is a MemoryReplayGuard that records its calls.
type recordingGuard struct {
	ats.MemoryReplayGuard
	mu  sync.Mutex
	log []guardCall
}

func (g *recordingGuard) record(ctx context.Context, op string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.log = append(g.log, guardCall{op, ctx.Value(requestMark{}) != nil})
}

func (g *recordingGuard) calls() []guardCall {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]guardCall(nil), g.log...)
}

func (g *recordingGuard) RememberDelivery(ctx context.Context, connection, key string, expires time.Time) (bool, error) {
	g.record(ctx, "remember")
	return g.MemoryReplayGuard.RememberDelivery(ctx, connection, key, expires)
}

func (g *recordingGuard) ForgetDelivery(ctx context.Context, connection, key string) error {
	g.record(ctx, "forget")
	return g.MemoryReplayGuard.ForgetDelivery(ctx, connection, key)
}

func (g *recordingGuard) ClaimDelivery(ctx context.Context, connection, key string, leaseEnd time.Time) (ats.ClaimState, error) {
	g.record(ctx, "claim")
	return g.MemoryReplayGuard.ClaimDelivery(ctx, connection, key, leaseEnd)
}

func (g *recordingGuard) ConfirmDelivery(ctx context.Context, connection, key string, expires time.Time) error {
	g.record(ctx, "confirm")
	return g.MemoryReplayGuard.ConfirmDelivery(ctx, connection, key, expires)
}
