// Package pacing shares one ATS account's request budget between every
// client that uses the account: several clients in one process, or the
// replicas of a host. ATS rate limits belong to the account token (Workable:
// 10 requests per 10 s for an account token; Lever: per API key), not to a
// process, so clients that pace on their own together exceed the limit as
// soon as there are two of them.
//
// A Pacer books request start times per account in a sliding window: at
// most Limit.N requests start in any Limit.Window-long interval. Memory
// shares a budget within one process; lifecycle/sqlstore's Store.Pacer
// shares it through the database (PostgreSQL for several replicas). The
// workable, lever, greenhouse and ashby clients accept one in their
// Options.
package pacing

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Limit is an account's budget: at most N requests start in any
// Window-long interval. Give a Window slightly longer than the ATS's to
// absorb network jitter.
type Limit struct {
	N      int
	Window time.Duration
}

// Valid reports whether l limits anything.
func (l Limit) Valid() bool { return l.N > 0 && l.Window > 0 }

func (l Limit) String() string { return fmt.Sprintf("%d per %s", l.N, l.Window) }

// Pacer books request start times against accounts' budgets. It is safe for
// concurrent use.
type Pacer interface {
	// Reserve books the earliest start time at or after now that keeps
	// account within limit, and returns it: the caller waits until then
	// before sending. A booking whose caller gives up stays booked
	// unless the Pacer is also a Releaser and the caller releases it.
	Reserve(ctx context.Context, account string, limit Limit) (time.Time, error)
	// Next returns the earliest time a request of account could start
	// now, without booking it, so a caller can do other work instead of
	// waiting.
	Next(ctx context.Context, account string, limit Limit) (time.Time, error)
}

// Releaser is implemented by a Pacer that can take a booking back. A
// caller that gave up before its booked start (its context was cancelled
// while it waited) releases the booking, so callers that gave up never make
// later callers wait for them. Memory and lifecycle/sqlstore's Store.Pacer
// implement it.
type Releaser interface {
	// Release forgets one booking of account at at, as returned by
	// Reserve. Releasing a booking that is not there does nothing.
	Release(ctx context.Context, account string, at time.Time) error
}

// Earliest returns the earliest start at or after now given the start
// times already booked (any order): once the N-th latest booking is a
// window old, and never before the latest booking. Stores implementing
// Pacer share it.
func Earliest(now time.Time, booked []time.Time, limit Limit) time.Time {
	at := now
	var latest time.Time
	for _, b := range booked {
		if b.After(latest) {
			latest = b
		}
	}
	if len(booked) >= limit.N {
		// The N-th latest booking: the oldest of the last N.
		last := lastN(booked, limit.N)
		if free := last.Add(limit.Window); free.After(at) {
			at = free
		}
	}
	if latest.After(at) {
		at = latest
	}
	return at
}

// lastN returns the n-th latest of times.
func lastN(times []time.Time, n int) time.Time {
	top := make([]time.Time, 0, n)
	for _, t := range times {
		i := len(top)
		for i > 0 && top[i-1].Before(t) {
			i--
		}
		if i < n {
			if len(top) < n {
				top = append(top, time.Time{})
			}
			copy(top[i+1:], top[i:len(top)-1])
			top[i] = t
		}
	}
	return top[len(top)-1]
}

// Memory is an in-process Pacer: every client given the same Memory shares
// each account's budget. The zero value is ready to use.
type Memory struct {
	// Now is the clock; nil uses time.Now.
	Now func() time.Time

	mu       sync.Mutex
	accounts map[string][]time.Time // bookings within the last window
}

var (
	_ Pacer    = (*Memory)(nil)
	_ Releaser = (*Memory)(nil)
)

func (m *Memory) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// Reserve implements Pacer.
func (m *Memory) Reserve(_ context.Context, account string, limit Limit) (time.Time, error) {
	if !limit.Valid() {
		return m.now(), nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	booked := m.prune(account, now, limit)
	at := Earliest(now, booked, limit)
	m.accounts[account] = append(booked, at)
	return at, nil
}

// Next implements Pacer.
func (m *Memory) Next(_ context.Context, account string, limit Limit) (time.Time, error) {
	if !limit.Valid() {
		return m.now(), nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	return Earliest(now, m.prune(account, now, limit), limit), nil
}

// Release implements Releaser.
func (m *Memory) Release(_ context.Context, account string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	booked := m.accounts[account]
	if i := slices.IndexFunc(booked, at.Equal); i >= 0 {
		m.accounts[account] = slices.Delete(booked, i, i+1)
	}
	return nil
}

// prune drops bookings that can no longer constrain a start at or after
// now.
func (m *Memory) prune(account string, now time.Time, limit Limit) []time.Time {
	if m.accounts == nil {
		m.accounts = map[string][]time.Time{}
	}
	booked := m.accounts[account]
	keep := booked[:0]
	for _, b := range booked {
		if b.Add(limit.Window).After(now) {
			keep = append(keep, b)
		}
	}
	m.accounts[account] = keep
	return keep
}
