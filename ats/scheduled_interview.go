package ats

import (
	"context"
	"time"
)

// ScheduledInterview is an interview the vendor scheduled, as recruiters see
// it on the candidate's profile in the ATS: a Lever panel with one interview
// (https://hire.lever.co/developer/documentation#create-a-panel), a
// Greenhouse scheduled interview
// (https://harvestdocs.greenhouse.io/reference/post_v3-scheduled-interviews).
type ScheduledInterview struct {
	// ID is the ATS's identifier of the scheduled interview (Lever: the
	// panel ID). Empty when creating; set on what Create returns and when
	// updating or deleting.
	ID string
	// InterviewID identifies the single interview inside a panel where the
	// ATS distinguishes the two (Lever); feedback forms link to it. Empty
	// where the ATS has no such level.
	InterviewID string
	// Subject is the title shown on the profile, e.g.
	// "InterviewVector – Technical".
	Subject string
	// Start is when the interview begins.
	Start time.Time
	// Duration is how long it lasts; adapters round to whole minutes.
	Duration time.Duration
	// TimeZone is the IANA zone the interview is shown in, e.g.
	// "Europe/Berlin"; "" means UTC.
	TimeZone string
	// URL is the vendor's link to the interview (join or details page).
	URL string
	// Interviewers are ATS user IDs shown as the interview's panel. ATSs
	// that require one (Lever) use the connection's acting user when empty.
	Interviewers []string
	// Note is an optional free-text description.
	Note string
}

// InterviewScheduler puts the vendor's scheduled interview on the
// candidate's profile, keeps it current on reschedule and removes it on
// cancellation. It is optional; lifecycle uses it when an adapter has it.
//
// DeleteScheduledInterview of an interview that no longer exists is not an
// error (the outcome the caller wanted already holds).
type InterviewScheduler interface {
	CreateScheduledInterview(ctx context.Context, candidateID string, si ScheduledInterview) (ScheduledInterview, error)
	UpdateScheduledInterview(ctx context.Context, candidateID string, si ScheduledInterview) (ScheduledInterview, error)
	DeleteScheduledInterview(ctx context.Context, candidateID, id string) error
}
