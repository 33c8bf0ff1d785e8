package httpx

import (
	"context"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/atskit/atskit/pacing"
)

// Pacer spaces requests to stay inside an ATS's rate limit. It combines a
// token bucket (for ATSs that limit with a bucket, like Lever) or a sliding
// window (for ATSs that count requests in fixed windows, like Workable) with
// a pause the server can impose through its rate-limit headers. A nil
// *Pacer never waits.
type Pacer struct {
	lim *rate.Limiter
	win *slidingWindow
	now func() time.Time

	// shared, when set, replaces the local bucket or window: the budget
	// of account is booked there, shared with other clients and replicas.
	shared  pacing.Pacer
	account string
	limit   pacing.Limit

	// sleeping, when set (tests), is called as a caller starts waiting
	// until t.
	sleeping func(t time.Time)

	mu        sync.Mutex
	notBefore time.Time
	throttled int
}

// Share makes p book its requests in shared under account, with limit, in
// place of its own bucket or window, so every client using the same
// account and shared pacer together stay within limit. Call it before the
// client is used.
func (p *Pacer) Share(shared pacing.Pacer, account string, limit pacing.Limit) {
	if p == nil || shared == nil || !limit.Valid() {
		return
	}
	p.shared, p.account, p.limit = shared, account, limit
}

// Delay returns how long a request started now would wait for the pacer
// (a server pause, the local budget or the shared one), without booking
// anything, so a caller with other work can do that first.
func (p *Pacer) Delay(ctx context.Context) (time.Duration, error) {
	if p == nil {
		return 0, nil
	}
	now := p.now()
	p.mu.Lock()
	d := p.notBefore.Sub(now)
	p.mu.Unlock()
	switch {
	case p.shared != nil:
		next, err := p.shared.Next(ctx, p.account, p.limit)
		if err != nil {
			return 0, err
		}
		d = max(d, next.Sub(now))
	case p.win != nil:
		d = max(d, p.win.peek(now).Sub(now))
	case p.lim != nil:
		d = max(d, p.bucketDelay(now))
	}
	return max(d, 0), nil
}

// sleepUntil waits until t or ctx is done.
func (p *Pacer) sleepUntil(ctx context.Context, t time.Time) error {
	d := t.Sub(p.now())
	if d <= 0 {
		return ctx.Err()
	}
	if p.sleeping != nil {
		p.sleeping(t)
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

// NewPacer returns a pacer allowing limit events per second with the given
// burst. A zero limit returns a pacer that only honours server pauses.
func NewPacer(limit rate.Limit, burst int, now func() time.Time) *Pacer {
	if now == nil {
		now = time.Now
	}
	p := &Pacer{now: now}
	if limit > 0 && limit != rate.Inf {
		if burst < 1 {
			burst = 1
		}
		p.lim = rate.NewLimiter(limit, burst)
	}
	return p
}

// Wait blocks until a request may be sent or ctx is done. A caller whose
// ctx is done before its turn gives the turn back: its booking in the
// window or the shared pacer (when that implements pacing.Releaser) is
// released, and it never holds tokens of the bucket, so callers that gave
// up never make later callers wait for them.
func (p *Pacer) Wait(ctx context.Context) error {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	until := p.notBefore
	p.mu.Unlock()
	if until.After(p.now()) {
		if err := p.sleepUntil(ctx, until); err != nil {
			return err
		}
	}
	switch {
	case p.shared != nil:
		at, err := p.shared.Reserve(ctx, p.account, p.limit)
		if err != nil {
			return err
		}
		if err := p.sleepUntil(ctx, at); err != nil {
			if r, ok := p.shared.(pacing.Releaser); ok {
				// ctx is done; the release still has to reach the
				// store, briefly.
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				_ = r.Release(rctx, p.account, at)
				cancel()
			}
			return err
		}
		return nil
	case p.win != nil:
		at := p.win.reserve(p.now())
		if err := p.sleepUntil(ctx, at); err != nil {
			p.win.release(at)
			return err
		}
		return nil
	case p.lim != nil:
		return p.waitBucket(ctx)
	}
	return ctx.Err()
}

// waitBucket takes a token from the bucket once one is there. It never
// reserves future tokens (a rate.Limiter cannot give back a reservation
// that later ones were booked behind), so a caller that gives up holds
// nothing; waiting callers poll at the time the next token is due.
func (p *Pacer) waitBucket(ctx context.Context) error {
	for {
		now := p.now()
		if p.lim.AllowN(now, 1) {
			return nil
		}
		if err := p.sleepUntil(ctx, now.Add(p.bucketDelay(now))); err != nil {
			return err
		}
	}
}

// bucketDelay is how long from now until the bucket holds a token.
func (p *Pacer) bucketDelay(now time.Time) time.Duration {
	missing := 1 - p.lim.TokensAt(now)
	if missing <= 0 {
		return 0
	}
	d := time.Duration(missing / float64(p.lim.Limit()) * float64(time.Second))
	return max(d, time.Millisecond)
}

// NewWindowPacer returns a pacer that lets at most n requests start in any
// interval of length window. Against a server counting n requests per fixed
// window, however its windows are aligned, such a client never exceeds the
// limit; unlike a token bucket with burst 1 it also recovers time lost to
// slow responses or scheduling, so a sequential sync reaches the full rate.
// Pass a window slightly longer than the server's to absorb network jitter.
func NewWindowPacer(n int, window time.Duration, now func() time.Time) *Pacer {
	p := NewPacer(0, 0, now)
	if n > 0 && window > 0 {
		p.win = &slidingWindow{limit: pacing.Limit{N: n, Window: window}}
	}
	return p
}

// slidingWindow remembers the start times booked within the last window:
// the next request may start once the n-th latest of them is window old.
type slidingWindow struct {
	mu     sync.Mutex
	limit  pacing.Limit
	booked []time.Time
}

// reserve books the earliest start time at or after now that keeps every
// window-long interval at n requests or fewer, and returns it. Bookings are
// made in order (never before the latest, even if the clock stepped back),
// so concurrent callers share the budget fairly; a caller that gives up
// hands its booking back with release.
func (w *slidingWindow) reserve(now time.Time) time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	at := pacing.Earliest(now, w.prune(now), w.limit)
	w.booked = append(w.booked, at)
	return at
}

// release forgets one booking at at, made by a caller that gave up.
func (w *slidingWindow) release(at time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if i := slices.IndexFunc(w.booked, at.Equal); i >= 0 {
		w.booked = slices.Delete(w.booked, i, i+1)
	}
}

// peek returns the earliest start reserve would book now, without booking.
func (w *slidingWindow) peek(now time.Time) time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return pacing.Earliest(now, w.prune(now), w.limit)
}

// prune drops bookings that can no longer constrain a start at or after
// now, keeping the latest (bookings stay in order).
func (w *slidingWindow) prune(now time.Time) []time.Time {
	keep := w.booked[:0]
	for i, b := range w.booked {
		if b.Add(w.limit.Window).After(now) || i == len(w.booked)-1 {
			keep = append(keep, b)
		}
	}
	w.booked = keep
	return keep
}

// PauseUntil stops requests until t (the server said its budget is spent).
// A pause is capped at one minute so a bad header cannot stall a client.
func (p *Pacer) PauseUntil(t time.Time) {
	if p == nil {
		return
	}
	now := p.now()
	if max := now.Add(time.Minute); t.After(max) {
		t = max
	}
	p.mu.Lock()
	if t.After(p.notBefore) {
		p.notBefore = t
	}
	p.mu.Unlock()
}

// Throttled records that the server answered 429 despite pacing.
func (p *Pacer) Throttled() {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.throttled++
	p.mu.Unlock()
}

// ThrottledCount reports how many 429s the server sent so far.
func (p *Pacer) ThrottledCount() int {
	if p == nil {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.throttled
}
