// Package ashby is an atskit adapter for Ashby's public API
// (https://developers.ashbyhq.com/reference).
//
// Ashby's API is RPC over POST: every call, reads included, is
// POST https://api.ashbyhq.com/<category>.<method> with a JSON body, HTTP
// Basic auth with the customer's API key as user name and a blank password,
// and an answer that is HTTP 200 whether or not the call succeeded: the
// body says {"success": true, "results": …} or {"success": false,
// "errorInfo": {"code", "message", "requestId"}}. The Client checks
// success, not the status code, and maps Ashby's error codes onto the ats
// typed errors (application_not_found → ats.ErrNotFound, invalid_input →
// *ats.ValidationError, missing_endpoint_permission → ats.ErrForbidden, …).
//
// How Ashby's model maps onto atskit:
//
//   - ats.Candidate.ID is an Ashby application ID (one person applying to
//     two jobs is two applications); ats.Candidate.PersonID is the Ashby
//     candidate ID, which notes, tags and files attach to.
//   - A job's stages are the stages of its interview plan
//     (jobInterviewPlan.info). Moving is application.changeStage; archiving
//     (Disqualify) is a move to the plan's Archived-type stage with an
//     archive reason.
//   - A job is linked to the vendor when its interview plan has a stage
//     named Options.VendorStage.
//   - Interviews the vendor schedules are Ashby interview schedules
//     (ats.InterviewScheduler): interviewers are Ashby users, given by ID
//     and sent by email, defaulting to Options.ActingUserEmail.
//   - Webhooks are managed through the API (webhook.create, .info, .update,
//     .delete); Ashby has no webhook.list, so the Client remembers the IDs it
//     created and the host passes the IDs it stored in Options.WebhookIDs.
//   - Deliveries are verified with Ashby-Signature: sha256=<hex HMAC> over
//     the raw body (WebhookVerifier) and served by WebhookHandler, which
//     answers Ashby's ping.
//
// Ashby does not document its general rate limit; the Client paces each
// account (each Client, one API key) at DefaultRateLimit unless
// Options.RateLimit says otherwise, and backs off on 429.
//
// # What is documented and what is assumed
//
// Where Ashby's documentation is silent the package takes the reading
// below, accepts every plausible form on input, and says so where it is
// implemented:
//
//   - Rate limit: unpublished; DefaultRateLimit (10/s, burst 10) until
//     Options.RateLimit says otherwise. A 429 with X-RateLimit-Scope:
//     integration-partner carries PartnerRateLimitCode. Retry-After is
//     honoured when sent.
//   - A wrong or deactivated key answers 403 with an undocumented code;
//     any 403 other than missing_endpoint_permission matches
//     ats.ErrUnauthorized as well as ats.ErrForbidden.
//   - Page size: capped silently by Ashby; DefaultPageSize is 100.
//   - jobInterviewPlan.info for a job with several plans: assumed to
//     return the default plan. Stage types beyond the stage-group types
//     map to ats.StageOther.
//   - No call removes a tag from a candidate and there is no webhook.list.
//   - Deliveries carry no ID and no time: ats.Event.ID is the SHA-256 of
//     the body (Ashby's retries of one delivery share it) and Event.Time
//     the application's updatedAt. Whether Ashby signs its ping is not
//     said; WebhookHandler accepts an unsigned ping.
//   - Notes are authored by the key's user (no author parameter).
//     AddMarkedNote (lifecycle.MarkedNoter) sends a note as HTML with the
//     lifecycle dispatcher's de-duplication key in an empty link, out of
//     recruiters' sight; AddNote sends plain text.
//   - archiveReason.list answers [{id, text, reasonType, isArchived}].
//   - Interview events are read as {id, startTime, endTime}; the vendor's
//     subject, link and note are sent as extraData.
//
// The ashbytest package is an in-process fake of the API for tests.
package ashby
