package provider

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

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
	Interview(ctx context.Context, account Account, id string) (StatusDocument, error)
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
	Assessment(ctx context.Context, account Account, id string) (StatusDocument, error)
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
// emitted in the JSON form the backend chose. Prefer NumberID: Workable's
// example lists integer test ids ({"id": 1},
// https://workable.readme.io/page/assessment-providers), and whether it
// stores non-numeric ones is not documented; a StringID works only if it
// does.
type Test struct {
	ID   ID     `json:"id"`
	Name string `json:"name"`
}

// Candidate is the candidate Workable pushes to the provider. Workable sends
// empty values as null, which decode to "". No field is guaranteed: see
// Missing.
type Candidate struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Phone     string `json:"phone,omitempty"`
	Email     string `json:"email"`
}

// CreateInterviewRequest is the body of Workable's POST /interviews
// (https://workable.readme.io/page/video-interview-providers).
//
// The handler guarantees only that InterviewTemplateID and CallbackURL (an
// absolute http or https URL) are non-empty. Identifiers sent as JSON
// numbers ("job_id": 6789) arrive as their decimal text. Everything else may
// be empty: the contract marks no candidate field required and job_id
// optional, so the backend decides what it cannot do without; see
// Candidate.Missing, and answer the invitation (201) and ask for the
// missing data rather than refusing it, which loses the invitation.
type CreateInterviewRequest struct {
	InterviewTemplateID string `json:"interview_template_id"`
	JobID               string `json:"job_id,omitempty"`
	// JobShortcode is the job's shortcode when Workable sends one (the
	// assessment contract is read to name the job this way).
	JobShortcode string    `json:"job_shortcode,omitempty"`
	JobTitle     string    `json:"job_title,omitempty"`
	CallbackURL  string    `json:"callback_url"`
	Candidate    Candidate `json:"candidate"`
	// Preferences carries custom values configured in Workable, free-form.
	Preferences map[string]any `json:"preferences,omitempty"`
}

// CreateAssessmentRequest is the body of Workable's POST /assessments.
//
// Only the path is publicly readable; the body is assumed to mirror
// CreateInterviewRequest with the selected test's id in "test_id" (string or
// number, like the ids of GET /tests) and the job named by "job_shortcode"
// or "job_id" (both accepted). Only TestID and CallbackURL are guaranteed
// non-empty.
type CreateAssessmentRequest struct {
	TestID       ID             `json:"test_id"`
	JobID        string         `json:"job_id,omitempty"`
	JobShortcode string         `json:"job_shortcode,omitempty"`
	JobTitle     string         `json:"job_title,omitempty"`
	CallbackURL  string         `json:"callback_url"`
	Candidate    Candidate      `json:"candidate"`
	Preferences  map[string]any `json:"preferences,omitempty"`
}

// Job returns the job reference Workable sent: the shortcode when present
// (what SPI v3 addresses jobs by), else job_id.
func (r CreateAssessmentRequest) Job() string { return cmpOr(r.JobShortcode, r.JobID) }

// Job returns the job reference Workable sent: the shortcode when present
// (what SPI v3 addresses jobs by), else job_id.
func (r CreateInterviewRequest) Job() string { return cmpOr(r.JobShortcode, r.JobID) }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// SharedLink is a public link to a report
// (https://workable.readme.io/page/video-interview-providers). TTL is
// optional (permanent when empty); TTLUnits is one of "minutes", "days" or
// "views" and is required with a TTL. See Validate.
type SharedLink struct {
	URL      string `json:"url"`
	TTL      string `json:"ttl,omitempty"`
	TTLUnits string `json:"ttl_units,omitempty"`
}

// Missing returns the JSON names of the candidate fields an invitation
// usually needs — first_name, last_name, email — that are empty (after
// trimming), in that order; nil when none is.
func (c Candidate) Missing() []string {
	var out []string
	for _, f := range []struct{ name, v string }{{"first_name", c.FirstName}, {"last_name", c.LastName}, {"email", c.Email}} {
		if strings.TrimSpace(f.v) == "" {
			out = append(out, f.name)
		}
	}
	return out
}

// Validate reports whether l can be served to Workable: URL is an absolute
// http(s) URL; TTL, when set, is a positive whole number (as text, e.g.
// "120") with TTLUnits one of minutes, days or views; TTLUnits is not set
// without a TTL. The error names the field and what to send instead.
func (l SharedLink) Validate() error {
	if err := checkURL(l.URL); err != nil {
		return &ValidationError{"url", err.Error()}
	}
	if l.TTL == "" {
		if l.TTLUnits != "" {
			return &ValidationError{"ttl_units", "is set without a ttl: set ttl too, or neither for a permanent link"}
		}
		return nil
	}
	if n, err := strconv.Atoi(l.TTL); err != nil || n <= 0 {
		return &ValidationError{"ttl", fmt.Sprintf("%q should be a positive whole number, e.g. \"120\"", l.TTL)}
	}
	switch l.TTLUnits {
	case "minutes", "days", "views":
		return nil
	case "":
		return &ValidationError{"ttl_units", "should be provided with a ttl: minutes, days or views"}
	}
	return &ValidationError{"ttl_units", fmt.Sprintf("%q is not one of minutes, days, views (convert hours to minutes)", l.TTLUnits)}
}
