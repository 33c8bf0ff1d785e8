package ashbytest

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// data is the account. Every record carries rev, the account-wide change
// counter at its last change, which incremental syncs compare.
type data struct {
	rev         int64
	users       []*User
	jobs        []*Job
	jobByID     map[string]*Job
	stageByID   map[string]*Stage
	cands       []*Candidate
	candByID    map[string]*Candidate
	apps        []*Application
	appByID     map[string]*Application
	notes       map[string][]Note
	tags        []*Tag
	reasons     []*ArchiveReason
	webhooks    map[string]*Webhook
	uploads     map[string]*upload
	files       map[string]*File
	assessments map[string]*Assessment
	completed   []CompletedAssessment
	schedules   []*Schedule
}

func (d *data) init() {
	d.jobByID = map[string]*Job{}
	d.stageByID = map[string]*Stage{}
	d.candByID = map[string]*Candidate{}
	d.appByID = map[string]*Application{}
	d.notes = map[string][]Note{}
	d.webhooks = map[string]*Webhook{}
	d.uploads = map[string]*upload{}
	d.files = map[string]*File{}
	d.assessments = map[string]*Assessment{}
}

func (d *data) bump() int64 { d.rev++; return d.rev }

// User is an Ashby user.
type User struct {
	ID        string
	FirstName string
	LastName  string
	Email     string
	// GlobalRole defaults to "Organization Admin".
	GlobalRole string
	Disabled   bool
}

// Stage is a stage of an interview plan. Type is Ashby's stage type
// ("Active", "Offer", "Hired", "Archived", …; the fake defaults to
// "Active").
type Stage struct {
	ID     string
	Title  string
	Type   string
	Order  int
	PlanID string
}

// Job is an Ashby job with one interview plan.
type Job struct {
	ID    string
	Title string
	// Status is Open (default), Draft, Closed or Archived.
	Status       string
	Confidential bool
	// Stages is the interview plan, in order. AddJob appends an
	// "Archived" stage of type Archived when none is given, as every
	// Ashby plan has one.
	Stages    []Stage
	PlanID    string
	CreatedAt time.Time
	UpdatedAt time.Time
	rev       int64
}

// Candidate is an Ashby candidate (the person).
type Candidate struct {
	ID     string
	Name   string
	Emails []string
	Phones []string
	// Tags holds tag titles; AddCandidate creates the tags.
	Tags        []string
	FileHandles []string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	rev         int64
}

// Application is a candidate's application to a job.
type Application struct {
	ID          string
	CandidateID string
	JobID       string
	// StageID is the current stage; AddApplication defaults to the plan's
	// first stage.
	StageID string
	// Status is Active (default), Hired, Archived or Lead.
	Status          string
	ArchiveReasonID string
	ArchivedAt      time.Time
	History         []HistoryEntry
	CreatedAt       time.Time
	UpdatedAt       time.Time
	rev             int64
}

// HistoryEntry is one stage an application was in.
type HistoryEntry struct {
	ID             string
	StageID        string
	Title          string
	EnteredStageAt time.Time
	LeftStageAt    time.Time
}

// Note is a note on a candidate, with its content as Ashby stored it
// (HTML stripped to the supported subset).
type Note struct {
	ID                string
	CandidateID       string
	Content           string
	Type              string // text/plain or text/html
	IsPrivate         bool
	SendNotifications bool
	CreatedAt         time.Time
	AuthorKey         string
}

// Tag is a candidate tag.
type Tag struct {
	ID         string
	Title      string
	IsArchived bool
}

// ArchiveReason is an archive reason.
type ArchiveReason struct {
	ID         string
	Text       string
	ReasonType string
	IsArchived bool
}

// File is a file attached to a candidate.
type File struct {
	Handle      string
	Name        string
	ContentType string
	Data        []byte
	Uploaded    bool
}

type upload struct {
	handle  string
	fields  map[string]string
	expires time.Time
	length  int
}

// AddUser adds a user.
func (s *Server) AddUser(u User) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == "" {
		u.ID = newUUID()
	}
	if u.GlobalRole == "" {
		u.GlobalRole = "Organization Admin"
	}
	s.d.users = append(s.d.users, &u)
	return u
}

// AddJob adds a job with an interview plan of j.Stages (titles, and types
// defaulting to "Active") and returns it with IDs filled in.
func (s *Server) AddJob(j Job) Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UTC()
	if j.ID == "" {
		j.ID = newUUID()
	}
	if j.Status == "" {
		j.Status = "Open"
	}
	j.PlanID = newUUID()
	stages := slices.Clone(j.Stages)
	if !slices.ContainsFunc(stages, func(st Stage) bool { return st.Type == "Archived" }) {
		stages = append(stages, Stage{Title: "Archived", Type: "Archived"})
	}
	for i := range stages {
		st := &stages[i]
		if st.ID == "" {
			st.ID = newUUID()
		}
		if st.Type == "" {
			st.Type = "Active"
		}
		st.Order, st.PlanID = i, j.PlanID
		cp := *st
		s.d.stageByID[st.ID] = &cp
	}
	j.Stages = stages
	j.CreatedAt, j.UpdatedAt, j.rev = now, now, s.d.bump()
	jj := j
	jj.Stages = slices.Clone(stages)
	s.d.jobs = append(s.d.jobs, &jj)
	s.d.jobByID[j.ID] = &jj
	return j
}

// AddCandidate adds a candidate (a person).
func (s *Server) AddCandidate(c Candidate) Candidate {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UTC()
	if c.ID == "" {
		c.ID = newUUID()
	}
	for _, t := range c.Tags {
		s.tagLocked(t)
	}
	c.CreatedAt, c.UpdatedAt, c.rev = now, now, s.d.bump()
	cc := c
	s.d.cands = append(s.d.cands, &cc)
	s.d.candByID[c.ID] = &cc
	return c
}

// AddApplication adds an application of a.CandidateID to a.JobID. It
// panics when either does not exist or the stage is not in the job's plan
// (a broken test fixture).
func (s *Server) AddApplication(a Application) Application {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.d.jobByID[a.JobID]
	if j == nil || s.d.candByID[a.CandidateID] == nil {
		panic(fmt.Sprintf("ashbytest: AddApplication: unknown job %q or candidate %q", a.JobID, a.CandidateID))
	}
	if a.StageID == "" {
		a.StageID = j.Stages[0].ID
	}
	st := s.d.stageByID[a.StageID]
	if st == nil || st.PlanID != j.PlanID {
		panic(fmt.Sprintf("ashbytest: AddApplication: stage %q is not in job %q's plan", a.StageID, a.JobID))
	}
	now := s.now().UTC()
	if a.ID == "" {
		a.ID = newUUID()
	}
	if a.Status == "" {
		a.Status = "Active"
	}
	a.CreatedAt, a.UpdatedAt, a.rev = now, now, s.d.bump()
	a.History = []HistoryEntry{{ID: newUUID(), StageID: st.ID, Title: st.Title, EnteredStageAt: now}}
	aa := a
	s.d.apps = append(s.d.apps, &aa)
	s.d.appByID[a.ID] = &aa
	return a
}

// AddArchiveReason adds an archive reason.
func (s *Server) AddArchiveReason(text string) ArchiveReason {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &ArchiveReason{ID: newUUID(), Text: text, ReasonType: "RejectedByOrg"}
	s.d.reasons = append(s.d.reasons, r)
	return *r
}

// tagLocked returns the tag titled title, creating it.
func (s *Server) tagLocked(title string) *Tag {
	for _, t := range s.d.tags {
		if strings.EqualFold(t.Title, title) {
			return t
		}
	}
	t := &Tag{ID: newUUID(), Title: title}
	s.d.tags = append(s.d.tags, t)
	return t
}

// Application returns the application with id.
func (s *Server) Application(id string) (Application, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.d.appByID[id]
	if a == nil {
		return Application{}, false
	}
	out := *a
	out.History = slices.Clone(a.History)
	return out, true
}

// Candidate returns the candidate with id.
func (s *Server) Candidate(id string) (Candidate, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.d.candByID[id]
	if c == nil {
		return Candidate{}, false
	}
	out := *c
	out.Tags, out.FileHandles = slices.Clone(c.Tags), slices.Clone(c.FileHandles)
	return out, true
}

// Notes returns the notes on candidate id, oldest first.
func (s *Server) Notes(candidateID string) []Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.d.notes[candidateID])
}

// Files returns the files attached to candidate id.
func (s *Server) Files(candidateID string) []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []File
	if c := s.d.candByID[candidateID]; c != nil {
		for _, h := range c.FileHandles {
			if f := s.d.files[h]; f != nil {
				out = append(out, *f)
			}
		}
	}
	return out
}

// Webhook is a webhook registered through the API.
type Webhook struct {
	ID      string
	Type    string
	URL     string
	Secret  string
	Enabled bool
}

// Webhooks returns the registered webhooks.
func (s *Server) Webhooks() []Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Webhook
	for _, w := range s.d.webhooks {
		out = append(out, *w)
	}
	slices.SortFunc(out, func(a, b Webhook) int { return strings.Compare(a.ID, b.ID) })
	return out
}
