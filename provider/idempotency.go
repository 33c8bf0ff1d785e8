package provider

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/maphash"
	"sync"
	"time"
)

// errCreatePanicked is what requests waiting on a create call see when it
// panicked.
var errCreatePanicked = errors.New("provider: backend panicked")

// idemKey identifies a create request: a 128-bit digest of the account,
// the contract, the template or test, the candidate and the callback URL,
// made of two hash/maphash sums with independent random seeds. The seeds
// are per process and secret, so requests cannot be crafted to collide, and
// an accidental collision among even millions of keys is vanishingly
// unlikely (about n²/2¹²⁹); maphash is several times faster than SHA-256.
type idemKey [2]uint64

func (c *idempotency) key(account Account, kind string, template string, cand *Candidate, callbackURL string) idemKey {
	var stack [512]byte
	b := stack[:0]
	for _, s := range [...]string{string(account), kind, template, cand.FirstName, cand.LastName, cand.Phone, cand.Email, callbackURL} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return idemKey{maphash.Bytes(c.seeds[0], b), maphash.Bytes(c.seeds[1], b)}
}

// idempotency makes concurrent and repeated create requests with the same
// key share one backend call and its id for a window of time. Memory is
// bounded: keys expire after the window and the oldest keys are dropped
// beyond max.
//
// A remembered key costs one map slot and one pointer-free queue element;
// only requests in flight have a heap-allocated flight.
type idempotency struct {
	window time.Duration
	max    int
	now    func() time.Time
	seeds  [2]maphash.Seed

	mu      sync.Mutex
	entries map[idemKey]idemSlot
	order   []idemRef // in creation order, so also in expiry order
	head    int
}

type idemSlot struct {
	id      string
	expires int64       // unix nanoseconds
	flight  *idemFlight // non-nil while the create call runs
}

// idemFlight is a create call in progress.
type idemFlight struct {
	done chan struct{} // made by the first waiter, closed when finished
	id   string
	err  error
}

type idemRef struct {
	key     idemKey
	expires int64
}

func newIdempotency(window time.Duration, max int, now func() time.Time) *idempotency {
	return &idempotency{
		window: window, max: max, now: now,
		seeds:   [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		entries: make(map[idemKey]idemSlot),
	}
}

// do returns the id of the live entry for key, waiting for it if its backend
// call is in flight, or calls create and remembers its id. A failed call is
// not remembered (waiters get its error), so a later retry calls create
// again. replayed reports whether the id came from an earlier request.
func (c *idempotency) do(ctx context.Context, key idemKey, create func() (string, error)) (id string, replayed bool, err error) {
	now := c.now().UnixNano()
	c.mu.Lock()
	c.evictLocked(now)
	if s, ok := c.entries[key]; ok {
		f := s.flight
		if f == nil {
			c.mu.Unlock()
			return s.id, true, nil
		}
		if f.done == nil {
			f.done = make(chan struct{})
		}
		done := f.done
		c.mu.Unlock()
		select {
		case <-done:
			return f.id, true, f.err
		case <-ctx.Done():
			return "", false, ctx.Err()
		}
	}
	f := &idemFlight{}
	expires := now + int64(c.window)
	c.entries[key] = idemSlot{expires: expires, flight: f}
	c.order = append(c.order, idemRef{key, expires})
	c.mu.Unlock()

	// Waiters see errCreatePanicked if create panics.
	id, err = "", errCreatePanicked
	defer func() {
		c.mu.Lock()
		f.id, f.err = id, err
		if s, ok := c.entries[key]; ok && s.flight == f {
			if err != nil {
				delete(c.entries, key)
			} else {
				c.entries[key] = idemSlot{id: id, expires: expires}
			}
		}
		if f.done != nil {
			close(f.done)
		}
		c.mu.Unlock()
	}()
	id, err = create()
	return id, false, err
}

// evictLocked drops expired entries and, beyond max, the oldest ones.
func (c *idempotency) evictLocked(now int64) {
	for c.head < len(c.order) {
		ref := c.order[c.head]
		if now <= ref.expires && len(c.entries) < c.max {
			break
		}
		// The slot may belong to a later request with the same key (after
		// a failure); only the one this ref created goes.
		if s, ok := c.entries[ref.key]; ok && s.expires == ref.expires {
			delete(c.entries, ref.key)
		}
		c.head++
	}
	if live := len(c.order) - c.head; live > 2*c.max+1024 {
		// Failed creates leave refs behind; drop those no longer in use.
		kept := c.order[:0]
		for _, ref := range c.order[c.head:] {
			if s, ok := c.entries[ref.key]; ok && s.expires == ref.expires {
				kept = append(kept, ref)
			}
		}
		c.order, c.head = kept, 0
	}
	if c.head > 1024 && c.head*2 > len(c.order) {
		n := copy(c.order, c.order[c.head:])
		c.order = c.order[:n]
		c.head = 0
	}
}

// size returns the number of remembered keys (for tests).
func (c *idempotency) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
