package ats

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
)

// DefaultMaxWebhookBytes caps a webhook body when WebhookHandlerOptions
// leaves MaxBodyBytes zero.
const DefaultMaxWebhookBytes = 1 << 20

// WebhookHandlerOptions configures NewWebhookHandler.
type WebhookHandlerOptions struct {
	// Source names the ATS in log records, e.g. "workable".
	Source string
	// MaxBodyBytes caps the body; larger deliveries get 413. Zero uses
	// DefaultMaxWebhookBytes.
	MaxBodyBytes int64
	// Logger receives a warning per rejected delivery and an error per
	// failed callback; nil discards. Bodies and secrets are never logged.
	Logger *slog.Logger
}

// NewWebhookHandler returns an http.Handler that verifies each delivery
// with v and passes its events to fn. It answers exactly 200 when fn
// succeeds; 405 (with Allow) to anything but POST; 413 to a body over the
// limit; 400 to a payload v reports as malformed (ErrMalformedWebhook); 401
// to any other verification failure, so it fails closed; and 500 when fn
// fails, so the ATS redelivers. Adapters wrap it with their own verifier
// (workable.WebhookHandler, lever.WebhookHandler).
func NewWebhookHandler(v WebhookVerifier, fn func(ctx context.Context, events []Event) error, opts WebhookHandlerOptions) http.Handler {
	limit := opts.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxWebhookBytes
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	src := slog.String("source", opts.Source)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				log.LogAttrs(r.Context(), slog.LevelWarn, "webhook rejected: body too large", src, slog.Int64("limit", limit))
				http.Error(w, "payload too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "reading body failed", http.StatusBadRequest)
			return
		}
		events, err := v.VerifyWebhook(body, r.Header)
		if err != nil {
			status, msg := http.StatusUnauthorized, "invalid signature"
			if errors.Is(err, ErrMalformedWebhook) {
				status, msg = http.StatusBadRequest, "malformed payload"
			}
			log.LogAttrs(r.Context(), slog.LevelWarn, "webhook rejected", src, slog.Int("status", status), slog.String("error", err.Error()))
			http.Error(w, msg, status)
			return
		}
		if err := fn(r.Context(), events); err != nil {
			log.LogAttrs(r.Context(), slog.LevelError, "webhook handling failed; the ATS will redeliver", src, slog.String("error", err.Error()))
			http.Error(w, "handling failed", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
