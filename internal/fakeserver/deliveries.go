package fakeserver

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"time"
)

// Pending counts the webhook deliveries a fake has in flight (retries
// included) and wakes the WaitDeliveries callers when none is left. The
// zero Pending is ready to use; its methods are safe for concurrent use.
type Pending struct {
	mu      sync.Mutex
	n       int
	waiters []chan struct{}
}

// Add counts one more delivery in flight.
func (p *Pending) Add() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
}

// Done counts a delivery finished: delivered, given up or abandoned.
func (p *Pending) Done() {
	p.mu.Lock()
	p.n--
	var ws []chan struct{}
	if p.n == 0 {
		ws, p.waiters = p.waiters, nil
	}
	p.mu.Unlock()
	for _, ch := range ws {
		close(ch)
	}
}

// Wait blocks until no delivery is in flight, or ctx is done; it returns
// ctx's error in the second case.
func (p *Pending) Wait(ctx context.Context) error {
	p.mu.Lock()
	if p.n == 0 {
		p.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	p.waiters = append(p.waiters, ch)
	p.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Retry makes the attempts of one delivery: the first at once, then one
// after each wait in gaps (so at most len(gaps)+1), until attempt reports
// done. When ctx ends (the fake is closing) a wait is cut short and no
// further attempt is made. attempt gets the attempt's index, from 0.
func Retry(ctx context.Context, gaps []time.Duration, attempt func(n int) (done bool)) {
	for n := 0; ; n++ {
		if attempt(n) || ctx.Err() != nil || n >= len(gaps) {
			return
		}
		t := time.NewTimer(gaps[n])
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// Post sends one delivery attempt: a POST of body with (a copy of) header
// to url through hc, bound to ctx. It returns the receiver's status, or 0
// and the error when no answer came. Up to 1 MiB of the answer is read
// before the body is closed, so the connection can be reused.
func Post(ctx context.Context, hc *http.Client, url string, body []byte, header http.Header) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header = header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// DoublingGaps returns n waits that start at first and double: first,
// 2×first, 4×first, …
func DoublingGaps(first time.Duration, n int) []time.Duration {
	gaps := make([]time.Duration, max(n, 0))
	for i := range gaps {
		gaps[i] = first << i
	}
	return gaps
}

// ExponentialGaps returns n waits of (2^k − 1) × unit for k = 1…n: unit,
// 3×unit, 7×unit, …
func ExponentialGaps(unit time.Duration, n int) []time.Duration {
	gaps := make([]time.Duration, max(n, 0))
	for i := range gaps {
		gaps[i] = time.Duration(1<<(i+1)-1) * unit
	}
	return gaps
}
