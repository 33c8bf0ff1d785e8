package ats

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/atskit/atskit/internal/safehttp"
	"github.com/atskit/atskit/internal/telemetryctx"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"
)

// DefaultMaxWebhookBytes caps a webhook body when WebhookHandlerOptions
// leaves MaxBodyBytes zero.
const DefaultMaxWebhookBytes = 1 << 20

// DefaultWebhookReadTimeout bounds reading a webhook body when
// WebhookHandlerOptions leaves ReadTimeout zero.
const DefaultWebhookReadTimeout = 10 * time.Second

// maxLoggedError bounds an error string in a log record: verification
// errors can quote the (unauthenticated) request.
const maxLoggedError = 200

// WebhookHandlerOptions configures NewWebhookHandler.
type WebhookHandlerOptions struct {
	// Source names the ATS in log records, e.g. "workable".
	Source string
	// MaxBodyBytes caps the body; larger deliveries get 413. Zero uses
	// DefaultMaxWebhookBytes.
	MaxBodyBytes int64
	// ReadTimeout bounds the time to read the body, measured from the
	// moment the handler starts reading it, so a caller trickling bytes
	// cannot hold the connection; a slower delivery gets 408 and the
	// connection is closed. It is set on the connection with
	// http.ResponseController and replaces the http.Server's read
	// deadline while the body is read (so keep it no longer than the
	// server's ReadTimeout if that is stricter). Zero uses
	// DefaultWebhookReadTimeout; negative leaves the server's deadline
	// alone.
	ReadTimeout time.Duration
	// Logger receives a warning per rejected delivery and an error per
	// failed callback; nil uses slog.Default(). Bodies and secrets are never logged,
	// and error texts are cut to a few hundred bytes.
	Logger *slog.Logger
	// TracerProvider creates an OpenTelemetry server span per delivery
	// ("atskit.webhook.receive", with atskit.ats, the answer's
	// http.response.status_code and atskit.webhook.events); nil uses
	// otel.GetTracerProvider(), which records nothing until the host
	// installs an SDK. No span is started when hosting.Handler already
	// started one for the delivery.
	TracerProvider trace.TracerProvider
}

// WebhookReleaser is implemented by a verifier that remembers accepted
// deliveries in a ReplayGuard. When the callback fails (the handler
// answers 500 so the ATS redelivers), NewWebhookHandler calls
// ReleaseWebhook with the same body and header so the verifier can
// ForgetDelivery and accept the ATS's retry. Errors are logged.
type WebhookReleaser interface {
	ReleaseWebhook(ctx context.Context, body []byte, header http.Header) error
}

// NewWebhookHandler returns an http.Handler that verifies each delivery
// with v and passes its events to fn. It answers exactly 200 when fn
// succeeds, and also when v or fn reports ErrWebhookReplayed (the delivery
// was already accepted: the ATS need not retry and nothing is acted on
// twice); 503 (with Retry-After) when v or fn reports ErrWebhookInFlight
// (another handler holds a provisional claim on the delivery: the retry
// is acknowledged once that claim is confirmed, or accepted once it
// lapsed); 405 (with Allow) to anything but POST; 413 to a body over the
// limit; 408 to a body not read within ReadTimeout; 400 to a payload v
// reports as malformed (ErrMalformedWebhook); 401 to any other
// verification failure, so it fails closed; and 500 when fn fails, so the
// ATS redelivers. A v implementing WebhookContextVerifier verifies with
// the request's context. After fn succeeded, a v implementing WebhookConfirmer
// confirms the delivery's claim before the 200; a v implementing
// WebhookReleaser releases it when fn failed. Adapters wrap it with their own verifier
// (workable.WebhookHandler, lever.WebhookHandler).
func NewWebhookHandler(v WebhookVerifier, fn func(ctx context.Context, events []Event) error, opts WebhookHandlerOptions) http.Handler {
	limit := opts.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxWebhookBytes
	}
	readTimeout := opts.ReadTimeout
	if readTimeout == 0 {
		readTimeout = DefaultWebhookReadTimeout
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	src := slog.String("source", opts.Source)
	tp := opts.TracerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	tracer := tp.Tracer("github.com/atskit/atskit/ats")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var sw *telemetryctx.StatusWriter
		if !telemetryctx.WebhookTraced(r.Context()) {
			r, sw = telemetryctx.StartWebhook(tracer, w, r, opts.Source, "")
			defer sw.End()
			w = sw
		}
		if r.Method != http.MethodPost {
			// A signature covers a POST's body; nothing else can be
			// authenticated, so there is nothing to hide by answering 401.
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, status := safehttp.ReadBody(w, r, limit, readTimeout)
		switch status {
		case 0:
		case http.StatusRequestEntityTooLarge:
			log.LogAttrs(r.Context(), slog.LevelWarn, "webhook rejected: body too large", src, slog.Int64("limit", limit))
			http.Error(w, "payload too large", status)
			return
		case http.StatusRequestTimeout:
			log.LogAttrs(r.Context(), slog.LevelWarn, "webhook rejected: body not read in time", src, slog.Duration("timeout", readTimeout))
			http.Error(w, "request timeout", status)
			return
		default:
			http.Error(w, "reading body failed", status)
			return
		}
		events, err := VerifyWebhookContext(r.Context(), v, body, r.Header)
		if errors.Is(err, ErrWebhookInFlight) {
			inFlight(w, r, log, src)
			return
		}
		if errors.Is(err, ErrWebhookReplayed) {
			log.LogAttrs(r.Context(), slog.LevelInfo, "webhook replayed; acknowledged without acting", src)
			w.WriteHeader(http.StatusOK)
			return
		}
		if errors.Is(err, ErrReplayGuardFailed) {
			// The signature may well be good: the guard's store failed, so
			// nothing was decided. A 5xx makes the ATS retry.
			log.LogAttrs(r.Context(), slog.LevelError, "webhook not verified: the replay guard failed; the ATS will redeliver", src, slog.String("error", safehttp.Bound(err.Error(), maxLoggedError)))
			http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
			return
		}
		if err != nil {
			status, msg := http.StatusUnauthorized, "invalid signature"
			if errors.Is(err, ErrMalformedWebhook) {
				status, msg = http.StatusBadRequest, "malformed payload"
			}
			log.LogAttrs(r.Context(), slog.LevelWarn, "webhook rejected", src, slog.Int("status", status), slog.String("error", safehttp.Bound(err.Error(), maxLoggedError)))
			http.Error(w, msg, status)
			return
		}
		if sw != nil {
			sw.Events = len(events)
		}
		if err := fn(r.Context(), events); err != nil {
			if errors.Is(err, ErrWebhookInFlight) {
				inFlight(w, r, log, src)
				return
			}
			if errors.Is(err, ErrWebhookReplayed) {
				log.LogAttrs(r.Context(), slog.LevelInfo, "webhook replayed; acknowledged without acting", src)
				w.WriteHeader(http.StatusOK)
				return
			}
			log.LogAttrs(r.Context(), slog.LevelError, "webhook handling failed; the ATS will redeliver", src, slog.String("error", safehttp.Bound(err.Error(), maxLoggedError)))
			if rel, ok := v.(WebhookReleaser); ok {
				// Detach from the request: it may be the cancellation
				// that made fn fail, and the claim must still go.
				ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
				if rerr := rel.ReleaseWebhook(ctx, body, r.Header); rerr != nil {
					log.LogAttrs(r.Context(), slog.LevelError, "webhook: releasing the delivery failed; the ATS's retry will be taken for a replay", src, slog.String("error", safehttp.Bound(rerr.Error(), maxLoggedError)))
				}
				cancel()
			}
			http.Error(w, "handling failed", http.StatusInternalServerError)
			return
		}
		if c, ok := v.(WebhookConfirmer); ok {
			// The events are stored: make the provisional claim last.
			// Detached from the request for the same reason as above.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
			if cerr := c.ConfirmWebhook(ctx, body, r.Header); cerr != nil {
				log.LogAttrs(r.Context(), slog.LevelError, "webhook: confirming the delivery failed; a retry after its lease lapses is accepted again (and de-duplicated downstream)", src, slog.String("error", safehttp.Bound(cerr.Error(), maxLoggedError)))
			}
			cancel()
		}
		w.WriteHeader(http.StatusOK)
	})
}

// inFlightRetryAfter is the Retry-After (seconds) of a 503 answered to a
// delivery another handler is still processing.
const inFlightRetryAfter = "60"

// inFlight answers a delivery whose claim another handler holds
// provisionally (ErrWebhookInFlight): 503, so the ATS retries later.
func inFlight(w http.ResponseWriter, r *http.Request, log *slog.Logger, src slog.Attr) {
	log.LogAttrs(r.Context(), slog.LevelInfo, "webhook delivery is being processed elsewhere; asked the ATS to retry", src)
	w.Header().Set("Retry-After", inFlightRetryAfter)
	http.Error(w, "delivery in progress; retry later", http.StatusServiceUnavailable)
}
