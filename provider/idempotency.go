package provider

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"sync"
	"time"
)

// errCreatePanicked is what requests waiting on a create call see when it
// panicked.
var errCreatePanicked = errors.New("provider: backend panicked")

// idemKey identifies a create request: a digest of the account, the
// contract, the template or test, the candidate and the callback URL.
type idemKey [sha256.Size]byte

func newIdemKey(account Account, kind string, template string, c *Candidate, callbackURL string) idemKey {
	var stack [512]byte
	b := stack[:0]
	for _, s := range [...]string{string(account), kind, template, c.FirstName, c.LastName, c.Phone, c.Email, callbackURL} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return sha256.Sum256(b)
}

// idempotency makes concurrent and repeated create requests with the same
// key share one backend call and its id for a window of time. Memory is
// bounded: keys expire after the window and the oldest keys are dropped
// beyond max.
type idempotency struct {
	window time.Duration
	max    int
	now    func() time.Time

	mu      sync.Mutex
	entries map[idemKey]*idemEntry
	order   []idemRef // in creation order, so also in expiry order
	head    int
}

type idemEntry struct {
	// Guarded by idempotency.mu until finished is set; id and err are
	// immutable after.
	finished bool
	done     chan struct{} // made by the first waiter, closed when finished
	id       string
	err      error
	expires  time.Time
}

type idemRef struct {
	key   idemKey
	entry *idemEntry
}

func newIdempotency(window time.Duration, max int, now func() time.Time) *idempotency {
	return &idempotency{window: window, max: max, now: now, entries: make(map[idemKey]*idemEntry)}
}

// do returns the id of the live entry for key, waiting for it if its backend
// call is in flight, or calls create and remembers its id. A failed call is
// not remembered (waiters get its error), so a later retry calls create
// again. replayed reports whether the id came from an earlier request.
func (c *idempotency) do(ctx context.Context, key idemKey, create func() (string, error)) (id string, replayed bool, err error) {
	now := c.now()
	c.mu.Lock()
	c.evictLocked(now)
	if e, ok := c.entries[key]; ok {
		if e.finished {
			c.mu.Unlock()
			return e.id, true, e.err
		}
		if e.done == nil {
			e.done = make(chan struct{})
		}
		done := e.done
		c.mu.Unlock()
		select {
		case <-done:
			return e.id, true, e.err
		case <-ctx.Done():
			return "", false, ctx.Err()
		}
	}
	e := &idemEntry{expires: now.Add(c.window)}
	c.entries[key] = e
	c.order = append(c.order, idemRef{key, e})
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
func (c *idempotency) evictLocked(now time.Time) {
	for c.head < len(c.order) {
		ref := c.order[c.head]
		if !now.After(ref.entry.expires) && len(c.entries) < c.max {
			break
		}
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

// len returns the number of remembered keys (for tests).
func (c *idempotency) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
