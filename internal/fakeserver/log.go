package fakeserver

import (
	"slices"
	"sync"
)

// Log records the API requests a fake received (of the fake's own request
// type R) and counts them and the ones its rate limit refused. The zero Log
// is ready to use and records; its methods are safe for concurrent use.
type Log[R any] struct {
	mu        sync.Mutex
	requests  []R
	count     int
	throttled int
	off       bool
}

// Record counts r and, unless recording is off, appends it to the log.
func (l *Log[R]) Record(r R) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.count++
	if !l.off {
		l.requests = append(l.requests, r)
	}
}

// Count counts a request without recording it (one refused before it
// could be read, for example).
func (l *Log[R]) Count() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.count++
}

// Throttle counts a request answered 429.
func (l *Log[R]) Throttle() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.throttled++
}

// Requests returns the recorded requests, oldest first, in a new slice.
func (l *Log[R]) Requests() []R {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.requests)
}

// Last returns the most recent recorded request; false when there is none.
func (l *Log[R]) Last() (R, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.requests) == 0 {
		var zero R
		return zero, false
	}
	return l.requests[len(l.requests)-1], true
}

// Reset forgets the recorded requests and zeroes both counters.
func (l *Log[R]) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.requests, l.count, l.throttled = nil, 0, 0
}

// RequestCount reports how many requests were counted since the last
// Reset, recorded or not.
func (l *Log[R]) RequestCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.count
}

// ThrottledCount reports how many Throttle calls there were since the last
// Reset.
func (l *Log[R]) ThrottledCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.throttled
}

// SetRecording turns recording on or off (on by default); the counters
// keep counting either way.
func (l *Log[R]) SetRecording(on bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.off = !on
}
