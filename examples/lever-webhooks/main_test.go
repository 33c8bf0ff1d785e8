package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
)

// fixture is a levertest account with a stage-change webhook pointing at
// the example's handler on an httptest server.
type fixture struct {
	lv     *levertest.Server
	hook   levertest.Webhook
	url    string // the handler's webhook URL
	stages []levertest.Stage
	opp    levertest.Opportunity
	log    *syncBuffer

	mu     sync.Mutex
	events []ats.Event
}

func newFixture(t *testing.T, tolerance time.Duration, opts ...levertest.Option) *fixture {
	t.Helper()
	f := &fixture{lv: levertest.NewServer(opts...), log: &syncBuffer{}}
	t.Cleanup(f.lv.Close)
	f.stages = f.lv.AddStages("New applicant", "InterviewVector", "Offer")
	posting := f.lv.AddPosting(levertest.Posting{Text: "Backend Engineer"})
	f.opp = f.lv.AddOpportunity(levertest.Opportunity{Name: "Ada Lovelace", PostingID: posting.ID, StageID: f.stages[0].ID})

	// Lever generates the signature token when the webhook is created, and
	// the webhook needs the URL: listen first, register, then serve.
	srv := httptest.NewUnstartedServer(nil)
	f.url = "http://" + srv.Listener.Addr().String() + WebhookPath
	f.hook = f.lv.AddWebhook(f.url, lever.EventCandidateStageChange)
	srv.Config.Handler = NewHandler(Config{
		SignatureToken: f.hook.SignatureToken,
		Tolerance:      tolerance,
		Logger:         slog.New(slog.NewTextHandler(f.log, nil)),
		OnEvent: func(_ context.Context, ev ats.Event) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.events = append(f.events, ev)
			return nil
		},
	})
	srv.Start()
	t.Cleanup(srv.Close)
	return f
}

// recorded returns the events the handler passed on so far.
func (f *fixture) recorded() []ats.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]ats.Event(nil), f.events...)
}

// move moves the opportunity in levertest and waits until the resulting
// delivery has been answered; it returns that delivery.
func (f *fixture) move(t *testing.T, stage int) levertest.Delivery {
	t.Helper()
	if err := f.lv.MoveCandidate(f.opp.ID, f.stages[stage].ID); err != nil {
		t.Fatal(err)
	}
	f.lv.WaitDeliveries(context.Background())
	ds := f.lv.Deliveries()
	if len(ds) == 0 {
		t.Fatal("levertest sent no delivery")
	}
	return ds[len(ds)-1]
}

// post sends body to the handler as Lever would and returns the status.
func (f *fixture) post(t *testing.T, body []byte) int {
	t.Helper()
	resp, err := http.Post(f.url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func TestStageChangeDelivery(t *testing.T) {
	f := newFixture(t, 0)
	d := f.move(t, 1)
	if d.StatusCode != http.StatusOK {
		t.Fatalf("delivery answered %d (%s), want 200", d.StatusCode, d.Err)
	}
	evs := f.recorded()
	if len(evs) != 1 {
		t.Fatalf("recorded %d events, want 1", len(evs))
	}
	ev := evs[0]
	if ev.Kind != ats.EventStageChanged || ev.Type != lever.EventCandidateStageChange || ev.Source != "lever" {
		t.Errorf("event kind/type/source = %q/%q/%q", ev.Kind, ev.Type, ev.Source)
	}
	if ev.CandidateID != f.opp.ID {
		t.Errorf("CandidateID = %q, want opportunity %q", ev.CandidateID, f.opp.ID)
	}
	if ev.FromStage.ID != f.stages[0].ID || ev.ToStage.ID != f.stages[1].ID {
		t.Errorf("stages = %q → %q, want %q → %q", ev.FromStage.ID, ev.ToStage.ID, f.stages[0].ID, f.stages[1].ID)
	}
	if ev.ID == "" {
		t.Error("event has no ID")
	}
	logged := f.log.String()
	for _, want := range []string{"event_id=" + ev.ID, "opportunity_id=" + f.opp.ID, "from_stage=" + f.stages[0].ID, "to_stage=" + f.stages[1].ID, "kind=stage_changed"} {
		if !strings.Contains(logged, want) {
			t.Errorf("log lacks %q:\n%s", want, logged)
		}
	}
}

// rewrite decodes a delivery body, lets edit change it and encodes it
// again (numbers kept exact).
func rewrite(t *testing.T, body []byte, edit func(m map[string]any)) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestForgedOrTamperedDeliveryRefused(t *testing.T) {
	f := newFixture(t, 0)
	genuine := f.move(t, 1).Body
	if n := len(f.recorded()); n != 1 {
		t.Fatalf("recorded %d events after the genuine delivery, want 1", n)
	}
	data := map[string]any{"opportunityId": f.opp.ID, "candidateId": f.opp.ID, "fromStageId": f.stages[1].ID, "toStageId": f.stages[2].ID}

	tests := []struct {
		name string
		body []byte
	}{
		{"signature altered", rewrite(t, genuine, func(m map[string]any) {
			m["signature"] = flipFirst(m["signature"].(string))
			m["id"] = "tampered-1" // a new ID, so only the signature can refuse it
		})},
		{"token altered", rewrite(t, genuine, func(m map[string]any) {
			m["token"] = strings.Repeat("0", len(m["token"].(string)))
			m["id"] = "tampered-2"
		})},
		{"triggeredAt altered", rewrite(t, genuine, func(m map[string]any) {
			ms, _ := m["triggeredAt"].(json.Number).Int64()
			m["triggeredAt"] = json.Number(strconv.FormatInt(ms+1, 10))
			m["id"] = "tampered-3"
		})},
		{"signature removed", rewrite(t, genuine, func(m map[string]any) {
			delete(m, "signature")
			m["id"] = "tampered-4"
		})},
		{"signed with another token", levertest.SignPayload("not-"+f.hook.SignatureToken, "forged-1", lever.EventCandidateStageChange, time.Now(), data)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := f.post(t, tt.body); got != http.StatusUnauthorized {
				t.Errorf("status = %d, want 401", got)
			}
			if n := len(f.recorded()); n != 1 {
				t.Errorf("recorded %d events, want still 1", n)
			}
		})
	}
	if strings.Contains(f.log.String(), "tampered-") || strings.Contains(f.log.String(), "forged-") {
		t.Errorf("a refused delivery reached the event log:\n%s", f.log)
	}
}

// flipFirst changes the first hex digit of s.
func flipFirst(s string) string {
	if s[0] == '0' {
		return "1" + s[1:]
	}
	return "0" + s[1:]
}

func TestRedeliveryRecordedOnce(t *testing.T) {
	f := newFixture(t, 0)
	d := f.move(t, 1)
	ev := f.recorded()[0]

	// Lever retries a delivery it considers failed, and an admin can Rerun
	// it, with the same body; a captured signature re-attached to other data
	// carries the same token. All are acknowledged and none is acted on.
	forged := bytes.Replace(d.Body, []byte(f.stages[1].ID), []byte(f.stages[2].ID), 1)
	for i, body := range [][]byte{d.Body, d.Body, forged} {
		if got := f.post(t, body); got != http.StatusOK {
			t.Errorf("redelivery %d: status = %d, want 200 (acknowledged, so Lever stops retrying)", i, got)
		}
	}
	if evs := f.recorded(); len(evs) != 1 || evs[0].ID != ev.ID {
		t.Errorf("recorded %d events, want 1: %+v", len(evs), evs)
	}

	// A different event is still recorded.
	f.move(t, 2)
	if evs := f.recorded(); len(evs) != 2 || evs[1].ToStage.ID != f.stages[2].ID {
		t.Errorf("after a second move recorded %+v, want a second event to %q", evs, f.stages[2].ID)
	}
}

func TestStaleDeliveryRefused(t *testing.T) {
	// levertest's clock runs ten minutes behind, so its deliveries are
	// triggered ten minutes ago: a replay, or a badly delayed retry.
	behind := func() time.Time { return time.Now().Add(-10 * time.Minute) }
	f := newFixture(t, time.Minute, levertest.WithClock(behind))
	if d := f.move(t, 1); d.StatusCode != http.StatusUnauthorized {
		t.Errorf("stale delivery answered %d, want 401", d.StatusCode)
	}
	if evs := f.recorded(); len(evs) != 0 {
		t.Errorf("recorded %+v, want nothing", evs)
	}
	if !strings.Contains(f.log.String(), "expired") {
		t.Errorf("log does not say why the delivery was refused:\n%s", f.log)
	}
}

func TestCallbackErrorAllowsRetry(t *testing.T) {
	fail := true
	var got []string
	h := NewHandler(Config{SignatureToken: "tok", OnEvent: func(_ context.Context, ev ats.Event) error {
		if fail {
			return errors.New("database down")
		}
		got = append(got, ev.ID)
		return nil
	}})
	body := levertest.SignPayload("tok", "evt-1", lever.EventCandidateStageChange, time.Now(),
		map[string]any{"opportunityId": "opp-1", "toStageId": "stage-2"})
	post := func() int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, WebhookPath, bytes.NewReader(body)))
		return rec.Code
	}
	if code := post(); code != http.StatusInternalServerError {
		t.Fatalf("failing callback: status = %d, want 500 so Lever retries", code)
	}
	fail = false
	if code := post(); code != http.StatusOK {
		t.Fatalf("retry: status = %d, want 200", code)
	}
	if len(got) != 1 {
		t.Errorf("handled %q, want the retried event once", got)
	}
}

func TestIDSetForgetsOldest(t *testing.T) {
	s := newIDSet(2)
	for _, id := range []string{"a", "b"} {
		if !s.add(id) {
			t.Fatalf("add(%q) = false on first sight", id)
		}
	}
	if s.add("a") {
		t.Error("add(a) = true for a remembered ID")
	}
	s.add("c") // evicts a, the oldest
	if s.add("b") {
		t.Error("add(b) = true, but b is among the two newest")
	}
	if !s.add("a") {
		t.Error("add(a) = false, but a should have been forgotten")
	}
	// remove then re-add: the stale slot must not evict the new entry.
	s.remove("c")
	if !s.add("c") {
		t.Error("add(c) = false after remove")
	}
	if len(s.slot) > 2 {
		t.Errorf("set holds %d IDs, bound is 2", len(s.slot))
	}
}

func TestRunDemo(t *testing.T) {
	var out syncBuffer
	if err := run(t.Context(), []string{"-demo"}, &out); err != nil {
		t.Fatalf("run -demo: %v\n%s", err, &out)
	}
	for _, want := range []string{`msg="lever event" kind=stage_changed`, `demo: verified candidateStageChange event`, `from "New applicant" to "InterviewVector"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, &out)
		}
	}
}

func TestRunServes(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"-addr", "127.0.0.1:0", "-signature-token", "s3cret", "-tolerance", "1m"}, pw)
		pw.Close()
		done <- err
	}()

	// The first log line says where it listens; keep draining the rest.
	lines := bufio.NewScanner(pr)
	if !lines.Scan() {
		t.Fatalf("no output: %v", <-done)
	}
	_, url, ok := strings.Cut(lines.Text(), "url=")
	if !ok {
		t.Fatalf("first line %q does not name the URL", lines.Text())
	}
	var rest syncBuffer
	drained := make(chan struct{})
	go func() {
		io.Copy(&rest, pr)
		close(drained)
	}()

	body := levertest.SignPayload("s3cret", "evt-9", lever.EventCandidateStageChange, time.Now(),
		map[string]any{"opportunityId": "opp-9", "fromStageId": "s1", "toStageId": "s2"})
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status = %d, want 200", resp.StatusCode)
	}
	stale := levertest.SignPayload("s3cret", "evt-10", lever.EventCandidateStageChange, time.Now().Add(-2*time.Minute),
		map[string]any{"opportunityId": "opp-9", "toStageId": "s3"})
	resp, err = http.Post(url, "application/json", bytes.NewReader(stale))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("stale delivery (-tolerance 1m): status = %d, want 401", resp.StatusCode)
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
	<-drained
	if !strings.Contains(rest.String(), "opportunity_id=opp-9") {
		t.Errorf("log lacks the event:\n%s", &rest)
	}
}

func TestRunNeedsSignatureToken(t *testing.T) {
	t.Setenv(signatureTokenEnv, "")
	err := run(t.Context(), []string{"-addr", "127.0.0.1:0"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "signature token") {
		t.Errorf("run without a token: err = %v, want a hint about the signature token", err)
	}
}

// syncBuffer is a bytes.Buffer safe for the handler's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
