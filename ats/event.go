package ats

import (
	"encoding/json"
	"time"
)

// EventKind classifies an ATS event independently of the ATS's vocabulary.
type EventKind string

// Event kinds. An event an adapter does not recognise is returned as
// EventUnknown with Type holding the ATS's own name, never dropped.
const (
	EventStageChanged     EventKind = "stage_changed"
	EventCandidateCreated EventKind = "candidate_created"
	EventArchived         EventKind = "archived"   // disqualified / archived
	EventUnarchived       EventKind = "unarchived" // reverted / unarchived
	EventHired            EventKind = "hired"
	EventDeleted          EventKind = "deleted"
	EventInterviewCreated EventKind = "interview_created"
	EventInterviewUpdated EventKind = "interview_updated"
	EventInterviewDeleted EventKind = "interview_deleted"
	EventUnknown          EventKind = "unknown"
)

// Event is a verified notification from an ATS.
type Event struct {
	// ID identifies the delivery for de-duplication. ATSs redeliver; two
	// Events with the same Source and ID are the same event.
	ID string
	// Source names the ATS, e.g. "workable" or "lever".
	Source string
	// Connection identifies the customer's account on the ATS the event
	// came from: an ID the host chose when the customer connected. A
	// webhook handler mounted per connection sets it; "" means the host
	// serves a single account.
	Connection string
	// Kind is the normalised kind; Type is the ATS's own event name.
	Kind EventKind
	Type string
	// CandidateID and JobID identify the subject, as used in adapter calls.
	CandidateID string
	JobID       string
	// FromStage and ToStage are set for stage changes where the ATS says.
	FromStage StageRef
	ToStage   StageRef
	// Time is when the ATS says the event happened (or was fired).
	Time time.Time
	// Snapshot is true when the payload carries the resource's state at
	// delivery time rather than at event time (Workable). Consumers that
	// need the exact current stage should re-read the candidate.
	Snapshot bool
	// Raw is the verified payload exactly as received.
	Raw json.RawMessage
}
