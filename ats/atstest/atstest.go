// Package atstest is a conformance suite for ats adapters, in the spirit of
// testing/fstest.TestFS: whoever writes an adapter runs it against the
// adapter and a backing service (usually an in-process fake) to prove the
// adapter behaves as the rest of atskit expects.
//
//	func TestConformance(t *testing.T) {
//		atstest.Run(t, myBackend{...})
//	}
//
// The suite checks listing across several pages, stages, candidate reads,
// stage moves, notes, error mapping (404 → ats.ErrNotFound, 401 →
// ats.ErrUnauthorized, 429 → ats.ErrRateLimited, 5xx → a temporary
// *ats.APIError), context cancellation, iterators that stop when the
// consumer stops (yield is never called again after it returned false),
// the optional capabilities the
// adapter implements (ats.CandidateLister, ats.Tagger, ats.Disqualifier),
// and, when the Backend provides Webhooks, signature verification (valid,
// tampered, wrong secret, malformed, distinct event IDs for distinct
// deliveries, and expired where deliveries carry a signed timestamp).
// RunWebhookClaims checks how an adapter's verifier and handler claim,
// release and confirm deliveries in a replay guard.
//
// Configure the adapter under test with at most one retry and short
// backoff: the suite makes the service fail on purpose and expects the
// adapter to give up promptly with a typed error.
package atstest

import (
	"net/http"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
)

// Backend connects the suite to the adapter under test and to the service
// behind it. Each call to Run uses one Backend; seeded data may accumulate.
type Backend interface {
	// Adapter returns the adapter under test, with valid credentials.
	Adapter() ats.Adapter
	// BadCredentials returns an adapter for the same service whose
	// credentials the service rejects.
	BadCredentials() ats.Adapter
	// SeedJob creates a job titled title whose pipeline has the given
	// stage names, in order, and returns its ID and the stage IDs.
	SeedJob(t testing.TB, title string, stages []string) (jobID string, stageIDs []string)
	// SeedCandidate creates a candidate for the job in the given stage and
	// returns its ID. The suite sets Name, FirstName, LastName, one email
	// and one phone on c.
	SeedCandidate(t testing.TB, jobID, stageID string, c ats.Candidate) string
	// Notes returns the bodies of the notes the service recorded for the
	// candidate, oldest first.
	Notes(t testing.TB, candidateID string) []string
	// FailRequests makes the service answer every request with status
	// (429 with a short Retry-After) until restore is called.
	FailRequests(status int) (restore func())
	// Webhooks returns the webhook part of the suite, or nil when the
	// adapter does not verify webhooks.
	Webhooks() *Webhooks
}

// Webhooks describes how to produce and verify deliveries.
type Webhooks struct {
	// Verifier is configured with Secret.
	Verifier ats.WebhookVerifier
	// Secret is the verification secret Verifier was configured with.
	Secret string
	// Sign returns a delivery announcing d, signed with secret exactly as
	// the ATS would sign it.
	Sign func(d Delivery, secret string) (body []byte, header http.Header)
	// Tamper alters a signed delivery so that its signature no longer
	// matches (what exactly is signed differs per ATS). Nil replaces the
	// candidate ID in the body with another of the same length.
	Tamper func(body []byte, header http.Header) ([]byte, http.Header)
	// Timestamps reports whether deliveries carry a signed time that the
	// Verifier checks against a tolerance window shorter than one hour.
	Timestamps bool
}

// Delivery describes a stage-change webhook for Sign.
type Delivery struct {
	EventID     string
	CandidateID string
	JobID       string
	FromStageID string
	ToStageID   string
	Time        time.Time
}

// RequestCounter is implemented by Backends that count the requests their
// service received; the suite then also checks that listing with a small
// page size really fetched several pages.
type RequestCounter interface {
	RequestCount() int
}
