package greenhousetest

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// store is the account's data. Every field is guarded by Server.mu.
type store struct {
	now            func() time.Time
	seq            int64
	adminID        int64
	serviceAccount int64

	users      map[int64]*User
	userIDs    []int64
	jobs       map[int64]*Job
	jobIDs     []int64
	stages     map[int64]*Stage
	stageIDs   []int64
	jobIvs     map[int64]*JobInterview
	jobIvIDs   []int64
	people     map[int64]*Candidate
	peopleIDs  []int64
	apps       map[int64]*Application
	appIDs     []int64
	notes      []*Note
	tags       map[int64]string
	tagIDs     []int64
	applied    map[int64]*AppliedTag
	appliedIDs []int64
	files      map[int64]*Attachment
	fileIDs    []int64
	ivs        map[int64]*Interview
	ivIDs      []int64
	reasons    []RejectionReason
	moves      []Move
	webhooks   map[int64]*Webhook
	webhookIDs []int64
}

func (st *store) init(now func() time.Time) {
	st.now = now
	st.users, st.jobs, st.stages, st.jobIvs = map[int64]*User{}, map[int64]*Job{}, map[int64]*Stage{}, map[int64]*JobInterview{}
	st.people, st.apps, st.tags, st.applied = map[int64]*Candidate{}, map[int64]*Application{}, map[int64]string{}, map[int64]*AppliedTag{}
	st.files, st.ivs, st.webhooks = map[int64]*Attachment{}, map[int64]*Interview{}, map[int64]*Webhook{}
	st.adminID = st.addUser(User{FirstName: "Ada", LastName: "Admin", Email: "admin@example.com", SiteAdmin: true}).ID
	st.serviceAccount = st.addUser(User{FirstName: "Harvest", LastName: "Service Account", Email: "harvest-api@example.com", SiteAdmin: true}).ID
	for _, n := range []string{"Lacking skill(s)/qualification(s)", "Unable to schedule", "Withdrew"} {
		st.reasons = append(st.reasons, RejectionReason{ID: st.next(), Name: n})
	}
}

func (st *store) next() int64 {
	st.seq++
	return 1000 + st.seq
}

// User is a Greenhouse user to seed, and what AddUser returns.
type User struct {
	ID                  int64
	FirstName, LastName string
	// Email is the primary email; SecondaryEmails are found through
	// /user_emails.
	Email           string
	SecondaryEmails []string
	SiteAdmin       bool
	Deactivated     bool
}

// Stage is a stage of a job's interview plan.
type Stage struct {
	ID        int64
	JobID     int64
	Name      string
	SortOrder int
	// Inactive stages are kept but hidden from active-stage filters.
	Inactive bool
	// SchedulingType is the type of the one interview AddJob creates in
	// the stage: "needs_scheduling" (default), "take_home_test" (an
	// Assessment Partner's test), "none".
	SchedulingType string
	// InterviewName names that interview (default: the stage name).
	InterviewName string
}

// JobInterview is one interview of a job's plan.
type JobInterview struct {
	ID, JobID, StageID int64
	Name               string
	SchedulingType     string
	SortOrder          int
}

// Job is a job to seed, and what AddJob returns.
type Job struct {
	ID   int64
	Name string
	// Status is open (default), draft or closed.
	Status     string
	IsTemplate bool
	// Stages is the interview plan, in order; nil uses Application
	// Review, Phone Screen, Face to Face, Offer. AddJob returns them with
	// IDs.
	Stages     []Stage
	Interviews []JobInterview
	CreatedAt  time.Time
}

// Candidate is a candidate to seed with one application, and what
// AddCandidate returns.
type Candidate struct {
	// ID is the person's ID; ApplicationID the application's.
	ID, ApplicationID int64
	JobID             int64
	// StageID is the application's stage; zero means the job's first.
	StageID             int64
	FirstName, LastName string
	Emails, Phones      []string
	Tags                []string
	// Resume, when set, is attached to the application as resume.pdf
	// (type resume), served through a signed URL that expires.
	Resume []byte
}

// Application is an application as the fake holds it.
type Application struct {
	ID, CandidateID, JobID int64
	StageID                int64
	// Status is in_process, rejected or hired.
	Status            string
	RejectionReasonID int64
	RejectionNotes    string
	RejectedAt        time.Time
	LastActivityAt    time.Time
	CreatedAt         time.Time
	History           []AppStage
}

// AppStage is one row of an application's stage history.
type AppStage struct {
	ID, StageID         int64
	EnteredAt, ExitedAt time.Time
}

// Note is a note recorded through the API.
type Note struct {
	ID, CandidateID, ApplicationID, UserID int64
	Body                                   string
	// Visibility is as sent: admin_only, private or public.
	Visibility string
	Type       string
	CreatedAt  time.Time
}

// AppliedTag is a tag on a candidate.
type AppliedTag struct {
	ID, CandidateID, TagID int64
}

// Attachment is a file attached through the API.
type Attachment struct {
	ID, ApplicationID, CandidateID int64
	Filename, Type, ContentType    string
	Content                        []byte
	URL                            string
	Visibility                     string
	CreatedAt                      time.Time
}

// Interview is a scheduled interview recorded through the API.
type Interview struct {
	ID, ApplicationID, JobID, JobInterviewID int64
	StartsAt, EndsAt                         time.Time
	Status                                   string
	ExternalEventID                          string
	Location, VideoConferencingURL           string
	InterviewerIDs                           []int64
	OrganizerID                              int64
	CreatedViaAPI                            bool
}

// RejectionReason is one of the account's rejection reasons.
type RejectionReason struct {
	ID   int64
	Name string
}

// Move records a stage change (through the API or MoveCandidate).
type Move struct {
	ApplicationID, From, To int64
	// UserID is the token's user for API moves, 0 for MoveCandidate.
	UserID int64
}

func (st *store) addUser(u User) User {
	u.ID = st.next()
	cp := u
	st.users[u.ID] = &cp
	st.userIDs = append(st.userIDs, u.ID)
	return u
}

// AdminUserID returns the ID of the Site Admin seeded by NewServer (the
// user an authorization-code grant acts as).
func (s *Server) AdminUserID() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.adminID
}

// ServiceAccountID returns the user a client-credentials token without sub
// acts as.
func (s *Server) ServiceAccountID() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.serviceAccount
}

// AddUser seeds a user and returns it with its ID.
func (s *Server) AddUser(u User) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.addUser(u)
}

// AddRejectionReason seeds a rejection reason and returns its ID.
func (s *Server) AddRejectionReason(name string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.st.next()
	s.st.reasons = append(s.st.reasons, RejectionReason{ID: id, Name: name})
	return id
}

// RejectionReasons returns the account's rejection reasons.
func (s *Server) RejectionReasons() []RejectionReason {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.reasons)
}

// AddJob seeds a job with its interview plan (one interview per stage)
// and returns it with IDs.
func (s *Server) AddJob(j Job) Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.st
	j.ID = st.next()
	if j.Status == "" {
		j.Status = "open"
	}
	if j.Name == "" {
		j.Name = fmt.Sprintf("Job %d", j.ID)
	}
	if j.CreatedAt.IsZero() {
		j.CreatedAt = st.now().UTC()
	}
	if j.Stages == nil {
		for _, n := range []string{"Application Review", "Phone Screen", "Face to Face", "Offer"} {
			j.Stages = append(j.Stages, Stage{Name: n})
		}
	}
	j.Stages = slices.Clone(j.Stages)
	j.Interviews = nil
	for i := range j.Stages {
		sg := &j.Stages[i]
		sg.ID, sg.JobID, sg.SortOrder = st.next(), j.ID, i
		cp := *sg
		st.stages[sg.ID] = &cp
		st.stageIDs = append(st.stageIDs, sg.ID)
		typ := sg.SchedulingType
		if typ == "" {
			typ = "needs_scheduling"
		}
		name := sg.InterviewName
		if name == "" {
			name = sg.Name
		}
		iv := JobInterview{ID: st.next(), JobID: j.ID, StageID: sg.ID, Name: name, SchedulingType: typ}
		st.jobIvs[iv.ID] = &iv
		st.jobIvIDs = append(st.jobIvIDs, iv.ID)
		j.Interviews = append(j.Interviews, iv)
	}
	cp := j
	st.jobs[j.ID] = &cp
	st.jobIDs = append(st.jobIDs, j.ID)
	return j
}

// AddCandidate seeds a person with one application to c.JobID in
// c.StageID (default: the job's first stage), fires new_candidate_application,
// and returns it with its IDs. It panics on an unknown job or stage: a
// seeding mistake in a test.
func (s *Server) AddCandidate(c Candidate) Candidate {
	s.mu.Lock()
	st := &s.st
	c.ID = st.next()
	c.Tags = slices.Clone(c.Tags)
	cp := c
	st.people[c.ID] = &cp
	st.peopleIDs = append(st.peopleIDs, c.ID)
	for _, t := range c.Tags {
		st.applyTagLocked(c.ID, st.tagNamed(t, true))
	}
	a, err := st.addApplication(c.ID, c.JobID, c.StageID)
	if err != nil {
		s.mu.Unlock()
		panic("greenhousetest: AddCandidate: " + err.Error())
	}
	c.ApplicationID, c.StageID = a.ID, a.StageID
	st.people[c.ID].ApplicationID, st.people[c.ID].StageID = a.ID, a.StageID
	if len(c.Resume) > 0 {
		f := &Attachment{ID: st.next(), ApplicationID: a.ID, CandidateID: c.ID, Filename: "resume.pdf", Type: "resume",
			ContentType: "application/pdf", Content: c.Resume, CreatedAt: st.now().UTC()}
		st.files[f.ID] = f
		st.fileIDs = append(st.fileIDs, f.ID)
	}
	s.fireLocked("new_candidate_application", a)
	s.mu.Unlock()
	s.hooks.flushSync()
	return c
}

// AddApplication seeds another application of an existing person and
// returns its ID.
func (s *Server) AddApplication(personID, jobID, stageID int64) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.people[personID] == nil {
		return 0, fmt.Errorf("greenhousetest: no candidate %d", personID)
	}
	a, err := s.st.addApplication(personID, jobID, stageID)
	if err != nil {
		return 0, err
	}
	return a.ID, nil
}

func (st *store) addApplication(personID, jobID, stageID int64) (*Application, error) {
	if st.jobs[jobID] == nil {
		return nil, fmt.Errorf("no job %d", jobID)
	}
	if stageID == 0 {
		stageID = st.firstStage(jobID)
	}
	if sg := st.stages[stageID]; sg == nil || sg.JobID != jobID {
		return nil, fmt.Errorf("stage %d is not a stage of job %d", stageID, jobID)
	}
	now := st.now().UTC()
	a := &Application{ID: st.next(), CandidateID: personID, JobID: jobID, StageID: stageID, Status: "in_process", CreatedAt: now, LastActivityAt: now}
	a.History = []AppStage{{ID: st.next(), StageID: stageID, EnteredAt: now}}
	st.apps[a.ID] = a
	st.appIDs = append(st.appIDs, a.ID)
	return a, nil
}

func (st *store) firstStage(jobID int64) int64 {
	best, bestOrder := int64(0), 1<<30
	for _, id := range st.stageIDs {
		sg := st.stages[id]
		if sg.JobID == jobID && !sg.Inactive && sg.SortOrder < bestOrder {
			best, bestOrder = id, sg.SortOrder
		}
	}
	return best
}

// moveLocked moves a to stage and records it; the caller fires webhooks.
func (st *store) moveLocked(a *Application, to, userID int64) {
	now := st.now().UTC()
	if n := len(a.History); n > 0 && a.History[n-1].ExitedAt.IsZero() {
		a.History[n-1].ExitedAt = now
	}
	a.History = append(a.History, AppStage{ID: st.next(), StageID: to, EnteredAt: now})
	st.moves = append(st.moves, Move{ApplicationID: a.ID, From: a.StageID, To: to, UserID: userID})
	a.StageID = to
	a.LastActivityAt = now
	if p := st.people[a.CandidateID]; p != nil && p.ApplicationID == a.ID {
		p.StageID = to
	}
}

// MoveCandidate moves an application to a stage of its job as a recruiter
// would in Greenhouse, and fires candidate_stage_change and
// application_updated.
func (s *Server) MoveCandidate(applicationID, stageID int64) error {
	s.mu.Lock()
	a := s.st.apps[applicationID]
	switch {
	case a == nil:
		s.mu.Unlock()
		return fmt.Errorf("greenhousetest: no application %d", applicationID)
	case s.st.stages[stageID] == nil || s.st.stages[stageID].JobID != a.JobID:
		s.mu.Unlock()
		return fmt.Errorf("greenhousetest: stage %d is not a stage of job %d", stageID, a.JobID)
	}
	s.st.moveLocked(a, stageID, 0)
	s.fireLocked("candidate_stage_change", a)
	s.fireLocked("application_updated", a)
	s.mu.Unlock()
	s.hooks.flushSync()
	return nil
}

// Application returns a copy of an application.
func (s *Server) Application(id int64) (Application, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.apps[id]
	if a == nil {
		return Application{}, false
	}
	cp := *a
	cp.History = slices.Clone(a.History)
	return cp, true
}

// Notes returns the notes on a person (candidate ID), oldest first.
func (s *Server) Notes(candidateID int64) []Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Note
	for _, n := range s.st.notes {
		if n.CandidateID == candidateID {
			out = append(out, *n)
		}
	}
	return out
}

// Tags returns the names of a person's tags, sorted.
func (s *Server) Tags(candidateID int64) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.tagsOf(candidateID)
}

func (st *store) tagsOf(candidateID int64) []string {
	out := []string{}
	for _, id := range st.appliedIDs {
		if at := st.applied[id]; at != nil && at.CandidateID == candidateID {
			out = append(out, st.tags[at.TagID])
		}
	}
	slices.Sort(out)
	return out
}

func (st *store) tagNamed(name string, create bool) int64 {
	for _, id := range st.tagIDs {
		if strings.EqualFold(st.tags[id], strings.TrimSpace(name)) {
			return id
		}
	}
	if !create {
		return 0
	}
	id := st.next()
	st.tags[id] = strings.TrimSpace(name)
	st.tagIDs = append(st.tagIDs, id)
	return id
}

func (st *store) applyTagLocked(candidateID, tagID int64) *AppliedTag {
	for _, id := range st.appliedIDs {
		if at := st.applied[id]; at != nil && at.CandidateID == candidateID && at.TagID == tagID {
			return at
		}
	}
	at := &AppliedTag{ID: st.next(), CandidateID: candidateID, TagID: tagID}
	st.applied[at.ID] = at
	st.appliedIDs = append(st.appliedIDs, at.ID)
	return at
}

// Moves returns every stage change so far, oldest first.
func (s *Server) Moves() []Move {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.moves)
}

// Attachments returns the files attached to an application.
func (s *Server) Attachments(applicationID int64) []Attachment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Attachment
	for _, id := range s.st.fileIDs {
		if f := s.st.files[id]; f.ApplicationID == applicationID {
			out = append(out, *f)
		}
	}
	return out
}

// Interviews returns the scheduled interviews of an application.
func (s *Server) Interviews(applicationID int64) []Interview {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Interview
	for _, id := range s.st.ivIDs {
		if iv := s.st.ivs[id]; iv != nil && iv.ApplicationID == applicationID {
			cp := *iv
			cp.InterviewerIDs = slices.Clone(iv.InterviewerIDs)
			out = append(out, cp)
		}
	}
	return out
}

// SetInterviewStatus sets a scheduled interview's status (e.g. complete),
// as Greenhouse does when feedback comes in.
func (s *Server) SetInterviewStatus(id int64, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if iv := s.st.ivs[id]; iv != nil {
		iv.Status = status
	}
}
