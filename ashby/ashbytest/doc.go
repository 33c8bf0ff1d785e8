// Package ashbytest is an in-process fake of Ashby's API for tests, in the
// spirit of net/http/httptest: NewServer starts a real HTTP server on a
// loopback port, so the ashby client is exercised through its real code
// path, headers and all.
//
// The API is mounted under a non-empty base path (URL ends in
// BasePath): every other path answers a loud 404, so a client that drops
// the path fails. Like Ashby, the fake
//
//   - accepts only POST to /<category>.<method> with a JSON body, and
//     refuses unknown or ill-typed fields with invalid_input;
//   - authenticates with HTTP Basic (key as user name): no key → 401, an
//     unknown or deactivated key → 403, a key lacking the route's module
//     permission → 403 missing_endpoint_permission;
//   - answers domain errors with HTTP 200 and {"success": false, "errors":
//     [code], "errorInfo": {code, message, requestId}};
//   - pages lists with limit (capped), cursor, syncToken and createdAfter,
//     answering moreDataAvailable, nextCursor and, on the last page,
//     syncToken; an incremental sync returns only records changed since
//     its token; ExpireCursors, ExpireSyncTokens and
//     WithIncrementalLimit simulate next_cursor_expired,
//     sync_token_expired and incremental_sync_too_large;
//   - hangs stages off interview plans and validates
//     application.changeStage (stage in the plan, archive reason rules,
//     archive email failures leave the stage unchanged) and appends to the
//     application history;
//   - strips note HTML to Ashby's subset, returns the existing tag on
//     candidateTag.create, uploads files through a presigned URL that
//     expires after 10 minutes;
//   - manages webhooks through webhook.create/info/update/delete (no
//     webhook.list), pings on create and update (a failed ping leaves the
//     webhook disabled), and delivers signed events with Ashby's retry
//     policy ((2^n − 1) × a delay unit, 10 attempts, no retry on 401,
//     403, 404, 405, 410; WithWebhookRetryGaps changes the waits), emitting duplicates the way Ashby does (a stage
//     change fires candidateStageChange and applicationUpdate);
//   - rate-limits each key with a token bucket answering 429, and can
//     answer as Ashby's partner-wide throttle (X-RateLimit-Scope:
//     integration-partner).
//
// Seeding methods (AddUser, AddJob, AddCandidate, AddApplication,
// AddArchiveReason, AddAPIKey) set up the account; MoveCandidate plays a
// recruiter; inspection methods (Notes, Application, Candidate, Files,
// Deliveries, Requests, …) report what the client did.
//
// Where Ashby's behaviour is undocumented (rate-limit numbers, Retry-After,
// the code for a bad key, the page-size cap) the fake's choice is
// configurable and says so where it is implemented.
package ashbytest
