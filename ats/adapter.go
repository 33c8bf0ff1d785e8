package ats

import (
	"context"
	"iter"
	"net/http"
)

// JobLister lists jobs. The returned sequence fetches pages lazily and
// yields a non-nil error at most once, as its last element.
type JobLister interface {
	Jobs(ctx context.Context, opts ListJobsOptions) iter.Seq2[Job, error]
}

// StageLister lists the stages of a job's pipeline, in pipeline order.
type StageLister interface {
	Stages(ctx context.Context, jobID string) ([]Stage, error)
}

// CandidateGetter reads one candidate with full profile.
type CandidateGetter interface {
	Candidate(ctx context.Context, id string) (Candidate, error)
}

// CandidateMover moves a candidate to a stage of its job's pipeline.
type CandidateMover interface {
	MoveCandidate(ctx context.Context, candidateID, stageID string) error
}

// Noter adds a note to a candidate's timeline.
type Noter interface {
	AddNote(ctx context.Context, candidateID string, note Note) error
}

// Adapter is the set of capabilities every ATS adapter provides.
type Adapter interface {
	JobLister
	StageLister
	CandidateGetter
	CandidateMover
	Noter
}

// LinkedJobLister lists the jobs linked to the vendor: in Workable the jobs
// whose pipeline has the vendor's stage, in Lever the postings carrying the
// vendor's tag. Each yielded Job has Link.Linked set.
type LinkedJobLister interface {
	LinkedJobs(ctx context.Context) iter.Seq2[Job, error]
}

// CandidateLister lists candidates matching a filter, page by page.
type CandidateLister interface {
	Candidates(ctx context.Context, filter CandidateFilter) iter.Seq2[Candidate, error]
}

// Tagger adds and removes tags on a candidate. Adding a tag the candidate
// already has, or removing one it lacks, is not an error.
type Tagger interface {
	AddTags(ctx context.Context, candidateID string, tags ...string) error
	RemoveTags(ctx context.Context, candidateID string, tags ...string) error
}

// Disqualifier disqualifies (Workable) or archives (Lever) a candidate.
type Disqualifier interface {
	Disqualify(ctx context.Context, candidateID, reason string) error
}

// Feedback is a completed scorecard or feedback form from the vendor.
type Feedback struct {
	// Title names the form, e.g. "InterviewVector – Round 1".
	Title string
	// Score is an overall score, e.g. "78" or "78%".
	Score string
	// Grade is the vendor's verdict, e.g. "passed".
	Grade string
	// Summary is a short evaluation.
	Summary string
	// ReportURL links to the full report.
	ReportURL string
	// Fields holds further named answers, in order.
	Fields []FeedbackField
	// ScheduledInterview, when set, is the interview on the profile the
	// feedback belongs to, as an InterviewScheduler returned it (ID and
	// InterviewID), so the form lands under that interview. Adapters that
	// do not schedule interviews ignore it.
	ScheduledInterview *ScheduledInterview
}

// FeedbackField is one named answer on a feedback form.
type FeedbackField struct {
	Name  string
	Value string
}

// FeedbackSubmitter submits a completed feedback form for a candidate so it
// lands where recruiters look (Lever feedback, Workable rating).
type FeedbackSubmitter interface {
	SubmitFeedback(ctx context.Context, candidateID string, fb Feedback) error
}

// ReportAttacher attaches a report file or link to a candidate.
type ReportAttacher interface {
	AttachReport(ctx context.Context, candidateID string, a Attachment) error
}

// Subscription is a webhook subscription registered with an ATS.
type Subscription struct {
	// ID identifies the subscription in the ATS.
	ID string
	// Event is the ATS's event name, e.g. "candidate_moved".
	Event string
	// Target is the URL deliveries are sent to.
	Target string
	// JobID and StageID restrict deliveries where the ATS supports it.
	JobID   string
	StageID string
	// Secret is the signing secret the ATS returned for this subscription
	// when it was created (Lever returns a webhook's signature token only
	// then); empty when the subscription already existed or the ATS signs
	// with an account-wide secret.
	Secret string
}

// WebhookSubscriber manages webhook subscriptions. EnsureSubscription is
// idempotent: it returns the existing subscription for the same event and
// target instead of creating a second one.
type WebhookSubscriber interface {
	EnsureSubscription(ctx context.Context, s Subscription) (Subscription, error)
	Subscriptions(ctx context.Context) iter.Seq2[Subscription, error]
	DeleteSubscription(ctx context.Context, id string) error
}

// WebhookVerifier verifies a webhook delivery and decodes it into events.
// Implementations work on the raw body exactly as received (never
// re-marshalled JSON), compare signatures in constant time, and fail
// closed: any doubt is an error wrapping ErrSignatureMissing,
// ErrSignatureInvalid, ErrWebhookExpired or ErrMalformedWebhook.
type WebhookVerifier interface {
	VerifyWebhook(body []byte, header http.Header) ([]Event, error)
}
