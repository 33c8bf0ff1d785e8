package workabletest

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Stage is a stage of a job's pipeline.
type Stage struct {
	// Slug identifies the stage in the API; empty derives it from Name.
	Slug string
	Name string
	// Kind is one of Workable's stage kinds (sourced, applied, shortlisted,
	// assessment, phone-screen, interview, offer, hired); empty derives it
	// from the slug, defaulting to "interview".
	Kind string
}

// StagesNamed returns stages with the given display names, slugs and kinds
// derived from the names.
func StagesNamed(names ...string) []Stage {
	out := make([]Stage, len(names))
	for i, n := range names {
		out[i] = Stage{Name: n}
	}
	return out
}

// Slugify derives a stage slug from a display name the way the fake does:
// lower case, runs of other characters replaced by "-".
func Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

var stageKinds = []string{"sourced", "applied", "shortlisted", "assessment", "phone-screen", "interview", "offer", "hired"}

// Job is a job to seed, and what AddJob returns.
type Job struct {
	// ID and Shortcode are assigned when empty.
	ID        string
	Shortcode string
	Title     string
	// State is draft, published (default), closed or archived.
	State string
	// Stages is the job's pipeline; nil gives Sourced, Applied,
	// Phone Screen, Interview, Offer, Hired.
	Stages    []Stage
	CreatedAt time.Time
}

type job struct {
	Job
	num int
}

// Member is an account member to seed, and what AddMember returns.
type Member struct {
	// ID is assigned when empty.
	ID    string
	Name  string
	Email string
	// Roles in the newest format, e.g. "ats.admin".
	Roles []string
	// Inactive members are hidden from GET /members unless status=all.
	Inactive bool
	num      int
}

// Candidate is a candidate to seed, and what AddCandidate and Candidate
// return.
type Candidate struct {
	// ID is assigned when empty.
	ID           string
	JobShortcode string
	// Stage is the current stage's slug; empty means the pipeline's first.
	Stage                  string
	Name                   string
	FirstName, LastName    string
	Email, Phone, Headline string
	ResumeURL              string
	Tags                   []string
	Disqualified           bool
	DisqualificationReason string
	CreatedAt, UpdatedAt   time.Time
	num                    int
}

func (s *Server) nextID(base int) (string, int) {
	s.seq++
	n := base + s.seq
	return fmt.Sprintf("%08x", n), n
}

// AddJob seeds a job and returns it with its ID, shortcode, state and
// stages filled in.
func (s *Server) AddJob(j Job) Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, num := s.nextID(0x61880000)
	if j.ID == "" {
		j.ID = id
	}
	if j.Shortcode == "" {
		j.Shortcode = fmt.Sprintf("%s%03d", s.prefix(), len(s.jobs)+1)
	}
	if j.State == "" {
		j.State = "published"
	}
	if j.Stages == nil {
		j.Stages = StagesNamed("Sourced", "Applied", "Phone Screen", "Interview", "Offer", "Hired")
	}
	j.Stages = slices.Clone(j.Stages)
	for i := range j.Stages {
		st := &j.Stages[i]
		if st.Slug == "" {
			st.Slug = Slugify(st.Name)
		}
		if st.Kind == "" {
			st.Kind = "interview"
			if slices.Contains(stageKinds, st.Slug) {
				st.Kind = st.Slug
			}
		}
	}
	if j.CreatedAt.IsZero() {
		j.CreatedAt = s.cfg.now().UTC().Truncate(time.Second)
	}
	jb := &job{Job: j, num: num}
	s.jobs = append(s.jobs, jb)
	s.jobsByCode[j.Shortcode] = jb
	return jb.Job
}

func (s *Server) prefix() string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s.cfg.subdomain) {
		if r >= 'A' && r <= 'Z' && b.Len() < 5 {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "JOB"
	}
	return b.String()
}

// AddMember seeds an active member and returns it with its ID.
func (s *Server) AddMember(m Member) Member {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, num := s.nextID(0x13e00000)
	if m.ID == "" {
		m.ID = id
	}
	m.num = num
	m.Roles = slices.Clone(m.Roles)
	mm := m
	s.members = append(s.members, &mm)
	return m
}

// AddCandidate seeds a candidate (as if a recruiter uploaded one) and fires
// candidate_created to matching subscriptions. It panics if the job or
// stage does not exist: seeding mistakes are test bugs.
func (s *Server) AddCandidate(c Candidate) Candidate {
	s.mu.Lock()
	out, err := s.addCandidateLocked(c)
	if err != nil {
		s.mu.Unlock()
		panic("workabletest: AddCandidate: " + err.Error())
	}
	s.fireLocked("candidate_created", out)
	s.mu.Unlock()
	s.flushSync()
	return *out
}

func (s *Server) addCandidateLocked(c Candidate) (*Candidate, error) {
	j := s.jobsByCode[c.JobShortcode]
	if j == nil {
		return nil, fmt.Errorf("no job %q", c.JobShortcode)
	}
	if c.Stage == "" {
		c.Stage = j.Stages[0].Slug
	} else if _, ok := j.stage(c.Stage); !ok {
		return nil, fmt.Errorf("job %s has no stage %q", c.JobShortcode, c.Stage)
	}
	id, num := s.nextID(0x10000000)
	if c.ID == "" {
		c.ID = id
	}
	c.num = num
	if c.Name == "" {
		c.Name = strings.TrimSpace(c.FirstName + " " + c.LastName)
	}
	if c.FirstName == "" && c.LastName == "" {
		if i := strings.LastIndex(c.Name, " "); i > 0 {
			c.FirstName, c.LastName = c.Name[:i], c.Name[i+1:]
		} else {
			c.FirstName = c.Name
		}
	}
	c.Tags = normalizeTags(c.Tags)
	now := s.cfg.now().UTC().Truncate(time.Second)
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	cc := c
	s.cands = append(s.cands, &cc)
	s.candsByID[c.ID] = &cc
	return &cc, nil
}

// UpdateCandidate edits a candidate as a recruiter would in Workable's UI
// (e.g. adding a missing e-mail): fn receives a copy, and its changes to
// anything but the ID, job and stage are stored. No webhook fires: Workable
// has no candidate-updated event.
func (s *Server) UpdateCandidate(id string, fn func(*Candidate)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.candsByID[id]
	if c == nil {
		return fmt.Errorf("workabletest: no candidate %q", id)
	}
	edited := *c
	edited.Tags = slices.Clone(c.Tags)
	fn(&edited)
	edited.ID, edited.num, edited.JobShortcode, edited.Stage = c.ID, c.num, c.JobShortcode, c.Stage
	edited.Tags = normalizeTags(edited.Tags)
	edited.UpdatedAt = s.cfg.now().UTC().Truncate(time.Second)
	*c = edited
	return nil
}

// MoveCandidate moves a candidate to the stage with the given slug, as a
// recruiter would in Workable's UI, and fires candidate_moved.
func (s *Server) MoveCandidate(id, stageSlug string) error {
	s.mu.Lock()
	c := s.candsByID[id]
	if c == nil {
		s.mu.Unlock()
		return fmt.Errorf("workabletest: no candidate %q", id)
	}
	if _, ok := s.jobsByCode[c.JobShortcode].stage(stageSlug); !ok {
		s.mu.Unlock()
		return fmt.Errorf("workabletest: job %s has no stage %q", c.JobShortcode, stageSlug)
	}
	s.moveLocked(c, stageSlug, "")
	s.mu.Unlock()
	s.flushSync()
	return nil
}

func (s *Server) moveLocked(c *Candidate, slug, member string) {
	c.Stage = slug
	c.UpdatedAt = s.cfg.now().UTC().Truncate(time.Second)
	if member != "" {
		s.moves = append(s.moves, Move{CandidateID: c.ID, Stage: slug, MemberID: member})
	}
	s.fireLocked("candidate_moved", c)
}

// Candidate returns a snapshot of a candidate.
func (s *Server) Candidate(id string) (Candidate, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.candsByID[id]
	if c == nil {
		return Candidate{}, false
	}
	out := *c
	out.Tags = slices.Clone(c.Tags)
	return out, true
}

func (j *job) stage(slugOrName string) (Stage, bool) {
	for _, st := range j.Stages {
		if st.Slug == slugOrName {
			return st, true
		}
	}
	for _, st := range j.Stages {
		if strings.EqualFold(st.Name, slugOrName) {
			return st, true
		}
	}
	return Stage{}, false
}

// normalizeTags applies Workable's tag normalisation as described by Knit
// (https://developers.getknit.dev/reference/create-a-candidate-tagthird-party): lower case, cut at the first whitespace,
// tags of 25 characters or more ignored; duplicates dropped.
func normalizeTags(tags []string) []string {
	out := []string{}
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if i := strings.IndexFunc(t, unicode.IsSpace); i >= 0 {
			t = t[:i]
		}
		if t == "" || len([]rune(t)) >= 25 || slices.Contains(out, t) {
			continue
		}
		out = append(out, t)
	}
	return out
}

// Move records a move through the API.
type Move struct {
	CandidateID, Stage, MemberID string
}

// Comment records a comment through the API.
type Comment struct {
	CandidateID, MemberID, Body string
	Policy                      []string
	// Visibility is the roles that can read the comment: always "admin",
	// plus the policy's roles (an empty or omitted policy is admins only).
	Visibility []string
	// AttachmentName and AttachmentData are set when a file was attached
	// (Data decoded from base64).
	AttachmentName string
	AttachmentData []byte
}

// TagWrite records a PUT of a candidate's tags (after normalisation).
type TagWrite struct {
	CandidateID string
	Tags        []string
}

// Disqualification records a disqualification through the API.
type Disqualification struct {
	CandidateID, MemberID, ReasonID, Note string
	Withdrew                              bool
}

// Revert records a reverted disqualification.
type Revert struct {
	CandidateID, MemberID string
}

// Rating records a rating (evaluation) through the API.
type Rating struct {
	CandidateID, MemberID, Comment, Scale string
	Grade                                 int
}

// Moves returns the moves made through the API, oldest first.
func (s *Server) Moves() []Move { return snapshot(s, &s.moves) }

// Comments returns the comments made through the API, oldest first.
func (s *Server) Comments() []Comment { return snapshot(s, &s.comments) }

// CommentsOn returns the bodies of the comments on a candidate, oldest first.
func (s *Server) CommentsOn(candidateID string) []string {
	var out []string
	for _, c := range s.Comments() {
		if c.CandidateID == candidateID {
			out = append(out, c.Body)
		}
	}
	return out
}

// TagWrites returns the tag replacements made through the API.
func (s *Server) TagWrites() []TagWrite { return snapshot(s, &s.tagSets) }

// Tags returns a candidate's current tags.
func (s *Server) Tags(candidateID string) []string {
	c, _ := s.Candidate(candidateID)
	return c.Tags
}

// Disqualifications returns the disqualifications made through the API.
func (s *Server) Disqualifications() []Disqualification { return snapshot(s, &s.disq) }

// Reverts returns the reverted disqualifications made through the API.
func (s *Server) Reverts() []Revert { return snapshot(s, &s.reverts) }

// Ratings returns the ratings made through the API.
func (s *Server) Ratings() []Rating { return snapshot(s, &s.ratings) }

func snapshot[T any](s *Server, p *[]T) []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(*p)
}

// Subscription is a webhook subscription registered with the fake.
type Subscription struct {
	ID           int
	Target       string
	Event        string
	JobShortcode string
	StageSlug    string
	CreatedAt    time.Time
	ValidUntil   time.Time
	secret       string
}

type subscription = Subscription

// Subscriptions returns the active subscriptions.
func (s *Server) Subscriptions() []Subscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Subscription, len(s.subs))
	for i, sub := range s.subs {
		out[i] = *sub
	}
	return out
}

// Subscribe registers a subscription directly (as if created earlier with
// the given signing secret) and returns its ID.
func (s *Server) Subscribe(event, target, secret string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.subscribeLocked(Subscription{Event: event, Target: target, secret: secret})
}

func (s *Server) subscribeLocked(sub Subscription) int {
	s.subSeq++
	sub.ID = 772571800 + s.subSeq
	now := s.cfg.now().UTC()
	sub.CreatedAt = now
	sub.ValidUntil = now.AddDate(1, 0, 0)
	s.subs = append(s.subs, &sub)
	return sub.ID
}
