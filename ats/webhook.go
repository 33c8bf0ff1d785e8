package ats

import "errors"

// Webhook verification failures. Verifiers wrap these with detail, so test
// with errors.Is.
var (
	// ErrSignatureMissing means the delivery carried no signature.
	ErrSignatureMissing = errors.New("ats: webhook signature missing")
	// ErrSignatureInvalid means the signature did not match the body.
	ErrSignatureInvalid = errors.New("ats: webhook signature invalid")
	// ErrWebhookExpired means the delivery is older than the allowed window
	// (a replay or a badly delayed retry).
	ErrWebhookExpired = errors.New("ats: webhook expired")
	// ErrMalformedWebhook means the signed payload could not be decoded.
	ErrMalformedWebhook = errors.New("ats: malformed webhook payload")
)
