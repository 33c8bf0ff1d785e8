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
// A new request costs one map lookup and one insertion; its entry is
// completed in place, without touching the map again, when the backend
// call returns.
type idempotency struct {
	window time.Duration
	max    int
	now    func() time.Time
	seeds  [2]maphash.Seed

	mu      sync.Mutex
	entries map[idemKey]*idemEntry
	order   []idemRef // in creation order, so also in expiry order
	head    int

	// onWait, if set (by tests, before use), is called when a request
	// starts waiting for an in-flight duplicate.
	onWait func()
}

// idemEntry is a create call, in flight or finished. Its fields are guarded
// by idempotency.mu; waiters read id and err after done is closed.
type idemEntry struct {
	expires  int64 // unix nanoseconds
	finished bool
	id       string
	err      error
	done     chan struct{} // made by the first waiter, closed when finished
}

type idemRef struct {
	key     idemKey
	expires int64
	entry   *idemEntry
}

func newIdempotency(window time.Duration, max int, now func() time.Time) *idempotency {
	return &idempotency{
		window: window, max: max, now: now,
		seeds:   [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		entries: make(map[idemKey]*idemEntry),
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
	if e, ok := c.entries[key]; ok {
		if e.finished { // failed entries leave the map when they finish
			id := e.id
			c.mu.Unlock()
			return id, true, nil
		}
		if e.done == nil {
			e.done = make(chan struct{})
		}
		done := e.done
		c.mu.Unlock()
		if c.onWait != nil {
			c.onWait()
		}
		select {
		case <-done:
			return e.id, true, e.err
		case <-ctx.Done():
			return "", false, ctx.Err()
		}
	}
	e := &idemEntry{expires: now + int64(c.window)}
	c.entries[key] = e
	c.order = append(c.order, idemRef{key, e.expires, e})
	c.mu.Unlock()

	// Waiters see errCreatePanicked if create panics.
	id, err = "", errCreatePanicked
	defer func() {
		c.mu.Lock()
		e.id, e.err, e.finished = id, err, true
		if err != nil && c.entries[key] == e {
			delete(c.entries, key)
		}
		if e.done != nil {
			close(e.done)
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
		// The key may belong to a later request by now (after a failure);
		// only the entry this ref created goes.
		if c.entries[ref.key] == ref.entry {
			delete(c.entries, ref.key)
		}
		c.order[c.head] = idemRef{}
		c.head++
	}
	if live := len(c.order) - c.head; live > 2*c.max+1024 {
		// Failed creates leave refs behind; drop those no longer in use.
		kept := c.order[:0]
		for _, ref := range c.order[c.head:] {
			if c.entries[ref.key] == ref.entry {
				kept = append(kept, ref)
			}
		}
		clear(c.order[len(kept):])
		c.order, c.head = kept, 0
	}
	if c.head > 1024 && c.head*2 > len(c.order) {
		n := copy(c.order, c.order[c.head:])
		clear(c.order[n:])
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
