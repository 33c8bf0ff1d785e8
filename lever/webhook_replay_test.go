package lever_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/google/go-cmp/cmp"
)

// Lever's documented signature example
// (https://hire.lever.co/developer/documentation#webhooks): a signature
// token, a delivery token and triggeredAt. The signature is computed, not
// published by Lever.
const (
	docSigToken    = "73311ged32110cc40e00c672c2e03e1a42fa28a4fabde089"
	docToken       = "be58f711f349c7780e4579cd7c63341ac6f881e4dccc3154"
	docTriggeredAt = "1431454330072"
	docSignature   = "d8138ffefd31f34fd9ef6ab358881a2ac5d138287c38186688985ea7755ec241"
)

var docTime = time.UnixMilli(1431454330072).UTC()

// TestVerifyWebhookDocumentedBodies: Lever's two documented bodies, the
// example stage-change delivery and the settings-page test request, have no
// top-level id; both verify, the test request with nothing to act on.
func TestVerifyWebhookDocumentedBodies(t *testing.T) {
	if got := lever.Sign(docSigToken, docToken, docTriggeredAt); got != docSignature {
		t.Fatalf("Sign = %s, want %s", got, docSignature)
	}
	stage := []byte(`{"triggeredAt": 1431454330072, "event": "candidateStageChange", "signature": "` + docSignature + `", "token": "` + docToken + `",
		"data": {"opportunityId": "7b8b2b5c-7d1f-4d6c-9a3e-1f3a0c3c8d55", "candidateId": "7b8b2b5c-7d1f-4d6c-9a3e-1f3a0c3c8d55",
		"contactId": "c1", "fromStageId": "lead-new", "toStageId": "applicant-new"}}`)
	test := []byte(`{"triggeredAt": 1431454330072, "event": "candidateHired", "data": {}, "signature": "` + docSignature + `", "token": "` + docToken + `"}`)
	at := func() time.Time { return docTime.Add(time.Minute) }
	tests := []struct {
		name string
		body []byte
		want []ats.Event
	}{
		{"example delivery", stage, []ats.Event{{
			ID: lever.DeliveryKey(docToken, docTriggeredAt), Source: "lever", Kind: ats.EventStageChanged, Type: "candidateStageChange",
			CandidateID: "7b8b2b5c-7d1f-4d6c-9a3e-1f3a0c3c8d55", FromStage: ats.StageRef{ID: "lead-new"}, ToStage: ats.StageRef{ID: "applicant-new"},
			Time: docTime, Snapshot: true, Raw: stage,
		}}},
		{"settings-page test request", test, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := lever.WebhookVerifier{Secrets: []string{docSigToken}, Now: at}.VerifyWebhook(tt.body, nil)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, evs); d != "" {
				t.Errorf("events (-want +got):\n%s", d)
			}
			// Through the handler: 200 in both cases.
			rec := httptest.NewRecorder()
			h := lever.WebhookHandler(lever.WebhookVerifier{Secrets: []string{docSigToken}, Now: at}, func(context.Context, []ats.Event) error { return nil }, lever.WebhookHandlerOptions{})
			h.ServeHTTP(rec, httptest.NewRequest("POST", "/hook", bytes.NewReader(tt.body)))
			if rec.Code != 200 {
				t.Errorf("handler status = %d, want 200", rec.Code)
			}
		})
	}
}

// TestVerifyWebhookWindow: the window is bounded on both sides, for any
// triggeredAt (no overflow), and reaches two weeks back only with a replay
// guard.
func TestVerifyWebhookWindow(t *testing.T) {
	data := map[string]any{"opportunityId": "o", "toStageId": "s"}
	at := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).UnixMilli(), 10) }
	tests := []struct {
		name    string
		ts      string
		guarded bool
		want    error
	}{
		{"now", at(0), false, nil},
		{"4 min ago, unguarded", at(-4 * time.Minute), false, nil},
		{"6 min ago, unguarded", at(-6 * time.Minute), false, ats.ErrWebhookExpired},
		{"6 min ago, guarded (Lever retry)", at(-6 * time.Minute), true, nil},
		{"13 days ago, guarded (Rerun)", at(-13 * 24 * time.Hour), true, nil},
		{"16 days ago, guarded", at(-16 * 24 * time.Hour), true, ats.ErrWebhookExpired},
		{"30 s ahead", at(30 * time.Second), true, nil},
		{"2 min ahead", at(2 * time.Minute), true, ats.ErrWebhookExpired},
		{"300 years ahead", "10898473199999", true, ats.ErrWebhookExpired},
		{"year 9999", "253402300799999", true, ats.ErrWebhookExpired},
		{"beyond year 9999", "253402300800000", true, ats.ErrMalformedWebhook},
		{"max int64", "9223372036854775807", true, ats.ErrMalformedWebhook},
		{"beyond int64", "92233720368547758070", true, ats.ErrMalformedWebhook},
		{"epoch", "1", true, ats.ErrWebhookExpired},
		{"zero", "0", true, ats.ErrMalformedWebhook},
		{"negative", "-1", true, ats.ErrMalformedWebhook},
		{"fraction", at(0) + ".0", true, ats.ErrMalformedWebhook},
		{"exponent", "1.7409e12", true, ats.ErrMalformedWebhook},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := lever.WebhookVerifier{Secrets: []string{sigToken}, Now: clock}
			if tt.guarded {
				v.Replay = &ats.MemoryReplayGuard{Now: clock}
			}
			body := levertest.SignDelivery(sigToken, levertest.NewDeliveryToken(), "", lever.EventCandidateStageChange, tt.ts, data)
			_, err := v.VerifyWebhook(body, nil)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestVerifyWebhookSignedSplit: Lever signs token+triggeredAt without a
// separator, so a digit can move across the boundary without changing the
// signature. Every such split is refused.
func TestVerifyWebhookSignedSplit(t *testing.T) {
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	token := "0123456789abcdef0123456789abcdef0123456789abcd17" // ends in digits
	good := levertest.SignDelivery(sigToken, token, "", lever.EventCandidateStageChange, ts, map[string]any{"opportunityId": "o", "toStageId": "s"})
	sig := lever.Sign(sigToken, token, ts)
	v := lever.WebhookVerifier{Secrets: []string{sigToken}, Now: clock, Replay: &ats.MemoryReplayGuard{Now: clock}}
	if _, err := v.VerifyWebhook(good, nil); err != nil {
		t.Fatalf("genuine delivery: %v", err)
	}
	tests := []struct{ name, token, ts string }{
		{"one digit moved into triggeredAt", token[:len(token)-1], token[len(token)-1:] + ts},
		{"two digits moved into triggeredAt", token[:len(token)-2], token[len(token)-2:] + ts},
		{"one digit moved into the token", token + ts[:1], ts[1:]},
		{"three digits moved into the token", token + ts[:3], ts[3:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if lever.Sign(sigToken, tt.token, tt.ts) != sig {
				t.Fatal("test setup: the split changed the signed bytes")
			}
			body := []byte(`{"event":"candidateStageChange","triggeredAt":` + tt.ts + `,"token":"` + tt.token + `","signature":"` + sig + `","data":{"opportunityId":"other","toStageId":"s"}}`)
			evs, err := v.VerifyWebhook(body, nil)
			if err == nil {
				t.Fatalf("re-split delivery accepted: %+v", evs)
			}
			// Expired, or malformed where the split leaves a leading zero.
			if !errors.Is(err, ats.ErrWebhookExpired) && !errors.Is(err, ats.ErrMalformedWebhook) {
				t.Errorf("err = %v, want ats.ErrWebhookExpired or ats.ErrMalformedWebhook", err)
			}
		})
	}
}

// TestVerifyWebhookReplay: with a guard a delivery token is acted on once
// per connection, whatever data comes with it; without one, a replay with
// altered data keeps the original event ID, so de-duplication catches it.
func TestVerifyWebhookReplay(t *testing.T) {
	token := levertest.NewDeliveryToken()
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	orig := levertest.SignDelivery(sigToken, token, "", lever.EventCandidateStageChange, ts, map[string]any{"opportunityId": "o1", "toStageId": "s"})
	forged := levertest.SignDelivery(sigToken, token, "evil", lever.EventCandidateArchiveChange, ts, map[string]any{"opportunityId": "o2", "toArchived": map[string]any{"reason": "r"}})

	guard := &ats.MemoryReplayGuard{Now: clock}
	v := lever.WebhookVerifier{Secrets: []string{sigToken}, Now: clock, Replay: guard, Connection: "acme"}
	first, err := v.VerifyWebhook(orig, nil)
	if err != nil || len(first) != 1 || first[0].Connection != "acme" {
		t.Fatalf("first delivery: %+v, %v", first, err)
	}
	for _, tt := range []struct {
		name string
		body []byte
	}{{"same body", orig}, {"other data, same token", forged}} {
		t.Run(tt.name, func(t *testing.T) {
			if evs, err := v.VerifyWebhook(tt.body, nil); !errors.Is(err, ats.ErrWebhookReplayed) || evs != nil {
				t.Errorf("replay: %+v, %v; want ats.ErrWebhookReplayed", evs, err)
			}
		})
	}
	t.Run("other connection", func(t *testing.T) {
		other := v
		other.Connection = "globex"
		if _, err := other.VerifyWebhook(orig, nil); err != nil {
			t.Errorf("same token on another connection: %v", err)
		}
	})
	t.Run("unguarded ID from signed data", func(t *testing.T) {
		u := lever.WebhookVerifier{Secrets: []string{sigToken}, Now: clock}
		a, err1 := u.VerifyWebhook(orig, nil)
		b, err2 := u.VerifyWebhook(forged, nil)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if a[0].ID != b[0].ID || a[0].ID != lever.DeliveryKey(token, ts) {
			t.Errorf("IDs %q, %q; want both %q", a[0].ID, b[0].ID, lever.DeliveryKey(token, ts))
		}
	})
}

// TestWebhookHandlerReplayRule: the handler acts on a delivery once,
// answers a replay 200 without acting, and forgets a delivery whose
// processing failed, so Lever's retry of it is acted on.
func TestWebhookHandlerReplayRule(t *testing.T) {
	body := levertest.SignPayload(sigToken, "", lever.EventCandidateStageChange, now, map[string]any{"opportunityId": "o", "toStageId": "s"})
	handlers := map[string]func(v lever.WebhookVerifier, fn func(context.Context, []ats.Event) error) http.Handler{
		"lever.WebhookHandler": func(v lever.WebhookVerifier, fn func(context.Context, []ats.Event) error) http.Handler {
			return lever.WebhookHandler(v, fn, lever.WebhookHandlerOptions{})
		},
		// The generic handler (what hosting mounts per connection)
		// releases the claim through ats.WebhookReleaser.
		"ats.NewWebhookHandler": func(v lever.WebhookVerifier, fn func(context.Context, []ats.Event) error) http.Handler {
			return ats.NewWebhookHandler(v, fn, ats.WebhookHandlerOptions{Source: "lever"})
		},
	}
	for name, mount := range handlers {
		t.Run(name, func(t *testing.T) {
			v := lever.WebhookVerifier{Secrets: []string{sigToken}, Now: clock, Replay: &ats.MemoryReplayGuard{Now: clock}, Connection: "acme"}
			var calls atomic.Int32
			fail := true
			h := mount(v, func(context.Context, []ats.Event) error {
				calls.Add(1)
				if fail {
					return errors.New("store down")
				}
				return nil
			})
			steps := []struct {
				name      string
				fail      bool
				wantCode  int
				wantCalls int32
			}{
				{"processing fails", true, 500, 1},
				{"Lever retries, processing succeeds", false, 200, 2},
				{"Rerun of the same delivery", false, 200, 2},
				{"another retry", false, 200, 2},
			}
			for _, st := range steps {
				fail = st.fail
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("POST", "/hook", bytes.NewReader(body)))
				if rec.Code != st.wantCode || calls.Load() != st.wantCalls {
					t.Errorf("%s: status %d, %d calls; want %d, %d", st.name, rec.Code, calls.Load(), st.wantCode, st.wantCalls)
				}
			}
		})
	}
}

// TestFakeRetriesAndRerun: levertest retries a failed delivery five times
// with the same body and growing gaps, and Rerun sends it again; the
// handler acts on it once.
func TestFakeRetriesAndRerun(t *testing.T) {
	f := newFixture(t, nil)
	guard := &ats.MemoryReplayGuard{}
	var acted atomic.Int32
	var failures atomic.Int32
	failures.Store(2)
	var hook levertest.Webhook
	var verifier lever.WebhookVerifier
	verifier.Replay = guard
	vendor := httptest.NewServer(lever.WebhookHandler(&verifier, func(context.Context, []ats.Event) error {
		if failures.Add(-1) >= 0 {
			return errors.New("vendor outage")
		}
		acted.Add(1)
		return nil
	}, lever.WebhookHandlerOptions{}))
	defer vendor.Close()
	hook = f.srv.AddWebhook(vendor.URL, lever.EventCandidateStageChange)
	verifier.Secrets = []string{hook.SignatureToken}

	f.srv.MoveCandidate(f.opp.ID, f.stages[2].ID)
	f.srv.WaitDeliveries(context.Background())
	ds := f.srv.Deliveries()
	var got []int
	for _, d := range ds {
		got = append(got, d.StatusCode)
		if !bytes.Equal(d.Body, ds[0].Body) {
			t.Error("a retry changed the body")
		}
		if bytes.Contains(d.Body, []byte(`"id"`)) {
			t.Error("the fake's delivery has a top-level id; Lever's documented deliveries have none")
		}
	}
	if d := cmp.Diff([]int{500, 500, 200}, got); d != "" {
		t.Errorf("statuses (-want +got):\n%s", d)
	}
	f.srv.Rerun(ds[0])
	f.srv.WaitDeliveries(context.Background())
	after := f.srv.Deliveries()
	if len(after) != 4 || !after[3].Rerun || after[3].StatusCode != 200 {
		t.Errorf("rerun: %+v", after[len(after)-1])
	}
	if acted.Load() != 1 {
		t.Errorf("acted %d times, want once", acted.Load())
	}
}

// TestFakeRetriesFiveTimes: a receiver that never answers 2xx gets the
// first attempt and five retries.
func TestFakeRetriesFiveTimes(t *testing.T) {
	f := newFixture(t, nil)
	vendor := httptest.NewServer(lever.WebhookHandler(lever.WebhookVerifier{Secrets: []string{"wrong"}}, func(context.Context, []ats.Event) error { return nil }, lever.WebhookHandlerOptions{}))
	defer vendor.Close()
	f.srv.AddWebhook(vendor.URL, lever.EventCandidateStageChange)
	f.srv.MoveCandidate(f.opp.ID, f.stages[2].ID)
	f.srv.WaitDeliveries(context.Background())
	var attempts []int
	for _, d := range f.srv.Deliveries() {
		attempts = append(attempts, d.Attempt)
		if d.StatusCode != 401 {
			t.Errorf("attempt %d: status %d, want 401", d.Attempt, d.StatusCode)
		}
	}
	if d := cmp.Diff([]int{0, 1, 2, 3, 4, 5}, attempts); d != "" {
		t.Errorf("attempts (-want +got):\n%s", d)
	}
}

// TestFakeWebhookNeedsSuperAdmin: a webhook created through the API
// delivers nothing until a Super Admin switches its group on; deliveries
// then carry Lever's user agent and verify with the token returned at
// creation.
func TestFakeWebhookNeedsSuperAdmin(t *testing.T) {
	f := newFixture(t, nil)
	agents := make(chan string, 10)
	var verifier lever.WebhookVerifier
	vendor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agents <- r.Header.Get("User-Agent")
		lever.WebhookHandler(&verifier, func(context.Context, []ats.Event) error { return nil }, lever.WebhookHandlerOptions{}).ServeHTTP(w, r)
	}))
	defer vendor.Close()
	hook, err := f.c.CreateWebhook(context.Background(), lever.Webhook{URL: vendor.URL, Event: lever.EventCandidateStageChange})
	if err != nil {
		t.Fatal(err)
	}
	verifier.Secrets = []string{hook.Configuration.SignatureToken}
	f.srv.MoveCandidate(f.opp.ID, f.stages[2].ID)
	f.srv.WaitDeliveries(context.Background())
	if ds := f.srv.Deliveries(); len(ds) != 0 {
		t.Fatalf("%d deliveries before the group was switched on", len(ds))
	}
	f.srv.SetWebhookGroup(lever.EventCandidateStageChange, true)
	f.srv.MoveCandidate(f.opp.ID, f.stages[3].ID)
	f.srv.WaitDeliveries(context.Background())
	ds := f.srv.Deliveries()
	if len(ds) != 1 || ds[0].StatusCode != 200 {
		t.Fatalf("deliveries = %+v", ds)
	}
	if ua := <-agents; ua != "Lever-Webhooks" {
		t.Errorf("User-Agent = %q", ua)
	}
	// Lever's delivery token is a "Randomly generated string with length
	// 48"; the documented bodies carry no top-level id.
	var body map[string]any
	if err := json.Unmarshal(ds[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if tok, _ := body["token"].(string); len(tok) != 48 {
		t.Errorf("delivery token %q has %d characters, want 48", tok, len(tok))
	}
	if _, ok := body["id"]; ok {
		t.Error("the delivery has a top-level id")
	}
}
