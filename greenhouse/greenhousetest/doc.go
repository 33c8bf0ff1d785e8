// Package greenhousetest is an in-process fake of Greenhouse for tests:
// the Harvest v3 API (mounted under a non-empty base path, Server.URL),
// its OAuth server (client credentials with sub, authorization code with
// single-use one-minute codes, rotating refresh tokens, expires_at in the
// token response) and its webhook sender (Signature: sha256 <hex> over the
// raw, Unicode-escaped body; a Greenhouse-Event-ID reused across retries;
// Greenhouse's 1/15/60/120/240/480-minute retry schedule, compressible
// with WithWebhookRetryGaps;
// a ping when a webhook is added, which disables the webhook when it
// fails).
//
// It reproduces what a client can get wrong against the real service,
// following Greenhouse's public documentation
// (https://harvestdocs.greenhouse.io/): bearer tokens checked on every
// call (401), one scope per route and scopes removed from a client taking
// effect at once (403), lists that need a Site Admin (403, switchable),
// bare-array lists with a Link rel="next" cursor that must be the only
// query parameter, per_page 1–500 and at most 50 IDs per filter (422),
// applications filtered with status=active but answered in_process, moves
// that require the current stage as from_stage_id, 204 answers without a
// body for move/reject/unreject, a fixed-window rate limit with
// X-RateLimit-Limit/Remaining and 429 with Retry-After and
// X-RateLimit-Reset, v1-shaped error bodies, and fault injection.
//
// Where Greenhouse's documentation is silent the fake makes an assumption
// and says so on the option or method that controls it.
package greenhousetest
