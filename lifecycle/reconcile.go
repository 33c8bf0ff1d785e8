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
type ReconcileResult struct {
	// Positions is the number of active positions reconciled.
	Positions int
	// Seen is the number of candidates found in trigger stages.
	Seen int
	// Started counts candidates in a trigger stage who had no interview
	// (their webhook was missed) and got one now.
	Started int
	// Cancelled counts live interviews of candidates who had left the
	// trigger stage (or were disqualified) without the engine learning
	// of it.
	Cancelled int
}

// Reconcile recovers what webhooks missed for a connection's active
// positions: it lists the candidates now in each position's trigger stage
// and starts an interview for every one who has none, and it re-reads the
// candidates of live interviews who are no longer listed and cancels those
// who left the stage or were disqualified. Decisions use the candidates as
// the ATS returns them, like HandleEvent. Interviews that ended (cancelled,
// unable to schedule, ...) are not restarted: only a move into the stage,
// or Retrigger, does that.
//
// It is idempotent, so an interrupted run is resumed by running it again;
// its ATS calls go through the adapter and so its pacing. An adapter that
// cannot list candidates returns ErrCannotList, and a connection neither
// connected nor known to the Connector an error matching
// ErrUnknownConnection. Engine.Run calls it for
// every enabled connection when it starts and every
// Options.ReconcileInterval, EnableConnection for the connection it
// enables, and ActivatePosition for the position it activates.
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
	for i := range positions {
		if err := e.reconcilePosition(ctx, &positions[i], &res); err != nil {
			return res, err
		}
	}
	e.recordReconcile(ctx, connection, res)
	if res.Started > 0 || res.Cancelled > 0 {
		e.log.Info("lifecycle: reconciled", "connection", connection, "positions", res.Positions,
			"seen", res.Seen, "started", res.Started, "cancelled", res.Cancelled)
	}
	return res, nil
}

func (e *Engine) reconcilePosition(ctx context.Context, pos *Position, res *ReconcileResult) error {
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
	inStage := map[string]bool{}
	for cand, err := range lister.Candidates(ctx, ats.CandidateFilter{JobID: pos.JobID, StageID: pos.TriggerStage()}) {
		if err != nil {
			return errfmt.Errorf("lifecycle: reconcile %s: list candidates: %w", pos.ID, err)
		}
		// The listing may not filter exactly as asked: decide on
		// what it returned.
		if cand.Disqualified || !pos.stageIs(cand.Stage, pos.TriggerStage()) {
			continue
		}
		res.Seen++
		inStage[cand.ID] = true
		existing, err := e.store.Interviews(ctx, InterviewFilter{Connection: pos.Connection, CandidateID: cand.ID, PositionID: pos.ID})
		if err != nil {
			return err
		}
		if len(existing) > 0 {
			continue
		}
		// The listing may carry less than a read (Workable lists
		// candidates without contact details): read before deciding.
		full, err := a.Candidate(ctx, cand.ID)
		if errors.Is(err, ats.ErrNotFound) {
			continue
		}
		if err != nil {
			return errfmt.Errorf("lifecycle: reconcile %s: read candidate %s: %w", pos.ID, cand.ID, err)
		}
		if full.Disqualified || !pos.stageIs(full.Stage, pos.TriggerStage()) {
			continue
		}
		if err := e.commit(ctx, func(ch *change) error { return e.request(ctx, ch, pos, full) }); err != nil {
			return err
		}
		res.Started++
	}
	live, err := e.store.Interviews(ctx, InterviewFilter{Connection: pos.Connection, PositionID: pos.ID,
		States: []State{StateRequested, StateNeedsInfo, StateInvited, StateScheduled}})
	if err != nil {
		return err
	}
	for _, iv := range live {
		if inStage[iv.CandidateID] || iv.Callback != nil || iv.Detached {
			continue
		}
		cand, err := a.Candidate(ctx, iv.CandidateID)
		detail := ""
		switch {
		case errors.Is(err, ats.ErrNotFound):
			detail = "the candidate was deleted"
		case err != nil:
			return errfmt.Errorf("lifecycle: reconcile %s: read candidate %s: %w", pos.ID, iv.CandidateID, err)
		case cand.Disqualified:
			detail = "the candidate was disqualified"
		case pos.stageIs(cand.Stage, pos.TriggerStage()) || pos.mappedStage(cand.Stage):
			continue // still in the stage, or in one of our own
		case cand.Stage.Name != "":
			detail = fmt.Sprintf("the candidate was moved to %q", cand.Stage.Name)
		default:
			detail = "the candidate left the interview stage"
		}
		id := iv.ID
		if _, err := e.update(ctx, id, nil, func(ch *change, pos *Position, iv *Interview) error {
			if !iv.State.Live() {
				return errNoop
			}
			return e.cancel(ch, pos, iv, detail)
		}); err != nil {
			return err
		}
		res.Cancelled++
	}
	return nil
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

// reconcileAll reconciles every enabled connection; errors are logged.
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
		if _, err := e.Reconcile(ctx, id); err != nil && !errors.Is(err, ErrCannotList) {
			e.log.Error("lifecycle: reconcile", "connection", id, "err", err)
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
