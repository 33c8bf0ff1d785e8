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
// reads the opportunity (Candidate), puts the scheduled interview on the
// candidate's page as an externally managed panel (CreateScheduledInterview,
// UpdateScheduledInterview, DeleteScheduledInterview), and reports back:
// notes (AddNote, CreateNote), stage moves (MoveCandidate), tags (AddTags),
// archiving (Disqualify), a completed feedback form filed under that
// interview (SubmitFeedback, optionally on a vendor-owned template from
// CreateFeedbackTemplate) and the report file (AttachReport), so the result
// lands where recruiters look.
//
// # Webhooks
//
// Lever signs only a delivery's random token and its triggeredAt, not the
// event data, retries a failed delivery five times and lets an admin Rerun
// deliveries from two weeks of history. WebhookVerifier therefore accepts
// deliveries for two weeks when it has an ats.ReplayGuard (five minutes
// without one), acts on each delivery token once per connection, derives
// event IDs from the signed token and time, and marks events as snapshots
// so consumers re-read the opportunity. A webhook's signature token is
// returned only when the webhook is created (CreateWebhook,
// EnsureSubscription), and a Super Admin must switch the webhook group on
// before Lever sends anything.
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
