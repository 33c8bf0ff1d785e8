package provider

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/maphash"
	"math"
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
// bounded per account: keys expire after the window and, beyond max keys
// of one account, that account's oldest keys are dropped — so one tenant
// flooding creates cannot evict another tenant's entries (and make its
// retries create duplicates). An account's shard is dropped when its last
// key expires.
//
// A new request costs two map lookups and one insertion; its entry is
// completed in place, without touching the maps again, when the backend
// call returns.
type idempotency struct {
	window time.Duration
	max    int
	now    func() time.Time
	seeds  [2]maphash.Seed

	mu     sync.Mutex
	shards map[Account]*idemShard
	calls  int // requests since the last sweep of idle shards

	// onWait, if set (by tests, before use), is called when a request
	// starts waiting for an in-flight duplicate.
	onWait func()
}

// idemShard is one account's remembered requests, guarded by
// idempotency.mu.
type idemShard struct {
	entries map[idemKey]*idemEntry
	order   []idemRef // in creation order, so also in expiry order
	head    int
}

// idemEntry is a create call, in flight or finished. Its fields are guarded
// by idempotency.mu; waiters read id and err after done is closed.
type idemEntry struct {
	expires  int64 // unix nanoseconds
	finished bool
	id       string
	answer   []byte // the whole answer, for contracts that repeat more than the id
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
		seeds:  [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		shards: make(map[Account]*idemShard),
	}
}

// do returns the id of the live entry for key, waiting for it if its backend
// call is in flight, or calls create and remembers its id. A failed call is
// not remembered (waiters get its error), so a later retry calls create
// again. replayed reports whether the id came from an earlier request.
func (c *idempotency) do(ctx context.Context, account Account, key idemKey, create func() (string, error)) (id string, replayed bool, err error) {
	id, _, replayed, err = c.doAnswer(ctx, account, key, func() (string, []byte, error) {
		id, err := create()
		return id, nil, err
	})
	return id, replayed, err
}

// doAnswer is do for contracts whose answer carries more than the id (the
// Ashby start's inline update_request): create returns the id and the
// whole answer, and a repeat gets both back, byte for byte.
func (c *idempotency) doAnswer(ctx context.Context, account Account, key idemKey, create func() (string, []byte, error)) (id string, answer []byte, replayed bool, err error) {
	now := c.now().UnixNano()
	c.mu.Lock()
	if c.calls++; c.calls >= sweepEvery {
		c.sweepLocked(now)
	}
	sh := c.shards[account]
	if sh == nil {
		sh = &idemShard{entries: make(map[idemKey]*idemEntry)}
		c.shards[account] = sh
	}
	sh.evictLocked(now, c.max)
	if e, ok := sh.entries[key]; ok {
		if e.finished { // failed entries leave the map when they finish
			id, answer := e.id, e.answer
			c.mu.Unlock()
			return id, answer, true, nil
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
			return e.id, e.answer, true, e.err
		case <-ctx.Done():
			return "", nil, false, ctx.Err()
		}
	}
	e := &idemEntry{expires: addClamped(now, c.window)}
	sh.entries[key] = e
	sh.order = append(sh.order, idemRef{key, e.expires, e})
	c.mu.Unlock()

	// Waiters see errCreatePanicked if create panics.
	id, err = "", errCreatePanicked
	defer func() {
		c.mu.Lock()
		e.id, e.answer, e.err, e.finished = id, answer, err, true
		if err != nil && sh.entries[key] == e {
			delete(sh.entries, key)
		}
		if e.done != nil {
			close(e.done)
		}
		c.mu.Unlock()
	}()
	id, answer, err = create()
	return id, answer, false, err
}

// forget drops account's finished entries whose id is id, so the next
// request with their key calls the backend again (a start after a cancel
// must start a new assessment). It scans the account's entries, at most
// max of them; forgetting is rare (cancels), so the hot path keeps no
// index by id. Other accounts' entries are never touched.
func (c *idempotency) forget(account Account, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sh := c.shards[account]
	if sh == nil {
		return
	}
	for k, e := range sh.entries {
		if e.finished && e.id == id {
			delete(sh.entries, k)
		}
	}
}

// evictLocked drops the shard's expired entries and, beyond max, its
// oldest ones.
func (sh *idemShard) evictLocked(now int64, max int) {
	for sh.head < len(sh.order) {
		ref := sh.order[sh.head]
		if now <= ref.expires && len(sh.entries) < max {
			break
		}
		// The key may belong to a later request by now (after a failure);
		// only the entry this ref created goes.
		if sh.entries[ref.key] == ref.entry {
			delete(sh.entries, ref.key)
		}
		sh.order[sh.head] = idemRef{}
		sh.head++
	}
	if live := len(sh.order) - sh.head; live > 2*max+1024 {
		// Failed creates leave refs behind; drop those no longer in use.
		kept := sh.order[:0]
		for _, ref := range sh.order[sh.head:] {
			if sh.entries[ref.key] == ref.entry {
				kept = append(kept, ref)
			}
		}
		clear(sh.order[len(kept):])
		sh.order, sh.head = kept, 0
	}
	if sh.head > 1024 && sh.head*2 > len(sh.order) {
		n := copy(sh.order, sh.order[sh.head:])
		clear(sh.order[n:])
		sh.order = sh.order[:n]
		sh.head = 0
	}
}

// sweepEvery is how many requests pass between sweeps of idle shards.
const sweepEvery = 4096

// sweepLocked evicts expired keys of every account and forgets accounts
// left with none, so memory follows the accounts active within the window.
// It runs every sweepEvery requests, so its cost per request is constant.
func (c *idempotency) sweepLocked(now int64) {
	c.calls = 0
	for account, sh := range c.shards {
		sh.evictLocked(now, c.max)
		if len(sh.entries) == 0 {
			delete(c.shards, account)
		}
	}
}

// addClamped returns now+d in unix nanoseconds, saturating instead of
// overflowing for a window too long to represent.
func addClamped(now int64, d time.Duration) int64 {
	if d > 0 && now > math.MaxInt64-int64(d) {
		return math.MaxInt64
	}
	return now + int64(d)
}

// size returns the number of remembered keys of account (for tests).
func (c *idempotency) size(account Account) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sh := c.shards[account]; sh != nil {
		return len(sh.entries)
	}
	return 0
}
