package lifecycle

import (
	"context"
	"errors"
	"time"
)

// Store errors. Implementations return (or wrap) exactly these so the engine
// and dispatcher can react.
var (
	// ErrNotFound: no position, interview or effect with that ID or key.
	ErrNotFound = errors.New("lifecycle: not found")
	// ErrVersionConflict: an update carried a Version that is no longer
	// current. The engine reloads and re-applies.
	ErrVersionConflict = errors.New("lifecycle: version conflict")
	// ErrDuplicateInterview: a created interview's key (connection,
	// candidate, position, round) already exists.
	ErrDuplicateInterview = errors.New("lifecycle: interview already exists")
	// ErrDuplicateEvent: the change's event was already processed.
	ErrDuplicateEvent = errors.New("lifecycle: event already processed")
	// ErrLeaseLost: the effect is not (or no longer) claimed by the caller.
	ErrLeaseLost = errors.New("lifecycle: effect lease lost")
)

// EventRef identifies a processed event (an ATS delivery or a vendor update)
// for de-duplication.
type EventRef struct {
	// Connection is the account the event came from; empty for events
	// not tied to one (vendor updates, keyed by interview).
	Connection string
	Source     string
	ID         string
}

// Change is one atomic write: it records an event as processed, creates and
// updates interviews and enqueues the effects those transitions cause. A
// store applies all of it or nothing.
type Change struct {
	// Event, when set, is recorded as processed; if it already was, Commit
	// fails with ErrDuplicateEvent and writes nothing.
	Event *EventRef
	// Create inserts new interviews (Version is ignored and stored as 1).
	// A key that exists fails the commit with ErrDuplicateInterview.
	Create []Interview
	// Update replaces interviews whose stored Version equals the given
	// Version; the stored Version becomes Version+1. Otherwise the commit
	// fails with ErrVersionConflict.
	Update []Interview
	// Effects are appended to the outbox as pending, in order; the store
	// assigns Seq.
	Effects []Effect
	// At is when the change was made, recorded as the time Event was
	// processed (see Pruner); zero means the store's clock.
	At time.Time
}

// Claim asks for effects (or inbox events) to deliver.
//
// Leases are times of the claiming process's clock (Now, from
// Options.Now): a lease taken by one replica is judged expired by another
// against that one's clock. Replicas sharing a store must keep their
// clocks synchronised (NTP) to well within DispatcherOptions.Lease — a
// replica whose clock runs ahead by more than a lease's remaining time
// takes over work another still holds, and the first one's outcome is
// then refused with ErrLeaseLost. Reconcile leases (ReconcileLeaser)
// depend on the clocks the same way.
type Claim struct {
	// Owner identifies the claiming dispatcher (host, process, random).
	Owner string
	// Now is the current time, of the claiming process's clock; effects
	// due at or before it are claimable.
	Now time.Time
	// Lease is how long the claim holds; after Now+Lease another owner may
	// claim the effect again.
	Lease time.Duration
	// Limit caps the number of effects returned.
	Limit int
	// PerConnection, when positive, caps the number of effects of one
	// connection returned, so one connection's backlog cannot fill a
	// batch while others wait.
	PerConnection int
	// Skip lists connections whose effects are not claimed (those a
	// dispatcher is already busy with or backing off from).
	Skip []string
}

// Outcome records the result of a delivery attempt.
type Outcome struct {
	// State is EffectDone, EffectFailed (given up; Error says why),
	// EffectParked (waits for an operator's requeue; like done and
	// failed it no longer holds back its OrderKey) or EffectPending
	// (retry at NextAttemptAt).
	State         EffectState
	NextAttemptAt time.Time
	Error         string
	At            time.Time
}

// Store is the durable state of the lifecycle: positions, interviews,
// processed events and the outbox. lifecycle/memstore and lifecycle/sqlstore
// implement it; lifecycle/storetest checks any implementation.
//
// Every method is safe for concurrent use, also from several processes
// sharing one database.
type Store interface {
	// Position returns a position by ID, or ErrNotFound.
	Position(ctx context.Context, id string) (Position, error)
	// Positions lists positions matching f, ordered by ID.
	Positions(ctx context.Context, f PositionFilter) ([]Position, error)
	// SavePosition inserts p when p.Version is 0 (ErrVersionConflict if the
	// ID exists) or updates it when the stored version equals p.Version
	// (else ErrVersionConflict). It returns the stored position.
	SavePosition(ctx context.Context, p Position) (Position, error)

	// Interview returns an interview by ID, or ErrNotFound.
	Interview(ctx context.Context, id string) (Interview, error)
	// InterviewByKey returns the interview with that key, or ErrNotFound.
	InterviewByKey(ctx context.Context, k InterviewKey) (Interview, error)
	// Interviews lists interviews matching f, oldest first.
	Interviews(ctx context.Context, f InterviewFilter) ([]Interview, error)

	// EventProcessed reports whether the event was recorded by a Commit.
	EventProcessed(ctx context.Context, ev EventRef) (bool, error)
	// Commit applies c atomically.
	Commit(ctx context.Context, c Change) error

	// ClaimEffects leases up to c.Limit pending effects that are due, whose
	// lease (if any) has expired, that are first in line for their
	// OrderKey and whose connection is not disabled (a connection the
	// store has no record of counts as enabled), ordered by Seq, taking
	// at most c.PerConnection effects of one connection when that is set,
	// and none of the connections in c.Skip.
	// No effect is ever leased to two owners at once.
	ClaimEffects(ctx context.Context, c Claim) ([]Effect, error)
	// BeginAttempt records, before the side effect is performed, that an
	// attempt starts at time at: Attempts is incremented and Unacked set.
	// It fails with ErrLeaseLost if owner no longer holds the lease: the
	// effect was claimed by another owner, finished, or the lease ended
	// before at (LeaseUntil < at), since from then on another owner may
	// claim the effect and perform it too.
	BeginAttempt(ctx context.Context, id, owner string, at time.Time) error
	// FinishEffect records an attempt's outcome, clears Unacked and
	// releases the lease. It fails with ErrLeaseLost if owner no longer
	// holds the lease.
	FinishEffect(ctx context.Context, id, owner string, o Outcome) error
	// Effects lists effects matching f, ordered by Seq.
	Effects(ctx context.Context, f EffectFilter) ([]Effect, error)

	// Connection returns a connection by ID, or ErrNotFound.
	Connection(ctx context.Context, id string) (Connection, error)
	// Connections lists connections matching f, ordered by ID.
	Connections(ctx context.Context, f ConnectionFilter) ([]Connection, error)
	// SaveConnection inserts c when c.Version is 0 (ErrVersionConflict if
	// the ID exists) or updates it when the stored version equals
	// c.Version (else ErrVersionConflict). It returns the stored
	// connection.
	SaveConnection(ctx context.Context, c Connection) (Connection, error)
}
