package levertest

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// User is a Lever user.
type User struct {
	ID, Name, Email string
	// AccessRole is e.g. "super admin", "admin", "team member".
	AccessRole string
}

// Stage is an account-wide pipeline stage.
type Stage struct {
	ID, Text string
}

// Posting is a job posting.
type Posting struct {
	ID, Text string
	// State is "published" unless set.
	State          string
	Tags           []string
	Team, Location string
	// Confidential postings are listed only with confidentiality=all (or
	// confidential), and only to credentials with confidential access.
	Confidential bool
	// DistributionChannels are "public" and/or "internal"; nil means both.
	// A published posting without "public" is missing from a published
	// listing that names no distributionChannel, as on Lever.
	DistributionChannels []string
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

// Opportunity is a candidacy.
type Opportunity struct {
	ID      string
	Name    string
	Contact string
	// PostingID is the posting applied to (one application).
	PostingID string
	// StageID is the current stage; empty uses the first stage.
	StageID  string
	OwnerID  string
	Headline string
	Emails   []string
	Phones   []string
	Links    []string
	Tags     []string
	// ResumeURL, when set, gives the opportunity a resume, listed with a
	// hire.lever.co-style web link as its file.downloadUrl, as Lever lists
	// it; the file itself is served by the API download route.
	ResumeURL string
	// Confidential opportunities are listed only with
	// confidentiality=all, and only to credentials with confidential
	// access.
	Confidential bool
	Archived     *Archive
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// ApplicationID is set by the server.
	ApplicationID string
}

// Archive is an opportunity's archive state.
type Archive struct {
	ReasonID string
	At       time.Time
}

// ArchiveReason is a reason for archiving.
type ArchiveReason struct {
	ID, Text string
	// Type is "non-hired" unless set.
	Type string
	// Status is "active" unless set; archiving with an "inactive" reason
	// is refused (assumed: Lever documents the status, not its reaction).
	Status string
}

// FeedbackTemplate is a feedback form template.
type FeedbackTemplate struct {
	ID, Text string
	Fields   []FeedbackField
}

// FeedbackField is a field of a template; the server assigns IDs. Type is
// one of Lever's form field types ("text" unless set); Options are the
// choices of dropdown, multiple-choice, multiple-select and score-system
// fields.
type FeedbackField struct {
	ID, Type, Text string
	Required       bool
	Options        []string
}

// Note is a note the client posted.
type Note struct {
	ID, OpportunityID, Value, PerformAs string
	Secret, NotifyFollowers             bool
	Score                               *int
	CreatedAt                           time.Time
}

// StageChange is a stage move, through the API or MoveCandidate.
type StageChange struct {
	OpportunityID, FromStageID, ToStageID string
	// PerformAs is the perform_as user ("" for MoveCandidate).
	PerformAs string
	At        time.Time
}

// Feedback is a feedback form the client submitted.
type Feedback struct {
	ID, OpportunityID, TemplateID, Panel, Interview, PerformAs string
	FieldValues                                                []FieldValue
	CompletedAt                                                int64
}

// FieldValue is one answer on a feedback form.
type FieldValue struct {
	ID    string `json:"id"`
	Value any    `json:"value"`
}

// Webhook is a configured outgoing webhook.
type Webhook struct {
	ID, URL, Event string
	// SignatureToken keys the HMAC of deliveries.
	SignatureToken string
	Conditions     map[string]any
	CreatedAt      time.Time
}

// id returns a fresh UUID-shaped ID; kind makes IDs of different resources
// tell apart when reading a failing test.
func (s *Server) id(kind int) string {
	s.nextID++
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", kind, s.nextID)
}

const (
	kUser = iota + 1
	kStage
	kPosting
	kOpp
	kApp
	kContact
	kReason
	kTemplate
	kField
	kNote
	kFeedback
	kWebhook
	kEvent
	kPanel
	kInterview
	kFile
)

// AddUser adds a user and returns it with its ID.
func (s *Server) AddUser(u User) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == "" {
		u.ID = s.id(kUser)
	}
	if u.AccessRole == "" {
		u.AccessRole = "admin"
	}
	s.users = append(s.users, &u)
	return u
}

// AddStage adds a stage at the end of the pipeline, or returns the existing
// stage with that name.
func (s *Server) AddStage(text string) Stage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addStage(text)
}

func (s *Server) addStage(text string) Stage {
	for _, st := range s.stages {
		if strings.EqualFold(st.Text, text) {
			return *st
		}
	}
	st := &Stage{ID: s.id(kStage), Text: text}
	s.stages = append(s.stages, st)
	return *st
}

// AddStageWithID adds a stage with a given ID at the end of the pipeline.
// Lever's built-in stages have readable IDs rather than UUIDs, e.g.
// "lead-new" in recorded sandbox data; clients must treat stage IDs as
// opaque strings. An ID already in use is returned unchanged.
func (s *Server) AddStageWithID(id, text string) Stage {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.stages {
		if st.ID == id {
			return *st
		}
	}
	st := &Stage{ID: id, Text: text}
	s.stages = append(s.stages, st)
	return *st
}

// AddStages adds stages in order (reusing existing ones by name).
func (s *Server) AddStages(texts ...string) []Stage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Stage, len(texts))
	for i, t := range texts {
		out[i] = s.addStage(t)
	}
	return out
}

// Stages returns the pipeline.
func (s *Server) Stages() []Stage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Stage, len(s.stages))
	for i, st := range s.stages {
		out[i] = *st
	}
	return out
}

// AddPosting adds a posting and returns it with its ID.
func (s *Server) AddPosting(p Posting) Posting {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.ID == "" {
		p.ID = s.id(kPosting)
	}
	if p.State == "" {
		p.State = "published"
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = s.now()
	}
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = p.CreatedAt
	}
	p.Tags = slices.Clone(p.Tags)
	s.postings = append(s.postings, &p)
	return p
}

// SetPostingTags replaces a posting's tags (a recruiter tagging a job).
func (s *Server) SetPostingTags(postingID string, tags ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.postings {
		if p.ID == postingID {
			p.Tags = slices.Clone(tags)
			p.UpdatedAt = s.now()
			return nil
		}
	}
	return fmt.Errorf("levertest: no posting %s", postingID)
}

// AddOpportunity adds an opportunity and returns it with its IDs. Adding
// one with the ID of an existing opportunity replaces it.
func (s *Server) AddOpportunity(o Opportunity) Opportunity {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o.ID == "" {
		o.ID = s.id(kOpp)
	}
	if o.Contact == "" {
		o.Contact = s.id(kContact)
	}
	if o.ApplicationID == "" {
		o.ApplicationID = s.id(kApp)
	}
	if o.StageID == "" && len(s.stages) > 0 {
		o.StageID = s.stages[0].ID
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = s.now()
	}
	if o.UpdatedAt.IsZero() {
		o.UpdatedAt = o.CreatedAt
	}
	o.Emails, o.Phones, o.Links, o.Tags = slices.Clone(o.Emails), slices.Clone(o.Phones), slices.Clone(o.Links), slices.Clone(o.Tags)
	if old, ok := s.oppByID[o.ID]; ok {
		*old = o
		return o
	}
	p := &o
	s.opps = append(s.opps, p)
	s.oppByID[o.ID] = p
	return o
}

// UpdateOpportunity edits an opportunity as a recruiter would in Lever's UI
// (e.g. adding a missing e-mail): fn receives a copy, and its changes to
// anything but the ID, stage and archive state are stored. No webhook
// fires; use MoveCandidate or ArchiveOpportunity for those.
func (s *Server) UpdateOpportunity(id string, fn func(*Opportunity)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.oppByID[id]
	if !ok {
		return fmt.Errorf("levertest: no opportunity %s", id)
	}
	edited := *o
	edited.Emails, edited.Phones, edited.Links, edited.Tags = slices.Clone(o.Emails), slices.Clone(o.Phones), slices.Clone(o.Links), slices.Clone(o.Tags)
	fn(&edited)
	edited.ID, edited.StageID, edited.Archived = o.ID, o.StageID, o.Archived
	edited.UpdatedAt = s.now()
	*o = edited
	return nil
}

// Opportunity returns the opportunity's current state (stage, tags,
// archive state).
func (s *Server) Opportunity(id string) (Opportunity, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.oppByID[id]
	if !ok {
		return Opportunity{}, false
	}
	c := *o
	c.Tags = slices.Clone(o.Tags)
	return c, true
}

// AddArchiveReason adds an archive reason and returns it with its ID.
func (s *Server) AddArchiveReason(r ArchiveReason) ArchiveReason {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.ID == "" {
		r.ID = s.id(kReason)
	}
	if r.Type == "" {
		r.Type = "non-hired"
	}
	if r.Status == "" {
		r.Status = "active"
	}
	s.reasons = append(s.reasons, &r)
	return r
}

// AddFeedbackTemplate adds a template, assigning IDs to it and its fields.
func (s *Server) AddFeedbackTemplate(t FeedbackTemplate) FeedbackTemplate {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.ID == "" {
		t.ID = s.id(kTemplate)
	}
	t.Fields = slices.Clone(t.Fields)
	for i := range t.Fields {
		if t.Fields[i].ID == "" {
			t.Fields[i].ID = s.id(kField)
		}
		if t.Fields[i].Type == "" {
			t.Fields[i].Type = "text"
		}
	}
	s.templates = append(s.templates, &t)
	return t
}

// AddWebhook configures an outgoing webhook for event (e.g.
// "candidateStageChange") as a Super Admin does on Lever's settings page,
// which also switches the event's webhook group on, and returns it with its
// signature token.
func (s *Server) AddWebhook(url, event string) Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groupOn[event] = true // added on the settings page, under its toggle
	return s.addWebhook(url, event, nil)
}

func (s *Server) addWebhook(url, event string, cond map[string]any) Webhook {
	w := &Webhook{ID: s.id(kWebhook), URL: url, Event: event, SignatureToken: randHex(24), Conditions: cond, CreatedAt: s.now()}
	s.webhooks = append(s.webhooks, w)
	return *w
}

// Webhooks returns the configured webhooks.
func (s *Server) Webhooks() []Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Webhook, len(s.webhooks))
	for i, w := range s.webhooks {
		out[i] = *w
	}
	return out
}

// Notes returns the notes posted on an opportunity, oldest first.
func (s *Server) Notes(opportunityID string) []Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.notes[opportunityID])
}

// StageChanges returns the stage moves of an opportunity ("" for all),
// oldest first.
func (s *Server) StageChanges(opportunityID string) []StageChange {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []StageChange
	for _, c := range s.stageChanges {
		if opportunityID == "" || c.OpportunityID == opportunityID {
			out = append(out, c)
		}
	}
	return out
}

// Feedback returns the feedback forms submitted for an opportunity.
func (s *Server) Feedback(opportunityID string) []Feedback {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.feedback[opportunityID])
}

// MoveCandidate moves an opportunity (Lever's candidate in a pipeline) as a
// recruiter would in Lever's UI,
// firing candidateStageChange webhooks.
func (s *Server) MoveCandidate(opportunityID, stageID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.move(opportunityID, stageID, "")
}

func (s *Server) move(id, stageID, performAs string) error {
	o := s.oppByID[id]
	if o == nil {
		return fmt.Errorf("levertest: no opportunity %s", id)
	}
	if s.stage(stageID) == nil {
		return fmt.Errorf("levertest: no stage %s", stageID)
	}
	from := o.StageID
	now := s.now()
	o.StageID, o.UpdatedAt = stageID, now
	s.stageChanges = append(s.stageChanges, StageChange{OpportunityID: id, FromStageID: from, ToStageID: stageID, PerformAs: performAs, At: now})
	s.fire("candidateStageChange", map[string]any{
		"candidateId": o.ID, "opportunityId": o.ID, "contactId": o.Contact,
		"fromStageId": from, "toStageId": stageID,
	})
	return nil
}

// ArchiveOpportunity archives an opportunity with a reason as a recruiter
// would (reasonID "" unarchives), firing candidateArchiveChange webhooks.
func (s *Server) ArchiveOpportunity(opportunityID, reasonID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.archive(opportunityID, reasonID)
}

func (s *Server) archive(id, reasonID string) error {
	o := s.oppByID[id]
	if o == nil {
		return fmt.Errorf("levertest: no opportunity %s", id)
	}
	if reasonID != "" && s.reason(reasonID) == nil {
		return fmt.Errorf("levertest: no archive reason %s", reasonID)
	}
	from := archiveJSON(o.Archived)
	now := s.now()
	if reasonID == "" {
		o.Archived = nil
	} else {
		o.Archived = &Archive{ReasonID: reasonID, At: now}
	}
	o.UpdatedAt = now
	s.fire("candidateArchiveChange", map[string]any{
		"candidateId": o.ID, "opportunityId": o.ID, "contactId": o.Contact,
		"fromArchived": from, "toArchived": archiveJSON(o.Archived),
	})
	return nil
}

func (s *Server) stage(id string) *Stage {
	for _, st := range s.stages {
		if st.ID == id {
			return st
		}
	}
	return nil
}

func (s *Server) reason(id string) *ArchiveReason {
	for _, r := range s.reasons {
		if r.ID == id {
			return r
		}
	}
	return nil
}

func (s *Server) user(id string) *User {
	for _, u := range s.users {
		if u.ID == id {
			return u
		}
	}
	return nil
}
