package workable_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/workable"
)

// TestWebhookVerifierSecrets: any configured secret verifies (rotation),
// several comma-separated signatures and "sha256= <hex>" are read, and no
// secret at all fails closed.
func TestWebhookVerifierSecrets(t *testing.T) {
	body := []byte(movedBody)
	cases := []struct {
		name    string
		v       workable.WebhookVerifier
		sig     string
		wantErr error
	}{
		{"old secret still verifies", workable.WebhookVerifier{Secrets: []string{"new", secret}}, workable.Sign(body, secret), nil},
		{"new secret verifies", workable.WebhookVerifier{Secrets: []string{secret, "new"}}, workable.Sign(body, "new"), nil},
		{"unknown secret", workable.WebhookVerifier{Secrets: []string{"a", "b"}}, workable.Sign(body, secret), ats.ErrSignatureInvalid},
		{"space after sha256=", workable.WebhookVerifier{Secrets: []string{secret}}, "sha256= " + workable.Sign(body, secret), nil},
		{"several signatures", workable.WebhookVerifier{Secrets: []string{secret}}, "sha256=00," + workable.Sign(body, secret), nil},
		{"no secret configured", workable.WebhookVerifier{Secrets: []string{""}}, workable.Sign(body, ""), ats.ErrSignatureInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.v.VerifyWebhook(body, http.Header{workable.SignatureHeader: {tc.sig}})
			if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Errorf("VerifyWebhook = %v; want %v", err, tc.wantErr)
			}
		})
	}
}

// TestWebhookVerifierReplay: with a ReplayGuard a second copy of a
// delivery is ErrWebhookReplayed within the window, per connection; a
// released delivery is accepted again; past the window it is new again.
func TestWebhookVerifierReplay(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	body, header := signed(movedBody)
	type step struct {
		conn    string
		release bool          // release instead of verify
		advance time.Duration // move the clock first
		wantErr error
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"a copy is a replay", []step{{conn: "acme"}, {conn: "acme", wantErr: ats.ErrWebhookReplayed}}},
		{"another connection is separate", []step{{conn: "acme"}, {conn: "globex"}}},
		{"released, the retry is accepted", []step{{conn: "acme"}, {conn: "acme", release: true}, {conn: "acme"}, {conn: "acme", wantErr: ats.ErrWebhookReplayed}}},
		{"within the default window", []step{{conn: "acme"}, {conn: "acme", advance: workable.DefaultWebhookReplayWindow - time.Minute, wantErr: ats.ErrWebhookReplayed}}},
		{"past the default window", []step{{conn: "acme"}, {conn: "acme", advance: workable.DefaultWebhookReplayWindow + time.Minute}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
			g := &ats.MemoryReplayGuard{Now: clock}
			for i, s := range tc.steps {
				now = now.Add(s.advance)
				v := workable.WebhookVerifier{Secrets: []string{secret}, Replay: g, Connection: s.conn, Now: clock}
				if s.release {
					if err := v.ReleaseWebhook(context.Background(), body, header); err != nil {
						t.Fatalf("step %d: ReleaseWebhook = %v", i, err)
					}
					continue
				}
				evs, err := v.VerifyWebhook(body, header)
				if !errors.Is(err, s.wantErr) || (err == nil) != (s.wantErr == nil) {
					t.Fatalf("step %d: VerifyWebhook = %v; want %v", i, err, s.wantErr)
				}
				if err == nil && (len(evs) != 1 || evs[0].Connection != s.conn) {
					t.Errorf("step %d: events %+v; want one for connection %q", i, evs, s.conn)
				}
				if err == nil {
					// The events are stored, as WebhookHandler would
					// have it: the claim becomes permanent.
					if err := v.ConfirmWebhook(context.Background(), body, header); err != nil {
						t.Fatalf("step %d: ConfirmWebhook = %v", i, err)
					}
				}
			}
		})
	}
}

// TestWebhookHandlerReleasesFailedDelivery: the handler answers 500 when
// fn fails and releases the delivery, so Workable's retry is processed;
// a copy after success is answered 200 without calling fn again.
func TestWebhookHandlerReleasesFailedDelivery(t *testing.T) {
	body, header := signed(movedBody)
	v := workable.WebhookVerifier{Secrets: []string{secret}, Replay: &ats.MemoryReplayGuard{}, Connection: "acme"}
	fail := true
	calls := 0
	h := workable.WebhookHandler(v, func(context.Context, []ats.Event) error {
		calls++
		if fail {
			fail = false
			return errors.New("database down")
		}
		return nil
	}, workable.WebhookHandlerOptions{})
	var got []int
	for range 3 {
		req := httptest.NewRequest(http.MethodPost, "/hooks/workable", strings.NewReader(string(body)))
		req.Header = header.Clone()
		rr := httptest.NewRecorder()
		h.ServeHTTP(rr, req)
		got = append(got, rr.Code)
	}
	if diff := cmp.Diff([]int{500, 200, 200}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if calls != 2 {
		t.Errorf("fn called %d times; want 2 (the failure and the retry, not the copy)", calls)
	}
}
