package lifecycle

import (
	"context"
	"errors"
	"fmt"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
)

// ErrCannotList is returned (wrapped) by Engine.Reconcile when the
// connection's adapter cannot list candidates (it does not implement
// ats.CandidateLister).
var ErrCannotList = errors.New("lifecycle: the adapter cannot list candidates")

// ReconcileResult counts what Engine.Reconcile did.
//
// With a store that implements Inbox, Reconcile decides nothing itself: it
// queues, in the inbox, one event per candidate whose state differs from
// what the engine recorded, and the dispatchers decide on each as they do
// on a webhook event, in that candidate's order (see Engine.Reconcile).
// Started and Cancelled then count candidates queued for that decision
// (Queued is set) — also those an earlier pass queued and no dispatcher
// claimed yet, which are not queued again —, not interviews started or
// cancelled: the dispatcher re-reads each candidate and may find nothing
// left to do.
type ReconcileResult struct {
	// Positions is the number of active positions reconciled.
	Positions int
	// Seen is the number of candidates found in trigger stages.
	Seen int
	// Started counts candidates in a trigger stage who had no interview
	// (their webhook was missed), or whose interview was cancelled when
	// they left the stage and who are back, and got one now — or, when
	// Queued, were queued for that decision.
	Started int
	// Cancelled counts live interviews of candidates who had left the
	// trigger stage (or were disqualified) without the engine learning
	// of it — or, when Queued, candidates of live interviews no longer
	// listed, queued for the dispatcher to re-read and decide on.
	Cancelled int
	// Queued reports that the decisions were queued in the store's
	// Inbox rather than made by Reconcile.
	Queued bool
}

// reconcileEventType is the ats.Event.Type of the events Reconcile queues
// in an Inbox (with Kind ats.EventStageChanged, no ID and no Time, and
// ToStage or FromStage the trigger stage: see reconcileEvent): the
// dispatcher hands them to handleReconcileEvent, which decides on the
// candidate as read then. They have no time, so they are never stale.
const reconcileEventType = "atskit.reconcile"

func isReconcileEvent(ev ats.Event) bool {
	return ev.Type == reconcileEventType && ev.Kind == ats.EventStageChanged
}

// reconcileBatch is how many queued decisions Reconcile accepts into the
// inbox at once.
const reconcileBatch = 100

// Reconcile recovers what webhooks missed for a connection's active
// positions: it lists the candidates now in each position's trigger stage
// and starts an interview for every one who has none (or whose interview
// was cancelled when they left the stage: Interview.LeftStage), and it
// re-reads the candidates of live interviews who are no longer listed and
// cancels those who left the stage or were disqualified. Decisions use the
// candidates as the ATS returns them, like HandleEvent, and a candidate
// the ATS reads for another job is never started under this position.
// Interviews that ended otherwise (cancelled by the host, expired, unable
// to schedule, ...) are not restarted: only a move into the stage, or
// Retrigger, does that.
//
// With a store that implements Inbox, the decisions go through the inbox
// so they are made in the same per-candidate order as webhook events: a
// reconcile can never cancel an interview a concurrently processed event
// just started or kept. Reconcile then lists and compares only, and queues
// one event per candidate whose state differs; the dispatchers (Dispatcher.Run,
// RunOnce, Drain) re-read each candidate and decide (a candidate queued
// twice, by two reconciles before the dispatchers caught up, is read
// once: a pass queues no second event for a decision one waits for, and
// an event whose decision was made meanwhile costs no read), and the result's
// counts are of candidates queued (ReconcileResult.Queued). A store without
// Inbox gets the decisions made and committed here.
//
// It is idempotent, so an interrupted run is resumed by running it again;
// its ATS calls go through the adapter and so its pacing. An adapter that
// cannot list candidates returns ErrCannotList, and a connection neither
// connected nor known to the Connector an error matching
// ErrUnknownConnection. Engine.Run calls it for every enabled connection
// when it starts and every Options.ReconcileInterval — with a store that
// implements ReconcileLeaser, only on the replica that claims the
// connection's lease for the interval —, EnableConnection for the
// connection it enables, and ActivatePosition for the position it
// activates. An explicit call always runs.
func (e *Engine) Reconcile(ctx context.Context, connection string) (_ ReconcileResult, err error) {
	ctx, end := e.startReconcile(ctx, connection)
	defer func() { end(err) }()
	var res ReconcileResult
	if err := e.knownConnection(ctx, connection); err != nil {
		return res, err
	}
	positions, err := e.store.Positions(ctx, PositionFilter{Connection: connection, Status: PositionActive})
	if err != nil {
		return res, err
	}
	waiting, err := e.waitingReconcileEvents(ctx, connection)
	if err != nil {
		return res, err
	}
	for i := range positions {
		if err := e.reconcilePositionWaiting(ctx, &positions[i], &res, waiting); err != nil {
			return res, err
		}
	}
	e.recordReconcile(ctx, connection, res)
	if res.Started > 0 || res.Cancelled > 0 {
		e.log.Info("lifecycle: reconciled", "connection", connection, "positions", res.Positions,
			"seen", res.Seen, "started", res.Started, "cancelled", res.Cancelled, "queued", res.Queued)
	}
	return res, nil
}

// reconcilePosition reconciles one active position (ActivatePosition's
// reconcile).
func (e *Engine) reconcilePosition(ctx context.Context, pos *Position, res *ReconcileResult) error {
	waiting, err := e.waitingReconcileEvents(ctx, pos.Connection)
	if err != nil {
		return err
	}
	return e.reconcilePositionWaiting(ctx, pos, res, waiting)
}

// reconcilePositionWaiting reconciles pos, queueing no decision waiting
// holds (see waitingReconcileEvents).
func (e *Engine) reconcilePositionWaiting(ctx context.Context, pos *Position, res *ReconcileResult, waiting map[reconcileKey]bool) (err error) {
	if st, err := e.connectionState(ctx, pos.Connection); err != nil {
		return err
	} else if st != ConnectionEnabled {
		return nil
	}
	a, err := e.adapter(ctx, pos.Connection)
	if err != nil {
		return err
	}
	lister, ok := a.(ats.CandidateLister)
	if !ok {
		return errfmt.Errorf("lifecycle: reconcile %s: %w", pos.ID, ErrCannotList)
	}
	res.Positions++
	inbox, queue := e.store.(Inbox)
	res.Queued = res.Queued || queue
	// Decisions are queued in batches; a batch counts in res once the
	// inbox accepted it. What was found before the listing (or a store
	// read) failed, or before ctx ended, is still queued: the deferred
	// flush accepts it, detached from ctx's cancellation, so an error
	// never drops up to reconcileBatch-1 decisions already made.
	var queued []ats.Event
	var starts, cancels int // in queued
	flush := func(ctx context.Context, force bool) error {
		if len(queued) == 0 || !force && len(queued) < reconcileBatch {
			return nil
		}
		err := e.acceptReconcileEvents(ctx, inbox, queued)
		queued = queued[:0]
		if err == nil {
			res.Started += starts
			res.Cancelled += cancels
		}
		starts, cancels = 0, 0
		return err
	}
	defer func() {
		actx, cancel := ackContext(ctx)
		defer cancel()
		if ferr := flush(actx, true); ferr != nil {
			err = errors.Join(err, ferr)
		}
	}()
	// enqueue queues the decision to start (or recheck) candidateID, or
	// counts it when an earlier pass queued it and it is not yet claimed.
	enqueue := func(candidateID string, start bool) error {
		done, pending := &res.Cancelled, &cancels
		if start {
			done, pending = &res.Started, &starts
		}
		if waiting[reconcileKey{pos.JobID, candidateID, start}] {
			*done++
			return nil
		}
		queued = append(queued, reconcileEvent(pos, candidateID, start))
		*pending++
		return flush(ctx, false)
	}
	inStage := map[string]bool{}
	for cand, err := range lister.Candidates(ctx, ats.CandidateFilter{JobID: pos.JobID, StageID: pos.TriggerStage()}) {
		if err != nil {
			return errfmt.Errorf("lifecycle: reconcile %s: list candidates: %w", pos.ID, err)
		}
		// The listing may not filter exactly as asked: decide on
		// what it returned.
		if cand.Disqualified || !pos.stageIs(cand.Stage, pos.TriggerStage()) || otherJob(pos, cand) {
			continue
		}
		res.Seen++
		inStage[cand.ID] = true
		existing, err := e.store.Interviews(ctx, InterviewFilter{Connection: pos.Connection, CandidateID: cand.ID, PositionID: pos.ID})
		if err != nil {
			return err
		}
		if !needsStart(existing) {
			continue
		}
		if queue {
			if err := enqueue(cand.ID, true); err != nil {
				return err
			}
			continue
		}
		// The listing may carry less than a read (Workable lists
		// candidates without contact details): read before deciding.
		full, err := a.Candidate(ctx, cand.ID)
		d, err := e.reconcileCandidate(ctx, pos, cand.ID, full, err, ConnectionEnabled)
		if err != nil {
			return errfmt.Errorf("lifecycle: reconcile %s: %w", pos.ID, err)
		}
		if d == reconcileStarted {
			res.Started++
		}
	}
	live, err := e.store.Interviews(ctx, InterviewFilter{Connection: pos.Connection, PositionID: pos.ID,
		States: []State{StateRequested, StateNeedsInfo, StateInvited, StateScheduled}})
	if err != nil {
		return err
	}
	rechecked := map[string]bool{}
	for _, iv := range live {
		if inStage[iv.CandidateID] || rechecked[iv.CandidateID] || iv.Callback != nil || iv.Detached {
			continue
		}
		rechecked[iv.CandidateID] = true
		if queue {
			if err := enqueue(iv.CandidateID, false); err != nil {
				return err
			}
			continue
		}
		cand, err := a.Candidate(ctx, iv.CandidateID)
		d, err := e.reconcileCandidate(ctx, pos, iv.CandidateID, cand, err, ConnectionEnabled)
		if err != nil {
			return errfmt.Errorf("lifecycle: reconcile %s: %w", pos.ID, err)
		}
		if d == reconcileCancelled {
			res.Cancelled++
		}
	}
	return nil // the deferred flush queues the rest
}

// otherJob reports whether the ATS names another job than pos's for cand:
// such a candidate is never started under pos.
func otherJob(pos *Position, cand ats.Candidate) bool {
	return cand.JobID != "" && cand.JobID != pos.JobID
}

// needsStart reports whether a candidate found in the trigger stage, with
// these interviews for the position, gets interviews started: when there
// are none (the webhook was missed), or when one was cancelled because the
// candidate left the stage (they are back: the move's webhook was missed,
// or came while the connection was disabled). Interviews that ended
// otherwise are not restarted by reconciling.
func needsStart(existing []Interview) bool {
	if len(existing) == 0 {
		return true
	}
	for _, iv := range existing {
		if iv.LeftStage && iv.State.Restartable() {
			return true
		}
	}
	return false
}

// reconcileEvent is the inbox event that has the dispatcher decide on a
// candidate of pos. It says what Reconcile found, so that a copy queued
// again before the first was processed (two passes before the dispatchers
// caught up) costs no ATS read (reconcileSettled): start, listed in the
// trigger stage needing an interview (ToStage is the trigger stage), or
// else with a live interview but no longer listed (FromStage is).
func reconcileEvent(pos *Position, candidateID string, start bool) ats.Event {
	ev := ats.Event{Source: pos.Source, Connection: pos.Connection, Kind: ats.EventStageChanged, Type: reconcileEventType,
		CandidateID: candidateID, JobID: pos.JobID}
	if start {
		ev.ToStage = ats.StageRef{ID: pos.TriggerStage()}
	} else {
		ev.FromStage = ats.StageRef{ID: pos.TriggerStage()}
	}
	return ev
}

// reconcileKey identifies what a reconcile event was queued for: a start
// (or a recheck) of a candidate of a job.
type reconcileKey struct {
	jobID, candidateID string
	start              bool
}

// waitingReconcileEvents returns what the reconcile events of connection
// that wait in the inbox, unclaimed, were queued for (nil without an
// Inbox). Reconcile queues no second event for the same decision: the
// waiting one is processed later than this listing, on a fresh read, as a
// new one would be. An event being processed (leased) may have read the
// candidate before this listing, so it does not count.
func (e *Engine) waitingReconcileEvents(ctx context.Context, connection string) (map[reconcileKey]bool, error) {
	inbox, ok := e.store.(Inbox)
	if !ok {
		return nil, nil
	}
	evs, err := inbox.InboxEvents(ctx, InboxFilter{Connection: connection, State: InboxPending})
	if err != nil {
		return nil, fmt.Errorf("lifecycle: reconcile: read the inbox: %w", err)
	}
	now := e.now()
	waiting := map[reconcileKey]bool{}
	for _, ev := range evs {
		if !isReconcileEvent(ev.Event) || ev.ClaimedBy != "" && !ev.LeaseUntil.Before(now) {
			continue
		}
		switch {
		case !ev.Event.ToStage.IsZero():
			waiting[reconcileKey{ev.Event.JobID, ev.Event.CandidateID, true}] = true
		case !ev.Event.FromStage.IsZero():
			waiting[reconcileKey{ev.Event.JobID, ev.Event.CandidateID, false}] = true
		}
	}
	return waiting, nil
}

// reconcileSettled reports whether the store already shows nothing left to
// decide for the reconcile event ev, so it is done without reading the
// candidate: for a start, when the candidate's interviews of pos no longer
// need one (an earlier copy of the event, or a webhook, started them); for
// a recheck, when none of them is live and ours to cancel (an earlier
// copy, a webhook or the host ended them). A candidate who changed again
// since is a webhook's to decide, or the next Reconcile's. An event that
// says neither (queued by an earlier version of atskit) is decided on a
// read.
func (e *Engine) reconcileSettled(ctx context.Context, pos *Position, ev ats.Event) (bool, error) {
	start, recheck := !ev.ToStage.IsZero(), !ev.FromStage.IsZero()
	if !start && !recheck {
		return false, nil
	}
	existing, err := e.store.Interviews(ctx, InterviewFilter{Connection: pos.Connection, CandidateID: ev.CandidateID, PositionID: pos.ID})
	if err != nil {
		return false, err
	}
	if start {
		return !needsStart(existing), nil
	}
	for _, iv := range existing {
		if iv.State.Live() && iv.Callback == nil && !iv.Detached {
			return false, nil
		}
	}
	return true, nil
}

// acceptReconcileEvents queues reconcile decisions in the inbox, ordered
// like the candidates' webhook events.
func (e *Engine) acceptReconcileEvents(ctx context.Context, inbox Inbox, evs []ats.Event) error {
	in := make([]InboxEvent, len(evs))
	for i, ev := range evs {
		in[i] = e.inboxEvent(ctx, ev)
	}
	if _, err := inbox.AcceptEvents(ctx, in); err != nil {
		return fmt.Errorf("lifecycle: reconcile: queue decisions: %w", err)
	}
	e.wake()
	return nil
}

// handleReconcileEvent decides on a candidate Reconcile queued, as read
// now: the same decision Reconcile makes without an inbox, unless the
// store shows it was made meanwhile (reconcileSettled).
func (e *Engine) handleReconcileEvent(ctx context.Context, ev ats.Event, state ConnectionState) error {
	pos, err := e.position(ctx, PositionID(ev.Connection, ev.JobID))
	if err != nil {
		return err
	}
	if pos == nil || pos.Status != PositionActive || pos.Connection != ev.Connection {
		return nil // deactivated meanwhile: activation reconciles again
	}
	if settled, err := e.reconcileSettled(ctx, pos, ev); err != nil || settled {
		return err
	}
	a, err := e.adapter(ctx, ev.Connection)
	if err != nil {
		return &atsError{err: err}
	}
	cand, err := a.Candidate(ctx, ev.CandidateID)
	_, err = e.reconcileCandidate(ctx, pos, ev.CandidateID, cand, err, state)
	return err
}

// reconcileDecision is what reconcileCandidate did.
type reconcileDecision int

const (
	reconcileNothing reconcileDecision = iota
	reconcileStarted
	reconcileCancelled
)

// reconcileCandidate decides on one candidate of pos as the ATS returned
// it (cand, or the read's error readErr), as HandleEvent decides on a
// stage event: a candidate in the trigger stage for pos's job gets
// interviews when needsStart (not on a disabled connection); one deleted,
// disqualified or in a stage that is neither the trigger stage nor a
// mapped one has their live interviews of pos cancelled. A read without a
// stage decides nothing. A read error other than not found is returned
// (an *atsError).
func (e *Engine) reconcileCandidate(ctx context.Context, pos *Position, candidateID string, cand ats.Candidate, readErr error, state ConnectionState) (reconcileDecision, error) {
	detail := ""
	switch {
	case errors.Is(readErr, ats.ErrNotFound):
		detail = "the candidate was deleted"
	case readErr != nil:
		return reconcileNothing, &atsError{err: errfmt.Errorf("lifecycle: read candidate %s: %w", candidateID, readErr)}
	case cand.Disqualified:
		detail = "the candidate was disqualified"
	case cand.Stage.IsZero():
		e.log.Warn("lifecycle: candidate read has no stage, no decision", "connection", pos.Connection, "candidate", candidateID)
		return reconcileNothing, nil
	case pos.stageIs(cand.Stage, pos.TriggerStage()):
		if otherJob(pos, cand) || state != ConnectionEnabled {
			return reconcileNothing, nil
		}
		started := false
		err := e.commit(ctx, func(ch *change) error {
			existing, err := e.store.Interviews(ctx, InterviewFilter{Connection: pos.Connection, CandidateID: candidateID, PositionID: pos.ID})
			if err != nil || !needsStart(existing) {
				return err
			}
			started = true
			return e.request(ctx, ch, pos, cand)
		})
		if err != nil || !started {
			return reconcileNothing, err
		}
		return reconcileStarted, nil
	case pos.mappedStage(cand.Stage):
		return reconcileNothing, nil // our own stage moves must not cancel
	case cand.Stage.Name != "":
		detail = fmt.Sprintf("the candidate was moved to %q", cand.Stage.Name)
	default:
		detail = "the candidate left the interview stage"
	}
	live, err := e.store.Interviews(ctx, InterviewFilter{Connection: pos.Connection, CandidateID: candidateID, PositionID: pos.ID,
		States: []State{StateRequested, StateNeedsInfo, StateInvited, StateScheduled}})
	if err != nil {
		return reconcileNothing, err
	}
	d := reconcileNothing
	for _, iv := range live {
		if iv.Callback != nil || iv.Detached {
			continue
		}
		if _, err := e.update(ctx, iv.ID, nil, func(ch *change, pos *Position, iv *Interview) error {
			if !iv.State.Live() {
				return errNoop
			}
			d = reconcileCancelled
			iv.LeftStage = true
			return e.cancel(ch, pos, iv, detail)
		}); err != nil {
			return reconcileNothing, err
		}
	}
	return d, nil
}

// knownConnection returns an error matching ErrUnknownConnection for a
// connection neither stored (Connect) nor known to the Connector.
func (e *Engine) knownConnection(ctx context.Context, connection string) error {
	_, err := e.store.Connection(ctx, connection)
	if !errors.Is(err, ErrNotFound) {
		return nil // stored, or a store error the reads below report
	}
	if _, err := e.adapter(ctx, connection); errors.Is(err, ErrUnknownConnection) || errors.Is(err, ErrUnknownSource) {
		return &unknownConnectionError{connection: connection}
	}
	return nil
}

// reconcileAll reconciles every enabled connection whose reconcile lease
// it claims (claimReconcile); errors are logged.
func (e *Engine) reconcileAll(ctx context.Context) {
	conns, err := e.store.Connections(ctx, ConnectionFilter{})
	if err != nil {
		e.log.Error("lifecycle: reconcile: list connections", "err", err)
		return
	}
	ids := map[string]bool{}
	for _, c := range conns {
		if c.State == ConnectionEnabled {
			ids[c.ID] = true
		}
	}
	// Connections a Connector can list (MemoryConnector) need not be
	// stored.
	if l, ok := e.opts.Connector.(interface{ Connections() []string }); ok {
		for _, id := range l.Connections() {
			ids[id] = true
		}
	}
	for id := range ids {
		if ctx.Err() != nil {
			return
		}
		if !e.claimReconcile(ctx, id) {
			continue // another replica reconciles it in this interval
		}
		_, err := e.Reconcile(ctx, id)
		switch {
		case errors.Is(err, ErrCannotList):
			// Holding the lease spares the other replicas the same
			// answer: the adapter will not list in this interval.
		case err != nil || ctx.Err() != nil:
			if err != nil {
				e.log.Error("lifecycle: reconcile", "connection", id, "err", err)
			}
			// Failed or interrupted: let the next tick, on any
			// replica, try again rather than nobody for 0.9 × the
			// interval.
			e.releaseReconcile(ctx, id)
		}
	}
}

// ignoredEvent logs and counts an event for a position that is not active
// (pending configuration, deactivated, or not linked): nothing is started,
// and Reconcile picks the candidates up once the position is activated.
func (e *Engine) ignoredEvent(ev ats.Event, pos *Position) {
	n := e.pendingEvents.Add(1)
	status := "unknown position"
	if pos != nil {
		status = string(pos.Status)
	}
	e.log.Info("lifecycle: event for a position that is not active, nothing started",
		"connection", ev.Connection, "event", ev.ID, "job", ev.JobID, "position_status", status, "ignored_total", n)
}

// PendingEvents returns how many events arrived, since the engine was
// made, for positions that were not active (nothing was started for them).
func (e *Engine) PendingEvents() int64 { return e.pendingEvents.Load() }
