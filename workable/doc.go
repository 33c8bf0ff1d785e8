// Package workable is the atskit adapter for Workable's recruiting API
// (SPI v3). It lets an interview or assessment vendor connect to a
// customer's Workable account, find the jobs linked to the vendor, follow
// candidates through the pipeline and write results back.
//
// # Connecting
//
// NewClient takes Options with the account's Subdomain and a Token. Three kinds of
// token are supported (Options.TokenKind): an account API token generated
// by an admin, a partner token (Options.ClientID is sent as
// X-WORKABLE-CLIENT-ID), and OAuth 2.0 (Options.TokenSource, see
// OAuthConfig, AuthCodeURL, Exchange and Refresh). Requests are paced at
// the documented limit for the kind of token — 10 requests per 10 seconds
// for account tokens, 50 for partner and OAuth tokens — with a bucket that
// cannot put more than the limit into any of Workable's fixed windows, and
// the client also pauses when X-Rate-Limit-Remaining reaches zero, so a
// long sync does not run into 429s. Idempotent calls are retried with
// jittered backoff on transport errors, 429 and 5xx.
//
// Write calls (move, comment, disqualify, rate) are attributed to a
// Workable member: set Options.MemberID, or Options.ActingMemberEmail to
// look it up once.
//
// # The vendor flow
//
// A job is linked to the vendor when its pipeline contains the vendor's
// stage (Options.VendorStage, e.g. "InterviewVector"); LinkedJobs lists
// those jobs. EnsureSubscription registers a candidate_moved webhook;
// WebhookHandler (or VerifyWebhook) checks the X-Workable-Signature HMAC
// and turns deliveries into ats.Events. The engine then reads the
// candidate (Candidate), posts notes (AddNote, AttachReport), tags
// (AddTags, RemoveTags), rates (SubmitFeedback) and moves candidates
// (MoveCandidate). CheckSetup validates an integration for an onboarding
// screen.
//
// Workable reports a candidate's stage sometimes as a slug and sometimes
// as its display name; the client resolves both through the job's stages
// (cached for Options.StageCacheTTL) so ats.Candidate.Stage carries both.
//
// Every list is an iter.Seq2 that fetches pages lazily by following
// paging.next; errors are the typed errors of package ats, with Workable's
// message kept. Workable's examples put paging.next on
// https://www.workable.com/spi/v3/accounts/<subdomain>/… while the request
// went to https://<subdomain>.workable.com, so next links are followed on
// any workable.com host when they address the same account; links to any
// other host or account are refused before credentials are sent.
//
// Package workabletest is an in-process fake of the API for tests.
//
// Facts the Workable documentation (https://workable.readme.io/reference)
// leaves open are implemented the most likely way, with a comment
// at the spot: the unit of X-Rate-Limit-Reset, the hex encoding of the
// webhook signature, the delivery envelope, the OAuth endpoint URLs, the
// status codes of some writes, the meaning of an omitted comment policy
// (the client always sends one), the stored form of comment bodies (Notes
// normalises them), the activities page size (the documented default, 50)
// and whether partner tokens may read GET /members (configure
// Options.MemberID for them).
package workable
