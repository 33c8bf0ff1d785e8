package ashby_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atskit/atskit/ashby"
	"github.com/atskit/atskit/ashby/ashbytest"
	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
	"github.com/google/go-cmp/cmp"
)

var hookTime = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

func signed(secret string, body []byte) http.Header {
	return http.Header{"Ashby-Signature": {ashbytest.Sign(body, secret)}}
}

func TestVerifyWebhook(t *testing.T) {
	body := stageChangeBody("app-1", "job-1", "stage-2", hookTime)
	sig := ashbytest.Sign(body, "s3cret")
	hexSig := strings.TrimPrefix(sig, "sha256=")
	cases := []struct {
		name    string
		secrets []string
		body    []byte
		header  http.Header
		want    error
	}{
		{"valid", []string{"s3cret"}, body, http.Header{"Ashby-Signature": {sig}}, nil},
		{"rotation: second secret", []string{"old", "s3cret"}, body, http.Header{"Ashby-Signature": {sig}}, nil},
		{"upper-case algorithm and hex", []string{"s3cret"}, body, http.Header{"Ashby-Signature": {"SHA256=" + strings.ToUpper(hexSig)}}, nil},
		{"several values", []string{"s3cret"}, body, http.Header{"Ashby-Signature": {"sha256=" + strings.Repeat("0", 64) + ", " + sig}}, nil},
		{"no header", []string{"s3cret"}, body, http.Header{}, ats.ErrSignatureMissing},
		{"other algorithm", []string{"s3cret"}, body, http.Header{"Ashby-Signature": {"sha1=" + hexSig[:40]}}, ats.ErrSignatureInvalid},
		{"bare hex", []string{"s3cret"}, body, http.Header{"Ashby-Signature": {hexSig}}, ats.ErrSignatureInvalid},
		{"short digest", []string{"s3cret"}, body, http.Header{"Ashby-Signature": {"sha256=abcd"}}, ats.ErrSignatureInvalid},
		{"wrong secret", []string{"other"}, body, http.Header{"Ashby-Signature": {sig}}, ats.ErrSignatureInvalid},
		{"no secrets: fail closed", nil, body, http.Header{"Ashby-Signature": {sig}}, ats.ErrSignatureInvalid},
		{"empty secret is not a key", []string{""}, body, http.Header{"Ashby-Signature": {ashbytest.Sign(body, "")}}, ats.ErrSignatureInvalid},
		{"body changed", []string{"s3cret"}, append([]byte(" "), body...), http.Header{"Ashby-Signature": {sig}}, ats.ErrSignatureInvalid},
		{"signed garbage", []string{"s3cret"}, []byte("{"), signed("s3cret", []byte("{")), ats.ErrMalformedWebhook},
		{"signed without action", []string{"s3cret"}, []byte(`{"data":{}}`), signed("s3cret", []byte(`{"data":{}}`)), ats.ErrMalformedWebhook},
		{"stage change without application", []string{"s3cret"}, []byte(`{"action":"candidateStageChange","data":{}}`), signed("s3cret", []byte(`{"action":"candidateStageChange","data":{}}`)), ats.ErrMalformedWebhook},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := ashby.WebhookVerifier{Secrets: tc.secrets}.VerifyWebhook(tc.body, tc.header)
			if tc.want == nil {
				if err != nil || len(evs) != 1 {
					t.Fatalf("VerifyWebhook = %v, %v", evs, err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("VerifyWebhook error %v; want %v", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q contains the secret", err)
			}
		})
	}
}

func TestDecodeWebhookEvents(t *testing.T) {
	app := func(status, stageType string) map[string]any {
		return map[string]any{"id": "app-1", "status": status, "updatedAt": "2026-11-30T08:00:00.000Z",
			"candidate":             map[string]any{"id": "p1", "name": "Ada"},
			"currentInterviewStage": map[string]any{"id": "st-1", "title": "Stage", "type": stageType},
			"job":                   map[string]any{"id": "job-1", "title": "Eng"}}
	}
	cases := []struct {
		action string
		data   any
		want   ats.Event
	}{
		{"candidateStageChange", map[string]any{"application": app("Active", "Active")},
			ats.Event{Kind: ats.EventStageChanged, CandidateID: "app-1", JobID: "job-1", ToStage: ats.StageRef{ID: "st-1", Name: "Stage"}, Time: hookTime}},
		{"candidateStageChange", map[string]any{"application": app("Archived", "Archived")},
			ats.Event{Kind: ats.EventArchived, CandidateID: "app-1", JobID: "job-1", ToStage: ats.StageRef{ID: "st-1", Name: "Stage"}, Time: hookTime}},
		{"candidateHire", map[string]any{"application": app("Hired", "Hired"), "offer": nil},
			ats.Event{Kind: ats.EventHired, CandidateID: "app-1", JobID: "job-1", ToStage: ats.StageRef{ID: "st-1", Name: "Stage"}, Time: hookTime}},
		{"applicationSubmit", map[string]any{"application": app("Active", "Active")},
			ats.Event{Kind: ats.EventCandidateCreated, CandidateID: "app-1", JobID: "job-1", ToStage: ats.StageRef{ID: "st-1", Name: "Stage"}, Time: hookTime}},
		{"applicationUpdate", map[string]any{"application": app("Active", "Active")},
			ats.Event{Kind: ats.EventUnknown, CandidateID: "app-1", JobID: "job-1", ToStage: ats.StageRef{ID: "st-1", Name: "Stage"}, Time: hookTime}},
		{"candidateDelete", map[string]any{"candidate": map[string]any{"id": "p1"}}, ats.Event{Kind: ats.EventDeleted}},
		{"interviewScheduleCreate", map[string]any{"interviewSchedule": map[string]any{"id": "is1", "status": "Scheduled", "applicationId": "app-1", "updatedAt": "2026-11-30T08:00:00Z"}},
			ats.Event{Kind: ats.EventInterviewCreated, CandidateID: "app-1", Time: hookTime}},
		{"interviewScheduleUpdate", map[string]any{"interviewSchedule": map[string]any{"id": "is1", "status": "Cancelled", "applicationId": "app-1"}},
			ats.Event{Kind: ats.EventInterviewDeleted, CandidateID: "app-1"}},
		{"interviewPlanTransition", map[string]any{"jobId": "job-1"}, ats.Event{Kind: ats.EventUnknown, JobID: "job-1"}},
		{"ping", map[string]any{"webhookActionType": "ping"}, ats.Event{Kind: ats.EventUnknown}},
		{"offerCreate", map[string]any{"offer": map[string]any{"id": "o1"}}, ats.Event{Kind: ats.EventUnknown}},
	}
	for _, tc := range cases {
		t.Run(tc.action+"/"+string(tc.want.Kind), func(t *testing.T) {
			body := ashbytest.Payload(tc.action, tc.data)
			evs, err := ashby.WebhookVerifier{Secrets: []string{"s"}, Connection: "acme"}.VerifyWebhook(body, signed("s", body))
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			want.Source, want.Type, want.Connection, want.ID, want.Raw = "ashby", tc.action, "acme", evs[0].ID, body
			if diff := cmp.Diff([]ats.Event{want}, evs); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if !strings.HasPrefix(evs[0].ID, "sha256:") {
				t.Errorf("ID %q", evs[0].ID)
			}
		})
	}
}

func TestVerifierReplay(t *testing.T) {
	g := &ats.MemoryReplayGuard{}
	v := ashby.WebhookVerifier{Secrets: []string{"s"}, Replay: g, Connection: "acme"}
	body := stageChangeBody("app-1", "job-1", "st", hookTime)
	if _, err := v.VerifyWebhook(body, signed("s", body)); err != nil {
		t.Fatal(err)
	}
	if _, err := v.VerifyWebhook(body, signed("s", body)); !errors.Is(err, ats.ErrWebhookReplayed) {
		t.Errorf("second delivery = %v; want ErrWebhookReplayed", err)
	}
	other := ashby.WebhookVerifier{Secrets: []string{"s"}, Replay: g, Connection: "globex"}
	if _, err := other.VerifyWebhook(body, signed("s", body)); err != nil {
		t.Errorf("same body for another connection: %v", err)
	}
	ping := ashbytest.Payload("ping", map[string]any{"webhookActionType": "ping"})
	for range 2 {
		if _, err := v.VerifyWebhook(ping, signed("s", ping)); err != nil {
			t.Errorf("a repeated ping was refused: %v", err)
		}
	}
}

// replayingVerifier reports every delivery as replayed, as a host's own
// verifier with a replay guard would.
type replayingVerifier struct{}

func (replayingVerifier) VerifyWebhook([]byte, http.Header) ([]ats.Event, error) {
	return nil, fmt.Errorf("custom: %w", ats.ErrWebhookReplayed)
}

type failingGuard struct{ ats.MemoryReplayGuard }

func (*failingGuard) RememberDelivery(context.Context, string, string, time.Time) (bool, error) {
	return false, errors.New("database down")
}

func (*failingGuard) ClaimDelivery(context.Context, string, string, time.Time) (ats.ClaimState, error) {
	return 0, errors.New("database down")
}

func TestWebhookHandler(t *testing.T) {
	body := stageChangeBody("app-1", "job-1", "st", hookTime)
	ping := ashbytest.Payload("ping", map[string]any{"webhookActionType": "ping"})
	type step struct {
		method  string
		body    []byte
		header  http.Header
		fnErr   error
		status  int
		fnCalls int // cumulative
	}
	cases := []struct {
		name  string
		v     func() ats.WebhookVerifier
		opts  ashby.WebhookHandlerOptions
		steps []step
	}{
		{"accept then replay", func() ats.WebhookVerifier {
			return ashby.WebhookVerifier{Secrets: []string{"s"}, Replay: &ats.MemoryReplayGuard{}}
		}, ashby.WebhookHandlerOptions{}, []step{
			{"POST", body, signed("s", body), nil, 200, 1},
			{"POST", body, signed("s", body), nil, 200, 1},
		}},
		{"failed handling is retried", func() ats.WebhookVerifier {
			return &ashby.WebhookVerifier{Secrets: []string{"s"}, Replay: &ats.MemoryReplayGuard{}}
		}, ashby.WebhookHandlerOptions{}, []step{
			{"POST", body, signed("s", body), errors.New("db down"), 500, 1},
			{"POST", body, signed("s", body), nil, 200, 2},
		}},
		{"replay refused by a custom verifier answers 200", func() ats.WebhookVerifier {
			return replayingVerifier{}
		}, ashby.WebhookHandlerOptions{}, []step{{"POST", body, signed("s", body), nil, 200, 0}}},
		// The guard's store failed: nothing was decided, so Ashby is asked
		// to retry, as every adapter answers ats.ErrReplayGuardFailed.
		{"guard failure answers 503", func() ats.WebhookVerifier {
			return ashby.WebhookVerifier{Secrets: []string{"s"}, Replay: &failingGuard{}}
		}, ashby.WebhookHandlerOptions{}, []step{{"POST", body, signed("s", body), nil, 503, 0}}},
		{"pings", func() ats.WebhookVerifier { return ashby.WebhookVerifier{Secrets: []string{"s"}} }, ashby.WebhookHandlerOptions{}, []step{
			{"POST", ping, signed("s", ping), nil, 200, 0},
			{"POST", ping, http.Header{}, nil, 200, 0},
			{"POST", ping, signed("wrong", ping), nil, 401, 0},
		}},
		{"signed pings required", func() ats.WebhookVerifier { return ashby.WebhookVerifier{Secrets: []string{"s"}} }, ashby.WebhookHandlerOptions{RequireSignedPing: true}, []step{
			{"POST", ping, http.Header{}, nil, 401, 0},
		}},
		{"rejections", func() ats.WebhookVerifier { return ashby.WebhookVerifier{Secrets: []string{"s"}} }, ashby.WebhookHandlerOptions{MaxBodyBytes: 4096}, []step{
			{"GET", nil, http.Header{}, nil, 405, 0},
			{"POST", body, http.Header{}, nil, 401, 0},
			{"POST", body, signed("x", body), nil, 401, 0},
			{"POST", []byte("{"), signed("s", []byte("{")), nil, 400, 0},
			{"POST", make([]byte, 5000), http.Header{}, nil, 413, 0},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			var fnErr error
			h := ashby.WebhookHandler(tc.v(), func(ctx context.Context, evs []ats.Event) error {
				calls++
				for _, e := range evs {
					if e.Type == ashby.EventPing {
						t.Error("fn received a ping")
					}
				}
				return fnErr
			}, tc.opts)
			for i, st := range tc.steps {
				fnErr = st.fnErr
				req := httptest.NewRequest(st.method, "/hooks/ashby", strings.NewReader(string(st.body)))
				for k, v := range st.header {
					req.Header[k] = v
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != st.status || calls != st.fnCalls {
					t.Errorf("step %d: status %d, fn calls %d; want %d, %d", i, rec.Code, calls, st.status, st.fnCalls)
				}
			}
		})
	}
}

// TestWebhooksEndToEnd registers a webhook through the API with the fake,
// which pings it, then plays a recruiter's move and a hire and checks the
// signed deliveries, duplicates included, reach the handler.
func TestWebhooksEndToEnd(t *testing.T) {
	const secret = "whsec-e2e"
	var mu sync.Mutex
	var got []string
	h := ashby.WebhookHandler(ashby.WebhookVerifier{Secrets: []string{secret}}, func(_ context.Context, evs []ats.Event) error {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range evs {
			got = append(got, e.Type+":"+string(e.Kind)+":"+e.ToStage.Name)
		}
		return nil
	}, ashby.WebhookHandlerOptions{})
	vendor := httptest.NewServer(h)
	defer vendor.Close()

	f := newFixture(t, func(o *ashby.Options) { o.WebhookSecret = secret })
	var subs []ats.Subscription
	for _, typ := range []string{ashby.EventCandidateStageChange, ashby.EventApplicationUpdate, ashby.EventCandidateHire} {
		s, err := f.c.EnsureSubscription(ctx(t), ats.Subscription{Event: typ, Target: vendor.URL})
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, s)
	}
	for _, w := range f.srv.Webhooks() {
		if !w.Enabled {
			t.Fatalf("webhook %s saved disabled: the ping failed", w.Type)
		}
	}
	again, err := f.c.EnsureSubscription(ctx(t), ats.Subscription{Event: ashby.EventCandidateStageChange, Target: vendor.URL + "/"})
	if err != nil || again.ID != subs[0].ID || len(f.srv.Webhooks()) != 3 {
		t.Fatalf("EnsureSubscription is not idempotent: %+v, %v, %d webhooks", again, err, len(f.srv.Webhooks()))
	}
	if err := f.srv.MoveCandidate(f.app.ID, f.stage("Vendor Interview")); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.WaitDeliveries(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.MoveCandidate(f.app.ID, f.stage("Hired")); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.WaitDeliveries(ctx(t)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := map[string]int{
		"candidateStageChange:stage_changed:Vendor Interview": 1, "applicationUpdate:unknown:Vendor Interview": 1,
		"candidateHire:hired:Hired": 1, "candidateStageChange:stage_changed:Hired": 1, "applicationUpdate:unknown:Hired": 1,
	}
	count := map[string]int{}
	for _, g := range got {
		count[g]++
	}
	if diff := cmp.Diff(want, count); diff != "" {
		t.Errorf("events received (-want +got):\n%s", diff)
	}
	// Subscriptions without webhook.list: the IDs this client created.
	listed, err := paging.Collect(f.c.Subscriptions(ctx(t)))
	if err != nil || len(listed) != 3 {
		t.Fatalf("Subscriptions = %+v, %v", listed, err)
	}
	fresh := newClient(t, f.srv, ashbytest.DefaultAPIKey, func(o *ashby.Options) { o.WebhookIDs = []string{subs[0].ID, "deleted-id"} })
	if l, err := paging.Collect(fresh.Subscriptions(ctx(t))); err != nil || len(l) != 1 || l[0].ID != subs[0].ID {
		t.Errorf("Subscriptions from stored IDs = %+v, %v", l, err)
	}
	for _, s := range subs {
		if err := f.c.DeleteSubscription(ctx(t), s.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.c.DeleteSubscription(ctx(t), subs[0].ID); err != nil {
		t.Errorf("deleting a deleted subscription: %v", err)
	}
	if n := len(f.srv.Webhooks()); n != 0 {
		t.Errorf("%d webhooks left", n)
	}
}

// TestWebhookDisabledPingReenabled: a webhook whose ping failed is saved
// disabled; EnsureSubscription re-enables it once the URL answers.
func TestWebhookDisabledPingReenabled(t *testing.T) {
	status := http.StatusServiceUnavailable
	var mu sync.Mutex
	vendor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.WriteHeader(status)
	}))
	defer vendor.Close()
	f := newFixture(t, func(o *ashby.Options) { o.WebhookSecret = "s" })
	s, err := f.c.EnsureSubscription(ctx(t), ats.Subscription{Event: ashby.EventCandidateStageChange, Target: vendor.URL})
	if err != nil {
		t.Fatal(err)
	}
	if w := f.srv.Webhooks(); w[0].Enabled {
		t.Fatal("a webhook whose ping got 503 was saved enabled")
	}
	r, _ := f.c.CheckSetup(ctx(t))
	if c, _ := r.Check("webhooks"); c.Status != ashby.SetupFail {
		t.Errorf("CheckSetup webhooks = %+v; want fail for a disabled webhook", c)
	}
	mu.Lock()
	status = http.StatusOK
	mu.Unlock()
	if s2, err := f.c.EnsureSubscription(ctx(t), ats.Subscription{Event: ashby.EventCandidateStageChange, Target: vendor.URL}); err != nil || s2.ID != s.ID {
		t.Fatalf("EnsureSubscription = %+v, %v", s2, err)
	}
	if w := f.srv.Webhooks(); !w[0].Enabled {
		t.Error("EnsureSubscription did not re-enable the webhook")
	}
	if _, err := f.c.CreateWebhook(ctx(t), "candidateStageChange", vendor.URL, ""); !errors.Is(err, ats.ErrValidation) {
		t.Errorf("CreateWebhook without a secret = %v; want a validation error", err)
	}
	if _, err := f.c.UpdateWebhook(ctx(t), s.ID, ashby.WebhookUpdate{}); !errors.Is(err, ats.ErrValidation) {
		t.Errorf("UpdateWebhook with nothing to change = %v; want a validation error", err)
	}
}

// TestDeliveryRetryPolicy checks the fake retries like Ashby: up to 10
// attempts on 5xx, none after 401/403/404/405/410.
func TestDeliveryRetryPolicy(t *testing.T) {
	cases := []struct {
		status   int
		attempts int
	}{{500, 10}, {503, 10}, {400, 10}, {401, 1}, {403, 1}, {404, 1}, {405, 1}, {410, 1}}
	for _, tc := range cases {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			pinged := false
			var mu sync.Mutex
			vendor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				if !pinged { // let the ping through so the webhook is enabled
					pinged = true
					return
				}
				w.WriteHeader(tc.status)
			}))
			defer vendor.Close()
			f := newFixture(t, func(o *ashby.Options) { o.WebhookSecret = "s" }, ashbytest.WithWebhookRetryBase(50*time.Microsecond))
			if _, err := f.c.EnsureSubscription(ctx(t), ats.Subscription{Event: ashby.EventCandidateStageChange, Target: vendor.URL}); err != nil {
				t.Fatal(err)
			}
			f.srv.MoveCandidate(f.app.ID, f.stage("Offer"))
			if err := f.srv.WaitDeliveries(ctx(t)); err != nil {
				t.Fatal(err)
			}
			d := f.srv.Deliveries()
			if len(d) != 1 || len(d[0].Statuses) != tc.attempts || d[0].Delivered {
				t.Errorf("deliveries = %+v; want one undelivered after %d attempts", d, tc.attempts)
			}
		})
	}
}

// TestUnsignedPingEnablesWebhook: if Ashby pings without a signature, the
// handler still answers 200, so the webhook is saved enabled; RequireSignedPing
// makes it fail (and Ashby would save it disabled).
func TestUnsignedPingEnablesWebhook(t *testing.T) {
	for _, require := range []bool{false, true} {
		t.Run(fmt.Sprint("RequireSignedPing=", require), func(t *testing.T) {
			h := ashby.WebhookHandler(ashby.WebhookVerifier{Secrets: []string{"s"}}, func(context.Context, []ats.Event) error { return nil },
				ashby.WebhookHandlerOptions{RequireSignedPing: require})
			vendor := httptest.NewServer(h)
			defer vendor.Close()
			f := newFixture(t, func(o *ashby.Options) { o.WebhookSecret = "s" }, ashbytest.WithUnsignedPings(), ashbytest.WithWebhookTypes("jobCreate"))
			if _, err := f.c.EnsureSubscription(ctx(t), ats.Subscription{Event: "jobCreate", Target: vendor.URL}); err != nil {
				t.Fatal(err)
			}
			if got := f.srv.Webhooks()[0].Enabled; got == require {
				t.Errorf("webhook enabled = %v with RequireSignedPing = %v", got, require)
			}
		})
	}
}
