package greenhouse

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
)

// Webhook headers (https://developers.greenhouse.io/webhooks.html).
const (
	// SignatureHeader carries "sha256 <hex HMAC-SHA256 of the raw body>".
	SignatureHeader = "Signature"
	// EventIDHeader carries a unique ID per delivery (not signed).
	EventIDHeader = "Greenhouse-Event-ID"
)

// Webhook actions (the "action" of a delivery).
const (
	ActionPing                    = "ping"
	ActionCandidateStageChange    = "candidate_stage_change"
	ActionApplicationUpdated      = "application_updated"
	ActionNewCandidateApplication = "new_candidate_application"
	ActionRejectCandidate         = "reject_candidate"
	ActionUnrejectCandidate       = "unreject_candidate"
	ActionHireCandidate           = "hire_candidate"
	ActionDeleteApplication       = "delete_application"
	ActionDeleteCandidate         = "delete_candidate"
	ActionInterviewDeleted        = "interview_deleted"
)

// DefaultWebhookMaxAge bounds the age of a delivery's signed event time.
// Greenhouse retries a failed delivery up to 7 times over about 15 h 16 m
// (after 1, 15, 60, 120, 240 and 480 minutes), so a retry may legitimately
// be that old.
const DefaultWebhookMaxAge = 16 * time.Hour

// DefaultWebhookFutureSkew is how far in the future a delivery's event time
// may lie (clock skew).
const DefaultWebhookFutureSkew = 5 * time.Minute

// maxWindow caps configured windows so time arithmetic cannot overflow.
const maxWindow = 10 * 365 * 24 * time.Hour

// Sign returns the Signature header value Greenhouse sends for body:
// "sha256 " and the hex HMAC-SHA256 of the raw body keyed with the
// webhook's secret key.
func Sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256 " + hex.EncodeToString(m.Sum(nil))
}

// WebhookVerifier verifies Greenhouse webhook deliveries. It implements
// ats.WebhookVerifier.
//
// Greenhouse signs the entire raw body (Signature: sha256 <hex>) with the
// secret key set on the webhook; it signs no delivery time and no
// delivery ID. So:
//   - freshness is checked against the event time inside the signed body
//     where the body has one that is the event's own time: the
//     application's last_activity_at in a candidate_stage_change (a move
//     is the application's latest activity). It must lie within MaxAge in
//     the past and FutureSkew in the future. Other actions carry no such
//     time (an application_updated may report an older last activity), so
//     only the signature and Replay guard them;
//   - with Replay set, each accepted body is remembered (keyed by its
//     SHA-256, which the signature covers) for MaxAge + FutureSkew, and
//     the same body presented again is refused with ats.ErrWebhookReplayed.
//     Greenhouse's own retries of a delivery that was answered 200 never
//     happen; those of a failed one are accepted again once WebhookHandler
//     has forgotten the key.
type WebhookVerifier struct {
	// Secrets are the accepted secret keys; a delivery signed with any of
	// them passes, so a secret can be rotated without downtime. Empty
	// fails every delivery (fail closed).
	Secrets []string
	// Now returns the current time; nil uses time.Now.
	Now func() time.Time
	// MaxAge bounds the age of the signed event time; zero uses
	// DefaultWebhookMaxAge, negative disables the check.
	MaxAge time.Duration
	// FutureSkew bounds how far in the future the event time may be; zero
	// uses DefaultWebhookFutureSkew.
	FutureSkew time.Duration
	// Replay, when set, refuses a body accepted before.
	Replay ats.ReplayGuard
	// ClaimLease is how long a provisional claim on a delivery holds
	// when Replay implements ats.DeliveryConfirmer: a claim not confirmed
	// (ConfirmWebhook, which WebhookHandler calls once the events are
	// stored) within it lapses, so Greenhouse's retry of a delivery whose
	// handler died is accepted. Zero uses ats.DefaultClaimLease.
	ClaimLease time.Duration
	// Connection names the customer account the deliveries come from; it
	// is set on every Event and scopes Replay.
	Connection string
}

// VerifyWebhook verifies a delivery with one secret and decodes it.
func VerifyWebhook(body []byte, header http.Header, secret string) ([]ats.Event, error) {
	return WebhookVerifier{Secrets: []string{secret}}.VerifyWebhook(body, header)
}

// VerifyWebhook verifies the Signature header against the raw body in
// constant time and decodes the delivery. Errors wrap
// ats.ErrSignatureMissing, ats.ErrSignatureInvalid,
// ats.ErrWebhookExpired, ats.ErrWebhookReplayed or
// ats.ErrMalformedWebhook; none carries the secret or the body.
//
// Greenhouse's ping (action "ping", sent when a webhook is saved; the
// webhook is disabled when it fails) returns no events and no error,
// signed or not: the ping payload and whether it is signed are not
// documented, and nothing is acted on, so any handler answers it 2xx.
//
// Events are snapshots (ats.Event.Snapshot): only the body is signed, so a
// captured delivery replayed later carries stale data, and lifecycle acts
// on the application as Greenhouse returns it now. The event ID is the
// body's SHA-256 (ReplayKey), which the signature covers; the
// Greenhouse-Event-ID header is not signed, so it is not used.
func (v WebhookVerifier) VerifyWebhook(body []byte, header http.Header) ([]ats.Event, error) {
	return v.VerifyWebhookContext(context.Background(), body, header)
}

// VerifyWebhookContext is VerifyWebhook with ctx bounding the ReplayGuard
// call. It implements ats.WebhookContextVerifier, so WebhookHandler (and
// any handler built on ats.NewWebhookHandler) claims the delivery with the
// request's context.
func (v WebhookVerifier) VerifyWebhookContext(ctx context.Context, body []byte, header http.Header) ([]ats.Event, error) {
	if isPing(body) {
		return nil, nil
	}
	if err := v.checkSignature(body, header); err != nil {
		return nil, err
	}
	ev, at, err := ParseEvent(body, header)
	if err != nil {
		return nil, err
	}
	ev.Connection = v.Connection
	ev.ID = ReplayKey(body)
	ev.Snapshot = true
	now := nowFunc(v.Now)()
	maxAge, skew := v.windows()
	if !at.IsZero() {
		if maxAge > 0 && at.Before(now.Add(-maxAge)) {
			return nil, errfmt.Errorf("greenhouse: webhook: %w: event time is %v old (limit %v)", ats.ErrWebhookExpired, now.Sub(at).Round(time.Second), maxAge)
		}
		if at.After(now.Add(skew)) {
			return nil, errfmt.Errorf("greenhouse: webhook: %w: event time lies more than %v in the future", ats.ErrWebhookExpired, skew)
		}
	}
	if v.Replay != nil {
		window := maxAge
		if window <= 0 {
			window = DefaultWebhookMaxAge
		}
		err := ats.ClaimDelivery(ctx, v.Replay, v.Connection, ReplayKey(body), ats.LeaseEnd(now, v.ClaimLease), now.Add(window+skew))
		switch {
		case errors.Is(err, ats.ErrWebhookReplayed), errors.Is(err, ats.ErrWebhookInFlight):
			return nil, errfmt.Errorf("greenhouse: webhook: %w", err)
		case err != nil:
			return nil, errfmt.Errorf("greenhouse: webhook: replay guard: %w", err)
		}
	}
	return []ats.Event{ev}, nil
}

// ReleaseWebhook forgets the delivery in body, so Greenhouse's retry of a
// delivery whose processing failed is accepted again. It implements
// ats.WebhookReleaser, which ats.NewWebhookHandler (and so hosting's
// per-connection route) calls when the callback fails. Without a Replay
// guard it does nothing.
func (v WebhookVerifier) ReleaseWebhook(ctx context.Context, body []byte, _ http.Header) error {
	if v.Replay == nil {
		return nil
	}
	return v.Replay.ForgetDelivery(ctx, v.Connection, ReplayKey(body))
}

// ConfirmWebhook confirms the provisional claim VerifyWebhook took on the
// delivery in body, once its events are stored, so the body stays
// remembered for MaxAge + FutureSkew. It implements ats.WebhookConfirmer,
// which ats.NewWebhookHandler calls before answering 200; a caller of
// VerifyWebhook calls it itself after storing the events (without it the
// claim lapses after ClaimLease). Without a Replay guard, and for a ping
// (never claimed), it does nothing.
func (v WebhookVerifier) ConfirmWebhook(ctx context.Context, body []byte, _ http.Header) error {
	if v.Replay == nil || isPing(body) {
		return nil
	}
	maxAge, skew := v.windows()
	if maxAge <= 0 {
		maxAge = DefaultWebhookMaxAge
	}
	return ats.ConfirmDelivery(ctx, v.Replay, v.Connection, ReplayKey(body), nowFunc(v.Now)().Add(maxAge+skew))
}

var (
	_ ats.WebhookContextVerifier = WebhookVerifier{}
	_ ats.WebhookReleaser        = WebhookVerifier{}
	_ ats.WebhookConfirmer       = WebhookVerifier{}
)

func (v WebhookVerifier) windows() (maxAge, skew time.Duration) {
	maxAge, skew = v.MaxAge, v.FutureSkew
	if maxAge == 0 {
		maxAge = DefaultWebhookMaxAge
	}
	if skew <= 0 {
		skew = DefaultWebhookFutureSkew
	}
	return min(maxAge, maxWindow), min(skew, maxWindow)
}

func (v WebhookVerifier) checkSignature(body []byte, header http.Header) error {
	raw := strings.TrimSpace(header.Get(SignatureHeader))
	if raw == "" {
		return errfmt.Errorf("greenhouse: webhook: %w: no %s header", ats.ErrSignatureMissing, SignatureHeader)
	}
	alg, hexSig, ok := strings.Cut(raw, " ")
	if !ok || !strings.EqualFold(alg, "sha256") {
		return errfmt.Errorf("greenhouse: webhook: %w: %s is not \"sha256 <hex>\"", ats.ErrSignatureInvalid, SignatureHeader)
	}
	got, err := hex.DecodeString(strings.TrimSpace(hexSig))
	if err != nil || len(got) != sha256.Size {
		return errfmt.Errorf("greenhouse: webhook: %w: %s is not a hex SHA-256 HMAC", ats.ErrSignatureInvalid, SignatureHeader)
	}
	match := 0
	configured := false
	for _, s := range v.Secrets {
		if s == "" {
			continue
		}
		configured = true
		m := hmac.New(sha256.New, []byte(s))
		m.Write(body)
		// Check every secret, so timing does not reveal which one matched.
		if hmac.Equal(got, m.Sum(nil)) {
			match++
		}
	}
	if !configured {
		return errfmt.Errorf("greenhouse: webhook: %w: no secret configured", ats.ErrSignatureInvalid)
	}
	if match == 0 {
		return errfmt.Errorf("greenhouse: webhook: %w: signature does not match the body", ats.ErrSignatureInvalid)
	}
	return nil
}

// ReplayKey is the key a verifier remembers a delivery by: the SHA-256 of
// the signed body.
func ReplayKey(body []byte) string {
	sum := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// envelope is a delivery body: {"action": …, "payload": {…}}.
type envelope struct {
	Action  string          `json:"action"`
	Payload json.RawMessage `json:"payload"`
}

// webhookApplication is the part of payload.application the client reads.
// Webhook payloads still use v1-style objects; whether current_stage.id
// equals the v3 job_interview_stage_id is not documented, and v3 clients
// treat it so.
type webhookApplication struct {
	ID             flexID    `json:"id"`
	Status         string    `json:"status"`
	LastActivityAt time.Time `json:"last_activity_at"`
	CurrentStage   *struct {
		ID   flexID `json:"id"`
		Name string `json:"name"`
	} `json:"current_stage"`
	Jobs []struct {
		ID flexID `json:"id"`
	} `json:"jobs"`
	JobID flexID `json:"job_id"`
}

// ParseEvent decodes a delivery without verifying it, and returns the
// event time a verifier checks for freshness (zero when the action carries
// none; see WebhookVerifier). Use a WebhookVerifier for
// anything received from the network. Errors wrap ats.ErrMalformedWebhook.
func ParseEvent(body []byte, header http.Header) (ats.Event, time.Time, error) {
	malformed := func(format string, args ...any) (ats.Event, time.Time, error) {
		return ats.Event{}, time.Time{}, errfmt.Errorf("greenhouse: webhook: %w: %s", ats.ErrMalformedWebhook, fmt.Sprintf(format, args...))
	}
	var env envelope
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&env); err != nil {
		return malformed("body is not a JSON object with action and payload")
	}
	if _, err := dec.Token(); err != io.EOF {
		return malformed("trailing data after the JSON object")
	}
	if env.Action == "" {
		return malformed("no action")
	}
	ev := ats.Event{Source: "greenhouse", Type: env.Action, Kind: ats.EventUnknown, Raw: json.RawMessage(bytes.Clone(body))}
	if header != nil {
		ev.ID = strings.TrimSpace(header.Get(EventIDHeader))
	}
	if ev.ID == "" {
		ev.ID = ReplayKey(body)
	}
	var at time.Time
	var p struct {
		Application *webhookApplication `json:"application"`
		Interview   *struct {
			ID            flexID `json:"id"`
			ApplicationID flexID `json:"application_id"`
		} `json:"interview"`
		UpdatedAt time.Time `json:"updated_at"`
	}
	if len(env.Payload) > 0 && !bytes.Equal(bytes.TrimSpace(env.Payload), []byte("null")) {
		if err := json.Unmarshal(env.Payload, &p); err != nil {
			return malformed("payload does not decode: %v", shortErr(err))
		}
	}
	if a := p.Application; a != nil {
		ev.CandidateID = a.ID.String()
		if len(a.Jobs) > 0 {
			ev.JobID = a.Jobs[0].ID.String()
		} else {
			ev.JobID = a.JobID.String()
		}
		if a.CurrentStage != nil {
			ev.ToStage = ats.StageRef{ID: a.CurrentStage.ID.String(), Name: a.CurrentStage.Name}
		}
		at = a.LastActivityAt
	} else if p.Interview != nil {
		ev.CandidateID = p.Interview.ApplicationID.String()
	}
	if at.IsZero() {
		at = p.UpdatedAt
	}
	ev.Time = at
	switch env.Action {
	case ActionCandidateStageChange:
		ev.Kind = ats.EventStageChanged
		if ev.ToStage.IsZero() {
			return malformed("%s without application.current_stage", env.Action)
		}
	case ActionNewCandidateApplication:
		ev.Kind = ats.EventCandidateCreated
	case ActionRejectCandidate:
		ev.Kind = ats.EventArchived
	case ActionUnrejectCandidate:
		ev.Kind = ats.EventUnarchived
	case ActionHireCandidate:
		ev.Kind = ats.EventHired
	case ActionDeleteApplication:
		ev.Kind = ats.EventDeleted
	case ActionInterviewDeleted:
		ev.Kind = ats.EventInterviewDeleted
	}
	if ev.Kind != ats.EventUnknown && ev.Kind != ats.EventInterviewDeleted && ev.CandidateID == "" {
		return malformed("%s without payload.application.id", env.Action)
	}
	if env.Action != ActionCandidateStageChange {
		at = time.Time{}
	}
	return ev, at, nil
}

// flexID is an ID in a webhook payload: a JSON number or string, kept as
// text. Payloads are decoded leniently, since their v3 alignment is not
// documented.
type flexID string

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexID(strings.TrimSpace(s))
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("id is neither a number nor a string")
		}
		*f = flexID(n.String())
	}
	return nil
}

// String returns the ID.
func (f flexID) String() string { return string(f) }

func shortErr(err error) string {
	s := err.Error()
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// WebhookHandlerOptions configures WebhookHandler.
type WebhookHandlerOptions struct {
	// MaxBodyBytes caps the body; larger deliveries get 413. Zero uses
	// ats.DefaultMaxWebhookBytes.
	MaxBodyBytes int64
	// Logger receives a warning per rejected delivery; nil uses slog.Default().
	Logger *slog.Logger
}

// WebhookHandler returns an http.Handler, built on ats.NewWebhookHandler,
// that verifies Greenhouse deliveries with v and passes their events to
// fn. It answers 200 when fn succeeds; 405 to anything but POST; 413 to an
// oversized body; 400 to a malformed payload; 401 to a missing or invalid
// signature; 500 when fn fails, so Greenhouse retries (only 200 counts as
// delivered).
//
// Greenhouse pings the endpoint when a webhook is saved and disables the
// webhook if the ping fails. The ping payload is not documented; a body
// whose action is "ping" is answered 200 without calling fn, whether or
// not it is signed, since nothing is acted on. A replayed delivery
// (ats.ErrWebhookReplayed from a verifier with a ReplayGuard) is answered
// 200 without calling fn. A WebhookVerifier (or any verifier implementing
// ats.WebhookContextVerifier) claims the delivery with the request's
// context; when fn fails the claim is released (ats.WebhookReleaser) so
// Greenhouse's retry is accepted, and when it succeeds the claim is
// confirmed (ats.WebhookConfirmer). A copy of a delivery another handler
// holds a provisional claim on (ats.ErrWebhookInFlight), and a delivery
// the replay guard's store could not decide on (ats.ErrReplayGuardFailed),
// are answered 503 so Greenhouse retries.
func WebhookHandler(v ats.WebhookVerifier, fn func(context.Context, []ats.Event) error, opts WebhookHandlerOptions) http.Handler {
	inner := func(ctx context.Context, evs []ats.Event) error {
		var act []ats.Event
		for _, e := range evs {
			if e.Type != ActionPing {
				act = append(act, e)
			}
		}
		if len(act) == 0 {
			return nil
		}
		return fn(ctx, act)
	}
	return ats.NewWebhookHandler(handlerVerifier{v}, inner, ats.WebhookHandlerOptions{Source: "greenhouse", MaxBodyBytes: opts.MaxBodyBytes, Logger: opts.Logger})
}

// handlerVerifier is the verifier WebhookHandler passes to
// ats.NewWebhookHandler: a ping has no events (answered 200, signed or
// not); everything else is v's, with the request's context, and a
// delivery's claim is released or confirmed through v.
type handlerVerifier struct{ v ats.WebhookVerifier }

var (
	_ ats.WebhookContextVerifier = handlerVerifier{}
	_ ats.WebhookReleaser        = handlerVerifier{}
	_ ats.WebhookConfirmer       = handlerVerifier{}
)

// VerifyWebhook implements ats.WebhookVerifier.
func (hv handlerVerifier) VerifyWebhook(body []byte, h http.Header) ([]ats.Event, error) {
	return hv.VerifyWebhookContext(context.Background(), body, h)
}

// VerifyWebhookContext implements ats.WebhookContextVerifier.
func (hv handlerVerifier) VerifyWebhookContext(ctx context.Context, body []byte, h http.Header) ([]ats.Event, error) {
	if isPing(body) {
		return nil, nil
	}
	return ats.VerifyWebhookContext(ctx, hv.v, body, h)
}

// ReleaseWebhook implements ats.WebhookReleaser when v does.
func (hv handlerVerifier) ReleaseWebhook(ctx context.Context, body []byte, h http.Header) error {
	return ats.ReleaseWebhook(ctx, hv.v, body, h)
}

// ConfirmWebhook implements ats.WebhookConfirmer when v does.
func (hv handlerVerifier) ConfirmWebhook(ctx context.Context, body []byte, h http.Header) error {
	return ats.ConfirmWebhook(ctx, hv.v, body, h)
}

// isPing reports whether body is Greenhouse's ping.
func isPing(body []byte) bool {
	var env struct {
		Action string `json:"action"`
	}
	return json.Unmarshal(body, &env) == nil && env.Action == ActionPing
}
