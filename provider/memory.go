package provider

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/atskit/atskit/internal/errfmt"
)

// MemoryBackendOptions configures a MemoryBackend.
type MemoryBackendOptions struct {
	// InterviewTemplates are listed by GET /interview-templates for every
	// account.
	InterviewTemplates []InterviewTemplate
	// Tests are listed by GET /tests for every account.
	Tests []Test
	// ReportBaseURL prefixes the results and shared-link URLs the backend
	// makes up. Default "https://provider.example/reports/".
	ReportBaseURL string
	// Now returns the current time. Default time.Now.
	Now func() time.Time
}

// Kind tells interviews from assessments.
type Kind string

// The kinds of invitation.
const (
	KindInterview  Kind = "interview"
	KindAssessment Kind = "assessment"
)

// Invitation is an interview or assessment created through a MemoryBackend.
type Invitation struct {
	Kind    Kind
	ID      string
	Account Account
	// TemplateID is set for interviews, TestID for assessments.
	TemplateID string
	TestID     ID
	JobID      string
	// JobShortcode is the job's shortcode when Workable sent one.
	JobShortcode string
	JobTitle     string
	CallbackURL  string
	Candidate    Candidate
	Preferences  map[string]any
	Result       StatusDocument
	CreatedAt    time.Time
}

// MemoryBackend is an in-memory InterviewBackend, AssessmentBackend,
// SharedLinker and AssessmentSharedLinker for tests, demos and the example
// server. It is safe for concurrent use. Invitations are visible only to
// the account that created them.
type MemoryBackend struct {
	opts MemoryBackendOptions

	mu sync.Mutex
	// Invitation i (from 0) has id "iv_<i+1>" or "as_<i+1>" and lives in
	// chunks[i/chunkSize][i%chunkSize]: ids index the storage, so there is
	// no map, and growing never copies invitations.
	chunks [][]Invitation
	n      int
}

const chunkSize = 1024

// atLocked returns invitation i (from 0).
func (m *MemoryBackend) atLocked(i int) *Invitation {
	return &m.chunks[i/chunkSize][i%chunkSize]
}

// NewMemoryBackend returns an empty MemoryBackend.
func NewMemoryBackend(opts MemoryBackendOptions) *MemoryBackend {
	if opts.ReportBaseURL == "" {
		opts.ReportBaseURL = "https://provider.example/reports/"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.InterviewTemplates = slices.Clone(opts.InterviewTemplates)
	opts.Tests = slices.Clone(opts.Tests)
	return &MemoryBackend{opts: opts}
}

// InterviewTemplates implements InterviewBackend.
func (m *MemoryBackend) InterviewTemplates(context.Context, Account) ([]InterviewTemplate, error) {
	return slices.Clone(m.opts.InterviewTemplates), nil
}

// CreateInterview implements InterviewBackend. It refuses an unknown
// template with a 422 *Error when templates were configured.
func (m *MemoryBackend) CreateInterview(_ context.Context, account Account, req CreateInterviewRequest) (string, error) {
	if len(m.opts.InterviewTemplates) > 0 && !slices.ContainsFunc(m.opts.InterviewTemplates, func(t InterviewTemplate) bool { return t.ID == req.InterviewTemplateID }) {
		return "", &Error{Status: 422, Message: "Invalid field: interview_template_id is not a known interview template"}
	}
	return m.add(&Invitation{
		Kind: KindInterview, Account: account, TemplateID: req.InterviewTemplateID,
		JobID: req.JobID, JobShortcode: req.JobShortcode, JobTitle: req.JobTitle, CallbackURL: req.CallbackURL,
		Candidate: req.Candidate, Preferences: req.Preferences,
	}), nil
}

// Interview implements InterviewBackend.
func (m *MemoryBackend) Interview(_ context.Context, account Account, id string) (StatusDocument, error) {
	return m.result(KindInterview, account, id)
}

// SharedLink implements SharedLinker with a link valid for 120 minutes.
func (m *MemoryBackend) SharedLink(_ context.Context, account Account, id string) (SharedLink, error) {
	return m.link(KindInterview, account, id)
}

// Tests implements AssessmentBackend.
func (m *MemoryBackend) Tests(context.Context, Account) ([]Test, error) {
	return slices.Clone(m.opts.Tests), nil
}

// CreateAssessment implements AssessmentBackend. It refuses an unknown test
// with a 422 *Error when tests were configured.
func (m *MemoryBackend) CreateAssessment(_ context.Context, account Account, req CreateAssessmentRequest) (string, error) {
	if len(m.opts.Tests) > 0 && !slices.ContainsFunc(m.opts.Tests, func(t Test) bool { return t.ID.String() == req.TestID.String() }) {
		return "", &Error{Status: 422, Message: "Invalid field: test_id is not a known test"}
	}
	return m.add(&Invitation{
		Kind: KindAssessment, Account: account, TestID: req.TestID,
		JobID: req.JobID, JobShortcode: req.JobShortcode, JobTitle: req.JobTitle, CallbackURL: req.CallbackURL,
		Candidate: req.Candidate, Preferences: req.Preferences,
	}), nil
}

// Assessment implements AssessmentBackend.
func (m *MemoryBackend) Assessment(_ context.Context, account Account, id string) (StatusDocument, error) {
	return m.result(KindAssessment, account, id)
}

// AssessmentSharedLink implements AssessmentSharedLinker.
func (m *MemoryBackend) AssessmentSharedLink(_ context.Context, account Account, id string) (SharedLink, error) {
	return m.link(KindAssessment, account, id)
}

func (m *MemoryBackend) add(inv *Invitation) string {
	inv.Result = StatusDocument{Status: StatusPending}
	inv.CreatedAt = m.opts.Now()
	prefix := "iv_"
	if inv.Kind == KindAssessment {
		prefix = "as_"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	inv.ID = prefix + strconv.Itoa(m.n+1)
	if m.n%chunkSize == 0 {
		m.chunks = append(m.chunks, make([]Invitation, 0, chunkSize))
	}
	last := len(m.chunks) - 1
	m.chunks[last] = append(m.chunks[last], *inv)
	m.n++
	return inv.ID
}

// lookupLocked returns the invitation with id, or nil.
func (m *MemoryBackend) lookupLocked(id string) *Invitation {
	if len(id) < 4 || (id[:3] != "iv_" && id[:3] != "as_") {
		return nil
	}
	n, err := strconv.Atoi(id[3:])
	if err != nil || n < 1 || n > m.n {
		return nil
	}
	if inv := m.atLocked(n - 1); inv.ID == id {
		return inv
	}
	return nil
}

func (m *MemoryBackend) result(kind Kind, account Account, id string) (StatusDocument, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	inv := m.lookupLocked(id)
	if inv == nil || inv.Kind != kind || inv.Account != account {
		return StatusDocument{}, ErrNotFound
	}
	return cloneResult(inv.Result), nil
}

func (m *MemoryBackend) link(kind Kind, account Account, id string) (SharedLink, error) {
	if _, err := m.result(kind, account, id); err != nil {
		return SharedLink{}, err
	}
	return SharedLink{URL: m.opts.ReportBaseURL + id + "/link", TTL: "120", TTLUnits: "minutes"}, nil
}

// Invitations returns copies of every invitation, oldest first.
func (m *MemoryBackend) Invitations() []Invitation {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Invitation, 0, m.n)
	for i := range m.n {
		out = append(out, cloneInvitation(m.atLocked(i)))
	}
	return out
}

// Invitation returns a copy of the invitation with id.
func (m *MemoryBackend) Invitation(id string) (Invitation, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	inv := m.lookupLocked(id)
	if inv == nil {
		return Invitation{}, false
	}
	return cloneInvitation(inv), true
}

// SetResult replaces the result of the invitation with id after checking it
// with StatusDocument.Validate, and returns the updated invitation, whose
// CallbackURL is where the result should be published.
func (m *MemoryBackend) SetResult(id string, r StatusDocument) (Invitation, error) {
	if err := r.Validate(); err != nil {
		return Invitation{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	inv := m.lookupLocked(id)
	if inv == nil {
		return Invitation{}, errfmt.Errorf("provider: invitation %q: %w", id, ErrNotFound)
	}
	inv.Result = cloneResult(r)
	return cloneInvitation(inv), nil
}

// Complete marks the invitation with id completed with r's results. An
// empty r.Status becomes StatusCompleted and an empty r.ResultsURL a URL
// under ReportBaseURL.
func (m *MemoryBackend) Complete(id string, r StatusDocument) (Invitation, error) {
	if r.Status == "" {
		r.Status = StatusCompleted
	}
	if r.ResultsURL == "" {
		r.ResultsURL = m.opts.ReportBaseURL + id
	}
	return m.SetResult(id, r)
}

// Decline marks the invitation with id declined by the candidate.
func (m *MemoryBackend) Decline(id string) (Invitation, error) {
	return m.SetResult(id, StatusDocument{Status: StatusDeclined})
}

// Expire marks the invitation with id expired.
func (m *MemoryBackend) Expire(id string) (Invitation, error) {
	return m.SetResult(id, StatusDocument{Status: StatusExpired})
}

func cloneInvitation(inv *Invitation) Invitation {
	c := *inv
	c.Preferences = maps.Clone(inv.Preferences)
	c.Result = cloneResult(inv.Result)
	return c
}

func cloneResult(r StatusDocument) StatusDocument {
	if r.Interview != nil {
		iv := *r.Interview
		iv.Details = maps.Clone(iv.Details) // shallow: nested maps are shared
		r.Interview = &iv
	}
	r.Attachments = slices.Clone(r.Attachments)
	return r
}

var (
	_ InterviewBackend       = (*MemoryBackend)(nil)
	_ AssessmentBackend      = (*MemoryBackend)(nil)
	_ SharedLinker           = (*MemoryBackend)(nil)
	_ AssessmentSharedLinker = (*MemoryBackend)(nil)
)
