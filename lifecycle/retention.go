package lifecycle

import (
	"context"
	"fmt"
	"time"
)

// DefaultRetention is how long delivered effects, processed events and
// processed inbox events are kept when Options.Retention is zero.
const DefaultRetention = 30 * 24 * time.Hour

// PruneInterval is how often Engine.Run prunes (and once when it starts).
const PruneInterval = time.Hour

// pruneBatch is how many rows of each kind one Pruner call deletes, so a
// large backlog is deleted in short transactions.
const pruneBatch = 1000

// Pruner is implemented by a Store that can delete history no longer
// needed. memstore and sqlstore implement it; lifecycle/storetest checks
// it.
type Pruner interface {
	// Prune deletes up to limit rows of each kind: effects done
	// (EffectDone) before before, processed-event records (the
	// de-duplication of Commit's Change.Event) made before before, and
	// inbox events processed (InboxProcessed) before before; stores may
	// also delete their own expired records (such as remembered webhook
	// deliveries past their expiry). Failed and parked effects and
	// failed inbox events are kept for operators. It returns how many
	// rows it deleted in all.
	Prune(ctx context.Context, before time.Time, limit int) (int, error)
}

// retention is the configured retention; negative keeps everything.
func (e *Engine) retention() time.Duration {
	if e.opts.Retention == 0 {
		return DefaultRetention
	}
	return e.opts.Retention
}

// Prune deletes the history older than Options.Retention before now —
// effects delivered, events processed (a redelivery older than that is
// decided again, on the candidate's state at the time) and inbox events
// processed — in batches, and returns how many rows it deleted. It does
// nothing when Options.Retention is negative or the store does not
// implement Pruner. Engine.Run calls it every PruneInterval.
func (e *Engine) Prune(ctx context.Context, now time.Time) (int, error) {
	p, ok := e.store.(Pruner)
	r := e.retention()
	if !ok || r < 0 {
		return 0, nil
	}
	before := now.Add(-r)
	total := 0
	for {
		n, err := p.Prune(ctx, before, pruneBatch)
		total += n
		if err != nil {
			return total, fmt.Errorf("lifecycle: prune: %w", err)
		}
		if n < pruneBatch {
			break
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
	if total > 0 {
		e.log.Info("lifecycle: pruned history", "rows", total, "before", before)
	}
	return total, nil
}

// prune is Run's call of Prune.
func (e *Engine) prune(ctx context.Context) {
	if _, err := e.Prune(ctx, e.now()); err != nil && ctx.Err() == nil {
		e.log.Error("lifecycle: prune history", "err", err)
	}
}
