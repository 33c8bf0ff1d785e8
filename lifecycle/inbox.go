package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/atskit/atskit/ats"
)

// InboxState is the processing state of an event in the inbox.
type InboxState string

// Inbox states.
const (
	// InboxPending: accepted, waiting for (or in) processing.
	InboxPending InboxState = "pending"
	// InboxProcessed: processed (or dropped on purpose; LastError says
	// why), kept until pruned (see Options.Retention).
	InboxProcessed InboxState = "processed"
	// InboxFailed: given up on after a permanent error or
	// DispatcherOptions.MaxAttempts attempts; kept for an operator, who
	// requeues it with Engine.RequeueEvent or RequeueEvents
	// (EnableConnection and a credential change do so), and
	// Engine.Reconcile recovers what it would have started.
	InboxFailed InboxState = "failed"
)

// InboxEvent is a verified ATS event accepted into the inbox by
// Engine.AcceptEvents and processed later by a Dispatcher.
type InboxEvent struct {
	// Seq orders the inbox; the store assigns it.
	Seq int64
	// ID identifies the inbox entry ("in_…").
	ID string
	// Connection, Source and EventID are the event's; an event whose
	// (Connection, Source, EventID) is already in the inbox is not
	// accepted again. An empty EventID de-duplicates nothing.
	Connection string
	Source     string
	EventID    string
	// OrderKey serialises the events of one candidate: they are claimed
	// one at a time, oldest first, except that an event waiting for a
	// retry after a failure lets newer ones of its key go first (see
	// Inbox.ClaimEvents).
	OrderKey string
	// Event is the event as accepted, without Raw: the verified payload
	// may hold a candidate's personal data, and decisions use the
	// candidate as the ATS returns it, never the payload.
	Event ats.Event
	State InboxState
	// Attempts counts processing attempts that ended in an error.
	Attempts      int
	NextAttemptAt time.Time
	ClaimedBy     string
	LeaseUntil    time.Time
	LastError     string
	AcceptedAt    time.Time
	// DoneAt is when the event was processed or failed.
	DoneAt time.Time
	// TraceParent is the W3C traceparent of the span that accepted the
	// event (the webhook's, when an OpenTelemetry SDK is recording), so its
	// processing — later, maybe in another process — continues that
	// trace. Empty without a recording span.
	TraceParent string
}

// InboxFilter selects inbox events. Empty fields do not filter.
type InboxFilter struct {
	Connection string
	State      InboxState
}

// Match reports whether ev passes the filter. Stores may use it.
func (f InboxFilter) Match(ev InboxEvent) bool {
	return (f.Connection == "" || ev.Connection == f.Connection) && (f.State == "" || ev.State == f.State)
}

// InboxOutcome records how processing an inbox event ended.
type InboxOutcome struct {
	// State is InboxProcessed, InboxFailed or InboxPending (retry at
	// NextAttemptAt, or put back unprocessed).
	State         InboxState
	Attempts      int
	NextAttemptAt time.Time
	Error         string
	At            time.Time
}

// Inbox is implemented by a Store that keeps a durable inbox of accepted
// webhook events: Engine.AcceptEvents stores them and answers, and
// dispatchers process them afterwards, with leases like the outbox's, so
// a process dying between the two loses nothing. memstore and sqlstore
// implement it; lifecycle/storetest checks it.
type Inbox interface {
	// AcceptEvents appends evs as pending, atomically, and returns how
	// many were new: an event whose (Connection, Source, EventID) is
	// already in the inbox, in any state, is skipped when EventID is not
	// empty.
	AcceptEvents(ctx context.Context, evs []InboxEvent) (int, error)
	// ClaimEvents leases up to c.Limit pending events that are due,
	// whose lease (if any) expired and that are not held back by another
	// pending event of their OrderKey, ordered by Seq, at most
	// c.PerConnection of one connection when that is set and none of the
	// connections in c.Skip. Events of disabled connections are claimed
	// too: they may end interviews.
	//
	// An event is held back by an event of its OrderKey that is leased,
	// so a candidate's events are never processed two at once, and by an
	// older pending one — except an older one that failed (LastError is
	// set) and is not yet due for its retry: a retrying or requeued
	// event never holds its candidate's newer events for longer than one
	// attempt. Decisions use the candidate's state as the ATS returns it
	// when the event is processed, so the newer event decides on the
	// newest state, and the older one, retried afterwards, is ignored as
	// stale (Interview.LastEventAt) or finds nothing left to change.
	//
	// Concurrent claims must keep this: a claim leases an event of an
	// OrderKey only if it sees every claim of that key made before it,
	// or skips the key. A store whose claims read a snapshot (PostgreSQL
	// does, per statement) must serialise the claims of one key, or a
	// claim not yet committed of the newer event lets a concurrent one
	// lease the older event as its retry falls due; sqlstore takes a
	// per-key advisory lock.
	ClaimEvents(ctx context.Context, c Claim) ([]InboxEvent, error)
	// FinishEvent records the outcome of processing and releases the
	// lease; ErrLeaseLost if owner no longer holds it, ErrNotFound if
	// there is no such event.
	FinishEvent(ctx context.Context, id, owner string, o InboxOutcome) error
	// InboxEvents lists inbox events matching f, ordered by Seq.
	InboxEvents(ctx context.Context, f InboxFilter) ([]InboxEvent, error)
}

// AcceptEvents stores verified ATS events in the store's inbox and returns:
// this is what a webhook handler calls before it answers (the hosting
// package does). The ATS reads and decisions HandleEvent makes happen
// later, in the dispatchers (Dispatcher.Run, RunOnce, Drain), paced per
// connection, so an ATS that is slow or rate limited never delays a
// webhook's answer, and an event accepted before a crash is processed
// after it. Processing is idempotent: a redelivered event (same
// connection, source and ID) is accepted once and processed once.
//
// Events get the default connection named after their source when their
// Connection is empty, as in HandleEvent. An error means the events were
// not kept (the store failed): answer the ATS with an error so it
// delivers them again. A store that does not implement Inbox gets each
// event handled at once with HandleEvent instead; there, an event of a
// disabled connection whose handling fails (its candidate read, refused
// or without credentials) is logged and dropped, as a dispatcher drops
// it, since retrying cannot help; a store error is returned, also for a
// disabled connection, so the ATS delivers the event again.
func (e *Engine) AcceptEvents(ctx context.Context, evs []ats.Event) error {
	inbox, ok := e.store.(Inbox)
	if !ok {
		for _, ev := range evs {
			err := e.HandleEvent(ctx, ev)
			if err != nil && ctx.Err() == nil && e.dropsOnDisabled(ctx, connectionOf(ev.Connection, ev.Source), err) {
				// As a dispatcher does with an inbox event: a
				// switched-off connection starts nothing, and the
				// candidate read that could cancel a live interview
				// fails when the host dropped the credentials or the
				// ATS refuses them. Retrying cannot help; enabling the
				// connection reconciles it.
				e.log.Warn("lifecycle: event of a disabled connection dropped", "connection", ev.Connection, "event", ev.ID, "err", err)
				continue
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	if len(evs) == 0 {
		return nil
	}
	in := make([]InboxEvent, len(evs))
	for i, ev := range evs {
		in[i] = e.inboxEvent(ctx, ev)
	}
	n, err := inbox.AcceptEvents(ctx, in)
	if err != nil {
		return fmt.Errorf("lifecycle: accept events: %w", err)
	}
	if n > 0 {
		e.wake()
	}
	return nil
}

// inboxEvent returns ev as a pending inbox event, due now, ordered with the
// other events of its candidate (OrderKey).
func (e *Engine) inboxEvent(ctx context.Context, ev ats.Event) InboxEvent {
	now := e.now()
	ev.Connection = connectionOf(ev.Connection, ev.Source)
	ev.Raw = nil
	id := newID("in_")
	key := ev.Connection + "/" + ev.CandidateID
	if ev.CandidateID == "" {
		key = id
	}
	return InboxEvent{ID: id, Connection: ev.Connection, Source: ev.Source, EventID: ev.ID, OrderKey: key,
		Event: ev, State: InboxPending, NextAttemptAt: now, AcceptedAt: now, TraceParent: traceParentOf(ctx)}
}

// atsError marks an error of the ATS side of handling an event — the
// adapter could not be resolved, or the candidate read failed — as opposed
// to a store error. Only such an error lets an event of a disabled
// connection be dropped (dropsOnDisabled).
type atsError struct{ err error }

func (e *atsError) Error() string { return e.err.Error() }
func (e *atsError) Unwrap() error { return e.err }

// dropsOnDisabled reports whether an event whose handling failed with err
// is dropped rather than retried: its connection is disabled and err is
// the ATS's (the credentials were dropped or are refused, which retrying
// cannot fix; enabling reconciles the connection). A store error is never
// a reason to drop: the event is retried (or the webhook answered with an
// error), as on an enabled connection.
func (e *Engine) dropsOnDisabled(ctx context.Context, conn string, err error) bool {
	var ae *atsError
	return errors.As(err, &ae) && e.disabledConnection(ctx, conn)
}

// InboxEvents lists the inbox's events, e.g. to show an operator the
// backlog or the events given up on. It returns an error when the store
// does not implement Inbox.
func (e *Engine) InboxEvents(ctx context.Context, f InboxFilter) ([]InboxEvent, error) {
	inbox, ok := e.store.(Inbox)
	if !ok {
		return nil, fmt.Errorf("lifecycle: inbox events: the store (%T) does not implement Inbox", e.store)
	}
	return inbox.InboxEvents(ctx, f)
}

// claimEvents leases up to limit due inbox events, fairly across
// connections like claim: at most PerConnection of each, none of
// connections at PerConnection deliveries, backing off or stalling; then
// more of those that have them if that left room.
func (d *Dispatcher) claimEvents(ctx context.Context, inbox Inbox, limit int) ([]InboxEvent, error) {
	evs, err := fairClaim(ctx, d, limit, inbox.ClaimEvents)
	if err != nil {
		return evs, fmt.Errorf("lifecycle: claim inbox events: %w", err)
	}
	return evs, nil
}

// admitEvent starts processing ev unless its connection is backing off or
// out of request budget for longer than MaxPacingWait (processing reads
// the candidate); an event not admitted is put back, due when the
// connection may go on, without counting an attempt.
func (d *Dispatcher) admitEvent(ctx context.Context, inbox Inbox, ev InboxEvent, shared bool) bool {
	conn, now := ev.Connection, d.e.now()
	d.mu.Lock()
	c := d.coolingOf(conn)
	atCap := d.inflight[conn] >= d.opts.PerConnection
	d.mu.Unlock()
	putBack := func(at time.Time) {
		d.finishEvent(ctx, inbox, ev, InboxOutcome{State: InboxPending, Attempts: ev.Attempts, NextAttemptAt: at, Error: ev.LastError, At: now})
	}
	switch {
	case c.until.After(now):
		putBack(c.until)
		return false
	case shared && atCap:
		putBack(ev.NextAttemptAt)
		return false
	}
	if wait := d.pacingDelay(ctx, Effect{Connection: conn}); wait > d.opts.MaxPacingWait {
		d.coolDown(conn, now.Add(wait), false)
		putBack(now.Add(wait))
		return false
	}
	d.mu.Lock()
	if d.inflight[conn]++; d.inflight[conn] == 1 {
		d.oldest[conn] = time.Now()
	}
	d.mu.Unlock()
	return true
}

// processEvent handles one claimed inbox event with HandleEvent and
// records the outcome.
func (d *Dispatcher) processEvent(ctx context.Context, inbox Inbox, ev InboxEvent) {
	log := d.e.log.With("inbox", ev.ID, "connection", ev.Connection, "source", ev.Source, "event", ev.EventID)
	start := d.e.now()
	// Processing must end before the lease does, or another dispatcher
	// could take the event over while this one still decides on it.
	limit := ev.LeaseUntil.Sub(start)
	if d.opts.CallTimeout > 0 {
		limit = min(limit, d.opts.CallTimeout)
	}
	if limit <= 0 {
		log.Warn("lifecycle: inbox lease ended before processing")
		return
	}
	cctx, cancel := context.WithTimeout(withTraceParent(ctx, ev.TraceParent), limit)
	err := d.e.HandleEvent(cctx, ev.Event)
	cancel()
	now := d.e.now()
	o := InboxOutcome{State: InboxProcessed, Attempts: ev.Attempts, At: now}
	switch {
	case err == nil:
		d.connectionOK(Effect{Connection: ev.Connection, Kind: EffectNote})
	case errors.Is(err, ErrConnectionRemoved):
		o.Error = "dropped: the connection was removed"
		log.Warn("lifecycle: event of a removed connection dropped")
	case ctx.Err() != nil:
		// Stopping: give the event back untouched for another
		// dispatcher (processing is idempotent).
		o = InboxOutcome{State: InboxPending, Attempts: ev.Attempts, NextAttemptAt: ev.NextAttemptAt, Error: ev.LastError, At: now}
	case d.e.dropsOnDisabled(ctx, ev.Connection, err):
		// A switched-off connection starts nothing; processing still
		// reads the candidate to cancel a live interview of one who
		// left the stage, and that read fails when the host dropped the
		// credentials or the ATS refuses them. Retrying cannot help (a
		// store error, though, is retried like any other):
		// EnableConnection reconciles the connection (starting
		// interviews of candidates now in a trigger stage, cancelling
		// those of candidates who left), as does Engine.Run at start
		// and every Options.ReconcileInterval.
		o.Error = "dropped: the connection is disabled: " + err.Error()
		log.Warn("lifecycle: event of a disabled connection dropped", "err", err)
	default:
		o.Attempts++
		o.Error = err.Error()
		o.State, o.NextAttemptAt = InboxPending, now.Add(d.opts.Backoff(o.Attempts))
		if wait, ok := ats.RetryAfter(err); ok && wait > 0 {
			o.NextAttemptAt = now.Add(wait)
		}
		switch {
		case isPermanent(err) && !parks(err):
			o.State = InboxFailed
			log.Error("lifecycle: event failed permanently", "err", err)
		case o.Attempts >= d.opts.MaxAttempts:
			o.State = InboxFailed
			o.Error = fmt.Sprintf("gave up after %d attempts: %v", o.Attempts, err)
			log.Error("lifecycle: event failed, giving up", "err", err, "attempts", o.Attempts)
		default:
			log.Warn("lifecycle: event failed, will retry", "err", err, "attempts", o.Attempts, "next", o.NextAttemptAt)
		}
		// Reading the candidate is an ATS call: a rate limit, refused
		// credentials or a stall back the whole connection off.
		d.connectionFailure(Effect{Connection: ev.Connection, Kind: EffectNote}, err, now.Sub(start), o.NextAttemptAt)
	}
	d.finishEvent(ctx, inbox, ev, o)
}

// disabledConnection reports whether a connection is disabled (false when
// that cannot be read).
func (e *Engine) disabledConnection(ctx context.Context, conn string) bool {
	actx, cancel := ackContext(ctx)
	defer cancel()
	st, err := e.connectionState(actx, conn)
	return err == nil && st == ConnectionDisabled
}

// finishEvent records o, also after ctx was cancelled.
func (d *Dispatcher) finishEvent(ctx context.Context, inbox Inbox, ev InboxEvent, o InboxOutcome) {
	actx, cancel := ackContext(ctx)
	defer cancel()
	err := inbox.FinishEvent(actx, ev.ID, d.opts.Owner, o)
	switch {
	case errors.Is(err, ErrLeaseLost):
		d.e.log.Warn("lifecycle: inbox lease lost before the outcome was recorded", "inbox", ev.ID, "outcome", o.State)
	case err != nil:
		d.e.log.Error("lifecycle: record inbox outcome", "inbox", ev.ID, "err", err)
	}
}

// runEvents claims up to limit inbox events and processes those admitted,
// each through start (which runs it, in a goroutine or not). It returns
// how many it claimed and how many of those it started, and the claim's
// error.
func (d *Dispatcher) runEvents(ctx context.Context, limit int, start func(conn string, run func())) (claimed, started int, err error) {
	inbox, ok := d.e.store.(Inbox)
	if !ok || limit <= 0 {
		return 0, 0, nil
	}
	evs, err := d.claimEvents(ctx, inbox, limit)
	shared := false
	for _, ev := range evs {
		if ev.Connection != evs[0].Connection {
			shared = true
		}
	}
	for _, ev := range evs {
		if ctx.Err() != nil {
			d.finishEvent(ctx, inbox, ev, InboxOutcome{State: InboxPending, Attempts: ev.Attempts, NextAttemptAt: ev.NextAttemptAt, Error: ev.LastError, At: d.e.now()})
			continue
		}
		if !d.admitEvent(ctx, inbox, ev, shared) {
			continue
		}
		started++
		start(ev.Connection, func() { d.processEvent(ctx, inbox, ev) })
	}
	return len(evs), started, err
}
