package fakeserver

import (
	"context"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"
)

// The fault kinds every fake injects, as the values of its own FaultKind
// constants.
const (
	KindServerError = "5xx"   // answered 503 (or a 5xx of the fake's choice)
	KindRateLimit   = "429"   // answered 429
	KindStall       = "stall" // held for Faults.Stall, then served
)

// Faults is a fault-injection configuration over a fake's own fault-kind
// type K. Each fake's exported Faults is an alias of it over its FaultKind,
// documented there for its ATS (the default stall, what each kind answers).
type Faults[K ~string] struct {
	// Probability is the chance in [0, 1] that a request is hit.
	Probability float64
	// Seed seeds the generator.
	Seed uint64
	// Kinds are the faults to choose from, uniformly; nil means the
	// injector's default kinds.
	Kinds []K
	// Stall is how long a stalled request is held; zero or less means the
	// injector's default.
	Stall time.Duration
}

// Draw is what an Injector decided for one request.
type Draw[K ~string] struct {
	// Fail is the status set by FailRequests; 0 when none. While it is
	// set no fault is drawn.
	Fail int
	// Fault is the injected fault; "" when none.
	Fault K
	// Stall is how long a stall fault holds the request.
	Stall time.Duration
}

// Injector decides, request by request, whether a fake fails the request:
// with the status set by FailRequests, or with a fault drawn from a
// generator seeded by Faults.Seed, so that a run is reproducible for a
// given request order. Its methods are safe for concurrent use.
type Injector[K ~string] struct {
	kinds []K
	stall time.Duration

	mu       sync.Mutex
	f        Faults[K]
	rng      *rand.Rand
	injected map[K]int
	fail     int
}

// NewInjector returns an Injector that injects nothing until Set is
// called. kinds and stall are the defaults for a Faults without Kinds or
// Stall.
func NewInjector[K ~string](kinds []K, stall time.Duration) *Injector[K] {
	in := &Injector[K]{kinds: slices.Clone(kinds), stall: stall, injected: map[K]int{}}
	in.setLocked(Faults[K]{})
	return in
}

// Set replaces the configuration and reseeds the generator; the zero
// Faults turns injection off.
func (in *Injector[K]) Set(f Faults[K]) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.setLocked(f)
}

func (in *Injector[K]) setLocked(f Faults[K]) {
	if f.Stall <= 0 {
		f.Stall = in.stall
	}
	if len(f.Kinds) == 0 {
		f.Kinds = slices.Clone(in.kinds)
	} else {
		f.Kinds = slices.Clone(f.Kinds)
	}
	in.f = f
	in.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
}

// FailRequests makes every following Next report status as Fail until
// restore is called.
func (in *Injector[K]) FailRequests(status int) (restore func()) {
	in.mu.Lock()
	in.fail = status
	in.mu.Unlock()
	return func() {
		in.mu.Lock()
		in.fail = 0
		in.mu.Unlock()
	}
}

// Next decides the fate of one request. It draws once from the generator
// (unless FailRequests is in force): below Probability the request is hit,
// and where the draw falls in [0, Probability) picks the kind.
func (in *Injector[K]) Next() Draw[K] {
	in.mu.Lock()
	defer in.mu.Unlock()
	d := Draw[K]{Fail: in.fail, Stall: in.f.Stall}
	if f := in.f; d.Fail == 0 && f.Probability > 0 {
		if x := in.rng.Float64(); x < f.Probability {
			d.Fault = f.Kinds[min(int(x/f.Probability*float64(len(f.Kinds))), len(f.Kinds)-1)]
			in.injected[d.Fault]++
		}
	}
	return d
}

// IntN returns a number in [0, n) from the same generator, for a fake that
// picks a detail of a fault (which 5xx status, say) reproducibly.
func (in *Injector[K]) IntN(n int) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.rng.IntN(n)
}

// Injected reports how many faults of each kind were injected since the
// last ResetCounts, in a new map.
func (in *Injector[K]) Injected() map[K]int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return maps.Clone(in.injected)
}

// ResetCounts zeroes the counts Injected reports.
func (in *Injector[K]) ResetCounts() {
	in.mu.Lock()
	defer in.mu.Unlock()
	clear(in.injected)
}

// Answer answers a request whose Draw is a failure, through write (the
// fake's own error writer, which shapes the body and headers its ATS
// sends), and reports whether it did; false means serve the request. Fail
// is answered with its status and "injected failure"; a KindServerError
// fault 503 and a KindRateLimit fault 429; a KindStall fault holds the
// request (see Stall) and then lets it be served, unless the request's
// context ended first (answered with nothing) or the fake is closing (503).
func (d Draw[K]) Answer(r *http.Request, closing <-chan struct{}, write func(status int, msg string)) bool {
	if d.Fail != 0 {
		write(d.Fail, "injected failure")
		return true
	}
	return d.AnswerFault(r, closing, write)
}

// AnswerFault is Answer for the fault alone, for a fake that checks
// something between FailRequests and the faults.
func (d Draw[K]) AnswerFault(r *http.Request, closing <-chan struct{}, write func(status int, msg string)) bool {
	switch string(d.Fault) {
	case KindServerError:
		write(http.StatusServiceUnavailable, "injected fault")
		return true
	case KindRateLimit:
		write(http.StatusTooManyRequests, "injected fault: rate limit exceeded")
		return true
	case KindStall:
		switch Stall(r.Context(), closing, d.Stall) {
		case StallCanceled:
			return true
		case StallClosed:
			write(http.StatusServiceUnavailable, "server closed while stalled")
			return true
		}
	}
	return false
}

// StallResult is how a Stall ended.
type StallResult int

// Stall results.
const (
	// StallServed: the stall passed; serve the request normally.
	StallServed StallResult = iota
	// StallCanceled: the request's context ended; answer nothing.
	StallCanceled
	// StallClosed: the fake is closing; answer 503 at once.
	StallClosed
)

// Stall holds a request for d, or until its context ctx ends or closing
// is closed (by the fake's Close, which must not wait out a stall).
func Stall(ctx context.Context, closing <-chan struct{}, d time.Duration) StallResult {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return StallCanceled
	case <-closing:
		return StallClosed
	case <-t.C:
		return StallServed
	}
}
