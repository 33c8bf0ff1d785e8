package lever

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/atskit/atskit/ats"
)

// Lever webhook event names.
const (
	EventApplicationCreated     = "applicationCreated"
	EventCandidateHired         = "candidateHired"
	EventCandidateStageChange   = "candidateStageChange"
	EventCandidateArchiveChange = "candidateArchiveChange"
	EventCandidateDeleted       = "candidateDeleted"
	EventInterviewCreated       = "interviewCreated"
	EventInterviewUpdated       = "interviewUpdated"
	EventInterviewDeleted       = "interviewDeleted"
	EventContactCreated         = "contactCreated"
	EventContactUpdated         = "contactUpdated"
)

// DefaultWebhookTolerance is how old a delivery may be before it is
// rejected as a replay.
const DefaultWebhookTolerance = 5 * time.Minute

// DefaultWebhookFutureSkew is how far in the future a delivery's
// triggeredAt may lie (clock skew between Lever and the vendor).
const DefaultWebhookFutureSkew = time.Minute

// WebhookPayload is the body Lever POSTs to a webhook URL.
type WebhookPayload struct {
	ID          string          `json:"id"`
	TriggeredAt json.Number     `json:"triggeredAt"`
	Event       string          `json:"event"`
	Data        json.RawMessage `json:"data"`
	Token       string          `json:"token"`
	Signature   string          `json:"signature"`
}

// WebhookData is the union of the data fields of Lever's events.
type WebhookData struct {
	CandidateID   string          `json:"candidateId"`
	OpportunityID string          `json:"opportunityId"`
	ContactID     string          `json:"contactId"`
	ApplicationID string          `json:"applicationId"`
	PostingID     string          `json:"postingId"`
	InterviewID   string          `json:"interviewId"`
	FromStageID   string          `json:"fromStageId"`
	ToStageID     string          `json:"toStageId"`
	FromArchived  json.RawMessage `json:"fromArchived"`
	ToArchived    json.RawMessage `json:"toArchived"`
}

// WebhookVerifier verifies Lever webhook deliveries. Lever signs each
// delivery with the webhook's signature token (shown in Settings →
// Integrations and API → Webhooks): signature = hex(HMAC-SHA256(
// signatureToken, token + triggeredAt)), carried in the body next to the
// random token and the millisecond triggeredAt. It implements
// ats.WebhookVerifier.
//
// Lever's signature covers token and triggeredAt only, not the event data,
// so the freshness window is what limits replays; keep Tolerance short and
// de-duplicate on ats.Event.ID.
type WebhookVerifier struct {
	// SignatureToken is the webhook's signature token. Empty fails every
	// delivery (fail closed).
	SignatureToken string
	// Tolerance is the maximum age of a delivery; zero uses
	// DefaultWebhookTolerance. Lever retries failed deliveries; raise it if
	// retries must be accepted.
	Tolerance time.Duration
	// FutureSkew is how far in the future triggeredAt may be; zero uses
	// DefaultWebhookFutureSkew.
	FutureSkew time.Duration
	// Now returns the current time; nil uses time.Now.
	Now func() time.Time
}

// VerifyOption configures VerifyWebhook.
type VerifyOption func(*WebhookVerifier)

// WithTolerance sets the maximum age of a delivery.
func WithTolerance(d time.Duration) VerifyOption { return func(v *WebhookVerifier) { v.Tolerance = d } }

// WithClock sets the clock deliveries are checked against.
func WithClock(now func() time.Time) VerifyOption { return func(v *WebhookVerifier) { v.Now = now } }

// VerifyWebhook verifies a Lever delivery's raw body with the webhook's
// signature token and returns its events. Errors wrap
// ats.ErrSignatureMissing, ats.ErrSignatureInvalid, ats.ErrWebhookExpired
// or ats.ErrMalformedWebhook.
func VerifyWebhook(body []byte, signatureToken string, opts ...VerifyOption) ([]ats.Event, error) {
	v := WebhookVerifier{SignatureToken: signatureToken}
	for _, o := range opts {
		o(&v)
	}
	return v.VerifyWebhook(body, nil)
}

// Sign returns Lever's signature for token and triggeredAt (as the decimal
// string that appears in the body).
func Sign(signatureToken, token, triggeredAt string) string {
	m := hmac.New(sha256.New, []byte(signatureToken))
	io.WriteString(m, token+triggeredAt)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyWebhook verifies body (header is not used: Lever signs in the body)
// and returns the delivery's event. It implements ats.WebhookVerifier.
func (v WebhookVerifier) VerifyWebhook(body []byte, _ http.Header) ([]ats.Event, error) {
	var p WebhookPayload
	dec := json.NewDecoder(bytesReader(body))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("lever: webhook: %w: %v", ats.ErrMalformedWebhook, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("lever: webhook: %w: trailing data after the JSON object", ats.ErrMalformedWebhook)
	}
	if p.Signature == "" || p.Token == "" {
		return nil, fmt.Errorf("lever: webhook: %w: body has no signature or token", ats.ErrSignatureMissing)
	}
	ts := p.TriggeredAt.String()
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || ms <= 0 {
		return nil, fmt.Errorf("lever: webhook: %w: triggeredAt %q is not a millisecond timestamp", ats.ErrMalformedWebhook, ts)
	}
	if v.SignatureToken == "" {
		return nil, fmt.Errorf("lever: webhook: %w: no signature token configured", ats.ErrSignatureInvalid)
	}
	got, err := hex.DecodeString(p.Signature)
	if err != nil {
		return nil, fmt.Errorf("lever: webhook: %w: signature is not hex", ats.ErrSignatureInvalid)
	}
	want, _ := hex.DecodeString(Sign(v.SignatureToken, p.Token, ts))
	if !hmac.Equal(got, want) {
		return nil, fmt.Errorf("lever: webhook: %w", ats.ErrSignatureInvalid)
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	tol, skew := v.Tolerance, v.FutureSkew
	if tol <= 0 {
		tol = DefaultWebhookTolerance
	}
	if skew <= 0 {
		skew = DefaultWebhookFutureSkew
	}
	at := time.UnixMilli(ms).UTC()
	switch age := now().Sub(at); {
	case age > tol:
		return nil, fmt.Errorf("lever: webhook: %w: triggered %v ago (tolerance %v)", ats.ErrWebhookExpired, age.Round(time.Second), tol)
	case -age > skew:
		return nil, fmt.Errorf("lever: webhook: %w: triggered %v in the future", ats.ErrWebhookExpired, (-age).Round(time.Second))
	}
	if p.ID == "" || p.Event == "" {
		return nil, fmt.Errorf("lever: webhook: %w: id or event missing", ats.ErrMalformedWebhook)
	}
	var d WebhookData
	if len(p.Data) > 0 && string(p.Data) != "null" {
		if err := json.Unmarshal(p.Data, &d); err != nil {
			return nil, fmt.Errorf("lever: webhook: %w: data: %v", ats.ErrMalformedWebhook, err)
		}
	}
	ev := ats.Event{
		ID:          p.ID,
		Source:      "lever",
		Type:        p.Event,
		CandidateID: d.OpportunityID,
		JobID:       d.PostingID,
		Time:        at,
		Raw:         append(json.RawMessage(nil), body...),
	}
	if ev.CandidateID == "" {
		// Assumed: a payload naming only candidateId uses Lever's legacy
		// candidate ID, which equals the opportunity ID.
		ev.CandidateID = d.CandidateID
	}
	switch p.Event {
	case EventCandidateStageChange:
		ev.Kind = ats.EventStageChanged
		ev.FromStage = ats.StageRef{ID: d.FromStageID}
		ev.ToStage = ats.StageRef{ID: d.ToStageID}
		if d.ToStageID == "" {
			return nil, fmt.Errorf("lever: webhook: %w: %s without toStageId", ats.ErrMalformedWebhook, p.Event)
		}
	case EventCandidateArchiveChange:
		ev.Kind = ats.EventUnarchived
		if isArchived(d.ToArchived) {
			ev.Kind = ats.EventArchived
		}
	case EventCandidateHired:
		ev.Kind = ats.EventHired
	case EventCandidateDeleted:
		ev.Kind = ats.EventDeleted
	case EventApplicationCreated:
		ev.Kind = ats.EventCandidateCreated
	case EventInterviewCreated:
		ev.Kind = ats.EventInterviewCreated
	case EventInterviewUpdated:
		ev.Kind = ats.EventInterviewUpdated
	case EventInterviewDeleted:
		ev.Kind = ats.EventInterviewDeleted
	default:
		// contactCreated, contactUpdated and events added later.
		ev.Kind = ats.EventUnknown
	}
	if ev.CandidateID == "" && p.Event != EventContactCreated && p.Event != EventContactUpdated && ev.Kind != ats.EventUnknown {
		return nil, fmt.Errorf("lever: webhook: %w: %s without opportunityId", ats.ErrMalformedWebhook, p.Event)
	}
	return []ats.Event{ev}, nil
}

func isArchived(raw json.RawMessage) bool {
	if len(raw) == 0 || string(raw) == "null" {
		return false
	}
	var a struct {
		ArchivedAt json.Number `json:"archivedAt"`
		Reason     string      `json:"reason"`
	}
	if json.Unmarshal(raw, &a) != nil {
		return true // an object we cannot read is still "archived"
	}
	return a.ArchivedAt != "" || a.Reason != ""
}

// DefaultMaxWebhookBytes caps a webhook body in WebhookHandler.
const DefaultMaxWebhookBytes = ats.DefaultMaxWebhookBytes

// WebhookHandlerOptions configures WebhookHandler.
type WebhookHandlerOptions struct {
	// MaxBodyBytes caps the body; larger deliveries get 413. Zero uses
	// DefaultMaxWebhookBytes.
	MaxBodyBytes int64
	// Logger receives a warning per rejected delivery; nil discards.
	Logger *slog.Logger
}

// WebhookHandler returns an http.Handler that verifies Lever deliveries and
// passes their events to fn. It answers 200 when fn succeeds, 405 to
// anything but POST, 413 to an oversized body, 400 to a malformed payload,
// 401 to a missing, invalid or stale signature, and 500 when fn fails (so
// Lever retries the delivery).
func WebhookHandler(v ats.WebhookVerifier, fn func(ctx context.Context, events []ats.Event) error, opts WebhookHandlerOptions) http.Handler {
	return ats.NewWebhookHandler(v, fn, ats.WebhookHandlerOptions{Source: "lever", MaxBodyBytes: opts.MaxBodyBytes, Logger: opts.Logger})
}
