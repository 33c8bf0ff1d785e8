// Package greenhouse is a client for Greenhouse's Harvest API v3
// (https://harvestdocs.greenhouse.io/), the API an interview or assessment
// vendor calls to read jobs and applications and to write stage moves,
// notes, tags, rejections, reports and scheduled interviews. Harvest v1
// and v2 were switched off on 2026-08-31; this package speaks v3 only.
//
// A Client implements ats.Adapter and the optional capabilities
// ats.LinkedJobLister, ats.CandidateLister, ats.Tagger, ats.Disqualifier,
// ats.ReportAttacher, ats.InterviewScheduler and (for partners)
// ats.WebhookSubscriber. In Greenhouse one person
// applying to two jobs has two applications; an ats.Candidate is one
// application (Candidate.ID is the application ID, Candidate.PersonID the
// Greenhouse candidate ID).
//
// Authentication is OAuth 2.0: a customer's own integration uses the
// client-credentials grant with the acting user as sub (Options.ClientID,
// ClientSecret, UserID), a partner serving many customers the
// authorization-code grant (AuthCodeConfig). The acting user of a v3 call
// is the token's user; there is no On-Behalf-Of header
// (https://harvestdocs.greenhouse.io/docs/authentication).
//
// Lists are cursor-paginated: the client follows the Link rel="next" URL
// as given (resolved against its page when relative) and never adds
// parameters to it (https://harvestdocs.greenhouse.io/docs/pagination).
// Requests are paced from the rate-limit headers Greenhouse sends; clients
// of one account share its budget through Options.Pacer (package pacing:
// pacing.Memory in one process, lifecycle/sqlstore's Store.Pacer across
// replicas), as with every adapter.
//
// Webhooks are verified with WebhookVerifier (HMAC-SHA256 of the raw body,
// "Signature: sha256 <hex>") and served by WebhookHandler, which also
// answers Greenhouse's ping.
//
// Package greenhousetest is an in-process fake of Harvest v3, its OAuth
// server and its webhook sender, for tests.
package greenhouse
