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
	// arena holds the invitations' packed text and the ids create
	// returns: strings are slices of it, and it is only ever appended to
	// within its capacity, so they never change; a full arena is left to
	// the strings in it and a new one started. An invitation then costs no
	// allocation of its own beside its share of a chunk.
	arena strings.Builder
}

const chunkSize = 1024

// memArenaSize is the size of an arena; memArenaMax the largest text
// kept in one (a larger one gets an allocation of its own).
const (
	memArenaSize = 16 << 10
	memArenaMax  = 1 << 10
)

// arenaLocked returns a builder with room for n more bytes: the arena, or
// for a large n a builder of its own.
func (m *MemoryBackend) arenaLocked(n int) *strings.Builder {
	if n > memArenaMax {
		b := new(strings.Builder)
		b.Grow(n)
		return b
	}
	if m.arena.Cap()-m.arena.Len() < n {
		m.arena = strings.Builder{}
		m.arena.Grow(memArenaSize)
	}
	return &m.arena
}

// memInvitation is an Invitation as stored: its text fields packed into
// one string in the backend's arena, and the rare rest (preferences that
// are not all strings, a result) apart. A backend holding many
// invitations then costs the allocator nothing per invitation and the
// garbage collector little (a few pointers each instead of some twenty).
type memInvitation struct {
	// Pointer fields first, so the collector scans only the front; 72
	// bytes in all.
	account Account
	// text holds the text fields in packed order (memTemplate…memEmail),
	// then, if prefsInText, the preferences as key and value pairs: each
	// a uvarint length then its bytes. Preferences kept in extra follow as
	// bare bytes.
	text      string
	extra     *memExtra // nil for string-only preferences and no result
	createdAt time.Time
	// assessment: KindAssessment, else KindInterview.
	assessment bool
	testNumber bool
	prefsSet   bool // preferences were a map, perhaps empty
	// prefsInText: the preferences, all strings, are in text (see pack)
	// and extra holds none.
	prefsInText bool
}

// memExtra is the part of a memInvitation few have.
type memExtra struct {
	prefs  []memPreference // preferences that are not all strings
	result *StatusDocument // nil while pending
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

// uvarintLen returns the length of n as a uvarint.
func uvarintLen(n int) int {
	var tmp [binary.MaxVarintLen64]byte
	return len(binary.AppendUvarint(tmp[:0], uint64(n)))
}

// writeUvarintString writes s prefixed with its length as a uvarint.
func writeUvarintString(b *strings.Builder, s string) {
	var tmp [binary.MaxVarintLen64]byte
	b.Write(binary.AppendUvarint(tmp[:0], uint64(len(s))))
	b.WriteString(s)
}


// packedSize returns the bytes the packed fields f take.
func packedSize[S ~string | ~[]byte](f *[memFields]S) int {
	n := 0
	for _, s := range f {
		n += uvarintLen(len(s)) + len(s)
	}
	return n
}

// packedSize returns the bytes pack needs for inv.
func (inv *Invitation) packedSize() int {
	f := inv.textFields()
	n := packedSize(&f)
	inText := inv.Preferences != nil && allStrings(inv.Preferences)
	for k, v := range inv.Preferences {
		n += len(k)
		if s, ok := v.(string); ok {
			n += len(s)
		}
		if inText {
			n += uvarintLen(len(k)) + uvarintLen(len(v.(string)))
		}
	}
	return n
}

// textFields returns inv's packed fields.
func (inv *Invitation) textFields() [memFields]string {
	f := [memFields]string{
		memTemplate: inv.TemplateID, memJobID: inv.JobID, memJobShortcode: inv.JobShortcode,
		memJobTitle: inv.JobTitle, memCallbackURL: inv.CallbackURL, memFirstName: inv.Candidate.FirstName,
		memLastName: inv.Candidate.LastName, memPhone: inv.Candidate.Phone, memEmail: inv.Candidate.Email,
	}
	if inv.Kind == KindAssessment {
		f[memTemplate] = inv.TestID.String()
	}
	return f
}

// pack stores the text fields and preferences of inv in m, writing
// exactly inv.packedSize() bytes to b.
func (m *memInvitation) pack(b *strings.Builder, inv *Invitation) {
	start := b.Len()
	for _, f := range inv.textFields() {
		writeUvarintString(b, f)
	}
	// Preferences that are all strings, the common case, follow the fields
	// in text as (uvarint length, bytes) pairs, key then value, with no
	// slice (and its three pointers per preference) for the collector.
	if inv.Preferences != nil && allStrings(inv.Preferences) {
		for k, v := range inv.Preferences {
			writeUvarintString(b, k)
			writeUvarintString(b, v.(string))
		}
		m.text = b.String()[start:]
		m.prefsSet, m.prefsInText = true, true
		return
	}
	type span struct{ key, val [2]int }
	var stack [8]span
	spans := stack[:0]
	var prefs []memPreference
	if inv.Preferences != nil {
		m.prefsSet = true
		prefs = make([]memPreference, 0, len(inv.Preferences))
		for k, v := range inv.Preferences {
			var sp span
			sp.key = [2]int{b.Len() - start, b.Len() - start + len(k)}
			b.WriteString(k)
			p := memPreference{value: v}
			if s, ok := v.(string); ok {
				sp.val = [2]int{b.Len() - start, b.Len() - start + len(s)}
				b.WriteString(s)
				p = memPreference{isStr: true}
			}
			prefs = append(prefs, p)
			spans = append(spans, sp)
		}
		m.extra = &memExtra{prefs: prefs}
	}
	m.text = b.String()[start:]
	for i, sp := range spans {
		prefs[i].key = m.text[sp.key[0]:sp.key[1]]
		prefs[i].str = m.text[sp.val[0]:sp.val[1]]
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

// fields returns the packed text fields and the text after them.
func (m *memInvitation) fields() (f [memFields]string, rest string) {
	rest = m.text
	for i := range f {
		f[i], rest = cutUvarintString(rest)
	}
	return f, rest
}

// invitation returns m as an Invitation with id i+1 (a deep enough copy:
// preferences and result are the caller's).
func (m *memInvitation) invitation(i int) Invitation {
	f, rest := m.fields()
	inv := Invitation{
		Kind: m.kind(), ID: memID(m.kind(), i), Account: m.account,
		JobID: f[memJobID], JobShortcode: f[memJobShortcode], JobTitle: f[memJobTitle],
		CallbackURL: f[memCallbackURL],
		Candidate: Candidate{
			FirstName: f[memFirstName], LastName: f[memLastName],
			Phone: f[memPhone], Email: f[memEmail],
		},
		Result:    m.currentResult(),
		CreatedAt: m.createdAt,
	}
	if m.assessment {
		inv.TestID = ID{s: f[memTemplate], number: m.testNumber}
	} else {
		inv.TemplateID = f[memTemplate]
	}
	if m.prefsInText {
		inv.Preferences = make(map[string]any)
		for rest != "" {
			var k, v string
			k, rest = cutUvarintString(rest)
			v, rest = cutUvarintString(rest)
			inv.Preferences[k] = v
		}
	} else if m.prefsSet {
		var prefs []memPreference
		if m.extra != nil {
			prefs = m.extra.prefs
		}
		inv.Preferences = make(map[string]any, len(prefs))
		for _, p := range prefs {
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
	if m.extra == nil || m.extra.result == nil {
		return StatusDocument{Status: StatusPending}
	}
	return cloneResult(*m.extra.result)
}

// memID returns the id of invitation i (from 0) of kind.
func memID(kind Kind, i int) string {
	var b [24]byte
	return string(appendMemID(b[:0], kind, i)) // one allocation
}

// appendMemID appends the id of invitation i (from 0) of kind to b.
func appendMemID(b []byte, kind Kind, i int) []byte {
	if kind == KindAssessment {
		b = append(b, "as_"...)
	} else {
		b = append(b, "iv_"...)
	}
	return strconv.AppendInt(b, int64(i+1), 10)
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
	n := inv.packedSize()
	m.mu.Lock()
	defer m.mu.Unlock()
	rec.pack(m.arenaLocked(n), inv)
	return m.storeLocked(&rec)
}

// storeLocked appends rec and returns its id, made in the arena.
func (m *MemoryBackend) storeLocked(rec *memInvitation) string {
	if m.n%chunkSize == 0 {
		m.chunks = append(m.chunks, new([chunkSize]memInvitation))
	}
	*m.atLocked(m.n) = *rec
	m.n++
	var tmp [24]byte
	id := appendMemID(tmp[:0], rec.kind(), m.n-1)
	b := m.arenaLocked(len(id))
	start := b.Len()
	b.Write(id)
	return b.String()[start:]
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
	if inv.extra == nil {
		inv.extra = new(memExtra)
	}
	inv.extra.result = &c
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
