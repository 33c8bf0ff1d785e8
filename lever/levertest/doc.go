// Package levertest is an in-process fake of Lever's v1 API for tests, in
// the spirit of net/http/httptest: NewServer starts a real HTTP server on a
// loopback port, so the lever client is exercised through its real code
// path, headers and all.
//
// The fake serves the endpoints an interview vendor uses (postings, stages,
// users, opportunities with their stage, tags, archive state, resumes,
// notes and feedback, archive reasons, feedback templates and webhooks)
// under APIURL(), with:
//
//   - HTTP Basic auth for API keys and Bearer tokens from its own OAuth
//     authorization server (AuthURL, TokenURL) that issues expiring access
//     tokens and refresh tokens; ExpireAccessTokens invalidates the tokens
//     in use to test refresh mid-sync;
//   - scopes: an OAuth token lacking a resource's scope gets 403;
//   - offset-token pagination with hasNext and next;
//   - Lever's rate limit as a token bucket (10/s, burst 20 by default) that
//     answers 429;
//   - error bodies shaped like Lever's {"code","message"};
//   - signed outgoing webhooks when an opportunity changes stage or archive
//     state, through the API or a helper that plays a recruiter
//     (MoveOpportunity, ArchiveOpportunity); FlushWebhooks waits for them;
//   - fault injection (5xx, 429, stalls) with a deterministic seed, and
//     FailRequests for conformance tests.
//
// Seeding methods (AddUser, AddStage, AddPosting, AddOpportunity, …) set
// up the account; inspection methods (Notes, StageChanges, Opportunity,
// Feedback, Deliveries, Requests, …) report what the client did.
//
// Assumptions about Lever's behaviour that the reference could not confirm
// are noted where they are implemented.
package levertest
