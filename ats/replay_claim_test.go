package ats_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle/storetest"
)

func TestMemoryReplayGuardDeliveryConfirmer(t *testing.T) {
	storetest.RunDeliveryConfirmer(t, func(t *testing.T) storetest.ConfirmingGuard { return &ats.MemoryReplayGuard{} })
}

// claimingVerifier claims key in g on every delivery and confirms it when
// asked, as the adapters' verifiers do.
type claimingVerifier struct {
	g         ats.ReplayGuard
	confirmed *int
}

func (v claimingVerifier) VerifyWebhook(body []byte, _ http.Header) ([]ats.Event, error) {
	if err := ats.ClaimDelivery(context.Background(), v.g, "c", string(body), ats.LeaseEnd(time.Now(), 0), time.Now().Add(time.Hour)); err != nil {
		return nil, err
	}
	return []ats.Event{{ID: string(body)}}, nil
}

func (v claimingVerifier) ConfirmWebhook(ctx context.Context, body []byte, _ http.Header) error {
	*v.confirmed++
	return ats.ConfirmDelivery(ctx, v.g, "c", string(body), time.Now().Add(time.Hour))
}

// plainGuard is a ReplayGuard without DeliveryConfirmer.
type plainGuard struct{ m ats.MemoryReplayGuard }

func (g *plainGuard) RememberDelivery(ctx context.Context, c, k string, exp time.Time) (bool, error) {
	return g.m.RememberDelivery(ctx, c, k, exp)
}
func (g *plainGuard) ForgetDelivery(ctx context.Context, c, k string) error {
	return g.m.ForgetDelivery(ctx, c, k)
}

// TestWebhookHandlerConfirms: NewWebhookHandler confirms a delivery only
// after fn succeeded, answers a copy of a delivery still in flight 503
// with Retry-After, and acknowledges a confirmed one 200; with a guard
// that is no DeliveryConfirmer the claim is final at once (as before).
func TestWebhookHandlerConfirms(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	type result struct {
		Status, Calls, Confirmed int
		RetryAfter               bool
	}
	cases := []struct {
		name  string
		guard func() ats.ReplayGuard
		pre   bool // another handler claimed the delivery first
		fnErr error
		want  []result
	}{
		{"confirmed, then a replay", func() ats.ReplayGuard { return &ats.MemoryReplayGuard{} }, false, nil,
			[]result{{Status: 200, Calls: 1, Confirmed: 1}, {Status: 200, Calls: 1, Confirmed: 1}}},
		{"in flight elsewhere", func() ats.ReplayGuard { return &ats.MemoryReplayGuard{} }, true, nil,
			[]result{{Status: 503, RetryAfter: true}}},
		{"fn failed: not confirmed", func() ats.ReplayGuard { return &ats.MemoryReplayGuard{} }, false, errors.New("inbox down"),
			[]result{{Status: 500, Calls: 1}, {Status: 503, Calls: 1, RetryAfter: true}}},
		{"guard without confirmer: replay at once", func() ats.ReplayGuard { return &plainGuard{} }, true, nil,
			[]result{{Status: 200}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := tc.guard()
			confirmed, calls := 0, 0
			v := claimingVerifier{g: g, confirmed: &confirmed}
			if tc.pre {
				if _, err := v.VerifyWebhook([]byte("delivery-1"), nil); err != nil {
					t.Fatal(err)
				}
			}
			h := ats.NewWebhookHandler(v, func(context.Context, []ats.Event) error { calls++; return tc.fnErr }, ats.WebhookHandlerOptions{Logger: quiet})
			var got []result
			for range tc.want {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader("delivery-1")))
				got = append(got, result{rec.Code, calls, confirmed, rec.Header().Get("Retry-After") != ""})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// failingGuard is a DeliveryConfirmer whose store is down.
type failingGuard struct{ plainGuard }

func (*failingGuard) ClaimDelivery(context.Context, string, string, time.Time) (ats.ClaimState, error) {
	return 0, errors.New("connection refused")
}
func (*failingGuard) ConfirmDelivery(context.Context, string, string, time.Time) error {
	return errors.New("connection refused")
}

// failingPlainGuard is a ReplayGuard (no DeliveryConfirmer) whose store is
// down.
type failingPlainGuard struct{ plainGuard }

func (*failingPlainGuard) RememberDelivery(context.Context, string, string, time.Time) (bool, error) {
	return false, errors.New("connection refused")
}

// TestWebhookHandlerGuardFailure: when the replay guard's store fails,
// nothing is known about the delivery: it is answered 503 (the ATS
// retries), not 401 as a bad signature, and nothing is acted on.
func TestWebhookHandlerGuardFailure(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, tc := range []struct {
		name  string
		guard ats.ReplayGuard
	}{
		{"confirming guard", &failingGuard{}},
		{"plain guard", &failingPlainGuard{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			confirmed, calls := 0, 0
			h := ats.NewWebhookHandler(claimingVerifier{g: tc.guard, confirmed: &confirmed}, func(context.Context, []ats.Event) error {
				calls++
				return nil
			}, ats.WebhookHandlerOptions{Logger: quiet})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader("delivery-1")))
			if rec.Code != http.StatusServiceUnavailable || calls != 0 || confirmed != 0 {
				t.Errorf("status %d, %d calls, %d confirmations; want 503, 0, 0", rec.Code, calls, confirmed)
			}
			err := ats.ClaimDelivery(context.Background(), tc.guard, "c", "k", time.Now().Add(time.Minute), time.Now().Add(time.Hour))
			if !errors.Is(err, ats.ErrReplayGuardFailed) || errors.Is(err, ats.ErrWebhookReplayed) {
				t.Errorf("ClaimDelivery error %v: want ErrReplayGuardFailed and not ErrWebhookReplayed", err)
			}
		})
	}
}
