package lever_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const sigToken = "whsec-test"

var now = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

func TestVerifyWebhookEvents(t *testing.T) {
	archived := map[string]any{"reason": "r1", "archivedAt": now.UnixMilli()}
	tests := []struct {
		event string
		data  map[string]any
		want  ats.Event
	}{
		{lever.EventCandidateStageChange, map[string]any{"opportunityId": "o1", "fromStageId": "s1", "toStageId": "s2"},
			ats.Event{Kind: ats.EventStageChanged, CandidateID: "o1", FromStage: ats.StageRef{ID: "s1"}, ToStage: ats.StageRef{ID: "s2"}}},
		{lever.EventCandidateArchiveChange, map[string]any{"opportunityId": "o1", "fromArchived": nil, "toArchived": archived},
			ats.Event{Kind: ats.EventArchived, CandidateID: "o1"}},
		{lever.EventCandidateArchiveChange, map[string]any{"opportunityId": "o1", "fromArchived": archived, "toArchived": nil},
			ats.Event{Kind: ats.EventUnarchived, CandidateID: "o1"}},
		{lever.EventCandidateHired, map[string]any{"opportunityId": "o1", "postingId": "p1"}, ats.Event{Kind: ats.EventHired, CandidateID: "o1", JobID: "p1"}},
		{lever.EventCandidateDeleted, map[string]any{"opportunityId": "o1"}, ats.Event{Kind: ats.EventDeleted, CandidateID: "o1"}},
		{lever.EventApplicationCreated, map[string]any{"opportunityId": "o1", "postingId": "p1"}, ats.Event{Kind: ats.EventCandidateCreated, CandidateID: "o1", JobID: "p1"}},
		{lever.EventInterviewCreated, map[string]any{"opportunityId": "o1", "interviewId": "i1"}, ats.Event{Kind: ats.EventInterviewCreated, CandidateID: "o1"}},
		{lever.EventInterviewUpdated, map[string]any{"opportunityId": "o1"}, ats.Event{Kind: ats.EventInterviewUpdated, CandidateID: "o1"}},
		{lever.EventInterviewDeleted, map[string]any{"opportunityId": "o1"}, ats.Event{Kind: ats.EventInterviewDeleted, CandidateID: "o1"}},
		{lever.EventContactCreated, map[string]any{"contactId": "c1"}, ats.Event{Kind: ats.EventUnknown}},
		{lever.EventContactUpdated, map[string]any{"contactId": "c1"}, ats.Event{Kind: ats.EventUnknown}},
		{"somethingNew", map[string]any{"opportunityId": "o1"}, ats.Event{Kind: ats.EventUnknown, CandidateID: "o1"}},
		{lever.EventCandidateStageChange, map[string]any{"candidateId": "legacy", "toStageId": "s2"},
			ats.Event{Kind: ats.EventStageChanged, CandidateID: "legacy", ToStage: ats.StageRef{ID: "s2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			body := levertest.SignPayload(sigToken, "ev-1", tt.event, now.Add(-time.Minute), tt.data)
			evs, err := lever.WebhookVerifier{Secrets: []string{sigToken}, Now: clock}.VerifyWebhook(body, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.Source, want.Type, want.Time, want.Raw, want.Snapshot = "lever", tt.event, now.Add(-time.Minute), body, true
			if d := cmp.Diff([]ats.Event{want}, evs, cmpopts.IgnoreFields(ats.Event{}, "ID")); d != "" {
				t.Errorf("events (-want +got):\n%s", d)
			}
		})
	}
}

func TestVerifyWebhookRejects(t *testing.T) {
	good := func() map[string]any {
		var m map[string]any
		json.Unmarshal(levertest.SignPayload(sigToken, "ev", lever.EventCandidateStageChange, now, map[string]any{"opportunityId": "o", "toStageId": "s"}), &m)
		return m
	}
	enc := func(m map[string]any) []byte { b, _ := json.Marshal(m); return b }
	signed := func(m map[string]any, at time.Time) []byte {
		ts := strconv.FormatInt(at.UnixMilli(), 10)
		m["triggeredAt"] = json.Number(ts)
		m["signature"] = lever.Sign(sigToken, m["token"].(string), ts)
		return enc(m)
	}
	tests := []struct {
		name   string
		body   func() []byte
		secret string
		want   error
	}{
		{"not JSON", func() []byte { return []byte("{") }, sigToken, ats.ErrMalformedWebhook},
		{"trailing data", func() []byte { return append(enc(good()), '{') }, sigToken, ats.ErrMalformedWebhook},
		{"no signature", func() []byte { m := good(); delete(m, "signature"); return enc(m) }, sigToken, ats.ErrSignatureMissing},
		{"no token", func() []byte { m := good(); m["token"] = ""; return enc(m) }, sigToken, ats.ErrSignatureMissing},
		{"non-hex signature", func() []byte { m := good(); m["signature"] = "zz"; return enc(m) }, sigToken, ats.ErrSignatureInvalid},
		{"tampered token", func() []byte { m := good(); m["token"] = m["token"].(string) + "x"; return enc(m) }, sigToken, ats.ErrSignatureInvalid},
		{"tampered time", func() []byte { m := good(); m["triggeredAt"] = m["triggeredAt"].(float64) + 1; return enc(m) }, sigToken, ats.ErrSignatureInvalid},
		{"wrong secret", func() []byte { return enc(good()) }, "other", ats.ErrSignatureInvalid},
		{"empty secret", func() []byte { return enc(good()) }, "", ats.ErrSignatureInvalid},
		{"string time", func() []byte { m := good(); m["triggeredAt"] = "soon"; return enc(m) }, sigToken, ats.ErrMalformedWebhook},
		{"stale", func() []byte { return signed(good(), now.Add(-6*time.Minute)) }, sigToken, ats.ErrWebhookExpired},
		{"future", func() []byte { return signed(good(), now.Add(2*time.Minute)) }, sigToken, ats.ErrWebhookExpired},
		{"data not object", func() []byte { m := good(); m["data"] = []int{1}; return enc(m) }, sigToken, ats.ErrMalformedWebhook},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lever.WebhookVerifier{Secrets: []string{tt.secret}, Now: clock}.VerifyWebhook(tt.body(), nil)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	// Without a replay guard a longer tolerance is capped: the stale
	// delivery stays refused. With one it is accepted.
	if _, err := (lever.WebhookVerifier{Secrets: []string{sigToken}, Now: clock, MaxAge: 10 * time.Minute}).VerifyWebhook(signed(good(), now.Add(-6*time.Minute)), nil); !errors.Is(err, ats.ErrWebhookExpired) {
		t.Errorf("unguarded, 10 min tolerance: %v, want ats.ErrWebhookExpired", err)
	}
	if _, err := (lever.WebhookVerifier{Secrets: []string{sigToken}, Now: clock, MaxAge: 10 * time.Minute,
		Replay: &ats.MemoryReplayGuard{Now: clock}}).VerifyWebhook(signed(good(), now.Add(-6*time.Minute)), nil); err != nil {
		t.Errorf("guarded, 10 min tolerance: %v", err)
	}
}

func TestWebhookHandler(t *testing.T) {
	v := lever.WebhookVerifier{Secrets: []string{sigToken}, Now: clock}
	valid := levertest.SignPayload(sigToken, "ev", lever.EventCandidateStageChange, now, map[string]any{"opportunityId": "o", "toStageId": "s"})
	tests := []struct {
		name   string
		method string
		body   []byte
		fnErr  error
		want   int
	}{
		{"ok", "POST", valid, nil, 200},
		{"GET", "GET", nil, nil, 405},
		{"bad signature", "POST", bytes.Replace(valid, []byte(`"token":"`), []byte(`"token":"x`), 1), nil, 401},
		{"malformed", "POST", []byte("nope"), nil, 400},
		{"oversized", "POST", bytes.Repeat([]byte(" "), 2048), nil, 413},
		{"callback fails", "POST", valid, errors.New("db down"), 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []ats.Event
			h := lever.WebhookHandler(v, func(_ context.Context, evs []ats.Event) error { got = evs; return tt.fnErr }, lever.WebhookHandlerOptions{MaxBodyBytes: 1024})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, "/hook", bytes.NewReader(tt.body)))
			if rec.Code != tt.want {
				t.Errorf("status = %d, want %d", rec.Code, tt.want)
			}
			if tt.want == 200 && (len(got) != 1 || got[0].CandidateID != "o") {
				t.Errorf("events = %+v", got)
			}
		})
	}
}

// TestFakeDeliversSignedWebhooks: stage and archive changes through the API
// and through the recruiter helpers reach the vendor's handler, verified.
func TestFakeDeliversSignedWebhooks(t *testing.T) {
	f := newFixture(t, nil)
	events := make(chan ats.Event, 10)
	var verifier lever.WebhookVerifier
	vendor := httptest.NewServer(lever.WebhookHandler(&verifier, func(_ context.Context, evs []ats.Event) error {
		for _, e := range evs {
			events <- e
		}
		return nil
	}, lever.WebhookHandlerOptions{}))
	defer vendor.Close()
	h1 := f.srv.AddWebhook(vendor.URL, lever.EventCandidateStageChange)
	f.srv.AddWebhook(vendor.URL, lever.EventCandidateArchiveChange)
	verifier.Secrets = []string{h1.SignatureToken}

	if err := f.c.MoveCandidate(context.Background(), f.opp.ID, f.stages[2].ID); err != nil {
		t.Fatal(err)
	}
	f.srv.MoveCandidate(f.opp.ID, f.stages[3].ID)
	f.srv.ArchiveOpportunity(f.opp.ID, f.reason.ID)
	f.srv.WaitDeliveries(context.Background())
	ds := f.srv.Deliveries()
	// The archive webhook has its own token, which this verifier lacks:
	// its delivery is refused, and retried five times by Lever.
	var statuses []int
	for _, d := range ds {
		statuses = append(statuses, d.StatusCode)
	}
	if d := cmp.Diff([]int{200, 200, 401, 401, 401, 401, 401, 401}, statuses); d != "" {
		t.Errorf("statuses (-want +got):\n%s", d)
	}
	close(events)
	var got []ats.Event
	for e := range events {
		got = append(got, e)
	}
	want := []ats.Event{
		{Source: "lever", Kind: ats.EventStageChanged, Type: lever.EventCandidateStageChange, CandidateID: f.opp.ID, FromStage: ats.StageRef{ID: f.stages[1].ID}, ToStage: ats.StageRef{ID: f.stages[2].ID}, Snapshot: true},
		{Source: "lever", Kind: ats.EventStageChanged, Type: lever.EventCandidateStageChange, CandidateID: f.opp.ID, FromStage: ats.StageRef{ID: f.stages[2].ID}, ToStage: ats.StageRef{ID: f.stages[3].ID}, Snapshot: true},
	}
	if d := cmp.Diff(want, got, cmpopts.IgnoreFields(ats.Event{}, "ID", "Time", "Raw")); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
	arch, err := lever.VerifyWebhook(ds[2].Body, nil, f.srv.Webhooks()[1].SignatureToken)
	if err != nil || arch[0].Kind != ats.EventArchived {
		t.Errorf("archive delivery: %+v, %v", arch, err)
	}
}

// FuzzVerifyWebhook: whatever the body, the verifier (with a replay
// guard) either fails with one of the webhook sentinels or accepts a
// delivery whose signature is valid, whose triggeredAt lies inside the
// window, whose event ID is derived from the signed token and time, and
// which it refuses as replayed when presented again.
func FuzzVerifyWebhook(f *testing.F) {
	data := map[string]any{"opportunityId": "o", "toStageId": "s"}
	f.Add(levertest.SignPayload(sigToken, "", lever.EventCandidateStageChange, now, data))
	f.Add(levertest.SignPayload(sigToken, "ev", lever.EventCandidateArchiveChange, now, map[string]any{"opportunityId": "o", "toArchived": map[string]any{"reason": "r"}}))
	f.Add(levertest.SignPayload(sigToken, "", lever.EventCandidateHired, now.Add(-13*24*time.Hour), map[string]any{}))
	f.Add(levertest.SignDelivery(sigToken, "abc1", "", lever.EventCandidateStageChange, "1"+strconv.FormatInt(now.UnixMilli(), 10), data))
	f.Add([]byte(`{"id":"x","triggeredAt":1,"token":"t","signature":"00"}`))
	f.Add([]byte(`{"triggeredAt":1e400}`))
	f.Add([]byte(`null`))
	const tol, skew = lever.DefaultWebhookTolerance, lever.DefaultWebhookFutureSkew
	f.Fuzz(func(t *testing.T, body []byte) {
		v := lever.WebhookVerifier{Secrets: []string{sigToken}, Now: clock, Replay: &ats.MemoryReplayGuard{Now: clock}}
		evs, err := v.VerifyWebhook(body, nil)
		if err != nil {
			if len(evs) != 0 {
				t.Fatal("events returned with an error")
			}
			for _, target := range []error{ats.ErrSignatureMissing, ats.ErrSignatureInvalid, ats.ErrWebhookExpired, ats.ErrMalformedWebhook} {
				if errors.Is(err, target) {
					return
				}
			}
			t.Fatalf("error %v wraps none of the webhook sentinels", err)
		}
		// Accepted: the signature must really be valid for the body.
		var p struct {
			Token       string      `json:"token"`
			TriggeredAt json.Number `json:"triggeredAt"`
			Signature   string      `json:"signature"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatalf("accepted a body that does not decode: %v", err)
		}
		ts := p.TriggeredAt.String()
		if !strings.EqualFold(p.Signature, lever.Sign(sigToken, p.Token, ts)) {
			t.Fatal("accepted a delivery whose signature does not match")
		}
		// The window, bounded on both sides.
		ms, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || ms < now.Add(-tol).UnixMilli() || ms > now.Add(skew).UnixMilli() {
			t.Fatalf("accepted triggeredAt %q outside [now-%v, now+%v]", ts, tol, skew)
		}
		for _, ev := range evs {
			if ev.Source != "lever" || ev.ID != lever.DeliveryKey(p.Token, ts) || !ev.Snapshot {
				t.Fatalf("event = %+v; want Source lever, Snapshot, ID from the signed token and time", ev)
			}
		}
		// The replay rule: the same token is refused the second time.
		if again, err := v.VerifyWebhook(body, nil); !errors.Is(err, ats.ErrWebhookReplayed) || again != nil {
			t.Fatalf("second verification = %+v, %v; want ats.ErrWebhookReplayed", again, err)
		}
		// Without a guard only the short window applies.
		unguarded := lever.WebhookVerifier{Secrets: []string{sigToken}, Now: clock}
		if _, err := unguarded.VerifyWebhook(body, nil); err == nil && ms < now.Add(-lever.DefaultUnguardedTolerance).UnixMilli() {
			t.Fatalf("unguarded verifier accepted triggeredAt %q older than %v", ts, lever.DefaultUnguardedTolerance)
		}
	})
}

// FuzzVerifyWebhookSplit: a genuine delivery (token, triggeredAt inside
// the window) re-split by moving characters across the token/triggeredAt
// boundary keeps its signature, since Lever signs the concatenation; the
// verifier must refuse every such split.
func FuzzVerifyWebhookSplit(f *testing.F) {
	f.Add("be58f711f349c7780e4579cd7c63341ac6f881e4dccc3154", int64(0), int8(1))
	f.Add("be58f711f349c7780e4579cd7c63341ac6f881e4dccc3159", int64(-60000), int8(1))
	f.Add("000000000000000000000000000000000000000000000012", int64(30000), int8(2))
	f.Add("abc", int64(-1000), int8(-3))
	f.Add("be58f711f349c7780e4579cd7c63341ac6f881e4dccc3154", int64(5), int8(-13))
	f.Fuzz(func(t *testing.T, token string, offset int64, shift int8) {
		if token == "" || shift == 0 {
			return
		}
		const window = int64(lever.DefaultWebhookTolerance / time.Millisecond)
		ms := now.UnixMilli() - (offset%window+window)%window // inside the guarded window
		ts := strconv.FormatInt(ms, 10)
		joined := token + ts
		cut := len(token) + int(shift)
		if cut <= 0 || cut >= len(joined) {
			return
		}
		altToken, altTS := joined[:cut], joined[cut:]
		sig := lever.Sign(sigToken, token, ts)
		v := lever.WebhookVerifier{Secrets: []string{sigToken}, Now: clock, Replay: &ats.MemoryReplayGuard{Now: clock}}
		body, err := json.Marshal(map[string]any{"event": "candidateStageChange", "token": altToken, "triggeredAt": json.RawMessage(strconv.Quote(altTS)), "signature": sig,
			"data": map[string]any{"opportunityId": "victim", "toStageId": "s"}})
		if err != nil {
			return
		}
		// triggeredAt as a JSON number when the digits allow it.
		if _, perr := strconv.ParseInt(altTS, 10, 64); perr == nil {
			body, _ = json.Marshal(map[string]any{"event": "candidateStageChange", "token": altToken, "triggeredAt": json.Number(altTS), "signature": sig,
				"data": map[string]any{"opportunityId": "victim", "toStageId": "s"}})
		}
		if evs, err := v.VerifyWebhook(body, nil); err == nil {
			t.Fatalf("re-split delivery (token %q, triggeredAt %q) accepted: %+v", altToken, altTS, evs)
		}
	})
}

var _ = http.MethodPost
