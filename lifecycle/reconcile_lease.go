package lifecycle

import (
	"context"
	"time"
)

// ReconcileLeaser is implemented by a Store that coordinates the periodic
// reconcile of Engine.Run across replicas: every replica runs Run, but
// only the one that claims a connection's lease reconciles it in an
// interval, so N replicas do not make N times the candidate listings
// against a rate-limited ATS account. memstore and sqlstore implement it;
// lifecycle/storetest checks it. A store without it keeps every replica
// reconciling every connection. Explicit Engine.Reconcile calls (and those
// of EnableConnection and ActivatePosition) never take the lease: they
// always run.
//
// Lease times come from the claiming replica's clock (its Options.Now),
// as for effect and inbox leases (Claim.Now): the replicas' clocks must be
// synchronised (NTP), to well within the lease. Run claims for nine tenths
// of Options.ReconcileInterval, so the replica that reconciled last can
// claim again at its next tick despite timer jitter or a small clock
// difference. A pass that fails (the ATS answers an error, the store
// fails) or is interrupted (Run stops) releases its lease
// (ReleaseReconcile), so another replica's next tick reconciles the
// connection instead of nobody for the rest of the lease.
type ReconcileLeaser interface {
	// ClaimReconcile claims the reconcile of connection for owner until
	// now+lease and reports whether it did: it does when no lease of
	// connection exists or the existing one ended (its end is at or
	// before now), whoever held it; a lease that holds refuses every
	// claim, its owner's too, so a connection is reconciled once per
	// lease. Concurrent claims of one connection never both succeed.
	ClaimReconcile(ctx context.Context, connection, owner string, now time.Time, lease time.Duration) (bool, error)
	// ReleaseReconcile ends owner's lease of connection at now, if it
	// ends later, so the next claim at or after now succeeds. A lease
	// owner does not hold (another replica took it over, or there is
	// none) is left alone, and that is no error.
	ReleaseReconcile(ctx context.Context, connection, owner string, now time.Time) error
}

// reconcileLease is how long Run's periodic reconcile holds a connection:
// nine tenths of the interval (see ReconcileLeaser).
func (e *Engine) reconcileLease() time.Duration {
	return e.opts.ReconcileInterval - e.opts.ReconcileInterval/10
}

// claimReconcile reports whether this engine reconciles connection in this
// interval: always with a store that is not a ReconcileLeaser, else when
// it claims the connection's lease. An error is logged and the connection
// skipped: another replica, or the next interval, reconciles it.
func (e *Engine) claimReconcile(ctx context.Context, connection string) bool {
	l, ok := e.store.(ReconcileLeaser)
	if !ok {
		return true
	}
	got, err := l.ClaimReconcile(ctx, connection, e.owner, e.now(), e.reconcileLease())
	if err != nil {
		e.log.Error("lifecycle: claim reconcile lease", "connection", connection, "err", err)
		return false
	}
	if !got {
		e.log.Debug("lifecycle: reconcile skipped, another replica holds the lease", "connection", connection)
	}
	return got
}

// releaseReconcile gives up this engine's lease of connection after a
// periodic reconcile that failed or was interrupted, so another replica
// (or this one's next tick) reconciles it without waiting for the lease to
// end. It runs also after ctx ended; an error is logged (the lease then
// runs out as claimed).
func (e *Engine) releaseReconcile(ctx context.Context, connection string) {
	l, ok := e.store.(ReconcileLeaser)
	if !ok {
		return
	}
	actx, cancel := ackContext(ctx)
	defer cancel()
	if err := l.ReleaseReconcile(actx, connection, e.owner, e.now()); err != nil {
		e.log.Error("lifecycle: release reconcile lease", "connection", connection, "err", err)
	}
}
