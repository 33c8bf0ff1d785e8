package ats

import (
	"context"
	"net/http"
)

// WebhookContextVerifier is implemented by a verifier whose checks call
// out, such as a claim in its ReplayGuard's store, so that they can honour
// a context: a request that is cancelled or times out cancels the call,
// and a traced request's span reaches the store. NewWebhookHandler (and so
// every adapter's WebhookHandler and hosting's per-connection route)
// verifies with VerifyWebhookContext and the request's context when v
// implements it. The adapters' WebhookVerifier types implement it, with
// VerifyWebhook being VerifyWebhookContext with context.Background.
type WebhookContextVerifier interface {
	WebhookVerifier
	// VerifyWebhookContext is VerifyWebhook with ctx bounding and
	// carrying the verifier's outside calls. A guard's failure, including
	// ctx's cancellation during the claim, wraps ErrReplayGuardFailed.
	VerifyWebhookContext(ctx context.Context, body []byte, header http.Header) ([]Event, error)
}

// VerifyWebhookContext verifies a delivery with v, passing ctx on when v
// implements WebhookContextVerifier and calling v.VerifyWebhook otherwise.
// Verifiers that wrap another verifier (to answer a ping, say) use it so
// the request's context reaches the wrapped one.
func VerifyWebhookContext(ctx context.Context, v WebhookVerifier, body []byte, header http.Header) ([]Event, error) {
	if cv, ok := v.(WebhookContextVerifier); ok {
		return cv.VerifyWebhookContext(ctx, body, header)
	}
	return v.VerifyWebhook(body, header)
}

// ReleaseWebhook releases a delivery's claim through v when v implements
// WebhookReleaser and does nothing otherwise: for verifiers that wrap
// another one.
func ReleaseWebhook(ctx context.Context, v WebhookVerifier, body []byte, header http.Header) error {
	if r, ok := v.(WebhookReleaser); ok {
		return r.ReleaseWebhook(ctx, body, header)
	}
	return nil
}

// ConfirmWebhook confirms a delivery's claim through v when v implements
// WebhookConfirmer and does nothing otherwise: for verifiers that wrap
// another one.
func ConfirmWebhook(ctx context.Context, v WebhookVerifier, body []byte, header http.Header) error {
	if c, ok := v.(WebhookConfirmer); ok {
		return c.ConfirmWebhook(ctx, body, header)
	}
	return nil
}
