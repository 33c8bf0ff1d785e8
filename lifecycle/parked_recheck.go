package lifecycle

import (
	"context"
	"errors"
	"log/slog"

	"github.com/atskit/atskit/ats"
)

// recheckParked closes a race between parking an effect and the fix that
// requeues it. An attempt sent with the old credentials can be refused
// (401) after the host stored new ones and requeued the connection's
// parked effects (RequeueConnection, EnableConnection, a ConnectorNotifier),
// maybe from another process: recorded as parked only then, it would wait
// for a requeue that already happened and never come again.
//
// So once the park is recorded, the connection's credentials are checked
// again with a read of the effect's candidate. If the ATS accepts them
// now, they were fixed since the attempt was refused and the effect is
// requeued at once. If it refuses them, any fix comes after the park was
// recorded, and the requeue that follows the fix finds the effect parked.
// A read that fails otherwise (a 5xx, a timeout) cannot tell: the effect
// is requeued too, and parks again if the credentials still fail. An
// effect is requeued this way at most once per dispatcher, so an ATS that
// answers the read but refuses the write with 401 does not loop.
//
// Only refused credentials (ats.ErrUnauthorized) are checked: a 403 may
// forbid the write while allowing the read, and a configuration error is
// not the ATS's to answer.
func (d *Dispatcher) recheckParked(ctx context.Context, eff Effect, cause error, log *slog.Logger) {
	if !isATSEffect(eff.Kind) && eff.Kind != EffectATSSchedule || !errors.Is(cause, ats.ErrUnauthorized) || eff.CandidateID == "" {
		return
	}
	if ctx.Err() != nil {
		return // stopping: the parked effect waits for the requeue
	}
	limit := d.opts.Lease
	if d.opts.CallTimeout > 0 {
		limit = min(limit, d.opts.CallTimeout)
	}
	cctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	a, err := d.e.adapter(cctx, eff.conn())
	if err != nil {
		return // no adapter now: the fix that provides one requeues
	}
	_, err = a.Candidate(cctx, eff.CandidateID)
	if errors.Is(err, ats.ErrUnauthorized) || ctx.Err() != nil {
		return
	}
	if _, again := d.rechecked.LoadOrStore(eff.ID, true); again {
		// Requeued this way once and refused again: an ATS that
		// refuses the write while it accepts the read. It waits for
		// the operator, like any parked effect.
		return
	}
	log.Info("lifecycle: credentials accepted again since the effect was refused; requeued", "check", errString(err))
	if _, err := d.e.requeue(cctx, EffectFilter{}, eff.ID); err != nil {
		log.Warn("lifecycle: requeue an effect refused with the old credentials", "err", err)
	}
}

func errString(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}
