package workable_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
	"github.com/stretchr/testify/require"
)

const secret = "account-token-secret"

func signed(body string) ([]byte, http.Header) {
	h := http.Header{}
	h.Set(workable.SignatureHeader, workable.Sign([]byte(body), secret))
	return []byte(body), h
}

const movedBody = `{"id":"evt_1","event_type":"candidate_moved","fired_at":"2024-05-06T07:08:09Z","resource_type":"candidate",` +
	`"data":{"id":"108d1748","name":"Cindy Sawyers","job":{"shortcode":"GROOV005","title":"Office Manager"},"stage":"Interview","disqualified":false}}`

func TestVerifyWebhook(t *testing.T) {
	fired := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	noID := `{"event_type":"candidate_created","data":{"id":"ab12","job":{"shortcode":"J1"},"stage":"applied"}}`
	sum := sha256.Sum256([]byte(noID))
	for _, tc := range []struct {
		name    string
		body    string
		header  func(body []byte) http.Header
		secret  string
		want    []ats.Event
		wantErr error
		wantMsg string // substring of the error
	}{
		{name: "moved", body: movedBody, want: []ats.Event{{
			ID: "evt_1", Source: "workable", Kind: ats.EventStageChanged, Type: "candidate_moved",
			CandidateID: "108d1748", JobID: "GROOV005", ToStage: ats.StageRef{Name: "Interview"}, Time: fired, Snapshot: true,
		}}},
		{name: "created without id hashes the body", body: noID, want: []ats.Event{{
			ID: "sha256:" + hex.EncodeToString(sum[:]), Source: "workable", Kind: ats.EventCandidateCreated, Type: "candidate_created",
			CandidateID: "ab12", JobID: "J1", Snapshot: true,
		}}},
		{name: "unknown event", body: `{"id":"e2","event_type":"employee_created","resource_type":"employee","data":{"id":"emp1"}}`,
			want: []ats.Event{{ID: "e2", Source: "workable", Kind: ats.EventUnknown, Type: "employee_created", Snapshot: true}}},
		{name: "uppercase hex signature", body: movedBody, header: func(b []byte) http.Header {
			return http.Header{workable.SignatureHeader: {strings.ToUpper(workable.Sign(b, secret))}}
		}, want: []ats.Event{{ID: "evt_1", Source: "workable", Kind: ats.EventStageChanged, Type: "candidate_moved",
			CandidateID: "108d1748", JobID: "GROOV005", ToStage: ats.StageRef{Name: "Interview"}, Time: fired, Snapshot: true}}},
		{name: "sha256= prefixed signature", body: movedBody, header: func(b []byte) http.Header {
			return http.Header{workable.SignatureHeader: {"sha256=" + workable.Sign(b, secret)}}
		}, want: []ats.Event{{ID: "evt_1", Source: "workable", Kind: ats.EventStageChanged, Type: "candidate_moved",
			CandidateID: "108d1748", JobID: "GROOV005", ToStage: ats.StageRef{Name: "Interview"}, Time: fired, Snapshot: true}}},
		{name: "base64 signature", body: movedBody, header: func(b []byte) http.Header {
			raw, _ := hex.DecodeString(workable.Sign(b, secret))
			return http.Header{workable.SignatureHeader: {base64.StdEncoding.EncodeToString(raw)}}
		}, want: []ats.Event{{ID: "evt_1", Source: "workable", Kind: ats.EventStageChanged, Type: "candidate_moved",
			CandidateID: "108d1748", JobID: "GROOV005", ToStage: ats.StageRef{Name: "Interview"}, Time: fired, Snapshot: true}}},
		{name: "sha256= prefixed wrong MAC", body: movedBody, header: func(b []byte) http.Header {
			return http.Header{workable.SignatureHeader: {"sha256=" + workable.Sign(b, "other")}}
		}, wantErr: ats.ErrSignatureInvalid},
		{name: "truncated MAC", body: movedBody, header: func(b []byte) http.Header {
			return http.Header{workable.SignatureHeader: {workable.Sign(b, secret)[:40]}}
		}, wantErr: ats.ErrSignatureInvalid},
		{name: "missing signature", body: movedBody, header: func([]byte) http.Header { return http.Header{} }, wantErr: ats.ErrSignatureMissing},
		{name: "not hex", body: movedBody, header: func([]byte) http.Header { return http.Header{workable.SignatureHeader: {"sha256=zz"}} }, wantErr: ats.ErrSignatureInvalid},
		{name: "wrong secret", body: movedBody, header: func(b []byte) http.Header {
			return http.Header{workable.SignatureHeader: {workable.Sign(b, "other")}}
		}, wantErr: ats.ErrSignatureInvalid},
		{name: "tampered", body: movedBody, header: func([]byte) http.Header {
			return http.Header{workable.SignatureHeader: {workable.Sign([]byte(strings.Replace(movedBody, "108d1748", "108d1749", 1)), secret)}}
		}, wantErr: ats.ErrSignatureInvalid},
		{name: "no secret fails closed", body: movedBody, secret: "-", wantErr: ats.ErrSignatureInvalid},
		{name: "not JSON", body: `{"id":`, wantErr: ats.ErrMalformedWebhook},
		{name: "no event type", body: `{"id":"x","data":{}}`, wantErr: ats.ErrMalformedWebhook},
		{name: "candidate without data", body: `{"id":"x","event_type":"candidate_moved"}`, wantErr: ats.ErrMalformedWebhook},
		{name: "trailing data", body: movedBody + `{}`, wantErr: ats.ErrMalformedWebhook, wantMsg: "trailing data"},
		// The envelope id's format is unconfirmed (https://workable.readme.io/reference/candidate-events): a
		// numeric id is a valid delivery, not a malformed one.
		{name: "numeric envelope id", body: `{"id":12345,"event_type":"candidate_moved","data":{"id":"108d1748","job":{"shortcode":"GROOV005"},"stage":"offer"}}`,
			want: []ats.Event{{ID: "12345", Source: "workable", Kind: ats.EventStageChanged, Type: "candidate_moved",
				CandidateID: "108d1748", JobID: "GROOV005", ToStage: ats.StageRef{ID: "offer"}, Snapshot: true}}},
		{name: "event_type of the wrong type", body: `{"id":"x","event_type":7,"data":{}}`, wantErr: ats.ErrMalformedWebhook, wantMsg: "event_type is a number, not a string"},
		{name: "id of the wrong type", body: `{"id":{"a":1},"event_type":"candidate_moved","data":{"id":"1"}}`, wantErr: ats.ErrMalformedWebhook, wantMsg: "id is an object"},
		{name: "data of the wrong type", body: `{"id":"x","event_type":"candidate_moved","data":"108d1748"}`, wantErr: ats.ErrMalformedWebhook, wantMsg: "data is not a candidate object"},
		{name: "data.id of the wrong type", body: `{"id":"x","event_type":"candidate_created","data":{"id":true}}`, wantErr: ats.ErrMalformedWebhook, wantMsg: "data.id is a boolean"},
		{name: "JSON array", body: `[{"event_type":"candidate_moved"}]`, wantErr: ats.ErrMalformedWebhook, wantMsg: "not a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(tc.body)
			h := http.Header{workable.SignatureHeader: {workable.Sign(body, secret)}}
			if tc.header != nil {
				h = tc.header(body)
			}
			sec := secret
			if tc.secret == "-" {
				sec = ""
			}
			got, err := workable.WebhookVerifier{Secrets: []string{sec}}.VerifyWebhook(body, h)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				require.NotContains(t, err.Error(), secret)
				require.Contains(t, err.Error(), tc.wantMsg)
				return
			}
			require.NoError(t, err)
			for i := range got {
				require.Equal(t, tc.body, string(got[i].Raw))
				got[i].Raw = nil
			}
			diff(t, tc.want, got)
		})
	}
}

func TestWebhookHandler(t *testing.T) {
	v := workable.WebhookVerifier{Secrets: []string{secret}}
	var mu sync.Mutex
	var seen []ats.Event
	failing := errors.New("store down")
	h := workable.WebhookHandler(v, func(ctx context.Context, evs []ats.Event) error {
		if evs[0].CandidateID == "fail" {
			return failing
		}
		mu.Lock()
		seen = append(seen, evs...)
		mu.Unlock()
		return nil
	}, workable.WebhookHandlerOptions{MaxBodyBytes: 1024})
	failBody := strings.Replace(movedBody, "108d1748", "fail", 1)
	for _, tc := range []struct {
		name   string
		method string
		body   []byte
		header http.Header
		want   int
	}{
		{"ok", "POST", []byte(movedBody), http.Header{workable.SignatureHeader: {workable.Sign([]byte(movedBody), secret)}}, 200},
		{"bad signature", "POST", []byte(movedBody), http.Header{workable.SignatureHeader: {workable.Sign([]byte("x"), secret)}}, 401},
		{"no signature", "POST", []byte(movedBody), http.Header{}, 401},
		{"malformed", "POST", []byte("[1]"), http.Header{workable.SignatureHeader: {workable.Sign([]byte("[1]"), secret)}}, 400},
		{"too large", "POST", bytes.Repeat([]byte("a"), 2048), http.Header{}, 413},
		{"GET", "GET", nil, http.Header{}, 405},
		{"callback fails", "POST", []byte(failBody), http.Header{workable.SignatureHeader: {workable.Sign([]byte(failBody), secret)}}, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, "/hooks/workable", bytes.NewReader(tc.body))
			req.Header = tc.header
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, tc.want, rec.Code, rec.Body.String())
			if tc.want == 405 {
				require.Equal(t, "POST", rec.Header().Get("Allow"))
			}
		})
	}
	require.Len(t, seen, 1)
}

// TestWebhookEndToEnd subscribes through the client, lets the fake move a
// candidate (as a recruiter would) and checks the signed delivery arrives
// through WebhookHandler, with the stage resolved by ResolveEvent.
func TestWebhookEndToEnd(t *testing.T) {
	srv := workabletest.NewServer(workabletest.WithoutRateLimit(), workabletest.WithDeliveryRetries(5, time.Millisecond))
	defer srv.Close()
	job := seedJob(srv, "Engineer")
	cand := srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: "Ada"})
	c := newClient(t, srv, nil)
	ctx := context.Background()

	var mu sync.Mutex
	var got []ats.Event
	failFirst := true
	hook := workable.WebhookHandler(workable.WebhookVerifier{Secrets: []string{workabletest.DefaultAPIKey}}, func(ctx context.Context, evs []ats.Event) error {
		mu.Lock()
		defer mu.Unlock()
		if failFirst {
			failFirst = false
			return errors.New("transient")
		}
		got = append(got, evs...)
		return nil
	}, workable.WebhookHandlerOptions{})
	target := httptest.NewServer(hook)
	defer target.Close()

	_, err := c.EnsureSubscription(ctx, ats.Subscription{Event: workable.EventCandidateMoved, Target: target.URL + "/moved", JobID: job.Shortcode})
	require.NoError(t, err)
	require.NoError(t, srv.MoveCandidate(cand.ID, "interviewvector"))
	require.NoError(t, c.MoveCandidate(ctx, cand.ID, "offer"))
	require.NoError(t, srv.WaitDeliveries(ctx))

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 2)
	attempts := 0
	for _, d := range srv.Deliveries() {
		require.True(t, d.Delivered)
		attempts += d.Attempts
	}
	require.Equal(t, 3, attempts, "the first delivery to arrive was answered 500 and replayed")
	// Deliveries may arrive out of order and carry the candidate's state
	// when they were sent, so only the set of stages is predictable.
	for _, ev := range got {
		require.Equal(t, ats.EventStageChanged, ev.Kind)
		require.Equal(t, cand.ID, ev.CandidateID)
		require.Equal(t, job.Shortcode, ev.JobID)
		require.True(t, ev.Snapshot)
		require.NoError(t, c.ResolveEvent(ctx, &ev))
		require.Contains(t, []ats.StageRef{{ID: "interviewvector", Name: "InterviewVector"}, {ID: "offer", Name: "Offer"}}, ev.ToStage)
	}
}

func FuzzVerifyWebhook(f *testing.F) {
	f.Add([]byte(movedBody), workable.Sign([]byte(movedBody), secret))
	f.Add([]byte(`{"event_type":"candidate_created","data":{"id":"1"}}`), "")
	f.Add([]byte(`{"event_type":"x","data":null}`), "00")
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		for _, s := range []string{sig, workable.Sign(body, secret)} {
			evs, err := workable.VerifyWebhook(body, http.Header{workable.SignatureHeader: {s}}, secret)
			if err != nil {
				if !errors.Is(err, ats.ErrSignatureMissing) && !errors.Is(err, ats.ErrSignatureInvalid) && !errors.Is(err, ats.ErrMalformedWebhook) {
					t.Fatalf("untyped error %v", err)
				}
				if strings.Contains(err.Error(), secret) {
					t.Fatal("error leaks the secret")
				}
				continue
			}
			if !strings.EqualFold(strings.TrimSpace(s), workable.Sign(body, secret)) {
				t.Fatalf("accepted signature %q for the wrong body", s)
			}
			if len(evs) != 1 || evs[0].Source != "workable" || evs[0].ID == "" || evs[0].Type == "" || !bytes.Equal(evs[0].Raw, body) {
				t.Fatalf("bad events %+v", evs)
			}
			if k := evs[0].Kind; (k == ats.EventStageChanged || k == ats.EventCandidateCreated) && evs[0].CandidateID == "" {
				t.Fatalf("accepted a %s event without a candidate: %+v", evs[0].Type, evs[0])
			}
			if evs[0].Kind == ats.EventUnknown && (evs[0].Type == workable.EventCandidateMoved || evs[0].Type == workable.EventCandidateCreated) {
				t.Fatalf("known event type %q reported as unknown", evs[0].Type)
			}
			// The replay rule: through a guard, an accepted delivery is
			// acted on once per connection, and another connection's
			// memory does not refuse it.
			g := &ats.MemoryReplayGuard{}
			hdr := http.Header{workable.SignatureHeader: {s}}
			for i, v := range []workable.WebhookVerifier{
				{Secrets: []string{secret}, Replay: g, Connection: "acme"},
				{Secrets: []string{secret}, Replay: g, Connection: "acme"},
				{Secrets: []string{secret}, Replay: g, Connection: "globex"},
			} {
				_, err := v.VerifyWebhook(body, hdr)
				if replayed := errors.Is(err, ats.ErrWebhookReplayed); replayed != (i == 1) || (!replayed && err != nil) {
					t.Fatalf("presentation %d through the replay guard: %v", i+1, err)
				}
			}
		}
	})
}
