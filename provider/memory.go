package provider

import (
	"context"
	"encoding/binary"
	"maps"
	"slices"
	"strconv"
	"strings"
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
	chunks []*[chunkSize]memInvitation
	n      int
}

const chunkSize = 1024

// memInvitation is an Invitation as stored: its text fields packed into
// one string, its preferences as a slice, and no result until one is set.
// A backend holding many invitations then costs the garbage collector
// little (a few pointers each instead of some twenty).
type memInvitation struct {
	// Pointer fields first, so the collector scans only the front; 128
	// bytes in all.
	account    Account
	text       string          // the text fields, concatenated
	prefs      []memPreference // nil for no preferences
	result     *StatusDocument // nil while pending
	createdAt  time.Time
	ends       [memFields]uint32 // text[ends[f-1]:ends[f]] is field f
	assessment bool              // KindAssessment, else KindInterview
	testNumber bool
	prefsSet   bool // preferences were a map, perhaps empty
	// prefsInText: the preferences, all strings, follow the fields in
	// text (see pack) and prefs is nil.
	prefsInText bool
}

// kind returns the invitation's kind.
func (m *memInvitation) kind() Kind {
	if m.assessment {
		return KindAssessment
	}
	return KindInterview
}

// memPreference is one preference; a string value is kept in str (a
// slice of the invitation's text, so the request body is not pinned).
type memPreference struct {
	key   string
	str   string
	value any // if not a string
	isStr bool
}

// The packed text fields of a memInvitation.
const (
	memTemplate = iota // TemplateID, or TestID for assessments
	memJobID
	memJobShortcode
	memJobTitle
	memCallbackURL
	memFirstName
	memLastName
	memPhone
	memEmail
	memFields
)

// pack stores the text fields of inv in m.
func (m *memInvitation) pack(inv *Invitation) {
	fields := [memFields]string{
		memTemplate: inv.TemplateID, memJobID: inv.JobID, memJobShortcode: inv.JobShortcode,
		memJobTitle: inv.JobTitle, memCallbackURL: inv.CallbackURL, memFirstName: inv.Candidate.FirstName,
		memLastName: inv.Candidate.LastName, memPhone: inv.Candidate.Phone, memEmail: inv.Candidate.Email,
	}
	if inv.Kind == KindAssessment {
		fields[memTemplate] = inv.TestID.String()
	}
	n := 0
	for _, f := range fields {
		n += len(f)
	}
	for k, v := range inv.Preferences {
		n += len(k)
		if s, ok := v.(string); ok {
			n += len(s)
		}
	}
	// Preferences that are all strings, the common case, follow the fields
	// in text as (uvarint length, bytes) pairs, key then value, with no
	// slice (and its three pointers per preference) for the collector.
	inText := inv.Preferences != nil && allStrings(inv.Preferences)
	var tmp [binary.MaxVarintLen64]byte
	if inText {
		for k, v := range inv.Preferences {
			n += len(binary.AppendUvarint(tmp[:0], uint64(len(k)))) + len(binary.AppendUvarint(tmp[:0], uint64(len(v.(string)))))
		}
	}
	var b strings.Builder // one allocation: String does not copy
	b.Grow(n)
	for i, f := range fields {
		b.WriteString(f)
		m.ends[i] = uint32(b.Len())
	}
	if inText {
		for k, v := range inv.Preferences {
			b.Write(binary.AppendUvarint(tmp[:0], uint64(len(k))))
			b.WriteString(k)
			b.Write(binary.AppendUvarint(tmp[:0], uint64(len(v.(string)))))
			b.WriteString(v.(string))
		}
		m.text = b.String()
		m.prefsSet, m.prefsInText = true, true
		return
	}
	type span struct{ key, val [2]int }
	var stack [8]span
	spans := stack[:0]
	if inv.Preferences != nil {
		m.prefsSet = true
		m.prefs = make([]memPreference, 0, len(inv.Preferences))
		for k, v := range inv.Preferences {
			var sp span
			sp.key = [2]int{b.Len(), b.Len() + len(k)}
			b.WriteString(k)
			p := memPreference{value: v}
			if s, ok := v.(string); ok {
				sp.val = [2]int{b.Len(), b.Len() + len(s)}
				b.WriteString(s)
				p = memPreference{isStr: true}
			}
			m.prefs = append(m.prefs, p)
			spans = append(spans, sp)
		}
	}
	m.text = b.String()
	for i, sp := range spans {
		m.prefs[i].key = m.text[sp.key[0]:sp.key[1]]
		m.prefs[i].str = m.text[sp.val[0]:sp.val[1]]
	}
}

// allStrings reports whether every value of prefs is a string.
func allStrings(prefs map[string]any) bool {
	for _, v := range prefs {
		if _, ok := v.(string); !ok {
			return false
		}
	}
	return true
}

// cutUvarintString splits off the uvarint-length-prefixed string at the
// start of s, as pack writes them.
func cutUvarintString(s string) (string, string) {
	var hdr [binary.MaxVarintLen64]byte
	h := copy(hdr[:], s)
	n, w := binary.Uvarint(hdr[:h])
	s = s[w:]
	return s[:n], s[n:]
}

func (m *memInvitation) field(f int) string {
	start := uint32(0)
	if f > 0 {
		start = m.ends[f-1]
	}
	return m.text[start:m.ends[f]]
}

// invitation returns m as an Invitation with id i+1 (a deep enough copy:
// preferences and result are the caller's).
func (m *memInvitation) invitation(i int) Invitation {
	inv := Invitation{
		Kind: m.kind(), ID: memID(m.kind(), i), Account: m.account,
		JobID: m.field(memJobID), JobShortcode: m.field(memJobShortcode), JobTitle: m.field(memJobTitle),
		CallbackURL: m.field(memCallbackURL),
		Candidate: Candidate{
			FirstName: m.field(memFirstName), LastName: m.field(memLastName),
			Phone: m.field(memPhone), Email: m.field(memEmail),
		},
		Result:    m.currentResult(),
		CreatedAt: m.createdAt,
	}
	if m.assessment {
		inv.TestID = ID{s: m.field(memTemplate), number: m.testNumber}
	} else {
		inv.TemplateID = m.field(memTemplate)
	}
	if m.prefsInText {
		inv.Preferences = make(map[string]any)
		rest := m.text[m.ends[memFields-1]:]
		for rest != "" {
			var k, v string
			k, rest = cutUvarintString(rest)
			v, rest = cutUvarintString(rest)
			inv.Preferences[k] = v
		}
	} else if m.prefsSet {
		inv.Preferences = make(map[string]any, len(m.prefs))
		for _, p := range m.prefs {
			if p.isStr {
				inv.Preferences[p.key] = p.str
			} else {
				inv.Preferences[p.key] = p.value
			}
		}
	}
	return inv
}

// currentResult returns a copy of the result, pending if none was set.
func (m *memInvitation) currentResult() StatusDocument {
	if m.result == nil {
		return StatusDocument{Status: StatusPending}
	}
	return cloneResult(*m.result)
}

// memID returns the id of invitation i (from 0) of kind.
func memID(kind Kind, i int) string {
	var b [24]byte
	prefix := "iv_"
	if kind == KindAssessment {
		prefix = "as_"
	}
	return string(strconv.AppendInt(append(b[:0], prefix...), int64(i+1), 10)) // one allocation
}

// atLocked returns invitation i (from 0).
func (m *MemoryBackend) atLocked(i int) *memInvitation {
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
	rec := memInvitation{assessment: inv.Kind == KindAssessment, testNumber: inv.TestID.IsNumber(), account: inv.Account, createdAt: m.opts.Now()}
	rec.pack(inv)
	return m.store(&rec)
}

// createInterviewRaw is CreateInterview for a request the Handler's fast
// path read (see rawcreate.go), its preferences absent or kept as text:
// the fields are packed straight from the body, so the invitation costs
// one allocation and the request none.
func (m *MemoryBackend) createInterviewRaw(_ context.Context, account Account, rc rawCreate) (string, error) {
	tmpl := rc.field[memTemplate]
	if len(m.opts.InterviewTemplates) > 0 && !slices.ContainsFunc(m.opts.InterviewTemplates, func(t InterviewTemplate) bool { return t.ID == string(tmpl) }) {
		return "", &Error{Status: 422, Message: "Invalid field: interview_template_id is not a known interview template"}
	}
	rec := memInvitation{account: account, createdAt: m.opts.Now()}
	rec.packRaw(&rc)
	return m.store(&rec), nil
}

// createAssessmentRaw is CreateAssessment as createInterviewRaw is
// CreateInterview.
func (m *MemoryBackend) createAssessmentRaw(_ context.Context, account Account, rc rawCreate) (string, error) {
	test := rc.field[memTemplate]
	if len(m.opts.Tests) > 0 && !slices.ContainsFunc(m.opts.Tests, func(t Test) bool { return t.ID.String() == string(test) }) {
		return "", &Error{Status: 422, Message: "Invalid field: test_id is not a known test"}
	}
	rec := memInvitation{assessment: true, testNumber: rc.number&numberBit(memTemplate) != 0, account: account, createdAt: m.opts.Now()}
	rec.packRaw(&rc)
	return m.store(&rec), nil
}

// store appends rec and returns its id.
func (m *MemoryBackend) store(rec *memInvitation) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.n%chunkSize == 0 {
		m.chunks = append(m.chunks, new([chunkSize]memInvitation))
	}
	*m.atLocked(m.n) = *rec
	m.n++
	return memID(rec.kind(), m.n-1)
}

// lookupLocked returns the invitation with id and its index, or nil.
func (m *MemoryBackend) lookupLocked(id string) (*memInvitation, int) {
	if len(id) < 4 || (id[:3] != "iv_" && id[:3] != "as_") {
		return nil, 0
	}
	n, err := strconv.Atoi(id[3:])
	if err != nil || n < 1 || n > m.n {
		return nil, 0
	}
	if inv := m.atLocked(n - 1); memID(inv.kind(), n-1) == id {
		return inv, n - 1
	}
	return nil, 0
}

func (m *MemoryBackend) result(kind Kind, account Account, id string) (StatusDocument, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	inv, _ := m.lookupLocked(id)
	if inv == nil || inv.kind() != kind || inv.account != account {
		return StatusDocument{}, ErrNotFound
	}
	return inv.currentResult(), nil
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
		out = append(out, m.atLocked(i).invitation(i))
	}
	return out
}

// Invitation returns a copy of the invitation with id.
func (m *MemoryBackend) Invitation(id string) (Invitation, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	inv, i := m.lookupLocked(id)
	if inv == nil {
		return Invitation{}, false
	}
	return inv.invitation(i), true
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
	inv, i := m.lookupLocked(id)
	if inv == nil {
		return Invitation{}, errfmt.Errorf("provider: invitation %q: %w", id, ErrNotFound)
	}
	c := cloneResult(r)
	inv.result = &c
	return inv.invitation(i), nil
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
