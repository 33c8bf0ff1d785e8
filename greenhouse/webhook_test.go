package greenhouse_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/greenhouse"
	"github.com/atskit/atskit/greenhouse/greenhousetest"
	"github.com/google/go-cmp/cmp"
)

var webhookNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func stageChange(at time.Time) map[string]any {
	return map[string]any{"application": map[string]any{
		"id": 4242, "status": "active", "last_activity_at": at.Format(time.RFC3339),
		"current_stage": map[string]any{"id": 77, "name": "InterviewVector <Round 1>"},
		"jobs":          []any{map[string]any{"id": 9}},
	}}
}

func TestVerifyWebhook(t *testing.T) {
	body, h := greenhousetest.SignWebhook("candidate_stage_change", stageChange(webhookNow), "s3cr3t-new", "evt-1")
	tests := []struct {
		name    string
		v       greenhouse.WebhookVerifier
		body    []byte
		header  http.Header
		wantErr error
	}{
		{name: "valid, second secret (rotation)", v: greenhouse.WebhookVerifier{Secrets: []string{"old", "s3cr3t-new"}}, body: body, header: h},
		{name: "no secret configured", v: greenhouse.WebhookVerifier{}, body: body, header: h, wantErr: ats.ErrSignatureInvalid},
		{name: "wrong secret", v: greenhouse.WebhookVerifier{Secrets: []string{"old"}}, body: body, header: h, wantErr: ats.ErrSignatureInvalid},
		{name: "no signature", v: greenhouse.WebhookVerifier{Secrets: []string{"s3cr3t-new"}}, body: body, header: http.Header{}, wantErr: ats.ErrSignatureMissing},
		{name: "signature without algorithm", v: greenhouse.WebhookVerifier{Secrets: []string{"s3cr3t-new"}}, body: body,
			header: http.Header{"Signature": {strings.TrimPrefix(h.Get("Signature"), "sha256 ")}}, wantErr: ats.ErrSignatureInvalid},
		{name: "other algorithm", v: greenhouse.WebhookVerifier{Secrets: []string{"s3cr3t-new"}}, body: body,
			header: http.Header{"Signature": {strings.Replace(h.Get("Signature"), "sha256", "sha1", 1)}}, wantErr: ats.ErrSignatureInvalid},
		{name: "re-serialized body (unescaped <)", v: greenhouse.WebhookVerifier{Secrets: []string{"s3cr3t-new"}},
			body: bytes.ReplaceAll(body, []byte(`\u003c`), []byte("<")), header: h, wantErr: ats.ErrSignatureInvalid},
		{name: "too old", v: greenhouse.WebhookVerifier{Secrets: []string{"s3cr3t-new"}, Now: func() time.Time { return webhookNow.Add(17 * time.Hour) }},
			body: body, header: h, wantErr: ats.ErrWebhookExpired},
		{name: "retry 15 h later is still fresh", v: greenhouse.WebhookVerifier{Secrets: []string{"s3cr3t-new"}, Now: func() time.Time { return webhookNow.Add(15*time.Hour + 16*time.Minute) }},
			body: body, header: h},
		{name: "from the future", v: greenhouse.WebhookVerifier{Secrets: []string{"s3cr3t-new"}, Now: func() time.Time { return webhookNow.Add(-time.Hour) }},
			body: body, header: h, wantErr: ats.ErrWebhookExpired},
		{name: "huge MaxAge does not overflow", v: greenhouse.WebhookVerifier{Secrets: []string{"s3cr3t-new"}, MaxAge: 1<<63 - 1, FutureSkew: 1<<63 - 1,
			Now: func() time.Time { return webhookNow.Add(-20 * 365 * 24 * time.Hour) }}, body: body, header: h, wantErr: ats.ErrWebhookExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.v.Now == nil {
				tt.v.Now = func() time.Time { return webhookNow }
			}
			evs, err := tt.v.VerifyWebhook(tt.body, tt.header)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if strings.Contains(err.Error(), "s3cr3t") {
					t.Errorf("error leaks the secret: %v", err)
				}
				return
			}
			// The ID is the signed body's digest, never the unsigned
			// Greenhouse-Event-ID header ("evt-1"); events are snapshots.
			want := ats.Event{ID: greenhouse.ReplayKey(tt.body), Source: "greenhouse", Kind: ats.EventStageChanged, Type: "candidate_stage_change",
				CandidateID: "4242", JobID: "9", ToStage: ats.StageRef{ID: "77", Name: "InterviewVector <Round 1>"}, Time: webhookNow, Snapshot: true}
			evs[0].Raw = nil
			if diff := cmp.Diff([]ats.Event{want}, evs); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// TestFreshnessOnlyForStageChanges: an application_updated may carry an
// old last_activity_at (a field edit is not an activity), so it must not
// be refused as expired.
func TestFreshnessOnlyForStageChanges(t *testing.T) {
	old := webhookNow.Add(-30 * 24 * time.Hour)
	v := greenhouse.WebhookVerifier{Secrets: []string{"s"}, Now: func() time.Time { return webhookNow }}
	for _, tc := range []struct {
		action  string
		wantErr error
	}{
		{"application_updated", nil},
		{"reject_candidate", nil},
		{"candidate_stage_change", ats.ErrWebhookExpired},
	} {
		t.Run(tc.action, func(t *testing.T) {
			body, h := greenhousetest.SignWebhook(tc.action, stageChange(old), "s", "e")
			evs, err := v.VerifyWebhook(body, h)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err == nil && !evs[0].Time.Equal(old) {
				t.Errorf("Time = %v, want %v", evs[0].Time, old)
			}
		})
	}
}

func TestParseEventKinds(t *testing.T) {
	app := map[string]any{"application": map[string]any{"id": "5", "jobs": []any{map[string]any{"id": 1}}}}
	tests := []struct {
		action  string
		payload any
		want    ats.EventKind
		wantErr bool
	}{
		{"reject_candidate", app, ats.EventArchived, false},
		{"unreject_candidate", app, ats.EventUnarchived, false},
		{"hire_candidate", app, ats.EventHired, false},
		{"new_candidate_application", app, ats.EventCandidateCreated, false},
		{"delete_application", app, ats.EventDeleted, false},
		{"interview_deleted", map[string]any{"interview": map[string]any{"id": 3, "application_id": 5}}, ats.EventInterviewDeleted, false},
		{"job_updated", map[string]any{"job": map[string]any{"id": 1}}, ats.EventUnknown, false},
		{"candidate_stage_change", app, "", true}, // no current_stage
		{"reject_candidate", map[string]any{}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			body, h := greenhousetest.SignWebhook(tt.action, tt.payload, "s", "e")
			evs, err := greenhouse.VerifyWebhook(body, h, "s")
			if tt.wantErr {
				if !errors.Is(err, ats.ErrMalformedWebhook) {
					t.Fatalf("err = %v, want ats.ErrMalformedWebhook", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if evs[0].Kind != tt.want {
				t.Errorf("Kind = %s, want %s", evs[0].Kind, tt.want)
			}
		})
	}
}

func TestVerifyWebhookReplay(t *testing.T) {
	guard := &ats.MemoryReplayGuard{Now: func() time.Time { return webhookNow }}
	v := greenhouse.WebhookVerifier{Secrets: []string{"s"}, Replay: guard, Connection: "acme", Now: func() time.Time { return webhookNow }}
	body, h := greenhousetest.SignWebhook("candidate_stage_change", stageChange(webhookNow), "s", "evt-1")
	evs, err := v.VerifyWebhook(body, h)
	if err != nil || evs[0].Connection != "acme" {
		t.Fatalf("first delivery: %v %+v", err, evs)
	}
	h.Set("Greenhouse-Event-ID", "evt-forged") // the ID is not signed; the body is
	if _, err := v.VerifyWebhook(body, h); !errors.Is(err, ats.ErrWebhookReplayed) {
		t.Errorf("replayed body with a new event ID: %v, want ats.ErrWebhookReplayed", err)
	}
	other := greenhouse.WebhookVerifier{Secrets: []string{"s"}, Replay: guard, Connection: "globex", Now: v.Now}
	if _, err := other.VerifyWebhook(body, h); err != nil {
		t.Errorf("same body on another connection: %v", err)
	}
}

func TestWebhookHandler(t *testing.T) {
	body, h := greenhousetest.SignWebhook("candidate_stage_change", stageChange(webhookNow), "s", "evt-1")
	ping := []byte(`{"action":"ping","payload":{"web_hook_id":1}}`)
	tests := []struct {
		name       string
		deliveries [][]byte // each sent in turn with h (pings unsigned)
		fnErrs     []error
		wantStatus []int
		wantCalls  int
	}{
		{name: "delivery", deliveries: [][]byte{body}, fnErrs: []error{nil}, wantStatus: []int{200}, wantCalls: 1},
		{name: "unsigned ping answered, fn not called", deliveries: [][]byte{ping}, wantStatus: []int{200}},
		{name: "replay answered 200 once acted on", deliveries: [][]byte{body, body}, fnErrs: []error{nil}, wantStatus: []int{200, 200}, wantCalls: 1},
		{name: "failed handling is retried by Greenhouse and accepted", deliveries: [][]byte{body, body}, fnErrs: []error{errors.New("db down"), nil}, wantStatus: []int{500, 200}, wantCalls: 2},
		{name: "tampered", deliveries: [][]byte{bytes.Replace(body, []byte("4242"), []byte("4243"), 1)}, wantStatus: []int{401}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &greenhouse.WebhookVerifier{Secrets: []string{"s"}, Replay: &ats.MemoryReplayGuard{}, Now: func() time.Time { return webhookNow }}
			calls := 0
			hd := greenhouse.WebhookHandler(v, func(ctx context.Context, evs []ats.Event) error {
				calls++
				return tt.fnErrs[calls-1]
			}, greenhouse.WebhookHandlerOptions{})
			var got []int
			for _, b := range tt.deliveries {
				req := httptest.NewRequest(http.MethodPost, "/hooks/greenhouse", bytes.NewReader(b))
				if !bytes.Contains(b, []byte(`"ping"`)) {
					req.Header = h.Clone()
				}
				rr := httptest.NewRecorder()
				hd.ServeHTTP(rr, req)
				got = append(got, rr.Code)
			}
			if diff := cmp.Diff(tt.wantStatus, got); diff != "" {
				t.Errorf("statuses (-want +got)\n%s", diff)
			}
			if calls != tt.wantCalls {
				t.Errorf("fn called %d times, want %d", calls, tt.wantCalls)
			}
		})
	}
}

// TestFakeDeliversSignedWebhooks drives the fake's sender against the
// handler: a recruiter's move is delivered signed; a failing endpoint gets
// Greenhouse's retries with the same Greenhouse-Event-ID.
func TestFakeDeliversSignedWebhooks(t *testing.T) {
	var mu sync.Mutex
	var events []ats.Event
	fail := 2 // the first two attempts of the first delivery fail
	hd := greenhouse.WebhookHandler(&greenhouse.WebhookVerifier{Secrets: []string{"s"}, Replay: &ats.MemoryReplayGuard{}},
		func(ctx context.Context, evs []ats.Event) error {
			mu.Lock()
			defer mu.Unlock()
			if fail > 0 {
				fail--
				return errors.New("transient")
			}
			events = append(events, evs...)
			return nil
		}, greenhouse.WebhookHandlerOptions{})
	hook := httptest.NewServer(hd)
	defer hook.Close()
	srv := newServer(t, greenhousetest.WithDeliverySchedule(time.Millisecond, time.Millisecond, time.Millisecond))
	j, c := seed(t, srv)
	wh := srv.AddWebhook(greenhousetest.Webhook{Name: "iv", URL: hook.URL, Event: "candidate_stage_change", Secret: "s"})
	if wh.Disabled {
		t.Fatal("the ping failed and the webhook was disabled")
	}
	if err := srv.MoveCandidate(c.ApplicationID, j.Stages[2].ID); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.WaitDeliveries(ctx); err != nil {
		t.Fatal(err)
	}
	ds := srv.Deliveries()
	if len(ds) != 1 || ds[0].Attempts != 3 || !ds[0].Delivered {
		t.Fatalf("deliveries = %+v, want one delivered on the third attempt", ds)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 1 || events[0].ID != greenhouse.ReplayKey(events[0].Raw) || events[0].ToStage.ID != id(j.Stages[2].ID) || events[0].CandidateID != id(c.ApplicationID) {
		t.Errorf("events = %+v", events)
	}
}

func TestFakePingFailureDisablesWebhook(t *testing.T) {
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) }))
	defer down.Close()
	srv := newServer(t)
	j, c := seed(t, srv)
	wh := srv.AddWebhook(greenhousetest.Webhook{URL: down.URL, Event: "candidate_stage_change", Secret: "s"})
	if !wh.Disabled {
		t.Fatal("a ping answered 202 (not 200) left the webhook enabled")
	}
	if err := srv.MoveCandidate(c.ApplicationID, j.Stages[1].ID); err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitDeliveries(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ds := srv.Deliveries(); len(ds) != 0 {
		t.Errorf("a disabled webhook delivered: %+v", ds)
	}
}

// TestVerifierThroughGenericHandler: mounted on ats.NewWebhookHandler (as
// hosting mounts every connection's verifier), the verifier answers
// Greenhouse's ping, releases a delivery whose processing failed so
// Greenhouse's retry is acted on, and refuses a replay without acting.
func TestVerifierThroughGenericHandler(t *testing.T) {
	body, h := greenhousetest.SignWebhook("candidate_stage_change", stageChange(webhookNow), "s3cr3t", "evt-1")
	ping := []byte(`{"action":"ping","payload":{"web_hook_id":1}}`)
	v := greenhouse.WebhookVerifier{Secrets: []string{"s3cr3t"}, Now: func() time.Time { return webhookNow },
		Replay: &ats.MemoryReplayGuard{Now: func() time.Time { return webhookNow }}, Connection: "acme"}
	var calls int
	fail := false
	handler := ats.NewWebhookHandler(v, func(_ context.Context, evs []ats.Event) error {
		calls += len(evs) // events acted on
		if fail {
			return errors.New("store down")
		}
		return nil
	}, ats.WebhookHandlerOptions{Source: "greenhouse"})
	steps := []struct {
		name      string
		body      []byte
		header    http.Header
		fail      bool
		wantCode  int
		wantCalls int
	}{
		{"unsigned ping", ping, http.Header{}, false, http.StatusOK, 0},
		{"processing fails", body, h, true, http.StatusInternalServerError, 1},
		{"Greenhouse retries, processing succeeds", body, h, false, http.StatusOK, 2},
		{"replay of the same body", body, h, false, http.StatusOK, 2},
	}
	for _, st := range steps {
		fail = st.fail
		req := httptest.NewRequest(http.MethodPost, "/hooks/greenhouse/acme", bytes.NewReader(st.body))
		for k, vs := range st.header {
			req.Header[k] = vs
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != st.wantCode || calls != st.wantCalls {
			t.Errorf("%s: status %d, %d calls; want %d, %d", st.name, rec.Code, calls, st.wantCode, st.wantCalls)
		}
	}
}
