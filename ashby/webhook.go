package ashby

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
)

// Ashby webhook types (https://developers.ashbyhq.com/docs/setting-up-webhooks).
const (
	EventApplicationSubmit       = "applicationSubmit"
	EventApplicationUpdate       = "applicationUpdate"
	EventCandidateStageChange    = "candidateStageChange"
	EventCandidateHire           = "candidateHire"
	EventCandidateDelete         = "candidateDelete"
	EventCandidateMerge          = "candidateMerge"
	EventInterviewPlanTransition = "interviewPlanTransition"
	EventInterviewScheduleCreate = "interviewScheduleCreate"
	EventInterviewScheduleUpdate = "interviewScheduleUpdate"
	EventPing                    = "ping"
)

// SignatureHeader is the header Ashby signs deliveries in.
const SignatureHeader = "Ashby-Signature"

// DefaultReplayWindow is how long WebhookVerifier.Replay remembers a
// delivery. Ashby retries a failed delivery up to 10 times, waiting
// (2^n − 1) × 10 s, about 2.8 hours in all
// (https://developers.ashbyhq.com/docs/retries); a day covers every retry.
const DefaultReplayWindow = 24 * time.Hour

// Sign returns the Ashby-Signature value for body: "sha256=" and the hex
// HMAC-SHA256 of the raw body keyed with the webhook's secret token
// (https://developers.ashbyhq.com/docs/authenticating-webhooks). Hosts use
// it to sign test fixtures.
func Sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// WebhookPayload is the body Ashby POSTs: {"action": type, "data": {…}}.
type WebhookPayload struct {
	Action string          `json:"action"`
	Data   json.RawMessage `json:"data"`
}

// WebhookData is the union of the data fields of the events atskit maps.
type WebhookData struct {
	Application       *Application         `json:"application,omitempty"`
	Candidate         *struct{ ID string } `json:"candidate,omitempty"`
	InterviewSchedule *struct {
		ID               string `json:"id"`
		Status           string `json:"status"`
		ApplicationID    string `json:"applicationId"`
		InterviewStageID string `json:"interviewStageId"`
		UpdatedAt        Time   `json:"updatedAt"`
	} `json:"interviewSchedule,omitempty"`
	JobID             string `json:"jobId,omitempty"`
	WebhookActionType string `json:"webhookActionType,omitempty"`
}

// WebhookVerifier verifies Ashby webhook deliveries and implements
// ats.WebhookVerifier. Ashby signs the raw body with the webhook's secret
// token and sends "Ashby-Signature: sha256=<hex>". The signature covers
// no time and no delivery ID (Ashby documents neither), so a captured
// delivery stays valid forever; Replay, when set, refuses a body that was
// already accepted within ReplayWindow.
type WebhookVerifier struct {
	// Secrets are the webhook secret tokens accepted; several allow a
	// rotation without lost deliveries. Empty fails every delivery.
	Secrets []string
	// Now returns the current time; nil uses time.Now.
	Now func() time.Time
	// Replay, when set, remembers accepted deliveries (keyed by the
	// SHA-256 of the body, which is also ats.Event.ID) so that an
	// identical body is refused with ats.ErrWebhookReplayed. Ashby's ping
	// is never remembered. WebhookHandler answers a replay with 200.
	Replay ats.ReplayGuard
	// ReplayWindow is how long Replay remembers a delivery; zero uses
	// DefaultReplayWindow.
	ReplayWindow time.Duration
	// ClaimLease is how long a provisional claim on a delivery holds
	// when Replay implements ats.DeliveryConfirmer: a claim not confirmed
	// (ConfirmWebhook, which WebhookHandler calls once the events are
	// stored) within it lapses, so Ashby's retry of a delivery whose
	// handler died is accepted. Zero uses ats.DefaultClaimLease.
	ClaimLease time.Duration
	// Connection is copied into each ats.Event.Connection and scopes
	// Replay: the host's ID of the customer account.
	Connection string
}

// VerifyWebhook verifies body with one secret and returns its events.
// Errors wrap ats.ErrSignatureMissing, ats.ErrSignatureInvalid or
// ats.ErrMalformedWebhook.
func VerifyWebhook(body []byte, header http.Header, secret string) ([]ats.Event, error) {
	return WebhookVerifier{Secrets: []string{secret}}.VerifyWebhook(body, header)
}

// VerifyWebhook implements ats.WebhookVerifier: it is
// VerifyWebhookContext with context.Background.
func (v WebhookVerifier) VerifyWebhook(body []byte, header http.Header) ([]ats.Event, error) {
	return v.VerifyWebhookContext(context.Background(), body, header)
}

// VerifyWebhookContext verifies the signature of body and returns its
// events; with Replay it claims the delivery (provisionally when Replay
// implements ats.DeliveryConfirmer), with ctx bounding that call. It
// implements ats.WebhookContextVerifier, so WebhookHandler (and any
// handler built on ats.NewWebhookHandler) claims with the request's
// context. Errors wrap ats.ErrSignatureMissing, ats.ErrSignatureInvalid,
// ats.ErrMalformedWebhook, ats.ErrWebhookReplayed (a delivery already
// accepted), ats.ErrWebhookInFlight (one another handler is still
// processing) or ats.ErrReplayGuardFailed. A caller of VerifyWebhook that
// stores the events itself calls ConfirmWebhook afterwards, or
// ReleaseWebhook when storing failed.
func (v WebhookVerifier) VerifyWebhookContext(ctx context.Context, body []byte, header http.Header) ([]ats.Event, error) {
	if err := v.checkSignature(body, header); err != nil {
		return nil, err
	}
	evs, err := decodeWebhook(body, v.Connection)
	if err != nil || v.Replay == nil || evs[0].Type == EventPing {
		return evs, err
	}
	if err := v.claim(ctx, evs[0].ID); err != nil {
		return nil, err
	}
	return evs, nil
}

// ReleaseWebhook forgets the claim VerifyWebhook took on the delivery in
// body, so Ashby's retry of a delivery whose processing failed is
// accepted at once instead of after ClaimLease. It implements
// ats.WebhookReleaser, which ats.NewWebhookHandler (and so WebhookHandler
// and hosting's per-connection route) calls when the callback fails.
// Without Replay, and for a ping or a body that does not decode (neither
// is claimed), it does nothing.
func (v WebhookVerifier) ReleaseWebhook(ctx context.Context, body []byte, _ http.Header) error {
	key, ok := v.claimKey(body)
	if !ok {
		return nil
	}
	if err := v.Replay.ForgetDelivery(ctx, v.Connection, key); err != nil {
		return errfmt.Errorf("ashby: webhook: releasing the delivery: %w", err)
	}
	return nil
}

// ConfirmWebhook confirms the provisional claim VerifyWebhook took on the
// delivery in body, once its events are stored, so the body stays
// remembered for ReplayWindow. It implements ats.WebhookConfirmer, which
// ats.NewWebhookHandler calls before answering 200; a caller of
// VerifyWebhook calls it itself after storing the events (without it the
// claim lapses after ClaimLease). Without Replay, and for a ping or a body
// that does not decode (neither is claimed), it does nothing.
func (v WebhookVerifier) ConfirmWebhook(ctx context.Context, body []byte, _ http.Header) error {
	key, ok := v.claimKey(body)
	if !ok {
		return nil
	}
	if err := ats.ConfirmDelivery(ctx, v.Replay, v.Connection, key, v.expiry(v.now())); err != nil {
		return errfmt.Errorf("ashby: webhook: confirming the delivery: %w", err)
	}
	return nil
}

var (
	_ ats.WebhookContextVerifier = WebhookVerifier{}
	_ ats.WebhookReleaser        = WebhookVerifier{}
	_ ats.WebhookConfirmer       = WebhookVerifier{}
)

// claimKey returns the key VerifyWebhook claims body under, and false
// when it claims nothing for body (no Replay, a ping, a body that does
// not decode).
func (v WebhookVerifier) claimKey(body []byte) (string, bool) {
	if v.Replay == nil {
		return "", false
	}
	evs, err := decodeWebhook(body, v.Connection)
	if err != nil || len(evs) == 0 || evs[0].Type == EventPing {
		return "", false
	}
	return evs[0].ID, true
}

func (v WebhookVerifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v WebhookVerifier) expiry(now time.Time) time.Time {
	win := v.ReplayWindow
	if win <= 0 {
		win = DefaultReplayWindow
	}
	return now.Add(win)
}

// claim claims key in Replay (provisionally when Replay is an
// ats.DeliveryConfirmer); errors wrap ats.ErrWebhookReplayed,
// ats.ErrWebhookInFlight or the guard's error.
func (v WebhookVerifier) claim(ctx context.Context, key string) error {
	now := v.now()
	err := ats.ClaimDelivery(ctx, v.Replay, v.Connection, key, ats.LeaseEnd(now, v.ClaimLease), v.expiry(now))
	switch {
	case errors.Is(err, ats.ErrWebhookReplayed), errors.Is(err, ats.ErrWebhookInFlight):
		return errfmt.Errorf("ashby: webhook: %w", err)
	case err != nil:
		return errfmt.Errorf("ashby: webhook: replay guard: %w", err)
	}
	return nil
}

// checkSignature checks Ashby-Signature against every secret in constant
// time. Accepted forms: "sha256=<hex>" (Ashby's documented form), with
// any case of the algorithm name and hex digits, surrounding spaces, and
// several comma-separated values (any one may match).
func (v WebhookVerifier) checkSignature(body []byte, header http.Header) error {
	raw := strings.TrimSpace(header.Get(SignatureHeader))
	if raw == "" {
		return errfmt.Errorf("ashby: webhook: %w: no %s header", ats.ErrSignatureMissing, SignatureHeader)
	}
	var sigs [][]byte
	for part := range strings.SplitSeq(raw, ",") {
		algo, hexSig, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(algo), "sha256") {
			continue
		}
		if b, err := hex.DecodeString(strings.TrimSpace(hexSig)); err == nil && len(b) == sha256.Size {
			sigs = append(sigs, b)
		}
	}
	if len(sigs) == 0 {
		return errfmt.Errorf("ashby: webhook: %w: %s is not of the form sha256=<64 hex digits>", ats.ErrSignatureInvalid, SignatureHeader)
	}
	ok := false
	for _, s := range v.Secrets {
		if s == "" {
			continue
		}
		m := hmac.New(sha256.New, []byte(s))
		m.Write(body)
		want := m.Sum(nil)
		for _, got := range sigs {
			if hmac.Equal(got, want) {
				ok = true // keep going: equal time whichever secret matches
			}
		}
	}
	if !ok {
		return errfmt.Errorf("ashby: webhook: %w: no configured secret matches", ats.ErrSignatureInvalid)
	}
	return nil
}

// deliveryID is the ID of a delivery: Ashby sends none, so it is the
// SHA-256 of the raw body. Ashby's retries of one delivery carry the same
// body, so they share the ID.
func deliveryID(body []byte) string {
	sum := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(sum[:16])
}

// DecodeWebhook decodes a delivery's body without verifying it: use it
// only on a body that WebhookVerifier accepted.
func DecodeWebhook(body []byte) ([]ats.Event, error) { return decodeWebhook(body, "") }

func decodeWebhook(body []byte, connection string) ([]ats.Event, error) {
	var p WebhookPayload
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&p); err != nil {
		return nil, errfmt.Errorf("ashby: webhook: %w: %v", ats.ErrMalformedWebhook, err)
	}
	if dec.More() {
		return nil, errfmt.Errorf("ashby: webhook: %w: trailing data after the JSON object", ats.ErrMalformedWebhook)
	}
	if p.Action == "" {
		return nil, errfmt.Errorf("ashby: webhook: %w: no action", ats.ErrMalformedWebhook)
	}
	var d WebhookData
	if len(p.Data) > 0 && string(p.Data) != "null" {
		if err := json.Unmarshal(p.Data, &d); err != nil {
			return nil, errfmt.Errorf("ashby: webhook: %w: data: %v", ats.ErrMalformedWebhook, err)
		}
	}
	ev := ats.Event{
		ID: deliveryID(body), Source: "ashby", Connection: connection, Type: p.Action, Kind: ats.EventUnknown,
		Raw: append(json.RawMessage(nil), body...),
	}
	app := d.Application
	if app != nil {
		ev.CandidateID, ev.JobID, ev.Time = app.ID, app.Job.ID, app.UpdatedAt.Time
		if s := app.CurrentInterviewStage; s != nil {
			ev.ToStage = ats.StageRef{ID: s.ID, Name: s.Title}
		}
	}
	needApp := func() error {
		if app == nil || app.ID == "" {
			return errfmt.Errorf("ashby: webhook: %w: %s without data.application.id", ats.ErrMalformedWebhook, p.Action)
		}
		return nil
	}
	switch p.Action {
	case EventCandidateStageChange:
		if err := needApp(); err != nil {
			return nil, err
		}
		if ev.ToStage.ID == "" {
			return nil, errfmt.Errorf("ashby: webhook: %w: %s without currentInterviewStage.id", ats.ErrMalformedWebhook, p.Action)
		}
		// Ashby sends no previous stage; FromStage stays empty.
		ev.Kind = ats.EventStageChanged
		if app.CurrentInterviewStage.Type == StageTypeArchived || app.Status == StatusArchived {
			ev.Kind = ats.EventArchived
		}
	case EventApplicationSubmit:
		if err := needApp(); err != nil {
			return nil, err
		}
		ev.Kind = ats.EventCandidateCreated
	case EventCandidateHire:
		if err := needApp(); err != nil {
			return nil, err
		}
		ev.Kind = ats.EventHired
	case EventApplicationUpdate:
		// Also fired by every stage change and hire: kept as unknown so
		// a stage change is not acted on twice.
		if err := needApp(); err != nil {
			return nil, err
		}
	case EventCandidateDelete:
		// Names the person (candidate ID), not an application: the
		// event's CandidateID stays empty; read Raw.
		ev.Kind = ats.EventDeleted
	case EventInterviewScheduleCreate, EventInterviewScheduleUpdate:
		s := d.InterviewSchedule
		if s == nil || s.ApplicationID == "" {
			return nil, errfmt.Errorf("ashby: webhook: %w: %s without interviewSchedule.applicationId", ats.ErrMalformedWebhook, p.Action)
		}
		ev.CandidateID, ev.Time = s.ApplicationID, s.UpdatedAt.Time
		ev.Kind = ats.EventInterviewUpdated
		if p.Action == EventInterviewScheduleCreate {
			ev.Kind = ats.EventInterviewCreated
		} else if s.Status == "Cancelled" {
			ev.Kind = ats.EventInterviewDeleted
		}
	case EventInterviewPlanTransition:
		ev.JobID = d.JobID
	}
	return []ats.Event{ev}, nil
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
	// RequireSignedPing refuses (401) a ping that carries no signature.
	// By default an unsigned ping is answered 200 without calling fn, so
	// Ashby does not save a new webhook disabled; a ping carries no data,
	// so accepting it acts on nothing. A ping with a wrong signature is
	// always refused, which makes a mistyped secret show at once as a
	// disabled webhook in Ashby.
	RequireSignedPing bool
}

// WebhookHandler returns an http.Handler that verifies Ashby deliveries
// with v and passes their events to fn, built on ats.NewWebhookHandler.
//
// Ashby does not retry 401, 403, 404, 405 or 410 and retries everything
// else that is not 2xx (https://developers.ashbyhq.com/docs/retries). The
// handler answers:
//   - 200 when fn succeeds, to Ashby's ping (fn is not called), and to a
//     delivery v.Replay has seen (fn is not called again);
//   - 401 to a missing or wrong signature: retrying the same body cannot
//     make it valid, and a forged delivery must not be retried. Rotate
//     secrets by listing both in Secrets so no real delivery meets 401;
//   - 405 to anything but POST (not retried; only a misconfigured sender
//     does that);
//   - 400 to a malformed payload and 413 to an oversized one (Ashby
//     retries these; harmless);
//   - 500 when fn fails, so Ashby retries; the delivery's claim is
//     released so the retry is accepted;
//   - 503 (with Retry-After) to a copy of a delivery another handler
//     holds a provisional claim on (ats.ErrWebhookInFlight), so Ashby
//     retries after that claim was confirmed or lapsed, and 503 when the
//     replay guard's store cannot decide (ats.ErrReplayGuardFailed).
//
// A WebhookVerifier (or any verifier implementing
// ats.WebhookContextVerifier) claims the delivery with the request's
// context; when fn fails the claim is released (ats.WebhookReleaser) so
// Ashby's retry is accepted, and when fn succeeds it is confirmed
// (ats.WebhookConfirmer) before the 200.
func WebhookHandler(v ats.WebhookVerifier, fn func(ctx context.Context, events []ats.Event) error, opts WebhookHandlerOptions) http.Handler {
	wrapped := func(ctx context.Context, events []ats.Event) error {
		kept := events[:0:0]
		for _, e := range events {
			if e.Type != EventPing {
				kept = append(kept, e)
			}
		}
		if len(kept) == 0 {
			return nil
		}
		return fn(ctx, kept)
	}
	return ats.NewWebhookHandler(pingVerifier{v, opts.RequireSignedPing}, wrapped, ats.WebhookHandlerOptions{Source: "ashby", MaxBodyBytes: opts.MaxBodyBytes, Logger: opts.Logger})
}

// pingVerifier lets an unsigned ping through as a ping event (unless
// signed pings are required); everything else is v's, with the request's
// context, and a delivery's claim is released or confirmed through v.
type pingVerifier struct {
	v      ats.WebhookVerifier
	signed bool
}

var (
	_ ats.WebhookContextVerifier = pingVerifier{}
	_ ats.WebhookReleaser        = pingVerifier{}
	_ ats.WebhookConfirmer       = pingVerifier{}
)

// VerifyWebhook implements ats.WebhookVerifier.
func (p pingVerifier) VerifyWebhook(body []byte, h http.Header) ([]ats.Event, error) {
	return p.VerifyWebhookContext(context.Background(), body, h)
}

// VerifyWebhookContext implements ats.WebhookContextVerifier.
func (p pingVerifier) VerifyWebhookContext(ctx context.Context, body []byte, h http.Header) ([]ats.Event, error) {
	evs, err := ats.VerifyWebhookContext(ctx, p.v, body, h)
	if err != nil && !p.signed && errors.Is(err, ats.ErrSignatureMissing) {
		var wp WebhookPayload
		if json.Unmarshal(body, &wp) == nil && wp.Action == EventPing {
			return []ats.Event{{Source: "ashby", Type: EventPing, Kind: ats.EventUnknown}}, nil
		}
	}
	return evs, err
}

// ReleaseWebhook implements ats.WebhookReleaser when v does.
func (p pingVerifier) ReleaseWebhook(ctx context.Context, body []byte, h http.Header) error {
	return ats.ReleaseWebhook(ctx, p.v, body, h)
}

// ConfirmWebhook implements ats.WebhookConfirmer when v does.
func (p pingVerifier) ConfirmWebhook(ctx context.Context, body []byte, h http.Header) error {
	return ats.ConfirmWebhook(ctx, p.v, body, h)
}
