// Package levertest is an in-process fake of Lever's v1 API for tests, in
// the spirit of net/http/httptest: NewServer starts a real HTTP server on a
// loopback port, so the lever client is exercised through its real code
// path, headers and all. It behaves as Lever documents, not as the client
// assumes (https://hire.lever.co/developer/documentation).
//
// The fake serves the endpoints an interview vendor uses (postings, stages,
// users, opportunities with their stage, tags, archive state, resumes and
// their download route, notes, feedback and feedback templates, panels and
// interviews, file uploads, archive reasons and webhooks) under URL
// ("/v1"); every other path answers a loud 404, so a client that drops the
// base path fails. It models:
//
//   - HTTP Basic auth for API keys and Bearer tokens from its own OAuth
//     authorization server (AuthURL, TokenURL) that issues expiring access
//     tokens and refresh tokens that rotate on every refresh and expire
//     after a year or 90 idle days; ExpireAccessTokens invalidates the
//     tokens in use to test refresh mid-sync;
//   - scopes: an OAuth token lacking a resource's scope gets 403
//     (resumes:read:admin for resumes, confidential:access:admin for
//     confidential records, panels:write:admin, files:write:admin, …);
//   - confidential postings and opportunities, listed only with
//     confidentiality=all; the published-postings quirk (without a
//     distributionChannel only postings on the public job site are listed);
//     case-sensitive tag filters; archive reasons with an active or
//     inactive status;
//   - perform_as as Lever documents it: optional on notes, stage, tags and
//     archive; required on feedback, panels and files;
//   - feedback validated against the template's field types and options,
//     with the "No Feedback" template every account has; templates created
//     through the API need exactly one score-system field; the create
//     response is unwrapped, as documented;
//   - percent-encoded JSON offset tokens with hasNext and next; an
//     opportunity listing's token names the last opportunity listed, like
//     Lever's [1, <ms>, "<id>"], so opportunities that stop matching the
//     filters between two pages never make the next page skip others;
//   - files as Lever documents them: an upload answers the flat file object
//     (uploadedAt and size as quoted numbers), and the listing is a bare
//     JSON array, readable with files:read:admin or files:write:admin;
//   - readable stage IDs such as "lead-new" next to UUIDs
//     (AddStageWithID);
//   - Lever's rate limit as a token bucket (10/s, burst 20 by default) that
//     answers 429 without Retry-After;
//   - error bodies shaped like Lever's {"code","message"};
//   - webhooks: the signature token only in the (double-wrapped) create
//     response; API-created webhooks deliver nothing until a Super Admin
//     switches their group on (SetWebhookGroup); deliveries without a
//     top-level id, with a 48-character token and the Lever-Webhooks user
//     agent; five retries with growing gaps when the receiver does not
//     answer 2xx, and Rerun for an admin's manual redelivery. Recruiter
//     helpers (MoveCandidate, ArchiveOpportunity) fire them;
//     WaitDeliveries waits for them;
//   - fault injection (5xx, 429, stalls) with a deterministic seed, and
//     FailRequests for conformance tests.
//
// Seeding methods (AddUser, AddStage, AddPosting, AddOpportunity, …) set
// up the account; inspection methods (Notes, StageChanges, Opportunity,
// Feedback, Panels, Files, Deliveries, Requests, …) report what the client
// did.
//
// Assumptions about Lever's behaviour that its documentation does not
// settle are noted where they are implemented.
package levertest
