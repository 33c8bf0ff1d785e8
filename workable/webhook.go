package workable

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
)

// SignatureHeader carries a delivery's signature.
const SignatureHeader = "X-Workable-Signature"

// DefaultMaxWebhookBytes is the body limit of WebhookHandler when
// WebhookHandlerOptions leaves it zero.
const DefaultMaxWebhookBytes = ats.DefaultMaxWebhookBytes

// Sign returns the signature Workable sends for body: hex(HMAC-SHA256(body))
// keyed with secret (the account token, or the OAuth application secret).
func Sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// decodeSignature decodes a signature header value: lowercase or uppercase
// hex, which is what Workable is known to send, optionally prefixed
// "sha256=" (the GitHub-style form some senders use), or base64 of the 32
// MAC bytes. Workable documents only "HMAC-SHA256 of the payload"
// (https://workable.readme.io/reference/webhooks), not its encoding; each
// form still has to carry the full 32-byte MAC of the body, so accepting
// them costs no security.
func decodeSignature(sig string) ([]byte, bool) {
	sig = strings.TrimSpace(sig)
	if len(sig) > 7 && strings.EqualFold(sig[:7], "sha256=") {
		sig = strings.TrimSpace(sig[7:])
	}
	if b, err := hex.DecodeString(sig); err == nil && len(b) == sha256.Size {
		return b, true
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(sig); err == nil && len(b) == sha256.Size {
			return b, true
		}
	}
	return nil, false
}

// VerifyWebhook verifies a Workable delivery and decodes it.
//
// Workable signs the raw body with HMAC-SHA256 keyed with the account API
// token (or, for OAuth integrations, the OAuth application secret) and
// sends it in X-Workable-Signature
// (https://workable.readme.io/reference/webhooks); the hex encoding is
// confirmed only by third-party code, and which key partner-token
// integrations use is undocumented. The comparison is constant-time and
// the check fails closed: no secret, no or malformed signature, or a
// mismatch is an error wrapping ats.ErrSignatureMissing or
// ats.ErrSignatureInvalid; an undecodable (signed) body wraps
// ats.ErrMalformedWebhook.
//
// The result is one event: candidate_moved → ats.EventStageChanged,
// candidate_created → ats.EventCandidateCreated, anything else
// ats.EventUnknown with Type set. The payload is the candidate's state at
// delivery time (Snapshot is set); ToStage carries the payload's stage as
// far as it can be interpreted (Client.ResolveEvent fills in slug and
// name).
func VerifyWebhook(body []byte, header http.Header, secret string) ([]ats.Event, error) {
	return WebhookVerifier{Secrets: []string{secret}}.VerifyWebhook(body, header)
}

// maxSignatures bounds how many comma-separated values of the signature
// header are tried, so a header cannot make verification arbitrarily slow.
const maxSignatures = 4

// DefaultWebhookReplayWindow is how long WebhookVerifier.Replay remembers
// an accepted delivery when ReplayWindow is zero. Workable signs no
// timestamp and documents no retry schedule, only that it "replays the
// request" until it gets a 200 (https://workable.readme.io/reference/webhooks);
// three days is assumed to outlast its retries, as it does the schedules of
// other webhook senders (Stripe retries for up to three days). A duplicate
// arriving later is accepted again.
const DefaultWebhookReplayWindow = 72 * time.Hour

// WebhookVerifier verifies Workable deliveries. It implements
// ats.WebhookVerifier and ats.WebhookReleaser.
//
// Workable's deliveries carry no timestamp or delivery token, so a
// captured delivery verifies forever; with Replay set, each accepted
// delivery is remembered by the SHA-256 of its signed body (which carries
// the event's id and fired_at) for ReplayWindow, and a second copy within
// it is answered ats.ErrWebhookReplayed (a handler answers it 200, so
// Workable stops retrying, and nothing is acted on twice).
type WebhookVerifier struct {
	// Secrets are the accepted signing secrets (the account token, or the
	// OAuth application secret); several allow a rotation: a delivery
	// verifies if any of them signed it. Every secret is
	// tried, so the time taken does not depend on which matched; with
	// no secret at all every delivery fails (fail closed).
	Secrets []string
	// Replay remembers accepted deliveries (lifecycle/memstore and
	// lifecycle/sqlstore implement it, shared across replicas). Nil keeps
	// no memory. WebhookHandler releases a delivery whose processing
	// failed; a caller of VerifyWebhook does so itself with
	// ReleaseWebhook, so that Workable's retry is accepted.
	Replay ats.ReplayGuard
	// ReplayWindow is how long Replay remembers a delivery; zero uses
	// DefaultWebhookReplayWindow.
	ReplayWindow time.Duration
	// ClaimLease is how long a provisional claim on a delivery holds
	// when Replay implements ats.DeliveryConfirmer: a claim not confirmed
	// (ConfirmWebhook, which WebhookHandler calls once the events are
	// stored) within it lapses, so Workable's retry of a delivery whose
	// handler died is accepted. Zero uses ats.DefaultClaimLease.
	ClaimLease time.Duration
	// Connection names the customer account the deliveries belong to; it
	// scopes Replay and is copied to ats.Event.Connection.
	Connection string
	// Now returns the current time; nil uses time.Now.
	Now func() time.Time
}

// VerifyWebhook implements ats.WebhookVerifier; see the package function
// for the signature rules. It also accepts several comma-separated
// signatures in the header (at most four are tried). With Replay, a
// delivery already accepted within ReplayWindow is an error wrapping
// ats.ErrWebhookReplayed, and a failing guard's error is returned (fail
// closed: the handler answers 5xx and Workable retries).
func (v WebhookVerifier) VerifyWebhook(body []byte, header http.Header) ([]ats.Event, error) {
	return v.VerifyWebhookContext(context.Background(), body, header)
}

// VerifyWebhookContext is VerifyWebhook with ctx bounding the ReplayGuard
// call. It implements ats.WebhookContextVerifier, so WebhookHandler (and
// any handler built on ats.NewWebhookHandler) claims the delivery with the
// request's context.
func (v WebhookVerifier) VerifyWebhookContext(ctx context.Context, body []byte, header http.Header) ([]ats.Event, error) {
	if !slices.ContainsFunc(v.Secrets, func(s string) bool { return s != "" }) {
		return nil, errfmt.Errorf("workable: webhook: no verification secret configured: %w", ats.ErrSignatureInvalid)
	}
	raw := strings.TrimSpace(header.Get(SignatureHeader))
	if raw == "" {
		return nil, errfmt.Errorf("workable: webhook: no %s header: %w", SignatureHeader, ats.ErrSignatureMissing)
	}
	var sigs [][]byte
	for part := range strings.SplitSeq(raw, ",") {
		if len(sigs) == maxSignatures {
			break
		}
		if b, ok := decodeSignature(part); ok {
			sigs = append(sigs, b)
		}
	}
	if len(sigs) == 0 {
		return nil, errfmt.Errorf("workable: webhook: %s is not a hex (or base64) SHA-256 HMAC: %w", SignatureHeader, ats.ErrSignatureInvalid)
	}
	if !v.signedBy(body, sigs) {
		return nil, errfmt.Errorf("workable: webhook: signature does not match the body: %w", ats.ErrSignatureInvalid)
	}
	ev, err := ParseEvent(body)
	if err != nil {
		return nil, err
	}
	ev.Connection = v.Connection
	if v.Replay != nil {
		window := v.ReplayWindow
		if window <= 0 {
			window = DefaultWebhookReplayWindow
		}
		now := time.Now
		if v.Now != nil {
			now = v.Now
		}
		t := now()
		err := ats.ClaimDelivery(ctx, v.Replay, v.Connection, DeliveryKey(body), ats.LeaseEnd(t, v.ClaimLease), t.Add(window))
		switch {
		case errors.Is(err, ats.ErrWebhookInFlight):
			return nil, errfmt.Errorf("workable: webhook: delivery is being processed: %w", err)
		case errors.Is(err, ats.ErrWebhookReplayed):
			return nil, errfmt.Errorf("workable: webhook: delivery already accepted: %w", err)
		case err != nil:
			return nil, errfmt.Errorf("workable: webhook: replay guard: %w", err)
		}
	}
	return []ats.Event{ev}, nil
}

// ReleaseWebhook implements ats.WebhookReleaser: it forgets the delivery
// in Replay, so that Workable's retry of a delivery whose processing
// failed is accepted. Without Replay it does nothing.
func (v WebhookVerifier) ReleaseWebhook(ctx context.Context, body []byte, _ http.Header) error {
	if v.Replay == nil {
		return nil
	}
	return v.Replay.ForgetDelivery(ctx, v.Connection, DeliveryKey(body))
}

// ConfirmWebhook implements ats.WebhookConfirmer: once the delivery's
// events are stored, it confirms the provisional claim VerifyWebhook took,
// so the delivery is remembered for ReplayWindow. A caller of
// VerifyWebhook calls it itself after storing the events; without it the
// claim lapses after ClaimLease. Without Replay it does nothing.
func (v WebhookVerifier) ConfirmWebhook(ctx context.Context, body []byte, _ http.Header) error {
	if v.Replay == nil {
		return nil
	}
	window := v.ReplayWindow
	if window <= 0 {
		window = DefaultWebhookReplayWindow
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	return ats.ConfirmDelivery(ctx, v.Replay, v.Connection, DeliveryKey(body), now().Add(window))
}

var (
	_ ats.WebhookContextVerifier = WebhookVerifier{}
	_ ats.WebhookReleaser        = WebhookVerifier{}
	_ ats.WebhookConfirmer       = WebhookVerifier{}
)

// DeliveryKey is the ReplayGuard key of a delivery: "sha256:" and the hex
// SHA-256 of its body, which Workable signs (the body carries the event's
// id and fired_at, so two deliveries of different events differ).
func DeliveryKey(body []byte) string {
	sum := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// signedBy reports whether any of sigs is the HMAC of body under any
// configured secret. Every pair is compared, so the time taken does not
// depend on which matched.
func (v WebhookVerifier) signedBy(body []byte, sigs [][]byte) bool {
	ok := 0
	for _, secret := range v.Secrets {
		if secret == "" {
			continue
		}
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(body)
		want := m.Sum(nil)
		for _, sig := range sigs {
			ok |= subtle.ConstantTimeCompare(sig, want)
		}
	}
	return ok == 1
}

// ParseEvent decodes a delivery body without verifying it. Use
// VerifyWebhook for anything received from the network. Errors wrap
// ats.ErrMalformedWebhook and name the field that was wrong.
//
// The envelope — id, event_type, fired_at, resource_type, data — is known
// only from third-party code, not from Workable's documentation: the id's format is
// unconfirmed, so a string or a number is accepted; fired_at is parsed
// leniently (an unreadable time is left zero); data is "similar to the
// candidate details endpoint".
func ParseEvent(body []byte) (ats.Event, error) {
	malformed := func(format string, args ...any) (ats.Event, error) {
		return ats.Event{}, errfmt.Errorf("workable: webhook: %s: %w", fmt.Sprintf(format, args...), ats.ErrMalformedWebhook)
	}
	var env map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&env); err != nil || env == nil {
		return malformed("body is not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return malformed("trailing data after the JSON object")
	}
	var eventType string
	switch raw, ok := env["event_type"]; {
	case !ok || isNull(raw):
		return malformed("no event_type")
	case json.Unmarshal(raw, &eventType) != nil:
		return malformed("event_type is %s, not a string", jsonKind(raw))
	case eventType == "":
		return malformed("no event_type")
	}
	id := ""
	if raw, ok := env["id"]; ok && !isNull(raw) {
		if id = rawID(raw); id == "" {
			return malformed("id is %s, not a string or number", jsonKind(raw))
		}
	}
	var fired wtime
	if raw, ok := env["fired_at"]; ok {
		_ = fired.UnmarshalJSON(raw) // lenient, never fails
	}
	var resourceType string
	_ = json.Unmarshal(env["resource_type"], &resourceType) // informative only

	ev := ats.Event{
		ID: id, Source: "workable", Type: eventType, Time: fired.Time,
		Snapshot: true, Raw: json.RawMessage(bytes.Clone(body)),
	}
	if ev.ID == "" {
		sum := sha256.Sum256(body)
		ev.ID = "sha256:" + hex.EncodeToString(sum[:])
	}
	knownCandidate := eventType == EventCandidateCreated || eventType == EventCandidateMoved
	if knownCandidate || resourceType == "candidate" {
		rawData, ok := env["data"]
		if !ok || isNull(rawData) {
			return malformed("no data object for a %s event", eventType)
		}
		var data struct {
			ID  json.RawMessage `json:"id"`
			Job *struct {
				Shortcode string `json:"shortcode"`
			} `json:"job"`
			Stage string `json:"stage"`
		}
		if err := json.Unmarshal(rawData, &data); err != nil {
			return malformed("data is not a candidate object (%v)", err)
		}
		ev.CandidateID = rawID(data.ID)
		if ev.CandidateID == "" && len(data.ID) > 0 && !isNull(data.ID) {
			return malformed("data.id is %s, not a string", jsonKind(data.ID))
		}
		if ev.CandidateID == "" && knownCandidate {
			return malformed("data has no candidate id")
		}
		if data.Job != nil {
			ev.JobID = data.Job.Shortcode
		}
		if eventType == EventCandidateMoved {
			ev.ToStage = rawStageRef(data.Stage)
		}
	}
	switch eventType {
	case EventCandidateMoved:
		ev.Kind = ats.EventStageChanged
	case EventCandidateCreated:
		ev.Kind = ats.EventCandidateCreated
	default:
		ev.Kind = ats.EventUnknown
	}
	return ev, nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// jsonKind names the JSON type of raw for error messages (never its value,
// which may be long or sensitive).
func jsonKind(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "empty"
	}
	switch t[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// ResolveEvent fills in the slug and name of ev.ToStage through the job's
// stages (the payload names the stage one way or the other).
func (c *Client) ResolveEvent(ctx context.Context, ev *ats.Event) error {
	if ev.ToStage.IsZero() || ev.JobID == "" {
		return nil
	}
	raw := ev.ToStage.ID
	if raw == "" {
		raw = ev.ToStage.Name
	}
	ref, err := c.ResolveStage(ctx, ev.JobID, raw)
	if err != nil {
		return err
	}
	ev.ToStage = ref
	return nil
}

// WebhookHandlerOptions configures WebhookHandler. The zero value uses
// the defaults.
type WebhookHandlerOptions struct {
	// MaxBodyBytes limits the body (default DefaultMaxWebhookBytes).
	MaxBodyBytes int64
	// Logger receives one record per rejected or failed delivery; nil
	// uses slog.Default(). Bodies and secrets are never logged.
	Logger *slog.Logger
}

// WebhookHandler returns an http.Handler for Workable deliveries. It reads
// the raw body, verifies it with v and passes the events to fn, answering
// exactly 200 on success (Workable replays anything else),
// 401 on a signature failure, 400 on a malformed payload, 413 on a body
// over the limit, 405 for methods other than POST and 500 when fn fails,
// so that Workable delivers again.
func WebhookHandler(v ats.WebhookVerifier, fn func(context.Context, []ats.Event) error, opts WebhookHandlerOptions) http.Handler {
	return ats.NewWebhookHandler(v, fn, ats.WebhookHandlerOptions{Source: "workable", MaxBodyBytes: opts.MaxBodyBytes, Logger: opts.Logger})
}
