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
	seen  map[replayKey]time.Time
	calls int
}

type replayKey struct{ connection, key string }

// RememberDelivery implements ReplayGuard.
func (g *MemoryReplayGuard) RememberDelivery(ctx context.Context, connection, key string, expires time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	now := time.Now()
	if g.Now != nil {
		now = g.Now()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.seen == nil {
		g.seen = make(map[replayKey]time.Time)
	}
	g.calls++
	if g.calls%1024 == 0 { // amortised pruning
		for k, exp := range g.seen {
			if !exp.After(now) {
				delete(g.seen, k)
			}
		}
	}
	k := replayKey{connection, key}
	if exp, ok := g.seen[k]; ok && exp.After(now) {
		return false, nil
	}
	g.seen[k] = expires
	return true, nil
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
