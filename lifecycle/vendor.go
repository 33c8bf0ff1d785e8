package lifecycle

import (
	"context"
	"errors"

	"github.com/atskit/atskit/ats"
)

// VendorRequest asks the vendor to create an interview.
type VendorRequest struct {
	// IdempotencyKey is stable across retries of the same request. The
	// vendor must return the same interview for a key it has seen, so a
	// crash between creating and recording never creates two interviews.
	IdempotencyKey string
	// InterviewID is the lifecycle interview; report updates with it.
	InterviewID string
	// Connection is the customer's ATS account the interview is for.
	Connection string
	Source     string
	PositionID string
	JobID      string
	JobTitle   string
	Round      int
	RoundName  string
	// Template is the vendor's template for the round (PositionConfig.Rounds).
	Template  string
	Candidate ats.Candidate
}

// Vendor is the host's interview platform. The dispatcher calls it from the
// outbox; errors are classified like adapter errors (see Dispatcher).
type Vendor interface {
	// CreateInterview creates (or, for a known IdempotencyKey, returns) an
	// interview and returns the vendor's reference for it.
	CreateInterview(ctx context.Context, r VendorRequest) (vendorRef string, err error)
	// CancelInterview cancels an interview. Cancelling one that is already
	// cancelled must succeed.
	CancelInterview(ctx context.Context, vendorRef string) error
}

// ErrInsufficientCredits may be wrapped by Vendor.CreateInterview errors (for
// other reasons the interview cannot be held, return an *UnableError): the
// interview ends unable-to-schedule with ReasonInsufficientCredits at the
// first failure (it is never retried), and its note says so in plain words.
var ErrInsufficientCredits = errors.New("lifecycle: insufficient vendor credits")

// CallbackStatus is the assessment status reported to a Workable provider
// callback.
type CallbackStatus string

// Callback statuses, matching the provider package's Status values.
const (
	CallbackPending   CallbackStatus = "pending"
	CallbackCompleted CallbackStatus = "completed"
	CallbackDeclined  CallbackStatus = "declined"
	CallbackExpired   CallbackStatus = "expired"
)

// CallbackResult is what the engine publishes to a provider callback.
type CallbackResult struct {
	Status      CallbackStatus
	ResultsURL  string
	Score       string
	Grade       ats.Grade
	Summary     string
	Duration    string
	Details     map[string]any
	Attachments []ats.Attachment
}

// CallbackPublisher delivers results of interviews created through the
// Workable provider contract (Engine.ProviderInterview). An error
// implementing interface{ Permanent() bool } that returns true is not
// retried.
//
// ProviderPublisher maps it onto the provider package's Publisher.
type CallbackPublisher interface {
	// PublishResult delivers r to the callback. It may be called more
	// than once for one result (delivery is at least once), so it must
	// be idempotent, as Workable's PUT callback is.
	PublishResult(ctx context.Context, cb Callback, r CallbackResult) error
}

// NoteLister is an optional adapter capability: reading a candidate's notes.
// When the adapter implements it, the dispatcher checks, before re-sending a
// note whose previous attempt was never acknowledged (a crash between the ATS
// call and recording it, or a timeout after the ATS stored it), whether the
// note already exists, so a crash never duplicates a note. Without it, such a note is sent again: delivery is
// at-least-once.
type NoteLister interface {
	// Notes returns the candidate's notes; the dispatcher looks for
	// NoteMarker in their bodies.
	Notes(ctx context.Context, candidateID string) ([]ats.Note, error)
}
