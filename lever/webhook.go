package lever

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
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

// DefaultWebhookTolerance is how old a delivery may be when the verifier
// has a ReplayGuard. Lever retries a failed delivery five times, "waiting
// longer and longer in between tries", and a Super Admin can "Rerun" any
// delivery from a history that reaches back two weeks
// (https://hire.lever.co/developer/documentation#webhooks), so the window
// covers those two weeks plus a day of margin. The guard makes each
// delivery token count once inside it.
const DefaultWebhookTolerance = 15 * 24 * time.Hour

// DefaultUnguardedTolerance is the longest a delivery may be old when the
// verifier has no ReplayGuard. Lever's signature covers only the token and
// triggeredAt, never the event data, so without a memory of used tokens a
// captured signature can carry any data for as long as the window lasts;
// the window is therefore kept short, and Lever's late retries and Reruns
// are refused. Set WebhookVerifier.Replay to accept them.
const DefaultUnguardedTolerance = 5 * time.Minute

// DefaultWebhookFutureSkew is how far in the future a delivery's
// triggeredAt may lie (clock skew between Lever and the vendor).
const DefaultWebhookFutureSkew = time.Minute

// WebhookPayload is the body Lever POSTs to a webhook URL
// (https://hire.lever.co/developer/documentation#webhooks).
//
// ID is listed in Lever's schema table but absent from both of its example
// deliveries, so it may be empty; it is not signed and is not used.
type WebhookPayload struct {
	ID          string          `json:"id"`
	TriggeredAt json.Number     `json:"triggeredAt"`
	Event       string          `json:"event"`
	Data        json.RawMessage `json:"data"`
	Token       string          `json:"token"`
	Signature   string          `json:"signature"`
}

// WebhookData is the union of the data fields of Lever's events. Lever
// documents the data of candidateStageChange (opportunityId, candidateId,
// contactId, fromStageId, toStageId,
// https://hire.lever.co/developer/documentation#webhooks) only; the other
// fields are assumed from the event names: applicationId, postingId,
// interviewId, and fromArchived/toArchived objects with archivedAt and
// reason for candidateArchiveChange. Because the data is unsigned and may
// be named otherwise, every event is marked Snapshot: consumers re-read
// the opportunity (lifecycle does) rather than trust these fields, so a
// misnamed archive field costs a re-read, not a wrong action.
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
// delivery with the webhook's signature token (each webhook has its own,
// shown when the webhook is added in Settings → Integrations and API →
// Webhooks, or returned once by POST /webhooks): signature =
// hex(HMAC-SHA256(signatureToken, token + triggeredAt)), carried in the
// body next to the random 48-character token and the millisecond
// triggeredAt. It implements ats.WebhookVerifier.
//
// Lever's signature covers token and triggeredAt only, not the event data.
// The verifier therefore
//   - accepts a delivery only while triggeredAt lies inside a window bounded
//     on both sides (MaxAge into the past, FutureSkew into the future),
//     computed without overflow for any triggeredAt;
//   - with Replay set, claims each delivery token once per Connection, so a
//     captured signature cannot be re-attached to other data (a second use
//     fails with ats.ErrWebhookReplayed), and accepts deliveries for
//     DefaultWebhookTolerance so Lever's retries and Reruns get through;
//     without Replay the window is at most DefaultUnguardedTolerance;
//   - derives ats.Event.ID from the signed token and triggeredAt, so a
//     replayed signature with altered data de-duplicates onto the original;
//   - marks events Snapshot, so consumers re-read the opportunity instead
//     of trusting the unsigned data.
//
// Because the token and triggeredAt are concatenated without a separator,
// a token ending in a digit could lend that digit to triggeredAt (or take
// one from it) without changing the signed bytes. Such a split changes
// triggeredAt by at least a factor of ten, which puts it decades outside
// the window; triggeredAt must also be written canonically (no leading
// zeros, sign or exponent).
type WebhookVerifier struct {
	// Secrets are the accepted signature tokens: the webhook's own, the
	// tokens of the account's other webhooks (Lever gives each webhook its
	// own) or the old and new token while one webhook is being replaced.
	// A delivery verifies if any of them matches; when all are empty every
	// delivery fails (fail closed).
	Secrets []string
	// MaxAge is the maximum age of a delivery. Zero uses
	// DefaultWebhookTolerance with Replay and DefaultUnguardedTolerance
	// without; without Replay a larger value is capped at
	// DefaultUnguardedTolerance.
	MaxAge time.Duration
	// FutureSkew is how far in the future triggeredAt may be; zero uses
	// DefaultWebhookFutureSkew.
	FutureSkew time.Duration
	// Now returns the current time; nil uses time.Now.
	Now func() time.Time
	// Replay remembers accepted delivery tokens until the window closes;
	// lifecycle/memstore and lifecycle/sqlstore implement it. Nil keeps no
	// memory (and a short window, see MaxAge). WebhookHandler releases
	// a delivery whose processing failed; a caller of VerifyWebhook does
	// so itself with Replay.ForgetDelivery(ctx, Connection, event.ID), so
	// that Lever's retry is accepted, and confirms a stored one with
	// ConfirmWebhook.
	Replay ats.ReplayGuard
	// ClaimLease is how long a provisional claim on a delivery token
	// holds when Replay implements ats.DeliveryConfirmer: a claim not
	// confirmed (ConfirmWebhook, which WebhookHandler calls once the
	// events are stored) within it lapses, so Lever's retry of a
	// delivery whose handler died is accepted. Zero uses
	// ats.DefaultClaimLease.
	ClaimLease time.Duration
	// Connection names the customer account the deliveries belong to; it
	// scopes Replay and is copied to ats.Event.Connection.
	Connection string
}

// VerifyWebhook verifies a Lever delivery's raw body with the webhook's
// signature token (secret) and returns its events; it is
// WebhookVerifier{Secrets: []string{secret}}.VerifyWebhook. header is
// accepted for the same shape as every adapter's VerifyWebhook and is not
// used: Lever signs inside the body (token, triggeredAt and signature are
// fields of the JSON payload,
// https://hire.lever.co/developer/documentation#securing-webhooks), so nil
// is fine. For rotation, a clock, a different freshness window or replay
// protection, use a WebhookVerifier. Errors wrap ats.ErrSignatureMissing,
// ats.ErrSignatureInvalid, ats.ErrWebhookExpired, ats.ErrWebhookReplayed or
// ats.ErrMalformedWebhook.
func VerifyWebhook(body []byte, header http.Header, secret string) ([]ats.Event, error) {
	return WebhookVerifier{Secrets: []string{secret}}.VerifyWebhookContext(context.Background(), body, header)
}

// Sign returns Lever's signature for token and triggeredAt (as the decimal
// string that appears in the body).
func Sign(signatureToken, token, triggeredAt string) string {
	m := hmac.New(sha256.New, []byte(signatureToken))
	io.WriteString(m, token+triggeredAt)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyWebhook verifies body (header is not used: Lever signs in the body)
// and returns the delivery's events. It implements ats.WebhookVerifier.
// It is VerifyWebhookContext with context.Background.
func (v WebhookVerifier) VerifyWebhook(body []byte, header http.Header) ([]ats.Event, error) {
	return v.VerifyWebhookContext(context.Background(), body, header)
}

// maxTriggeredAt is the latest triggeredAt that is parsed at all (the end
// of year 9999); anything later is malformed, so window arithmetic never
// sees an extreme value.
const maxTriggeredAt = 253402300799999

// VerifyWebhookContext verifies body and returns the delivery's events; ctx
// bounds the ReplayGuard call (it implements ats.WebhookContextVerifier,
// so a handler built on ats.NewWebhookHandler passes the request's
// context). A verified delivery with nothing to act on
// (Lever's settings-page test request, whose data is empty, or an event
// without an opportunity) returns no events and no error, so a handler
// answers it 2xx. Errors wrap ats.ErrSignatureMissing,
// ats.ErrSignatureInvalid, ats.ErrWebhookExpired, ats.ErrWebhookReplayed or
// ats.ErrMalformedWebhook; a failing ReplayGuard yields its own error.
func (v WebhookVerifier) VerifyWebhookContext(ctx context.Context, body []byte, _ http.Header) ([]ats.Event, error) {
	p, err := decodePayload(body)
	if err != nil {
		return nil, err
	}
	if p.Signature == "" || p.Token == "" {
		return nil, errfmt.Errorf("lever: webhook: %w: body has no signature or token", ats.ErrSignatureMissing)
	}
	ts := p.TriggeredAt.String()
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || ms <= 0 || ms > maxTriggeredAt || strconv.FormatInt(ms, 10) != ts {
		return nil, errfmt.Errorf("lever: webhook: %w: triggeredAt %.40q is not a canonical millisecond timestamp", ats.ErrMalformedWebhook, ts)
	}
	if !v.signedBy(p.Signature, p.Token, ts) {
		return nil, errfmt.Errorf("lever: webhook: %w", ats.ErrSignatureInvalid)
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	tol, skew := v.window()
	nowMs := now().UnixMilli()
	if ms <= nowMs {
		if age := uint64(nowMs) - uint64(ms); age > uint64(tol.Milliseconds()) {
			return nil, errfmt.Errorf("lever: webhook: %w: triggered %v ago (tolerance %v)", ats.ErrWebhookExpired, roundAge(age), tol)
		}
	} else if ahead := uint64(ms) - uint64(nowMs); ahead > uint64(skew.Milliseconds()) {
		return nil, errfmt.Errorf("lever: webhook: %w: triggered %v in the future (allowed skew %v)", ats.ErrWebhookExpired, roundAge(ahead), skew)
	}
	at := time.UnixMilli(ms).UTC()
	events, err := decodeEvents(p, at, body)
	if err != nil {
		return nil, err
	}
	key := DeliveryKey(p.Token, ts)
	if v.Replay != nil {
		// The key stays remembered one second past the last instant the
		// window accepts the delivery.
		err := ats.ClaimDelivery(ctx, v.Replay, v.Connection, key, ats.LeaseEnd(now(), v.ClaimLease), at.Add(tol+time.Second))
		switch {
		case errors.Is(err, ats.ErrWebhookInFlight):
			return nil, errfmt.Errorf("lever: webhook: %w: delivery token claimed by a handler still processing it", err)
		case errors.Is(err, ats.ErrWebhookReplayed):
			return nil, errfmt.Errorf("lever: webhook: %w: delivery token already used", err)
		case err != nil:
			return nil, errfmt.Errorf("lever: webhook: replay guard: %w", err)
		}
	}
	for i := range events {
		events[i].Connection = v.Connection
	}
	return events, nil
}

// ReleaseWebhook forgets the delivery in body, so that Lever's retry of a
// delivery whose processing failed is accepted again. It implements
// ats.WebhookReleaser, which ats.NewWebhookHandler (and so hosting's
// per-connection route) calls when the callback fails. Without a Replay
// guard it does nothing.
func (v WebhookVerifier) ReleaseWebhook(ctx context.Context, body []byte, _ http.Header) error {
	if v.Replay == nil {
		return nil
	}
	p, err := decodePayload(body)
	if err != nil || p.Token == "" {
		return nil // nothing was claimed for a body that does not decode
	}
	return v.Replay.ForgetDelivery(ctx, v.Connection, DeliveryKey(p.Token, p.TriggeredAt.String()))
}

// ConfirmWebhook confirms the provisional claim VerifyWebhook took on the
// delivery in body, once its events are stored, so the token stays
// remembered until the freshness window closes. It implements
// ats.WebhookConfirmer, which ats.NewWebhookHandler calls before
// answering 200; a caller of VerifyWebhook calls it itself after storing
// the events (without it the claim lapses after ClaimLease). Without a
// Replay guard it does nothing.
func (v WebhookVerifier) ConfirmWebhook(ctx context.Context, body []byte, _ http.Header) error {
	if v.Replay == nil {
		return nil
	}
	p, err := decodePayload(body)
	if err != nil || p.Token == "" {
		return nil // nothing was claimed for a body that does not decode
	}
	ts := p.TriggeredAt.String()
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || ms <= 0 || ms > maxTriggeredAt {
		return nil // VerifyWebhook refuses such a body before claiming
	}
	tol, _ := v.window()
	return ats.ConfirmDelivery(ctx, v.Replay, v.Connection, DeliveryKey(p.Token, ts), time.UnixMilli(ms).Add(tol+time.Second))
}

var (
	_ ats.WebhookContextVerifier = WebhookVerifier{}
	_ ats.WebhookReleaser        = WebhookVerifier{}
	_ ats.WebhookConfirmer       = WebhookVerifier{}
)

// window returns the effective tolerance and future skew.
func (v WebhookVerifier) window() (tol, skew time.Duration) {
	tol, skew = v.MaxAge, v.FutureSkew
	if tol <= 0 {
		tol = DefaultWebhookTolerance
	}
	if v.Replay == nil {
		tol = min(tol, DefaultUnguardedTolerance)
	}
	if skew <= 0 {
		skew = DefaultWebhookFutureSkew
	}
	return tol, skew
}

func roundAge(ms uint64) time.Duration {
	if ms > uint64(math.MaxInt64/int64(time.Millisecond)) {
		return time.Duration(math.MaxInt64).Round(time.Hour)
	}
	return (time.Duration(ms) * time.Millisecond).Round(time.Second)
}

// signedBy reports whether sig is the signature of token+ts under any of
// the configured signature tokens. Every configured token is tried, so the
// time taken does not depend on which one matched.
func (v WebhookVerifier) signedBy(sig, token, ts string) bool {
	got, err := hex.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	ok := 0
	for _, secret := range v.Secrets {
		if secret == "" {
			continue
		}
		m := hmac.New(sha256.New, []byte(secret))
		io.WriteString(m, token)
		io.WriteString(m, ts)
		ok |= subtle.ConstantTimeCompare(got, m.Sum(nil))
	}
	return ok == 1
}

// DeliveryKey returns the identity of a Lever delivery derived from what
// Lever signs: a hash of the delivery token and triggeredAt (the decimal
// string of the body). It is the key WebhookVerifier claims in its
// ReplayGuard and the ats.Event.ID of the delivery's event.
//
// Assumed: a retry or Rerun of a delivery repeats its token and
// triggeredAt (Lever documents neither way; "triggeredAt" is "when the
// webhook event was triggered", and a re-signed retry would need a new
// token). Were a retry re-stamped it would arrive as a new delivery with a
// new ID; consumers that re-read the opportunity, as lifecycle does for
// Snapshot events, still act once on its current state.
func DeliveryKey(token, triggeredAt string) string {
	h := sha256.New()
	io.WriteString(h, "lever-delivery\x00")
	io.WriteString(h, token)
	io.WriteString(h, "\x00")
	io.WriteString(h, triggeredAt)
	return "lever:" + hex.EncodeToString(h.Sum(nil)[:16])
}

func decodePayload(body []byte) (WebhookPayload, error) {
	var p WebhookPayload
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return p, errfmt.Errorf("lever: webhook: %w: %v", ats.ErrMalformedWebhook, err)
	}
	if dec.More() {
		return p, errfmt.Errorf("lever: webhook: %w: trailing data after the JSON object", ats.ErrMalformedWebhook)
	}
	return p, nil
}

// decodeEvents turns a verified payload into events. Nothing to act on is
// no events, not an error: Lever retries any non-2xx answer.
func decodeEvents(p WebhookPayload, at time.Time, body []byte) ([]ats.Event, error) {
	var d WebhookData
	if len(p.Data) > 0 && string(p.Data) != "null" {
		if err := json.Unmarshal(p.Data, &d); err != nil {
			return nil, errfmt.Errorf("lever: webhook: %w: data: %v", ats.ErrMalformedWebhook, err)
		}
	}
	if p.Event == "" {
		return nil, nil
	}
	ev := ats.Event{
		ID:          DeliveryKey(p.Token, p.TriggeredAt.String()),
		Source:      "lever",
		Type:        p.Event,
		CandidateID: d.OpportunityID,
		JobID:       d.PostingID,
		Time:        at,
		// Lever does not sign the data: consumers re-read the opportunity.
		Snapshot: true,
		Raw:      append(json.RawMessage(nil), body...),
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
	if ev.CandidateID == "" && ev.Kind != ats.EventUnknown {
		// Lever's settings-page test request (candidateHired with
		// "data": {}) and any other candidate event without an
		// opportunity: authentic, but about no one.
		return nil, nil
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
	// Logger receives a warning per rejected delivery; nil uses
	// slog.Default(). Bodies and secrets are never logged.
	Logger *slog.Logger
}

// WebhookHandler returns an http.Handler that verifies Lever deliveries and
// passes their events to fn. It answers 200 when fn succeeds or when the
// delivery has nothing to act on (Lever's test request, or a delivery token
// already acted on: ats.ErrWebhookReplayed), 405 to anything but POST, 413
// to an oversized body, 400 to a malformed payload, 401 to a missing,
// invalid or stale signature, 500 when fn fails, so Lever retries, and
// 503 (with Retry-After) to a copy of a delivery another handler holds a
// provisional claim on (ats.ErrWebhookInFlight), so Lever retries it once
// that claim was confirmed or lapsed, or when the replay guard's store
// failed (ats.ErrReplayGuardFailed).
//
// It is built on ats.NewWebhookHandler, so a WebhookVerifier (or
// *WebhookVerifier) claims the delivery token with the request's context
// (VerifyWebhookContext), releases it when fn failed (ReleaseWebhook), so
// Lever's retry is accepted, and confirms it when fn succeeded
// (ConfirmWebhook) before the 200.
func WebhookHandler(v ats.WebhookVerifier, fn func(ctx context.Context, events []ats.Event) error, opts WebhookHandlerOptions) http.Handler {
	return ats.NewWebhookHandler(v, func(ctx context.Context, events []ats.Event) error {
		if len(events) == 0 {
			return nil // Lever's test request: nothing to act on
		}
		return fn(ctx, events)
	}, ats.WebhookHandlerOptions{Source: "lever", MaxBodyBytes: opts.MaxBodyBytes, Logger: opts.Logger})
}
