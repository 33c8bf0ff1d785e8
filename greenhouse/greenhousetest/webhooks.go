package greenhousetest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/atskit/atskit/internal/fakeserver"
)

// Webhook headers.
const (
	SignatureHeader = "Signature"
	EventIDHeader   = "Greenhouse-Event-ID"
)

// Sign returns the Signature header Greenhouse sends for body: "sha256 "
// and the hex HMAC-SHA256 of the raw body keyed with secret. Hosts can
// use it to sign fixtures.
func Sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256 " + hex.EncodeToString(m.Sum(nil))
}

// SignWebhook returns a delivery of action with payload, as Greenhouse
// sends it: the body is {"action", "payload"} serialized with Unicode
// escaping (so "<" is "\u003c"), and the header carries Content-Type,
// Signature and Greenhouse-Event-ID.
func SignWebhook(action string, payload any, secret, eventID string) ([]byte, http.Header) {
	body, _ := json.Marshal(map[string]any{"action": action, "payload": payload})
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(SignatureHeader, Sign(body, secret))
	h.Set(EventIDHeader, eventID)
	return body, h
}

// Webhook is a webhook configured in Greenhouse (in the UI, or through
// the partners' API), and what AddWebhook returns.
type Webhook struct {
	ID   int64
	Name string
	// URL is the endpoint deliveries are POSTed to.
	URL string
	// Event is the one event_action_type the webhook delivers, e.g.
	// candidate_stage_change.
	Event  string
	Secret string
	// MaxAttempts caps the attempts per delivery (default and maximum: 7).
	MaxAttempts int
	// Disabled webhooks deliver nothing; a failed ping disables a webhook.
	Disabled bool
	// ClientID is the partner client that created it through the API.
	ClientID string
}

// Delivery is a webhook delivery the fake made or is making.
type Delivery struct {
	// ID is the Greenhouse-Event-ID, the same on every attempt.
	ID        string
	Action    string
	WebhookID int64
	Target    string
	Body      []byte
	Header    http.Header
	// Attempts counts attempts; Status is the last answer (0 on a
	// transport error or timeout); Delivered is set once the target
	// answered exactly 200.
	Attempts  int
	Status    int
	Delivered bool
	max       int
}

// AddWebhook configures a webhook as a customer would in Greenhouse's UI
// and pings it; when the ping is not answered 200 the webhook is created
// disabled (Disabled is set on the result). It returns the webhook with
// its ID.
func (s *Server) AddWebhook(wh Webhook) Webhook {
	s.mu.Lock()
	wh.ID = s.st.next()
	if wh.MaxAttempts <= 0 || wh.MaxAttempts > 7 {
		wh.MaxAttempts = 7
	}
	cp := wh
	s.st.webhooks[wh.ID] = &cp
	s.st.webhookIDs = append(s.st.webhookIDs, wh.ID)
	s.mu.Unlock()
	ok := s.ping(wh)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !ok {
		s.st.webhooks[wh.ID].Disabled = true
	}
	return *s.st.webhooks[wh.ID]
}

// EnableWebhook re-enables a webhook (as a user would after fixing the
// endpoint) and pings it again; it reports whether the ping succeeded.
func (s *Server) EnableWebhook(id int64) bool {
	s.mu.Lock()
	wh := s.st.webhooks[id]
	if wh == nil {
		s.mu.Unlock()
		return false
	}
	cp := *wh
	s.mu.Unlock()
	ok := s.ping(cp)
	s.mu.Lock()
	defer s.mu.Unlock()
	if wh := s.st.webhooks[id]; wh != nil {
		wh.Disabled = !ok
	}
	return ok
}

// ping posts Greenhouse's ping. Its payload is not documented ("some
// configuration settings for the webhook"); the fake sends
// {"action":"ping","payload":{"web_hook_id","name","endpoint_url","event_action_type"}},
// signed like any delivery.
func (s *Server) ping(wh Webhook) bool {
	body, h := SignWebhook("ping", map[string]any{"web_hook_id": wh.ID, "name": wh.Name, "endpoint_url": wh.URL, "event_action_type": wh.Event}, wh.Secret, randHex(16))
	return s.hooks.post(wh.URL, body, h) == http.StatusOK
}

// Deliveries returns every delivery (pings excluded), oldest first.
func (s *Server) Deliveries() []Delivery {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	out := make([]Delivery, len(s.hooks.all))
	for i, d := range s.hooks.all {
		out[i] = *d
		out[i].Header = d.Header.Clone()
	}
	return out
}

// WaitDeliveries blocks until no delivery is pending (each was answered
// 200 or used up its attempts) or ctx is done.
func (s *Server) WaitDeliveries(ctx context.Context) error { return s.hooks.pending.Wait(ctx) }

// applicationPayload renders payload.application as Greenhouse's webhooks
// document it (v1-style objects: current_stage, jobs[], candidate). The
// caller holds s.mu.
func (s *Server) applicationPayloadLocked(a *Application) map[string]any {
	stage := map[string]any{"id": a.StageID, "name": "", "interviews": []any{}}
	if sg := s.st.stages[a.StageID]; sg != nil {
		stage["name"] = sg.Name
	}
	status := map[string]string{"in_process": "active"}[a.Status]
	if status == "" {
		status = a.Status
	}
	app := map[string]any{
		"id": a.ID, "status": status, "prospect": false, "applied_at": ts(a.CreatedAt), "last_activity_at": ts(a.LastActivityAt),
		"url":           fmt.Sprintf("https://app.greenhouse.io/people/%d?application_id=%d", a.CandidateID, a.ID),
		"current_stage": stage, "rejection_reason": nil, "custom_fields": map[string]any{},
	}
	if j := s.st.jobs[a.JobID]; j != nil {
		app["jobs"] = []any{map[string]any{"id": j.ID, "name": j.Name, "status": j.Status}}
	}
	if p := s.st.people[a.CandidateID]; p != nil {
		app["candidate"] = s.personJSON(p)
	}
	return map[string]any{"application": app}
}

// fireLocked queues deliveries of action about a to enabled webhooks of
// that event. The body is built now: it carries the state at event time.
func (s *Server) fireLocked(action string, a *Application) {
	s.queueLocked(action, func() any { return s.applicationPayloadLocked(a) })
}

func (s *Server) fireInterviewDeletedLocked(iv *Interview) {
	s.queueLocked("interview_deleted", func() any {
		return map[string]any{"interview": map[string]any{"id": iv.ID, "application_id": iv.ApplicationID}}
	})
}

func (s *Server) queueLocked(action string, payload func() any) {
	for _, id := range s.st.webhookIDs {
		wh := s.st.webhooks[id]
		if wh.Disabled || wh.Event != action {
			continue
		}
		body, h := SignWebhook(action, payload(), wh.Secret, randHex(16))
		s.hooks.enqueue(&Delivery{ID: h.Get(EventIDHeader), Action: action, WebhookID: wh.ID, Target: wh.URL, Body: body, Header: h, max: wh.MaxAttempts})
	}
}

// deliverer sends deliveries with Greenhouse's retry schedule.
type deliverer struct {
	s      *Server
	hc     *http.Client
	tr     *http.Transport
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	pending fakeserver.Pending

	mu    sync.Mutex
	all   []*Delivery
	queue []*Delivery
}

func newDeliverer(s *Server) *deliverer {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	ctx, cancel := context.WithCancel(context.Background())
	return &deliverer{s: s, tr: tr, hc: &http.Client{Timeout: 5 * time.Second, Transport: tr}, ctx: ctx, cancel: cancel}
}

func (d *deliverer) close() {
	d.mu.Lock()
	d.cancel()
	d.mu.Unlock()
	d.wg.Wait()
	d.tr.CloseIdleConnections()
}

func (d *deliverer) enqueue(dl *Delivery) {
	d.mu.Lock()
	if d.ctx.Err() != nil {
		d.mu.Unlock()
		return
	}
	d.all = append(d.all, dl)
	d.pending.Add()
	if d.s.cfg.syncWebhooks {
		d.queue = append(d.queue, dl)
		d.mu.Unlock()
		return
	}
	d.wg.Add(1) // under d.mu, so close cannot start waiting in between
	d.mu.Unlock()
	go func() {
		defer d.wg.Done()
		d.deliver(dl)
	}()
}

// flushSync delivers queued deliveries in synchronous mode. The caller
// holds no lock.
func (d *deliverer) flushSync() {
	d.mu.Lock()
	q := d.queue
	d.queue = nil
	d.mu.Unlock()
	for _, dl := range q {
		d.deliver(dl)
	}
}

// post sends one attempt and returns its status (0 on a transport error
// or timeout).
func (d *deliverer) post(target string, body []byte, h http.Header) int {
	status, _ := fakeserver.Post(d.ctx, d.hc, target, body, h)
	return status
}

// deliver makes a delivery's attempts, at most its webhook's MaxAttempts,
// along the retry schedule.
func (d *deliverer) deliver(dl *Delivery) {
	defer d.pending.Done()
	gaps := d.s.cfg.schedule
	gaps = gaps[:max(min(dl.max-1, len(gaps)), 0)]
	fakeserver.Retry(d.ctx, gaps, func(int) bool {
		status := d.post(dl.Target, dl.Body, dl.Header)
		d.mu.Lock()
		dl.Attempts++
		dl.Status = status
		dl.Delivered = status == http.StatusOK // anything but 200 is a failure
		d.mu.Unlock()
		return dl.Delivered
	})
}

// Webhook management API (partners only).

func webhookJSON(wh *Webhook) map[string]any {
	return map[string]any{
		"id": wh.ID, "name": wh.Name, "endpoint_url": wh.URL, "event_action_type": wh.Event,
		"max_attempts": wh.MaxAttempts, "deactivated": wh.Disabled, "client_id": wh.ClientID,
	}
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) {
	lr, ok := s.parseList(w, r, "webhooks")
	if !ok {
		return
	}
	s.mu.Lock()
	items, next := s.page("webhooks", lr, s.st.webhookIDs, func(id int64) (any, bool) {
		wh := s.st.webhooks[id]
		return webhookJSON(wh), wh != nil
	})
	s.mu.Unlock()
	s.writePage(w, "webhooks", items, next)
}

type webhookBody struct {
	EndpointURL     *string `json:"endpoint_url"`
	Name            *string `json:"name"`
	EventActionType *string `json:"event_action_type"`
	SecretKey       *string `json:"secret_key"`
	MaxAttempts     *int    `json:"max_attempts"`
	Deactivated     *bool   `json:"deactivated"`
}

var webhookEvents = []string{"application_updated", "candidate_anonymized", "candidate_stage_change", "delete_application",
	"delete_candidate", "department_deleted", "hire_candidate", "interview_deleted", "job_approved", "job_created", "job_deleted",
	"job_interview_stage_deleted", "job_post_created", "job_post_deleted", "job_post_updated", "job_updated", "merge_candidate",
	"new_candidate_application", "new_prospect_application", "offer_approved", "offer_created", "offer_deleted", "offer_updated",
	"office_deleted", "reject_candidate", "scorecard_deleted", "unhire_candidate", "unreject_candidate", "update_candidate"}

// createWebhook serves POST /v3/webhooks: endpoint_url, name,
// event_action_type, secret_key and max_attempts are required; 201. Whether
// Greenhouse pings API-created webhooks is not documented; the fake does,
// as for the UI.
func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) {
	var b webhookBody
	if !decodeBody(w, r, &b, false) {
		return
	}
	for field, missing := range map[string]bool{"endpoint_url": b.EndpointURL == nil, "name": b.Name == nil,
		"event_action_type": b.EventActionType == nil, "secret_key": b.SecretKey == nil, "max_attempts": b.MaxAttempts == nil} {
		if missing {
			invalid(w, field, "is required")
			return
		}
	}
	if !slices.Contains(webhookEvents, *b.EventActionType) {
		invalid(w, "event_action_type", "is not a webhook event")
		return
	}
	if !strings.HasPrefix(*b.EndpointURL, "http://") && !strings.HasPrefix(*b.EndpointURL, "https://") {
		invalid(w, "endpoint_url", "must be an HTTPS URL")
		return
	}
	wh := s.AddWebhook(Webhook{Name: *b.Name, URL: *b.EndpointURL, Event: *b.EventActionType, Secret: *b.SecretKey,
		MaxAttempts: *b.MaxAttempts, ClientID: callerOf(r).clientID, Disabled: b.Deactivated != nil && *b.Deactivated})
	writeJSON(w, http.StatusCreated, webhookJSON(&wh))
}

func (s *Server) updateWebhook(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var b webhookBody
	if !decodeBody(w, r, &b, false) {
		return
	}
	s.mu.Lock()
	wh := s.st.webhooks[id]
	if wh == nil {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Webhook not found")
		return
	}
	if b.EventActionType != nil && !slices.Contains(webhookEvents, *b.EventActionType) {
		s.mu.Unlock()
		invalid(w, "event_action_type", "is not a webhook event")
		return
	}
	if b.EndpointURL != nil {
		wh.URL = *b.EndpointURL
	}
	if b.Name != nil {
		wh.Name = *b.Name
	}
	if b.EventActionType != nil {
		wh.Event = *b.EventActionType
	}
	if b.SecretKey != nil {
		wh.Secret = *b.SecretKey
	}
	if b.MaxAttempts != nil && *b.MaxAttempts > 0 && *b.MaxAttempts <= 7 {
		wh.MaxAttempts = *b.MaxAttempts
	}
	if b.Deactivated != nil {
		wh.Disabled = *b.Deactivated
	}
	cp := *wh
	s.mu.Unlock()
	if !cp.Disabled {
		s.EnableWebhook(id)
	}
	s.mu.Lock()
	cp = *s.st.webhooks[id]
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, webhookJSON(&cp))
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.webhooks[id] == nil {
		writeError(w, http.StatusNotFound, "Webhook not found")
		return
	}
	delete(s.st.webhooks, id)
	s.st.webhookIDs = slices.DeleteFunc(s.st.webhookIDs, func(x int64) bool { return x == id })
	writeJSON(w, http.StatusOK, map[string]any{})
}
