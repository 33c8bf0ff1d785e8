package provider

import "context"

// InterviewBackend is the vendor's video-interview product as the handler
// sees it. Every method receives the account the request's token resolved
// to (also available from the context via AccountFromContext) and must only
// see that account's data.
type InterviewBackend interface {
	// InterviewTemplates lists the interviews Workable users can pick from.
	InterviewTemplates(ctx context.Context, account Account) ([]InterviewTemplate, error)
	// CreateInterview invites req.Candidate and returns the new interview's
	// id. It returns ErrConflict (or an *Error) to refuse the invitation.
	// The handler deduplicates Workable's retries before calling it.
	CreateInterview(ctx context.Context, account Account, req CreateInterviewRequest) (id string, err error)
	// Interview returns the interview's current status and results, or
	// ErrNotFound.
	Interview(ctx context.Context, account Account, id string) (Result, error)
}

// SharedLinker is implemented by an InterviewBackend that can share public
// links to interview reports. Without it GET /interviews/{id}/shared-link
// answers 404.
type SharedLinker interface {
	// SharedLink returns a public link to the interview's report, or
	// ErrNotFound.
	SharedLink(ctx context.Context, account Account, id string) (SharedLink, error)
}

// AssessmentBackend is the vendor's assessment product as the handler sees
// it, mirroring InterviewBackend for Workable's Assessment Provider
// contract.
type AssessmentBackend interface {
	// Tests lists the tests Workable users can pick from.
	Tests(ctx context.Context, account Account) ([]Test, error)
	// CreateAssessment invites req.Candidate to take req.TestID and returns
	// the new assessment's id.
	CreateAssessment(ctx context.Context, account Account, req CreateAssessmentRequest) (id string, err error)
	// Assessment returns the assessment's current status and results, or
	// ErrNotFound.
	Assessment(ctx context.Context, account Account, id string) (Result, error)
}

// AssessmentSharedLinker is implemented by an AssessmentBackend that can
// share public links to assessment reports (GET /assessments/{id}/shared-link).
// This endpoint is assumed by analogy with interviews.
type AssessmentSharedLinker interface {
	// AssessmentSharedLink returns a public link to the assessment's
	// report, or ErrNotFound.
	AssessmentSharedLink(ctx context.Context, account Account, id string) (SharedLink, error)
}

// InterviewTemplate is an interview a Workable user can select for a job.
type InterviewTemplate struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Test is an assessment test a Workable user can select for a job. Its ID is
// emitted in the JSON form the backend chose (Workable's example uses
// integers).
type Test struct {
	ID   ID     `json:"id"`
	Name string `json:"name"`
}

// Candidate is the candidate Workable pushes to the provider. Workable sends
// empty values as null, which decode to "".
type Candidate struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Phone     string `json:"phone,omitempty"`
	Email     string `json:"email"`
}

// CreateInterviewRequest is the body of Workable's POST /interviews.
//
// The handler guarantees InterviewTemplateID, JobTitle, CallbackURL (an
// absolute http or https URL), Candidate.FirstName, Candidate.LastName and
// Candidate.Email are non-empty. JobID, Candidate.Phone and Preferences may
// be empty: the contract marks job_id optional, and phone is optional
// because many candidates have none (an assumption).
type CreateInterviewRequest struct {
	InterviewTemplateID string    `json:"interview_template_id"`
	JobID               string    `json:"job_id,omitempty"`
	JobTitle            string    `json:"job_title"`
	CallbackURL         string    `json:"callback_url"`
	Candidate           Candidate `json:"candidate"`
	// Preferences carries custom values configured in Workable, free-form.
	Preferences map[string]any `json:"preferences,omitempty"`
}

// CreateAssessmentRequest is the body of Workable's POST /assessments.
//
// Only the path is documented publicly; the body is assumed to mirror
// CreateInterviewRequest with the selected test's id in "test_id" (string or
// number, like the ids of GET /tests). The same fields are required.
type CreateAssessmentRequest struct {
	TestID      ID             `json:"test_id"`
	JobID       string         `json:"job_id,omitempty"`
	JobTitle    string         `json:"job_title"`
	CallbackURL string         `json:"callback_url"`
	Candidate   Candidate      `json:"candidate"`
	Preferences map[string]any `json:"preferences,omitempty"`
}

// SharedLink is a public link to a report. TTL is optional (permanent when
// empty); TTLUnits is one of "minutes", "days" or "views".
type SharedLink struct {
	URL      string `json:"url"`
	TTL      string `json:"ttl,omitempty"`
	TTLUnits string `json:"ttl_units,omitempty"`
}
