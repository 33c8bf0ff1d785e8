package ats

import (
	"strings"
	"time"
	"unicode"
)

// Candidate is a person in a job's pipeline: a Workable candidate or a Lever
// opportunity. One person applying to two jobs is two Candidates.
type Candidate struct {
	// ID identifies the candidate in adapter calls (Workable: candidate ID,
	// Lever: opportunity ID).
	ID string
	// ApplicationID is the ATS's application identifier when it differs
	// from ID (Lever), else empty.
	ApplicationID string
	// PersonID identifies the person across applications when the ATS has
	// such a notion (Lever: contact), else empty.
	PersonID string
	// JobID is the Job.ID the candidate applied to.
	JobID string
	// Name is the full name; FirstName and LastName are set when known.
	Name      string
	FirstName string
	LastName  string
	// Emails and Phones list contact details, preferred first.
	Emails []string
	Phones []string
	// ResumeURL links to the resume file, when the ATS exposes one.
	ResumeURL string
	// Stage is the candidate's current stage.
	Stage StageRef
	// ProfileURL is the candidate's page in the ATS.
	ProfileURL string
	// Tags are the candidate's tags.
	Tags []string
	// Disqualified is true when the candidate is disqualified or archived.
	Disqualified bool
	// CreatedAt and UpdatedAt are zero when unknown.
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Email returns the preferred email address, or "".
func (c Candidate) Email() string {
	if len(c.Emails) == 0 {
		return ""
	}
	return c.Emails[0]
}

// Phone returns the preferred phone number, or "".
func (c Candidate) Phone() string {
	if len(c.Phones) == 0 {
		return ""
	}
	return c.Phones[0]
}

// HasTag reports whether the candidate carries tag (case-insensitively).
func (c Candidate) HasTag(tag string) bool {
	for _, t := range c.Tags {
		if equalFold(t, tag) {
			return true
		}
	}
	return false
}

// SplitName splits a full name into first and last name at the last space,
// for ATSs that only report a full name.
func SplitName(full string) (first, last string) {
	full = strings.TrimSpace(full)
	i := strings.LastIndexFunc(full, unicode.IsSpace)
	if i < 0 {
		return full, ""
	}
	return strings.TrimSpace(full[:i]), strings.TrimSpace(full[i+1:])
}

// CandidateFilter selects candidates in a listing. Empty fields do not filter.
type CandidateFilter struct {
	JobID        string
	StageID      string
	Tag          string
	UpdatedAfter time.Time
	// PageSize is the number fetched per request; zero lets the adapter choose.
	PageSize int
}

func equalFold(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}
