package httpx

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pacer spaces requests to stay inside an ATS's rate limit. It combines a
// token bucket (the documented limit) with a pause the server can impose
// through its rate-limit headers. A nil *Pacer never waits.
type Pacer struct {
	lim *rate.Limiter
	now func() time.Time

	mu        sync.Mutex
	notBefore time.Time
	throttled int
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
	if p.lim == nil {
		return ctx.Err()
	}
	return p.lim.Wait(ctx)
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
