package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
)

// vendorName is the vendor's name in notes and the Workable stage / Lever
// tag that links a job to it.
const vendorName = "InterviewVector"

// Stage names of the pipelines seeded in both fakes.
const (
	stageApplied = "Applied"
	stageTrigger = vendorName
	stagePassed  = "IV Passed"
	stageFailed  = "IV Failed"
	stageOffer   = "Offer"
	// stageScheduled is only in the flow tests' pipelines.
	stageScheduled = "IV Scheduled"
)

// quietLogger discards everything: the soak logs thousands of retries.
func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// callStats counts adapter writes whose outcome the caller could not know:
// the call returned an error the ATS did not answer (transport error,
// timeout, cancelled context), so the write may or may not have happened.
// Only such calls may legitimately be repeated by the dispatcher.
type callStats struct {
	mu        sync.Mutex
	uncertain map[string]int
}

func (s *callStats) record(kind string, err error) {
	if err == nil || answered(err) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.uncertain == nil {
		s.uncertain = map[string]int{}
	}
	s.uncertain[kind]++
}

// Uncertain returns how many calls of kind ended with an unknown outcome.
func (s *callStats) Uncertain(kind string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.uncertain[kind]
}

// attemptStats is an http.RoundTripper that counts, per kind of write,
// the HTTP attempts that ended without a response (timeout, cancelled
// context, reset connection): the ATS may or may not have performed them.
// It sees the attempts the adapters retry on their own, which callStats
// (one call, possibly several attempts) cannot.
type attemptStats struct {
	base http.RoundTripper
	callStats
}

// RoundTrip implements http.RoundTripper.
func (a *attemptStats) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := a.base.RoundTrip(r)
	if err != nil {
		p := r.URL.Path
		switch {
		case strings.HasSuffix(p, "/move") || strings.HasSuffix(p, "/stage"):
			a.record("move", err)
		case strings.HasSuffix(p, "/ratings") || strings.HasSuffix(p, "/feedback") && r.Method == http.MethodPost:
			a.record("feedback", err)
		case strings.HasSuffix(p, "/comments") || strings.HasSuffix(p, "/notes") && r.Method == http.MethodPost:
			a.record("note", err)
		}
	}
	return resp, err
}

// answered reports whether err is an answer from the ATS (so the write was
// refused, not lost in flight).
func answered(err error) bool {
	var api *ats.APIError
	var val *ats.ValidationError
	return errors.As(err, &api) || errors.As(err, &val)
}

// fixes stands in for a recruiter editing a candidate in the ATS: neither
// fake can change a seeded candidate's contact data (workabletest has no
// candidate update, levertest no opportunity update), so the host adapter
// overlays the emails added here on what the ATS returns.
type fixes struct{ emails sync.Map } // candidate ID -> email

func (f *fixes) addEmail(id, email string) { f.emails.Store(id, email) }

func (f *fixes) apply(c ats.Candidate) ats.Candidate {
	if f == nil || c.ID == "" || len(c.Emails) > 0 {
		return c
	}
	if e, ok := f.emails.Load(c.ID); ok {
		c.Emails = []string{e.(string)}
	}
	return c
}

// workableATS is the host's Workable adapter: the real client (whose Notes
// gives the dispatcher lifecycle.NoteLister, so it can tell after a crash or
// timeout whether a note it was sending already landed), counting writes
// with unknown outcome and applying the recruiter's fixes.
type workableATS struct {
	*workable.Client
	stats *callStats
	fixes *fixes
}

var (
	_ lifecycle.NoteLister  = (*workableATS)(nil)
	_ ats.Tagger            = (*workableATS)(nil)
	_ ats.FeedbackSubmitter = (*workableATS)(nil)
	_ ats.LinkedJobLister   = (*workableATS)(nil)
)

// Candidate implements ats.Adapter, applying the recruiter's fixes.
func (a *workableATS) Candidate(ctx context.Context, id string) (ats.Candidate, error) {
	c, err := a.Client.Candidate(ctx, id)
	return a.fixes.apply(c), err
}

// AddNote implements ats.Adapter, counting unknown outcomes.
func (a *workableATS) AddNote(ctx context.Context, id string, n ats.Note) error {
	err := a.Client.AddNote(ctx, id, n)
	a.stats.record("note", err)
	return err
}

// MoveCandidate implements ats.Adapter, counting unknown outcomes.
func (a *workableATS) MoveCandidate(ctx context.Context, id, stage string) error {
	err := a.Client.MoveCandidate(ctx, id, stage)
	a.stats.record("move", err)
	return err
}

// SubmitFeedback implements ats.FeedbackSubmitter, counting unknown outcomes.
func (a *workableATS) SubmitFeedback(ctx context.Context, id string, fb ats.Feedback) error {
	err := a.Client.SubmitFeedback(ctx, id, fb)
	a.stats.record("feedback", err)
	return err
}

// leverATS is the host's Lever adapter: the real client (NoteLister through
// GET /opportunities/:id/notes) with the same counting as workableATS.
type leverATS struct {
	*lever.Client
	stats *callStats
	fixes *fixes
}

var (
	_ lifecycle.NoteLister  = (*leverATS)(nil)
	_ ats.Tagger            = (*leverATS)(nil)
	_ ats.FeedbackSubmitter = (*leverATS)(nil)
	_ ats.LinkedJobLister   = (*leverATS)(nil)
)

// Candidate implements ats.Adapter, applying the recruiter's fixes.
func (a *leverATS) Candidate(ctx context.Context, id string) (ats.Candidate, error) {
	c, err := a.Client.Candidate(ctx, id)
	return a.fixes.apply(c), err
}

// AddNote implements ats.Adapter, counting unknown outcomes.
func (a *leverATS) AddNote(ctx context.Context, id string, n ats.Note) error {
	err := a.Client.AddNote(ctx, id, n)
	a.stats.record("note", err)
	return err
}

// MoveCandidate implements ats.Adapter, counting unknown outcomes.
func (a *leverATS) MoveCandidate(ctx context.Context, id, stage string) error {
	err := a.Client.MoveCandidate(ctx, id, stage)
	a.stats.record("move", err)
	return err
}

// SubmitFeedback implements ats.FeedbackSubmitter, counting unknown outcomes.
func (a *leverATS) SubmitFeedback(ctx context.Context, id string, fb ats.Feedback) error {
	err := a.Client.SubmitFeedback(ctx, id, fb)
	a.stats.record("feedback", err)
	return err
}

// vendor is the host's interview platform as the tests write it: it keeps
// one interview per idempotency key, as lifecycle.Vendor requires, and
// records everything it was asked.
type vendor struct {
	mu      sync.Mutex
	byKey   map[string]string   // idempotency key -> vendor ref
	refs    map[string][]string // lifecycle interview ID -> refs created
	reqs    map[string]lifecycle.VendorRequest
	cancels map[string]int // vendor ref -> cancel calls
	calls   int
	// failEvery makes every n-th create fail (before creating) with a
	// transient error; 0 never fails.
	failEvery int
	failed    int
}

func newVendor() *vendor {
	return &vendor{byKey: map[string]string{}, refs: map[string][]string{}, reqs: map[string]lifecycle.VendorRequest{}, cancels: map[string]int{}}
}

// CreateInterview implements lifecycle.Vendor.
func (v *vendor) CreateInterview(ctx context.Context, r lifecycle.VendorRequest) (string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.calls++
	if v.failEvery > 0 && v.calls%v.failEvery == 0 {
		v.failed++
		return "", errors.New("vendor: temporarily unavailable")
	}
	if ref, ok := v.byKey[r.IdempotencyKey]; ok {
		return ref, nil
	}
	ref := fmt.Sprintf("vi-%05d", len(v.byKey)+1)
	v.byKey[r.IdempotencyKey] = ref
	v.refs[r.InterviewID] = append(v.refs[r.InterviewID], ref)
	v.reqs[r.InterviewID] = r
	return ref, nil
}

// CancelInterview implements lifecycle.Vendor.
func (v *vendor) CancelInterview(ctx context.Context, ref string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.cancels[ref]++
	return nil
}

// Created returns the vendor interviews created for a lifecycle interview.
func (v *vendor) Created(interviewID string) []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.refs[interviewID]...)
}

// Request returns the last create request for a lifecycle interview.
func (v *vendor) Request(interviewID string) (lifecycle.VendorRequest, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	r, ok := v.reqs[interviewID]
	return r, ok
}

// Total returns how many vendor interviews exist.
func (v *vendor) Total() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.byKey)
}

// Cancels returns how often ref was cancelled.
func (v *vendor) Cancels(ref string) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.cancels[ref]
}

// engineSlot holds the running engine. Webhook handlers and the test's
// vendor driver read it; a restart empties it, so deliveries arriving
// while the engine is down fail with 500 and are delivered again.
type engineSlot struct {
	p atomic.Pointer[lifecycle.Engine]
	// replica, when set, is a second engine over the same store: events
	// alternate between the two, as behind a load balancer.
	replica atomic.Pointer[lifecycle.Engine]
	n       atomic.Uint64
	// inbox makes the webhook handlers store events in the engine's
	// inbox (Engine.AcceptEvents) and answer, as hosting does, leaving
	// the ATS reads and decisions to the dispatchers; otherwise they are
	// handled within the request (Engine.HandleEvent).
	inbox atomic.Bool
}

var errEngineDown = errors.New("e2e: engine is restarting")

func (s *engineSlot) Get() *lifecycle.Engine  { return s.p.Load() }
func (s *engineSlot) Set(e *lifecycle.Engine) { s.p.Store(e) }

// SetReplica sets (or, with nil, removes) the second engine.
func (s *engineSlot) SetReplica(e *lifecycle.Engine) { s.replica.Store(e) }

func (s *engineSlot) handle(ctx context.Context, evs []ats.Event) error {
	e := s.Get()
	if e == nil {
		return errEngineDown
	}
	if r := s.replica.Load(); r != nil && s.n.Add(1)%2 == 0 {
		e = r
	}
	if s.inbox.Load() {
		return e.AcceptEvents(ctx, evs)
	}
	for _, ev := range evs {
		if err := e.HandleEvent(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

// hookServer is the vendor's webhook endpoint: /workable and /lever mount
// the adapters' real handlers, which verify signatures and pass the events
// to the engine in slot.
type hookServer struct {
	*httptest.Server
	workableHits, leverHits atomic.Int64
	// workableOff drops Workable's deliveries unseen (answered 200, never
	// handled), as when a subscription lapsed: Workable sends nothing.
	workableOff atomic.Bool
}

func newHookServer(t testing.TB, slot *engineSlot, workableSecret string, leverToken *atomic.Pointer[string]) *hookServer {
	t.Helper()
	// Lever signs only its delivery token and time: with a memory of
	// accepted tokens (as a deployment keeps in its store) the verifier
	// accepts Lever's retries and the test's late re-drives for up to two
	// weeks; without one it caps the window at five minutes, which a slow
	// soak outlives. The memory outlives engine restarts, as a store would.
	hs := &hookServer{}
	replay := &ats.MemoryReplayGuard{}
	mux := http.NewServeMux()
	wh := workable.WebhookHandler(workable.WebhookVerifier{Secrets: []string{workableSecret}}, slot.handle, workable.WebhookHandlerOptions{})
	mux.Handle("/workable", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hs.workableHits.Add(1)
		if hs.workableOff.Load() {
			return
		}
		wh.ServeHTTP(w, r)
	}))
	mux.Handle("/lever", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hs.leverHits.Add(1)
		tok := ""
		if p := leverToken.Load(); p != nil {
			tok = *p
		}
		lever.WebhookHandler(lever.WebhookVerifier{Secrets: []string{tok}, Replay: replay}, slot.handle, lever.WebhookHandlerOptions{}).ServeHTTP(w, r)
	}))
	hs.Server = httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	return hs
}

// post sends a raw delivery to path and returns the status.
func (hs *hookServer) post(t testing.TB, path string, body []byte, header http.Header) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, hs.URL+path, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// callbackServer plays Workable's side of the provider contract: it
// accepts result PUTs at /callbacks/{interview}, validated like Workable
// (workabletest.Callbacks: bearer token, status enum, results_url when
// completed, 409 on a repeat after a final status), and records the
// accepted results. Every failEvery-th request is answered 503 before
// anything is checked.
type callbackServer struct {
	*httptest.Server
	token     string
	failEvery int
	workable  *workabletest.Callbacks

	mu       sync.Mutex
	requests int
	failed   int
	accepted map[string][]string // interview -> statuses accepted, in order
	bodies   map[string]string   // interview -> last accepted body
}

func newCallbackServer(t testing.TB, token string, failEvery int) *callbackServer {
	cs := &callbackServer{token: token, failEvery: failEvery, accepted: map[string][]string{}, bodies: map[string]string{},
		workable: workabletest.NewCallbacks(token)}
	cs.Server = httptest.NewServer(http.HandlerFunc(cs.serve))
	t.Cleanup(cs.Close)
	return cs
}

func (cs *callbackServer) serve(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutPrefix(r.URL.Path, "/callbacks/")
	cs.mu.Lock()
	cs.requests++
	fail := cs.failEvery > 0 && cs.requests%cs.failEvery == 0
	if fail {
		cs.failed++
	}
	cs.mu.Unlock()
	switch {
	case !ok:
		http.Error(w, "not found", http.StatusNotFound)
		return
	case fail:
		http.Error(w, `{"status":503,"message":"try again"}`, http.StatusServiceUnavailable)
		return
	}
	rec := httptest.NewRecorder()
	cs.workable.ServeHTTP(rec, r)
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
	if rec.Code != http.StatusOK {
		return
	}
	puts := cs.workable.Accepted(r.URL.Path)
	last := puts[len(puts)-1]
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.accepted[id] = append(cs.accepted[id], last.Status)
	cs.bodies[id] = string(last.Body)
}

// Accepted returns the statuses accepted for an interview.
func (cs *callbackServer) Accepted(id string) []string {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return append([]string(nil), cs.accepted[id]...)
}

// Body returns the last accepted body for an interview.
func (cs *callbackServer) Body(id string) string {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.bodies[id]
}

// Failed returns how many requests were answered 503 on purpose.
func (cs *callbackServer) Failed() int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.failed
}

// newWorkableClient returns the real Workable client pointed at srv.
func newWorkableClient(t testing.TB, srv *workabletest.Server, hc *http.Client) *workable.Client {
	t.Helper()
	c, err := workable.NewClient(workable.Options{Subdomain: srv.Subdomain(), Token: workabletest.DefaultAPIKey,
		BaseURL: srv.URL, MemberID: srv.DefaultMemberID(), VendorStage: vendorName,
		HTTPClient: hc, RateLimit: -1, MaxRetries: 3,
		RetryWaitMin: 5 * time.Millisecond, RetryWaitMax: 50 * time.Millisecond,
		StageCacheTTL: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newLeverClient returns the real Lever client pointed at srv.
func newLeverClient(t testing.TB, srv *levertest.Server, performAs string, hc *http.Client) *lever.Client {
	t.Helper()
	c, err := lever.NewClient(lever.Options{
		APIKey: levertest.DefaultAPIKey, BaseURL: srv.URL, VendorTag: vendorName, PerformAs: performAs,
		HTTPClient: hc, RateLimit: -1, MaxRetries: 3,
		RetryWaitMin: 5 * time.Millisecond, RetryWaitMax: 50 * time.Millisecond,
		Feedback: lever.FeedbackMapping{Template: "Interview feedback"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// feedbackTemplate is the Lever feedback form the vendor fills in.
var feedbackTemplate = levertest.FeedbackTemplate{Text: "Interview feedback", Fields: []levertest.FeedbackField{
	{Text: "Score"}, {Text: "Grade"}, {Text: "Summary"}, {Text: "Report"},
}}

// marker strips the dispatcher's idempotency marker from a note body.
func stripMarker(body string) string {
	if i := strings.LastIndex(body, "\n\n[ref "); i >= 0 {
		return body[:i]
	}
	return body
}

// noteKind classifies a note the engine posted by its default template.
func noteKind(body string) lifecycle.NoteKind {
	b := stripMarker(body)
	switch {
	case strings.Contains(b, " was invited to the "):
		return lifecycle.NoteInvited
	case strings.Contains(b, " interview with ") && strings.Contains(b, " is scheduled for "):
		return lifecycle.NoteScheduled
	case strings.Contains(b, " completed the "):
		return lifecycle.NoteCompleted
	case strings.Contains(b, ": could not create the "):
		return lifecycle.NoteNeedsInfo
	case strings.Contains(b, " was cancelled"):
		return lifecycle.NoteCancelled
	case strings.Contains(b, "unable to schedule"):
		return lifecycle.NoteUnableToSchedule
	}
	return lifecycle.NoteError
}
