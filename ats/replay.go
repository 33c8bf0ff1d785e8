package ats

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrWebhookReplayed means a delivery that was already accepted once was
// presented again (for example a captured Lever delivery token re-attached
// to another body). Verifiers and handlers wrap it, so test with errors.Is.
// A handler answers it with a 2xx status: the ATS need not retry, and
// nothing is acted on twice.
var ErrWebhookReplayed = errors.New("ats: webhook delivery replayed")

// ReplayGuard remembers the webhook deliveries a verifier accepted, so a
// delivery is acted on once. The key is what the ATS signs and never
// repeats for a new delivery: Lever's per-delivery token, or a signed
// delivery ID and time where an ATS has one. Keys are remembered per
// connection (one customer's account on one ATS; "" when the host serves a
// single account) until expires, the end of the window in which the
// verifier would accept the delivery at all, after which they may be
// pruned.
//
// A handler claims a delivery with RememberDelivery before acting on it
// and releases it with ForgetDelivery when acting failed, so the claim is
// atomic across replicas and a failed delivery can still be retried.
// Such a claim outlives a handler that dies before acting (the ATS's
// retry would be taken for a replay); a guard that also implements
// DeliveryConfirmer offers provisional claims that lapse unless
// confirmed, which the adapters' verifiers use (see ClaimDelivery).
//
// The stores in lifecycle/memstore and lifecycle/sqlstore implement
// ReplayGuard, so a deployment with several replicas shares one memory of
// accepted deliveries. MemoryReplayGuard serves a single process.
type ReplayGuard interface {
	// RememberDelivery records key for connection until expires. It
	// returns first == true the first time a key is recorded and false
	// when the key is already remembered and has not expired. An error
	// means the guard could not decide; callers fail closed (answer 5xx
	// so the ATS retries) rather than act on an unchecked delivery.
	RememberDelivery(ctx context.Context, connection, key string, expires time.Time) (first bool, err error)
	// ForgetDelivery removes key, so that the ATS's retry of a delivery
	// whose processing failed (the handler answered 5xx) is accepted
	// again. Forgetting a key that is not remembered is not an error.
	ForgetDelivery(ctx context.Context, connection, key string) error
}

// MemoryReplayGuard is a ReplayGuard held in process memory, for a single
// replica and for tests. Expired keys are pruned as new ones arrive. The
// zero value is ready to use; it must not be copied after first use.
type MemoryReplayGuard struct {
	// Now returns the current time; nil means time.Now.
	Now func() time.Time

	mu    sync.Mutex
	seen  map[replayKey]replayEntry
	calls int
}

// replayEntry is a remembered key: until expires, and provisional (a
// claim not yet confirmed) when pending.
type replayEntry struct {
	expires time.Time
	pending bool
}

var _ DeliveryConfirmer = (*MemoryReplayGuard)(nil)

type replayKey struct{ connection, key string }

// RememberDelivery implements ReplayGuard: it records a confirmed key.
func (g *MemoryReplayGuard) RememberDelivery(ctx context.Context, connection, key string, expires time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, live := g.lookup(connection, key); live {
		return false, nil
	}
	g.seen[replayKey{connection, key}] = replayEntry{expires: expires}
	return true, nil
}

// ClaimDelivery implements DeliveryConfirmer.
func (g *MemoryReplayGuard) ClaimDelivery(ctx context.Context, connection, key string, leaseEnd time.Time) (ClaimState, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if e, live := g.lookup(connection, key); live {
		if e.pending {
			return ClaimInFlight, nil
		}
		return ClaimConfirmed, nil
	}
	g.seen[replayKey{connection, key}] = replayEntry{expires: leaseEnd, pending: true}
	return ClaimAcquired, nil
}

// ConfirmDelivery implements DeliveryConfirmer.
func (g *MemoryReplayGuard) ConfirmDelivery(ctx context.Context, connection, key string, expires time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	k := replayKey{connection, key}
	if e, live := g.lookup(connection, key); live && !e.pending && e.expires.After(expires) {
		return nil
	}
	g.seen[k] = replayEntry{expires: expires}
	return nil
}

// lookup returns key's entry and whether it is live (not expired), pruning
// expired entries now and then. g.mu must be held.
func (g *MemoryReplayGuard) lookup(connection, key string) (replayEntry, bool) {
	now := time.Now()
	if g.Now != nil {
		now = g.Now()
	}
	if g.seen == nil {
		g.seen = make(map[replayKey]replayEntry)
	}
	g.calls++
	if g.calls%1024 == 0 { // amortised pruning
		for k, e := range g.seen {
			if !e.expires.After(now) {
				delete(g.seen, k)
			}
		}
	}
	e, ok := g.seen[replayKey{connection, key}]
	return e, ok && e.expires.After(now)
}

// ForgetDelivery implements ReplayGuard.
func (g *MemoryReplayGuard) ForgetDelivery(ctx context.Context, connection, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.seen, replayKey{connection, key})
	return nil
}
