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
	return idemKeyOf(c, account, kind, false, template, cand.FirstName, cand.LastName, cand.Phone, cand.Email, callbackURL)
}

// idemKeyOf is key with the fields as strings or bytes (of a body the fast
// path read), and a template that, if hashPrefixed, counts as "#"+template
// (a numeric test id) without making that string.
func idemKeyOf[S ~string | ~[]byte](c *idempotency, account Account, kind string, hashPrefixed bool, template, first, last, phone, email, callbackURL S) idemKey {
	var stack [512]byte
	b := stack[:0]
	b = appendKeyPart(b, string(account))
	b = appendKeyPart(b, kind)
	if hashPrefixed {
		b = binary.AppendUvarint(b, uint64(len(template)+1))
		b = append(b, '#')
		b = append(b, template...)
	} else {
		b = appendKeyPart(b, template)
	}
	for _, s := range [...]S{first, last, phone, email, callbackURL} {
		b = appendKeyPart(b, s)
	}
	return idemKey{maphash.Bytes(c.seeds[0], b), maphash.Bytes(c.seeds[1], b)}
}

// appendKeyPart appends s to a key's bytes, prefixed with its length.
func appendKeyPart[S ~string | ~[]byte](b []byte, s S) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// idempotency makes concurrent and repeated create requests with the same
// key share one backend call and its id for a window of time. Memory is
// bounded per account: keys expire after the window and, beyond max keys
// of one account, that account's oldest keys are dropped — so one tenant
// flooding creates cannot evict another tenant's entries (and make its
// retries create duplicates). An account's shard is dropped when its last
// key expires.
//
// It is built so that a request costs no allocation and the garbage
// collector little work, however many keys are remembered: entries live
// in fixed-size chunks appended in creation order (so also in expiry
// order) and freed a chunk at a time as they expire, and the index from
// key to entry holds sequence numbers, not pointers, so the collector
// never scans it.
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

// idemChunk is how many entries a chunk holds.
const idemChunk = 128

// idemShard is one account's remembered requests, guarded by
// idempotency.mu. Entry number seq (counted from 0 since the shard was
// made) lives in chunks[(seq-base)/idemChunk][(seq-base)%idemChunk]; head
// is the oldest entry still held, next the number the next entry gets.
type idemShard struct {
	index map[idemKey]uint64 // key → seq of its entry, for live and failed entries
	// chunks hold entries head..next-1 in creation order. A chunk is
	// dropped whole once head passes it; its memory is never reused, so a
	// pointer to an entry stays valid (if detached) for as long as it is
	// held.
	chunks []*[idemChunk]idemEntry
	base   uint64 // seq of chunks[0][0]
	head   uint64
	next   uint64
}

// States of an idemEntry.
const (
	idemDead     uint8 = iota // not indexed: expired, evicted, forgotten
	idemPending               // a create call is in flight
	idemFinished              // id (and answer) are remembered
	idemFailed                // the last call failed; the next request calls again
)

// idemEntry is a create call, in flight or finished. Its fields are
// guarded by idempotency.mu.
type idemEntry struct {
	key     idemKey
	expires int64 // unix nanoseconds
	id      string
	attempt uint32 // counts claims, so a stale claim cannot finish a newer one
	state   uint8
	// x holds what few requests need: waiters, a whole answer, an error
	// for waiters, a store token. Nil on the common path.
	x *idemExtra
}

// idemExtra is the part of an entry only some requests need.
type idemExtra struct {
	answer []byte // the whole answer, for contracts that repeat more than the id
	token  string // the claim token of an IdempotencyStore caller
	// done is made by the first waiter and closed when the call finishes;
	// waiters then read id, answer and err here (the entry itself may
	// have been claimed again by then).
	done chan struct{}
	id   string
	err  error
}

func newIdempotency(window time.Duration, max int, now func() time.Time) *idempotency {
	return &idempotency{
		window: window, max: max, now: now,
		seeds:  [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		shards: make(map[Account]*idemShard),
	}
}

// at returns entry seq, which must be in head..next-1.
func (sh *idemShard) at(seq uint64) *idemEntry {
	i := seq - sh.base
	return &sh.chunks[i/idemChunk][i%idemChunk]
}

// live returns the number of indexed keys.
func (sh *idemShard) live() int { return len(sh.index) }

// idemClaim is a claim on an entry: the caller calls the backend and then
// finish, exactly once.
type idemClaim struct {
	e       *idemEntry
	attempt uint32
}

// begin looks key up. If an entry answers it (finished, or in flight and
// then finished), begin returns its id and answer with replayed true, or
// the error of the in-flight call it waited for. Otherwise it claims key:
// the caller calls the backend and then finish(claim, …) exactly once,
// also if the backend panics. A new entry is remembered for window.
func (c *idempotency) begin(ctx context.Context, account Account, key idemKey, window time.Duration) (cl idemClaim, id string, answer []byte, replayed bool, err error) {
	now := c.now().UnixNano()
	c.mu.Lock()
	sh := c.shardLocked(account, now)
	e, claimed := sh.claimLocked(key, now, window)
	if claimed {
		cl = idemClaim{e, e.attempt}
		c.mu.Unlock()
		return cl, "", nil, false, nil
	}
	if e.state == idemFinished {
		id = e.id
		if e.x != nil {
			answer = e.x.answer
		}
		c.mu.Unlock()
		return idemClaim{}, id, answer, true, nil
	}
	// In flight: wait for it.
	if e.x == nil {
		e.x = new(idemExtra)
	}
	if e.x.done == nil {
		e.x.done = make(chan struct{})
	}
	x := e.x
	c.mu.Unlock()
	if c.onWait != nil {
		c.onWait()
	}
	select {
	case <-x.done:
		return idemClaim{}, x.id, x.answer, true, x.err
	case <-ctx.Done():
		return idemClaim{}, "", nil, false, ctx.Err()
	}
}

// shardLocked returns account's shard, made if needed, after evicting its
// expired and surplus entries (and, every sweepEvery calls, every idle
// shard's).
func (c *idempotency) shardLocked(account Account, now int64) *idemShard {
	if c.calls++; c.calls >= sweepEvery {
		c.sweepLocked(now)
	}
	sh := c.shards[account]
	if sh == nil {
		sh = &idemShard{index: make(map[idemKey]uint64)}
		c.shards[account] = sh
	}
	sh.evictLocked(now, c.max)
	return sh
}

// claimLocked returns key's entry and false if it is finished or in
// flight, or claims it (a failed entry again, in place, or a new one) and
// returns it with true.
func (sh *idemShard) claimLocked(key idemKey, now int64, window time.Duration) (*idemEntry, bool) {
	if seq, ok := sh.index[key]; ok {
		e := sh.at(seq)
		if e.state != idemFailed {
			return e, false
		}
		// Retried after a failure: claim the same entry, which keeps its
		// place (and expiry) in the order.
		e.state = idemPending
		e.attempt++
		e.x = nil
		return e, true
	}
	if sh.next-sh.base == uint64(len(sh.chunks))*idemChunk {
		sh.chunks = append(sh.chunks, new([idemChunk]idemEntry))
	}
	seq := sh.next
	sh.next++
	e := sh.at(seq)
	*e = idemEntry{key: key, expires: addClamped(now, window), state: idemPending, attempt: 1}
	sh.index[key] = seq
	return e, true
}

// finish records the outcome of a claimed call: an id (and answer) are
// remembered, an error is handed to the waiters and not remembered, so a
// later retry calls the backend again.
func (c *idempotency) finish(cl idemClaim, id string, answer []byte, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.finishLocked(cl, id, answer, err)
}

func (c *idempotency) finishLocked(cl idemClaim, id string, answer []byte, err error) {
	e := cl.e
	if e.attempt != cl.attempt {
		return // claimed again meanwhile
	}
	x := e.x
	switch {
	case e.state != idemPending:
		// Evicted while in flight: nothing is remembered, but the
		// waiters still get the answer.
	case err != nil:
		e.state, e.x = idemFailed, nil
	default:
		e.state, e.id, e.x = idemFinished, id, nil
		if answer != nil {
			e.x = &idemExtra{answer: answer}
		}
	}
	if x != nil && x.done != nil {
		x.id, x.answer, x.err = id, answer, err
		close(x.done)
	}
}

// doAnswer returns the id (and answer) of the live entry for key, waiting
// for it if its backend call is in flight, or calls create and remembers
// them; a failed call is not remembered (waiters get its error), so a
// later retry calls create again. It serves contracts whose answer carries
// more than the id (the Ashby start's inline update_request): a repeat
// gets both back, byte for byte; replayed reports whether they came from
// an earlier request.
func (c *idempotency) doAnswer(ctx context.Context, account Account, key idemKey, create func() (string, []byte, error)) (id string, answer []byte, replayed bool, err error) {
	cl, id, answer, replayed, err := c.begin(ctx, account, key, c.window)
	if cl.e == nil {
		return id, answer, replayed, err
	}
	// Waiters see errCreatePanicked if create panics.
	id, answer, err = "", nil, errCreatePanicked
	defer func() { c.finish(cl, id, answer, err) }()
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
	for k, seq := range sh.index {
		if e := sh.at(seq); e.state == idemFinished && e.id == id {
			delete(sh.index, k)
			*e = idemEntry{}
		}
	}
}

// evictLocked drops the shard's expired entries and, beyond max, its
// oldest ones.
func (sh *idemShard) evictLocked(now int64, max int) {
	for sh.head < sh.next {
		e := sh.at(sh.head)
		if e.state != idemDead {
			if now <= e.expires && sh.live() < max {
				break
			}
			delete(sh.index, e.key)
		}
		if e.state == idemPending {
			// Its call is still in flight: finish wakes its waiters
			// (through e.x) and remembers nothing.
			e.state = idemDead
		} else {
			*e = idemEntry{} // let go of the id and answer now
		}
		sh.head++
		if sh.head-sh.base == idemChunk {
			// The chunk's memory is freed once no claim points into it.
			sh.chunks[0] = nil
			sh.chunks = sh.chunks[1:]
			sh.base += idemChunk
		}
	}
	if sh.head == sh.next && len(sh.chunks) > 0 && sh.head == sh.base {
		// Empty: let the last chunk go too.
		sh.chunks = nil
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
		if sh.live() == 0 && sh.head == sh.next {
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
		return sh.live()
	}
	return 0
}
