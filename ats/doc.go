// Package ats is the ATS-neutral core of atskit: the model (Job, Stage,
// Candidate, Note, Event), the small interfaces an applicant tracking system
// adapter implements, and the typed errors every adapter returns.
//
// An adapter is built from one-method interfaces in the spirit of io.Reader
// and io.Writer. The required set is bundled as Adapter:
//
//	JobLister        – Jobs(ctx, opts) iter.Seq2[Job, error]
//	StageLister      – Stages(ctx, jobID) ([]Stage, error)
//	CandidateGetter  – Candidate(ctx, id) (Candidate, error)
//	CandidateMover   – MoveCandidate(ctx, candidateID, stageID) error
//	Noter            – AddNote(ctx, candidateID, note) error
//
// Richer behaviour is optional and discovered with a type assertion, the way
// net/http discovers an http.Flusher:
//
//	if t, ok := adapter.(ats.Tagger); ok { err = t.AddTags(ctx, id, "vendor") }
//
// Optional capabilities are LinkedJobLister, CandidateLister, Tagger,
// Disqualifier, FeedbackSubmitter, ReportAttacher, InterviewScheduler and
// WebhookSubscriber.
// Every ATS signs its webhooks differently, so verification is its own
// contract, WebhookVerifier, which takes the raw body and headers and returns
// verified Events. A ReplayGuard remembers accepted deliveries so that a
// captured delivery is acted on once.
//
// Errors returned by adapters can be inspected with errors.Is against
// ErrNotFound, ErrUnauthorized, ErrForbidden, ErrRateLimited, ErrValidation
// and ErrConflict, and with errors.As against *APIError, *RateLimitError and
// *ValidationError. Error strings never contain credentials.
//
// Package ats/atstest is the conformance suite an adapter author runs to
// prove an adapter behaves the way the rest of atskit expects.
package ats
