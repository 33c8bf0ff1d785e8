package ats

import "time"

// JobState is the lifecycle state of a job (a Workable job, a Lever posting).
// Adapters map the ATS's own vocabulary onto these values and keep the raw
// value in Job.RawState.
type JobState string

// Job states.
const (
	JobDraft     JobState = "draft"
	JobPublished JobState = "published"
	JobInternal  JobState = "internal" // published internally / confidential
	JobClosed    JobState = "closed"
	JobArchived  JobState = "archived"
	JobUnknown   JobState = "unknown"
)

// Job is an opening in an ATS: a Workable job or a Lever posting.
type Job struct {
	// ID identifies the job in calls to the adapter (Workable: shortcode,
	// Lever: posting ID).
	ID string
	// Title is the job's display title.
	Title string
	// State is the normalised state; RawState is the ATS's own word.
	State    JobState
	RawState string
	// ExternalIDs holds the ATS's other identifiers, keyed by name
	// (e.g. "id", "shortcode", "code" for Workable).
	ExternalIDs map[string]string
	// URL is the job's page in the ATS, when known.
	URL string
	// Link says whether and how the job is linked to the vendor.
	Link JobLink
	// CreatedAt and UpdatedAt are zero when the ATS does not report them.
	CreatedAt time.Time
	UpdatedAt time.Time
}

// JobLink describes how a job is linked to the interview vendor. In Workable
// a job is linked when its pipeline contains the vendor's stage; in Lever
// when the posting carries the vendor's tag.
type JobLink struct {
	// Linked reports whether the job carries the vendor's marker.
	Linked bool
	// Marker is the stage name or tag that links the job.
	Marker string
	// StageID is the ID of the vendor's stage in this job's pipeline, when
	// the link is a stage (Workable). Empty for tag-linked jobs.
	StageID string
}

// ListJobsOptions filters a job listing. The zero value lists every job.
type ListJobsOptions struct {
	// State restricts the listing to one state; empty means all states.
	State JobState
	// PageSize is the number of jobs fetched per request; zero lets the
	// adapter choose. It never changes the results, only the round trips.
	PageSize int
}
