// Package lever is atskit's adapter for Lever's v1 API: a client that
// implements the ats contracts for an interview or assessment vendor.
//
// # Where it sits in the flow
//
// A Lever customer links a posting to the vendor by tagging it with the
// vendor's tag (Options.VendorTag), enables the "Candidate Stage Change"
// webhook, and grants the vendor access: OAuth for partners (OAuthConfig,
// with AuthCodeURL, Exchange and a refreshing TokenSource) or an API key
// for the customer's own integration (Options.APIKey, sent as HTTP Basic).
// CheckSetup reports, line by line with a fix for each problem, whether
// all of that is in place.
//
// The vendor then lists the linked postings (LinkedJobs), receives
// stage-change webhooks (WebhookHandler, WebhookVerifier, VerifyWebhook),
// reads the opportunity (Candidate), and reports back: notes (AddNote,
// CreateNote), stage moves (MoveCandidate), tags (AddTags), archiving
// (Disqualify) and a completed feedback form (SubmitFeedback), so the
// result lands where recruiters look.
//
// # Mapping
//
// A Lever opportunity is an ats.Candidate (ID = opportunity ID, PersonID =
// contact, JobID = the application's posting); a posting is an ats.Job; the
// account-wide stages are every job's pipeline. Writes are attributed to
// the perform_as user (Options.PerformAs or PerformAsEmail).
//
// # Transport
//
// Every call takes a context and goes through atskit's shared HTTP client:
// paced below Lever's documented 10 requests per second (burst 20) so a
// sync does not trip the server's bucket, retried with backoff on 429 and
// 5xx, and decoded into the ats typed errors with Lever's own message.
// With OAuth, a token is fetched on every attempt and a 401 triggers one
// refresh and retry, so a token that expires mid-sync costs no page.
//
// Package lever/levertest is an in-process fake of the same API for tests.
package lever
