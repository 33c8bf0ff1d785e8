package provider

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"time"
)

// DefaultIdempotencyLease is how long a claim made through an
// IdempotencyStore is honoured before another replica may take the
// request over, presuming the claimant died mid-call.
const DefaultIdempotencyLease = 2 * time.Minute

// ErrIdempotencyClaimLost is returned by an IdempotencyStore's
// CompleteIdempotency and ReleaseIdempotency when the claim no longer
// holds the key: its record expired, was forgotten, or was taken over
// after its lease ran out.
var ErrIdempotencyClaimLost = errors.New("provider: idempotency claim lost")

// IdempotencyKey identifies one create request of one tenant on one
// contract: Account is the tenant the request authenticated as, Contract
// names the endpoint ("workable/interview", "workable/assessment",
// "greenhouse/send_test"), and Digest is the SHA-256 of the request's
// identifying fields (template or test, candidate, callback URL), so
// stores never hold candidate data. Two tenants never share a key.
type IdempotencyKey struct {
	Account  Account
	Contract string
	Digest   [sha256.Size]byte
}

// IdempotencyRecord is what an IdempotencyStore remembers of a key.
type IdempotencyRecord struct {
	// Done is false while the claimant's backend call is in flight.
	Done bool
	// ID is the created resource's id, once Done.
	ID string
	// Answer is the whole answer, for contracts that repeat more than the
	// id; nil otherwise.
	Answer []byte
}

// IdempotencyClaim asks an IdempotencyStore for a key.
type IdempotencyClaim struct {
	Key IdempotencyKey
	// Token identifies the claimant; CompleteIdempotency and
	// ReleaseIdempotency present it. It is random and unique per request.
	Token string
	// Now is the handler's clock; stores compare expiries with it rather
	// than their own clock, so that all replicas agree with their handlers.
	Now time.Time
	// LeaseUntil is when an unfinished claim may be taken over.
	LeaseUntil time.Time
	// Expires is when the record is forgotten.
	Expires time.Time
}

// IdempotencyStore remembers create requests so that a repeated request
// (a retry of Workable's POST /interviews, of Greenhouse's send_test)
// gets the first request's id instead of creating a second invitation.
// Handlers use one in memory by default; give them a shared one (such as
// lifecycle/sqlstore's) so that several replicas answer a repeated
// request with the same id and call the backend once.
//
// A handler claims the key, calls the backend, and then completes the
// claim with the id or, if the call failed, releases it so that a retry
// calls the backend again. A request that finds the key claimed by
// another request in flight polls LookupIdempotency and claims again until
// the claim is completed, released, or its lease has run out.
//
// Implementations must be safe for concurrent use and make the claim
// atomic: of two concurrent claims of a free key exactly one succeeds.
type IdempotencyStore interface {
	// ClaimIdempotency returns the key's record and claimed false if it
	// holds an unexpired record that is done or whose claim's lease has
	// not run out; otherwise it records c's claim and returns claimed
	// true.
	ClaimIdempotency(ctx context.Context, c IdempotencyClaim) (rec IdempotencyRecord, claimed bool, err error)
	// CompleteIdempotency records the id and answer of the claim made
	// with token; ErrIdempotencyClaimLost if that claim no longer holds
	// the key.
	CompleteIdempotency(ctx context.Context, key IdempotencyKey, token, id string, answer []byte) error
	// ReleaseIdempotency drops the unfinished claim made with token, so
	// the next request claims the key again; ErrIdempotencyClaimLost if
	// that claim no longer holds the key.
	ReleaseIdempotency(ctx context.Context, key IdempotencyKey, token string) error
	// LookupIdempotency returns the key's record unless it expired before
	// now; ok is false if there is none.
	LookupIdempotency(ctx context.Context, key IdempotencyKey, now time.Time) (rec IdempotencyRecord, ok bool, err error)
	// ForgetIdempotency drops account's done records on contract whose id
	// is id, so the next matching request creates again (a start after a
	// cancel).
	ForgetIdempotency(ctx context.Context, account Account, contract, id string) error
}

// MemoryIdempotencyStoreOptions configures a MemoryIdempotencyStore.
type MemoryIdempotencyStoreOptions struct {
	// MaxKeys bounds the remembered requests of each account; an
	// account's oldest are forgotten first, and never another account's.
	// Default DefaultIdempotencyMaxKeys.
	MaxKeys int
}

// MemoryIdempotencyStore is an IdempotencyStore in one process's memory:
// what handlers use when given none. A handler given a
// *MemoryIdempotencyStore uses it directly, with in-process waiting and no
// per-request allocation (each handler keeps its own window; the store's
// MaxKeys and the wall clock apply); its methods serve other callers. It
// ignores leases: a claim lives as long as its process. Safe for
// concurrent use.
type MemoryIdempotencyStore struct {
	c *idempotency
}

// NewMemoryIdempotencyStore returns an empty MemoryIdempotencyStore.
func NewMemoryIdempotencyStore(opts MemoryIdempotencyStoreOptions) *MemoryIdempotencyStore {
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = DefaultIdempotencyMaxKeys
	}
	return &MemoryIdempotencyStore{c: newIdempotency(DefaultIdempotencyWindow, opts.MaxKeys, time.Now)}
}

// memKey maps an IdempotencyKey onto the in-memory cache's keys.
func (m *MemoryIdempotencyStore) memKey(k IdempotencyKey) idemKey {
	var stack [128]byte
	b := binary.AppendUvarint(stack[:0], uint64(len(k.Account)))
	b = append(b, k.Account...)
	b = binary.AppendUvarint(b, uint64(len(k.Contract)))
	b = append(b, k.Contract...)
	b = append(b, k.Digest[:]...)
	return idemKey{maphash.Bytes(m.c.seeds[0], b), maphash.Bytes(m.c.seeds[1], b)}
}

// ClaimIdempotency implements IdempotencyStore.
func (m *MemoryIdempotencyStore) ClaimIdempotency(_ context.Context, c IdempotencyClaim) (IdempotencyRecord, bool, error) {
	now := c.Now.UnixNano()
	m.c.mu.Lock()
	defer m.c.mu.Unlock()
	sh := m.c.shardLocked(c.Key.Account, now)
	e, claimed := sh.claimLocked(m.memKey(c.Key), now, c.Expires.Sub(c.Now))
	if claimed {
		e.x = &idemExtra{token: c.Token}
		return IdempotencyRecord{}, true, nil
	}
	return e.record(), false, nil
}

func (e *idemEntry) record() IdempotencyRecord {
	rec := IdempotencyRecord{Done: e.state == idemFinished}
	if rec.Done {
		rec.ID = e.id
		if e.x != nil {
			rec.Answer = e.x.answer
		}
	}
	return rec
}

// claimedLocked returns the pending entry of key claimed with token.
func (m *MemoryIdempotencyStore) claimedLocked(key IdempotencyKey, token string) (*idemEntry, error) {
	if sh := m.c.shards[key.Account]; sh != nil {
		if seq, ok := sh.index[m.memKey(key)]; ok {
			if e := sh.at(seq); e.state == idemPending && e.x != nil && e.x.token == token {
				return e, nil
			}
		}
	}
	return nil, ErrIdempotencyClaimLost
}

// CompleteIdempotency implements IdempotencyStore.
func (m *MemoryIdempotencyStore) CompleteIdempotency(_ context.Context, key IdempotencyKey, token, id string, answer []byte) error {
	m.c.mu.Lock()
	defer m.c.mu.Unlock()
	e, err := m.claimedLocked(key, token)
	if err == nil {
		m.c.finishLocked(idemClaim{e, e.attempt}, id, answer, nil)
	}
	return err
}

// ReleaseIdempotency implements IdempotencyStore.
func (m *MemoryIdempotencyStore) ReleaseIdempotency(_ context.Context, key IdempotencyKey, token string) error {
	m.c.mu.Lock()
	defer m.c.mu.Unlock()
	e, err := m.claimedLocked(key, token)
	if err == nil {
		m.c.finishLocked(idemClaim{e, e.attempt}, "", nil, ErrIdempotencyClaimLost)
	}
	return err
}

// LookupIdempotency implements IdempotencyStore.
func (m *MemoryIdempotencyStore) LookupIdempotency(_ context.Context, key IdempotencyKey, now time.Time) (IdempotencyRecord, bool, error) {
	m.c.mu.Lock()
	defer m.c.mu.Unlock()
	sh := m.c.shards[key.Account]
	if sh == nil {
		return IdempotencyRecord{}, false, nil
	}
	sh.evictLocked(now.UnixNano(), m.c.max)
	seq, ok := sh.index[m.memKey(key)]
	if !ok {
		return IdempotencyRecord{}, false, nil
	}
	e := sh.at(seq)
	if e.state == idemFailed {
		return IdempotencyRecord{}, false, nil
	}
	return e.record(), true, nil
}

// ForgetIdempotency implements IdempotencyStore. It forgets the account's
// records with id on every contract: ids are the backend's, unique per
// account.
func (m *MemoryIdempotencyStore) ForgetIdempotency(_ context.Context, account Account, _, id string) error {
	m.c.forget(account, id)
	return nil
}

// storeClaim is a claim made through an IdempotencyStore.
type storeClaim struct {
	key   IdempotencyKey
	token string
}

// createRun is the state of one create request between looking its key
// up and recording its outcome: either an earlier request's answer (id,
// answer, err), or a claim (own), and then the caller calls the backend
// and finishes the run.
type createRun struct {
	own    bool
	mem    idemClaim  // a claim in the in-memory cache
	shared storeClaim // a claim in a shared store
	id     string
	answer []byte
	err    error
}

func (cr createRun) claimed() bool { return cr.own }

// sharedIdempotency runs create requests through an IdempotencyStore.
type sharedIdempotency struct {
	store  IdempotencyStore
	window time.Duration
	lease  time.Duration
	now    func() time.Time

	// onWait, if set (by tests, before use), is called when a request
	// starts waiting for a claim held elsewhere.
	onWait func()
}

func newSharedIdempotency(store IdempotencyStore, window, lease time.Duration, now func() time.Time) *sharedIdempotency {
	if lease <= 0 {
		lease = DefaultIdempotencyLease
	}
	return &sharedIdempotency{store: store, window: window, lease: lease, now: now}
}

// digest is the SHA-256 of the length-prefixed fields.
func digest(fields ...string) [sha256.Size]byte {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	for _, f := range fields {
		h.Write(binary.AppendUvarint(n[:0], uint64(len(f))))
		h.Write([]byte(f))
	}
	var d [sha256.Size]byte
	h.Sum(d[:0])
	return d
}

// Polling bounds while a claim is held elsewhere.
const (
	sharedPollMin = 5 * time.Millisecond
	sharedPollMax = 250 * time.Millisecond
)

// begin claims key or returns the answer of the request that holds it,
// waiting (polling the store) while that request is in flight. A store
// error is returned as is: the caller answers 500 rather than risk a
// duplicate invitation, and the ATS retries.
func (s *sharedIdempotency) begin(ctx context.Context, key IdempotencyKey) createRun {
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	token := hex.EncodeToString(raw[:])
	poll := sharedPollMin
	waited := false
	for {
		now := s.now()
		rec, claimed, err := s.store.ClaimIdempotency(ctx, IdempotencyClaim{
			Key: key, Token: token, Now: now,
			LeaseUntil: now.Add(s.lease), Expires: now.Add(s.window),
		})
		switch {
		case err != nil:
			return createRun{err: fmt.Errorf("provider: idempotency store: claim: %w", err)}
		case claimed:
			return createRun{own: true, shared: storeClaim{key, token}}
		case rec.Done:
			return createRun{id: rec.ID, answer: rec.Answer}
		}
		if !waited && s.onWait != nil {
			s.onWait()
		}
		waited = true
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return createRun{err: ctx.Err()}
		case <-t.C:
		}
		poll = min(2*poll, sharedPollMax)
	}
}

// doAnswer runs create through the store for contracts whose answer
// carries more than the id (see idempotency.doAnswer); a failure to record
// the outcome is passed to logErr.
func (s *sharedIdempotency) doAnswer(ctx context.Context, key IdempotencyKey, create func() (string, []byte, error), logErr func(error)) (answer []byte, err error) {
	cr := s.begin(ctx, key)
	if !cr.own {
		return cr.answer, cr.err
	}
	id := ""
	err = errCreatePanicked
	defer func() {
		if ferr := s.finish(ctx, cr.shared, id, answer, err); ferr != nil {
			logErr(ferr)
		}
	}()
	id, answer, err = create()
	return answer, err
}

// finish completes or releases a claim. It records the outcome even if
// the request was cancelled meanwhile: the invitation exists.
func (s *sharedIdempotency) finish(ctx context.Context, c storeClaim, id string, answer []byte, callErr error) error {
	ctx = context.WithoutCancel(ctx)
	if callErr != nil {
		return s.store.ReleaseIdempotency(ctx, c.key, c.token)
	}
	return s.store.CompleteIdempotency(ctx, c.key, c.token, id, answer)
}

// newIdempotencyFor returns what a handler uses for store: the in-memory
// cache of a *MemoryIdempotencyStore (a new one if store is nil), or a
// runner over a shared store.
func newIdempotencyFor(store IdempotencyStore, window time.Duration, maxKeys int, now func() time.Time) (*idempotency, *sharedIdempotency) {
	switch s := store.(type) {
	case nil:
		return newIdempotency(window, maxKeys, now), nil
	case *MemoryIdempotencyStore:
		return s.c, nil
	}
	return nil, newSharedIdempotency(store, window, DefaultIdempotencyLease, now)
}
