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
			evs, err := lever.VerifyWebhook(body, sigToken, lever.WithClock(clock))
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.ID, want.Source, want.Type, want.Time, want.Raw = "ev-1", "lever", tt.event, now.Add(-time.Minute), body
			if d := cmp.Diff([]ats.Event{want}, evs); d != "" {
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
		{"no id", func() []byte { m := good(); delete(m, "id"); return enc(m) }, sigToken, ats.ErrMalformedWebhook},
		{"stage change without stage", func() []byte { m := good(); m["data"] = map[string]any{"opportunityId": "o"}; return enc(m) }, sigToken, ats.ErrMalformedWebhook},
		{"data not object", func() []byte { m := good(); m["data"] = []int{1}; return enc(m) }, sigToken, ats.ErrMalformedWebhook},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lever.WebhookVerifier{SignatureToken: tt.secret, Now: clock}.VerifyWebhook(tt.body(), nil)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	// A longer tolerance accepts the stale delivery.
	if _, err := lever.VerifyWebhook(signed(good(), now.Add(-6*time.Minute)), sigToken, lever.WithClock(clock), lever.WithTolerance(10*time.Minute)); err != nil {
		t.Errorf("with a 10 min tolerance: %v", err)
	}
}

func TestWebhookHandler(t *testing.T) {
	v := lever.WebhookVerifier{SignatureToken: sigToken, Now: clock}
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
	verifier.SignatureToken = h1.SignatureToken

	if err := f.c.MoveCandidate(context.Background(), f.opp.ID, f.stages[2].ID); err != nil {
		t.Fatal(err)
	}
	f.srv.MoveOpportunity(f.opp.ID, f.stages[3].ID)
	f.srv.ArchiveOpportunity(f.opp.ID, f.reason.ID)
	f.srv.FlushWebhooks()
	ds := f.srv.Deliveries()
	if len(ds) != 3 {
		t.Fatalf("%d deliveries, want 3", len(ds))
	}
	if ds[0].StatusCode != 200 || ds[1].StatusCode != 200 || ds[2].StatusCode != 401 {
		// the archive webhook has its own token, which this verifier lacks
		t.Errorf("statuses = %d %d %d, want 200 200 401", ds[0].StatusCode, ds[1].StatusCode, ds[2].StatusCode)
	}
	close(events)
	var got []ats.Event
	for e := range events {
		got = append(got, e)
	}
	want := []ats.Event{
		{Source: "lever", Kind: ats.EventStageChanged, Type: lever.EventCandidateStageChange, CandidateID: f.opp.ID, FromStage: ats.StageRef{ID: f.stages[1].ID}, ToStage: ats.StageRef{ID: f.stages[2].ID}},
		{Source: "lever", Kind: ats.EventStageChanged, Type: lever.EventCandidateStageChange, CandidateID: f.opp.ID, FromStage: ats.StageRef{ID: f.stages[2].ID}, ToStage: ats.StageRef{ID: f.stages[3].ID}},
	}
	if d := cmp.Diff(want, got, cmpopts.IgnoreFields(ats.Event{}, "ID", "Time", "Raw")); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
	arch, err := lever.VerifyWebhook(ds[2].Body, f.srv.Webhooks()[1].SignatureToken)
	if err != nil || arch[0].Kind != ats.EventArchived {
		t.Errorf("archive delivery: %+v, %v", arch, err)
	}
}

func FuzzVerifyWebhook(f *testing.F) {
	f.Add(levertest.SignPayload(sigToken, "ev", lever.EventCandidateStageChange, now, map[string]any{"opportunityId": "o", "toStageId": "s"}))
	f.Add(levertest.SignPayload(sigToken, "ev", lever.EventCandidateArchiveChange, now, map[string]any{"opportunityId": "o", "toArchived": map[string]any{"reason": "r"}}))
	f.Add([]byte(`{"id":"x","triggeredAt":1,"token":"t","signature":"00"}`))
	f.Add([]byte(`{"triggeredAt":1e400}`))
	f.Add([]byte(`null`))
	v := lever.WebhookVerifier{SignatureToken: sigToken, Now: clock}
	f.Fuzz(func(t *testing.T, body []byte) {
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
		if !strings.EqualFold(p.Signature, lever.Sign(sigToken, p.Token, p.TriggeredAt.String())) {
			t.Fatal("accepted a delivery whose signature does not match")
		}
		if len(evs) != 1 || evs[0].Source != "lever" || evs[0].ID == "" {
			t.Fatalf("events = %+v", evs)
		}
	})
}

var _ = http.MethodPost
