package ashbytest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"

	"github.com/atskit/atskit/internal/fakeserver"
)

// WebhookTypes returns the types webhook.create accepts (Ashby's OpenAPI),
// in a new slice.
func WebhookTypes() []string { return slices.Clone(webhookTypes) }

var webhookTypes = []string{
	"applicationSubmit", "applicationUpdate", "candidateHire", "candidateStageChange", "candidateDelete",
	"candidateMerge", "interviewPlanTransition", "interviewScheduleCreate", "interviewScheduleUpdate",
	"jobPostingUpdate", "jobPostingPublish", "jobPostingUnpublish", "offerCreate", "offerUpdate", "offerDelete",
	"pushToHRIS", "surveySubmit",
}

// MaxDeliveryAttempts is how often Ashby tries one delivery.
const MaxDeliveryAttempts = 10

// Sign returns the Ashby-Signature header value for body:
// "sha256=" + hex(HMAC-SHA256(secret, body)).
func Sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Payload builds a delivery body {"action": action, "data": data}.
func Payload(action string, data any) []byte {
	b, _ := json.Marshal(map[string]any{"action": action, "data": data})
	return b
}

// ApplicationPayload builds the body Ashby sends for an application event
// (candidateStageChange, applicationUpdate, applicationSubmit, …) about
// application id as the fake currently holds it.
func (s *Server) ApplicationPayload(action, applicationID string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.d.appByID[applicationID]
	if a == nil {
		return nil
	}
	return Payload(action, map[string]any{"application": s.appJSON(a)})
}

// Delivery is a webhook delivery (with all its attempts) the fake made.
type Delivery struct {
	WebhookID string
	Action    string
	URL       string
	// Body is the payload exactly as sent; Signature its Ashby-Signature.
	Body      []byte
	Signature string
	// Statuses holds each attempt's HTTP status (0 for a transport error).
	Statuses []int
	// Delivered is true when an attempt got a 2xx.
	Delivered bool
}

// Deliveries returns the finished deliveries (delivered or given up),
// oldest first. Call WaitDeliveries first to include those in flight.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}

// WaitDeliveries blocks until no delivery is in flight or retrying, or ctx
// ends.
func (s *Server) WaitDeliveries(ctx context.Context) error { return s.pending.Wait(ctx) }

// noRetry are the statuses Ashby does not retry
// (https://developers.ashbyhq.com/docs/retries).
var noRetry = map[int]bool{401: true, 403: true, 404: true, 405: true, 410: true}

// fireLocked queues a delivery of action to every enabled webhook of that
// type. Caller holds s.mu.
func (s *Server) fireLocked(action string, data any) {
	body := Payload(action, data)
	for _, h := range s.d.webhooks {
		if h.Type != action || !h.Enabled {
			continue
		}
		d := Delivery{WebhookID: h.ID, Action: action, URL: h.URL, Body: body, Signature: Sign(body, h.Secret)}
		s.pending.Add()
		go s.deliver(d)
	}
}

// Fire delivers a custom event (e.g. candidateDelete) to the webhooks of
// that type, as Ashby would.
func (s *Server) Fire(action string, data any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fireLocked(action, data)
}

func (s *Server) deliver(d Delivery) {
	defer func() {
		s.mu.Lock()
		s.deliveries = append(s.deliveries, d)
		s.mu.Unlock()
		s.pending.Done()
	}()
	fakeserver.Retry(s.ctx, s.retryGaps, func(int) bool {
		status := s.post(d.URL, d.Body, d.Signature)
		d.Statuses = append(d.Statuses, status)
		d.Delivered = status >= 200 && status < 300
		return d.Delivered || noRetry[status]
	})
}

// post sends one attempt and returns its status (0 on transport error).
func (s *Server) post(u string, body []byte, sig string) int {
	ctx, cancel := context.WithTimeout(s.ctx, s.pingTimeout)
	defer cancel()
	h := http.Header{"Content-Type": {"application/json"}}
	if sig != "" {
		h.Set("Ashby-Signature", sig)
	}
	status, _ := fakeserver.Post(ctx, http.DefaultClient, u, body, h)
	return status
}

// ping checks a webhook URL as Ashby does on save. Ashby saves the webhook
// disabled when the ping gets no response or "a code > 400"; read
// literally, 400 itself passes.
func (s *Server) ping(u, secret string) bool {
	body := Payload("ping", map[string]any{"webhookActionType": "ping"})
	sig := Sign(body, secret)
	if s.unsignedPing {
		sig = ""
	}
	st := s.post(u, body, sig)
	return st != 0 && st <= 400
}

func webhookJSON(h *Webhook, withSecret bool) map[string]any {
	out := map[string]any{"id": h.ID, "enabled": h.Enabled, "requestUrl": h.URL, "webhookType": h.Type}
	if withSecret {
		out["secretToken"] = h.Secret
	}
	return out
}

func validURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "https" || p.Scheme == "http") && p.Host != ""
}

func (s *Server) webhookCreate(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		WebhookType string `json:"webhookType"`
		RequestURL  string `json:"requestUrl"`
		SecretToken string `json:"secretToken"`
	}
	if !decode(w, body, &req) {
		return
	}
	switch {
	case !slices.Contains(webhookTypes, req.WebhookType) && !slices.Contains(s.extraTypes, req.WebhookType):
		writeFail(w, http.StatusOK, "invalid_input", "webhookType is not a known webhook type")
		return
	case !validURL(req.RequestURL):
		writeFail(w, http.StatusOK, "invalid_input", "requestUrl must be an absolute http(s) URL")
		return
	case req.SecretToken == "":
		writeFail(w, http.StatusOK, "invalid_input", "secretToken is required")
		return
	}
	h := &Webhook{ID: newUUID(), Type: req.WebhookType, URL: req.RequestURL, Secret: req.SecretToken}
	h.Enabled = s.ping(h.URL, h.Secret)
	s.mu.Lock()
	s.d.webhooks[h.ID] = h
	out := webhookJSON(h, true)
	s.mu.Unlock()
	writeOK(w, out, nil)
}

func (s *Server) webhookInfo(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		WebhookID string `json:"webhookId"`
	}
	if !decode(w, body, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.d.webhooks[req.WebhookID]
	if h == nil {
		writeFail(w, http.StatusOK, "webhook_not_found", "No webhook with that id")
		return
	}
	writeOK(w, webhookJSON(h, false), nil)
}

func (s *Server) webhookUpdate(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		WebhookID   string  `json:"webhookId"`
		Enabled     *bool   `json:"enabled"`
		RequestURL  *string `json:"requestUrl"`
		SecretToken *string `json:"secretToken"`
	}
	if !decode(w, body, &req) {
		return
	}
	if req.Enabled == nil && req.RequestURL == nil && req.SecretToken == nil {
		writeFail(w, http.StatusOK, "invalid_input", "one of enabled, requestUrl and secretToken is required")
		return
	}
	if req.RequestURL != nil && !validURL(*req.RequestURL) || req.SecretToken != nil && *req.SecretToken == "" {
		writeFail(w, http.StatusOK, "invalid_input", "requestUrl must be an absolute http(s) URL and secretToken non-empty")
		return
	}
	s.mu.Lock()
	h := s.d.webhooks[req.WebhookID]
	if h == nil {
		s.mu.Unlock()
		writeFail(w, http.StatusOK, "webhook_not_found", "No webhook with that id")
		return
	}
	next := *h
	s.mu.Unlock()
	if req.RequestURL != nil {
		next.URL = *req.RequestURL
	}
	if req.SecretToken != nil {
		next.Secret = *req.SecretToken
	}
	next.Enabled = h.Enabled
	if req.Enabled != nil {
		next.Enabled = *req.Enabled
	}
	// Ashby pings on edit; a failed ping leaves the webhook disabled.
	if next.Enabled && !s.ping(next.URL, next.Secret) {
		next.Enabled = false
	}
	s.mu.Lock()
	if cur := s.d.webhooks[req.WebhookID]; cur != nil {
		*cur = next
	}
	out := webhookJSON(&next, true)
	s.mu.Unlock()
	writeOK(w, out, nil)
}

func (s *Server) webhookDelete(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		WebhookID string `json:"webhookId"`
	}
	if !decode(w, body, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.d.webhooks[req.WebhookID] == nil {
		writeFail(w, http.StatusOK, "webhook_not_found", "No webhook with that id")
		return
	}
	delete(s.d.webhooks, req.WebhookID)
	writeOK(w, map[string]any{"webhookId": req.WebhookID}, nil)
}
