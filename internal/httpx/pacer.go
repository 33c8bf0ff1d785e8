package httpx

import (
	"context"
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
		r := p.lim.ReserveN(now, 1)
		d = max(d, r.DelayFrom(now))
		r.CancelAt(now)
	}
	return max(d, 0), nil
}

// sleepUntil waits until t or ctx is done.
func (p *Pacer) sleepUntil(ctx context.Context, t time.Time) error {
	d := t.Sub(p.now())
	if d <= 0 {
		return ctx.Err()
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

// Wait blocks until a request may be sent or ctx is done.
func (p *Pacer) Wait(ctx context.Context) error {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	until := p.notBefore
	p.mu.Unlock()
	if d := until.Sub(p.now()); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	if p.shared != nil {
		at, err := p.shared.Reserve(ctx, p.account, p.limit)
		if err != nil {
			return err
		}
		return p.sleepUntil(ctx, at)
	}
	if p.win != nil {
		if d := p.win.reserve(p.now()).Sub(p.now()); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
	}
	if p.lim == nil {
		return ctx.Err()
	}
	return p.lim.Wait(ctx)
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
		p.win = &slidingWindow{window: window, starts: make([]time.Time, n)}
	}
	return p
}

// slidingWindow remembers the start times of the last n requests: the next
// request may start once the oldest of them is window old.
type slidingWindow struct {
	mu     sync.Mutex
	window time.Duration
	starts []time.Time // ring buffer of reserved start times
	next   int
}

// reserve books the earliest start time at or after now that keeps every
// window-long interval at n requests or fewer, and returns it. Bookings are
// made in order, so concurrent callers share the budget fairly; a booking
// whose caller gives up stays booked (the budget errs on the safe side).
func (w *slidingWindow) reserve(now time.Time) time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	at := now
	if oldest := w.starts[w.next]; !oldest.IsZero() {
		if free := oldest.Add(w.window); free.After(at) {
			at = free
		}
	}
	// Keep bookings in order even if the clock stepped back.
	prev := w.starts[(w.next+len(w.starts)-1)%len(w.starts)]
	if prev.After(at) {
		at = prev
	}
	w.starts[w.next] = at
	w.next = (w.next + 1) % len(w.starts)
	return at
}

// peek returns the earliest start reserve would book now, without booking.
func (w *slidingWindow) peek(now time.Time) time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	at := now
	if oldest := w.starts[w.next]; !oldest.IsZero() {
		if free := oldest.Add(w.window); free.After(at) {
			at = free
		}
	}
	if prev := w.starts[(w.next+len(w.starts)-1)%len(w.starts)]; prev.After(at) {
		at = prev
	}
	return at
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
