package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
)

// EffectRequeuer is implemented by a Store that can put parked effects
// (EffectParked) back in the queue. memstore and sqlstore implement it.
type EffectRequeuer interface {
	// RequeueEffects makes every parked effect matching f (f.State is
	// ignored) and, when id is not empty, with that ID pending again,
	// due at at with its attempts reset, and returns them. LastError is
	// kept: the dispatcher takes it as the sign that the effect was
	// attempted before, and looks a note or feedback up before sending
	// it again, as an earlier attempt may have reached the ATS.
	RequeueEffects(ctx context.Context, f EffectFilter, id string, at time.Time) ([]Effect, error)
}

// ErrConfiguration marks an effect failure caused by the host's setup (a
// Vendor or CallbackPublisher missing, no adapter for the connection): like
// a refused credential, fixing it is an operator's job, so the effect is
// parked rather than failed.
var ErrConfiguration = errors.New("lifecycle: configuration missing")

// parks reports whether an effect failing with err is parked: the ATS
// refused the connection's credentials (401, 403) or the host's
// configuration is missing. Such a failure is not the effect's fault and
// is not cured by waiting; it is cured by an operator, who then requeues.
func parks(err error) bool {
	return errors.Is(err, ats.ErrUnauthorized) || errors.Is(err, ats.ErrForbidden) ||
		errors.Is(err, ErrConfiguration) || errors.Is(err, ErrUnknownConnection)
}

// RequeueEffect puts one parked effect back in the queue, once the cause
// of its parking (see EffectParked) was fixed. It returns ErrNotFound when
// no parked effect has that ID.
func (e *Engine) RequeueEffect(ctx context.Context, id string) error {
	n, err := e.requeue(ctx, EffectFilter{}, id)
	if err == nil && n == 0 {
		err = errfmt.Errorf("lifecycle: requeue effect %s: no parked effect with this ID: %w", id, ErrNotFound)
	}
	return err
}

// RequeueConnection puts every parked effect of a connection back in the
// queue and returns how many. Call it when the connection's credentials
// changed (a token rotated, access granted again) or its configuration was
// fixed; EnableConnection calls it.
func (e *Engine) RequeueConnection(ctx context.Context, connection string) (int, error) {
	return e.requeue(ctx, EffectFilter{Connection: connection}, "")
}

// credentialsChanged is registered with a ConnectorNotifier.
func (e *Engine) credentialsChanged(connection string) {
	e.requeueAfterFix(context.Background(), connection, "a credential change")
}

func (e *Engine) requeue(ctx context.Context, f EffectFilter, id string) (int, error) {
	r, ok := e.store.(EffectRequeuer)
	if !ok {
		return 0, fmt.Errorf("lifecycle: requeue: the store (%T) does not implement EffectRequeuer", e.store)
	}
	now := e.now()
	effs, err := r.RequeueEffects(ctx, f, id, now)
	if err != nil {
		return 0, err
	}
	for _, eff := range effs {
		e.requeued.Store(eff.Connection, now)
	}
	// A completed interview whose result effects were parked was not
	// reported: queue the move to reported again, behind them.
	seen := map[string]bool{}
	for _, eff := range effs {
		if seen[eff.InterviewID] || eff.InterviewID == "" {
			continue
		}
		seen[eff.InterviewID] = true
		if _, err := e.update(ctx, eff.InterviewID, nil, func(ch *change, _ *Position, iv *Interview) error {
			if iv.State != StateCompleted {
				return errNoop
			}
			ch.effect(iv, EffectMarkReported, struct{}{})
			return nil
		}); err != nil && !errors.Is(err, ErrNotFound) {
			return len(effs), err
		}
	}
	if len(effs) > 0 {
		e.log.Info("lifecycle: parked effects requeued", "connection", f.Connection, "effects", len(effs))
		e.wake()
	}
	return len(effs), nil
}

// resultLanded reports whether every result effect written with the
// completion that queued mark (same interview, same commit) was delivered:
// none of them parked or failed. A report upload (EffectAttachReport) that
// failed for good does not count: the completion note links the report
// (e.g. a *ReportTooLargeError), so the result did reach the ATS. One that
// is parked does, as it is delivered once requeued.
func (e *Engine) resultLanded(ctx context.Context, mark Effect) (bool, error) {
	effs, err := e.store.Effects(ctx, EffectFilter{InterviewID: mark.InterviewID})
	if err != nil {
		return false, err
	}
	for _, eff := range effs {
		if eff.Seq >= mark.Seq || eff.Kind == EffectMarkReported {
			continue
		}
		switch {
		case eff.State == EffectParked:
			return false, nil
		case eff.State == EffectFailed && eff.CreatedAt.Equal(mark.CreatedAt) && eff.Kind != EffectAttachReport:
			return false, nil
		}
	}
	return true, nil
}
