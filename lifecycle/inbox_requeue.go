package lifecycle

import (
	"context"
	"fmt"
	"time"

	"github.com/atskit/atskit/internal/errfmt"
)

// InboxRequeuer is implemented by a Store whose inbox can put events that
// ended InboxFailed back in line. memstore and sqlstore implement it;
// lifecycle/storetest checks it. It is a separate interface, like
// EffectRequeuer, so an Inbox written before it still compiles.
type InboxRequeuer interface {
	// RequeueInboxEvents makes every failed inbox event matching f
	// (f.State is ignored) and, when id is not empty, with that ID
	// pending again, due at at, with its attempts reset and no lease, and
	// returns them. Events not failed are left alone.
	RequeueInboxEvents(ctx context.Context, f InboxFilter, id string, at time.Time) ([]InboxEvent, error)
}

// RequeueEvent puts one inbox event that was given up on (InboxFailed)
// back in line, with its attempts reset, once the cause of its failure
// was fixed; a running Dispatcher is woken. It returns ErrNotFound when
// no failed inbox event has that ID, and an error when the store does not
// implement InboxRequeuer.
func (e *Engine) RequeueEvent(ctx context.Context, id string) error {
	n, err := e.requeueEvents(ctx, InboxFilter{}, id)
	if err == nil && n == 0 {
		err = errfmt.Errorf("lifecycle: requeue event %s: no failed inbox event with this ID (list them with Engine.InboxEvents and InboxFilter{State: InboxFailed}): %w", id, ErrNotFound)
	}
	return err
}

// RequeueEvents puts every failed inbox event of a connection back in
// line and returns how many. EnableConnection calls it, as does a
// credential change reported by a ConnectorNotifier, next to
// RequeueConnection.
func (e *Engine) RequeueEvents(ctx context.Context, connection string) (int, error) {
	return e.requeueEvents(ctx, InboxFilter{Connection: connection}, "")
}

func (e *Engine) requeueEvents(ctx context.Context, f InboxFilter, id string) (int, error) {
	r, ok := e.store.(InboxRequeuer)
	if !ok {
		return 0, fmt.Errorf("lifecycle: requeue events: the store (%T) does not implement InboxRequeuer", e.store)
	}
	evs, err := r.RequeueInboxEvents(ctx, f, id, e.now())
	if err != nil {
		return 0, errfmt.Errorf("lifecycle: requeue events: %w", err)
	}
	if len(evs) > 0 {
		e.log.Info("lifecycle: failed inbox events requeued", "connection", f.Connection, "events", len(evs))
		e.wake()
	}
	return len(evs), nil
}

// requeueAfterFix requeues what was parked or given up on for a
// connection after a fix (re-enabling, new credentials); an error is
// logged, as the fix itself stands.
func (e *Engine) requeueAfterFix(ctx context.Context, connection, why string) {
	if _, err := e.RequeueConnection(ctx, connection); err != nil {
		e.log.Warn("lifecycle: requeue parked effects after "+why, "connection", connection, "err", err)
	}
	if _, ok := e.store.(InboxRequeuer); ok {
		if _, err := e.RequeueEvents(ctx, connection); err != nil {
			e.log.Warn("lifecycle: requeue failed inbox events after "+why, "connection", connection, "err", err)
		}
	}
}
