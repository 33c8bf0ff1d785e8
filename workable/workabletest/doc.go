// Package workabletest is an in-process fake of Workable's SPI v3 API, in
// the spirit of net/http/httptest: NewServer starts a real HTTP listener
// that behaves like the documented service, so tests exercise the real
// client code path, headers, pagination, rate limits, errors and signed
// webhook deliveries included.
//
//	srv := workabletest.NewServer(workabletest.WithRateLimit(20, 100*time.Millisecond))
//	defer srv.Close()
//	job := srv.AddJob(workabletest.Job{Title: "Backend Engineer",
//		Stages: workabletest.StagesNamed("Applied", "InterviewVector", "Offer")})
//	cand := srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode,
//		Stage: "applied", Name: "Ada Lovelace", Email: "ada@example.com"})
//	c, _ := workable.NewClient(workable.Options{Subdomain: srv.Subdomain(),
//		Token: workabletest.DefaultAPIKey, BaseURL: srv.URL, MemberID: srv.DefaultMemberID()})
//
// The fake serves the API under /spi/v3 (URL includes it). It models:
//
//   - bearer authentication: unknown tokens get 401 with Workable's nested
//     error body and no rate-limit headers; a token lacking the endpoint's
//     scope gets 403 {"error":"Forbidden"}; partner tokens must send
//     X-WORKABLE-CLIENT-ID;
//   - the documented rate limit in fixed windows per token (10 per 10 s for
//     account tokens, 50 per 10 s for partner tokens, WithRateLimit to scale
//     it down), with X-Rate-Limit-Limit/-Remaining/-Reset on every
//     authenticated response and 429 once the window's budget is spent;
//   - pagination with limit (default 50, max 100), since_id and a full
//     next-page URL at paging.next;
//   - 404 {"error":"Not found"} and 422 bodies (string, and an array of
//     strings for tag errors, as Workable sometimes sends);
//   - the quirks a client must cope with: candidate listings report the
//     stage as a slug while candidate details and webhook payloads report
//     its display name; empty strings come back as null;
//   - signed webhook deliveries (hex HMAC-SHA256 of the body in
//     X-Workable-Signature, keyed with the token that created the
//     subscription) to subscribed targets whenever a candidate is created or
//     moved, through the API or through AddCandidate/MoveCandidate, retried
//     until the target answers 200 (WithWebhookRetryGaps sets the waits);
//     WaitDeliveries waits for them.
//
// Every inspection method (Moves, Comments, Tags, Requests, ...) returns a
// copy and all methods are safe for concurrent use.
//
// Where Workable's documentation leaves a fact unconfirmed (status codes of move,
// comment and rating, the X-Rate-Limit-Reset format, the webhook envelope),
// the fake does what the client assumes, with a comment at the spot.
package workabletest
