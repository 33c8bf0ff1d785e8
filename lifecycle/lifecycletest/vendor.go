package lifecycletest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/atskit/atskit/lifecycle"
)

// Created is one interview a Vendor created: the engine's request and the
// reference the Vendor returned.
type Created struct {
	// Ref is the vendor reference returned to the engine ("V-1", "V-2"…).
	Ref string
	// Request is the engine's request as received.
	Request lifecycle.VendorRequest
}

// Failures makes a Vendor fail. A nil error does not fail; Times limits how
// many calls fail (zero: every call until the next SetFailures).
type Failures struct {
	// Create is returned by CreateInterview. Wrap
	// lifecycle.ErrInsufficientCredits to end the interview
	// unable-to-schedule; an error implementing
	// interface{ Permanent() bool } is not retried; other errors are
	// retried by the dispatcher.
	Create error
	// CreateTimes is how many CreateInterview calls fail; zero means all.
	CreateTimes int
	// Cancel is returned by CancelInterview.
	Cancel error
	// CancelTimes is how many CancelInterview calls fail; zero means all.
	CancelTimes int
}

// Vendor is a fake lifecycle.Vendor: the host's interview platform in
// tests. It is idempotent like a real platform must be (a repeated
// IdempotencyKey returns the first reference and records nothing new),
// records what it was asked, and lets a test wait for calls without
// sleeping. The zero value is not usable; call NewVendor. It is safe for
// concurrent use.
type Vendor struct {
	mu        sync.Mutex
	created   []Created
	byKey     map[string]string
	cancelled []string
	failures  Failures
	// changed is closed and replaced on every recorded call, waking
	// waiters.
	changed chan struct{}
}

var _ lifecycle.Vendor = (*Vendor)(nil)

// NewVendor returns a Vendor that creates every interview it is asked for.
func NewVendor() *Vendor {
	return &Vendor{byKey: map[string]string{}, changed: make(chan struct{})}
}

// SetFailures makes the following calls fail as f says; the zero Failures
// stops failing.
func (v *Vendor) SetFailures(f Failures) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.failures = f
}

// CreateInterview implements lifecycle.Vendor. It returns the reference
// "V-<n>", the same one for a repeated IdempotencyKey.
func (v *Vendor) CreateInterview(ctx context.Context, r lifecycle.VendorRequest) (string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := fail(&v.failures.Create, &v.failures.CreateTimes); err != nil {
		return "", err
	}
	if ref, ok := v.byKey[r.IdempotencyKey]; ok {
		return ref, nil
	}
	ref := "V-" + strconv.Itoa(len(v.created)+1)
	v.byKey[r.IdempotencyKey] = ref
	v.created = append(v.created, Created{Ref: ref, Request: r})
	v.notify()
	return ref, nil
}

// CancelInterview implements lifecycle.Vendor. Cancelling an unknown or
// already cancelled reference succeeds, as the interface requires, and is
// recorded each time.
func (v *Vendor) CancelInterview(ctx context.Context, ref string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := fail(&v.failures.Cancel, &v.failures.CancelTimes); err != nil {
		return err
	}
	v.cancelled = append(v.cancelled, ref)
	v.notify()
	return nil
}

// fail returns *err while failures remain, counting *times down.
func fail(err *error, times *int) error {
	if *err == nil {
		return nil
	}
	e := *err
	if *times > 0 {
		*times--
		if *times == 0 {
			*err = nil
		}
	}
	return e
}

func (v *Vendor) notify() {
	close(v.changed)
	v.changed = make(chan struct{})
}

// Created returns the interviews created so far, in order.
func (v *Vendor) Created() []Created {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.created)
}

// Cancelled returns the references cancelled so far, in call order.
func (v *Vendor) Cancelled() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.cancelled)
}

// WaitCreated waits until at least n interviews were created and returns
// them all. It fails when ctx is done first, saying how many it saw.
func (v *Vendor) WaitCreated(ctx context.Context, n int) ([]Created, error) {
	got, err := wait(ctx, v, func() ([]Created, bool) { return slices.Clone(v.created), len(v.created) >= n })
	if err != nil {
		return got, fmt.Errorf("lifecycletest: %d interviews created, want %d: %w", len(got), n, err)
	}
	return got, nil
}

// WaitCancelled waits until at least n cancellations were made and returns
// their references. It fails when ctx is done first, saying how many it
// saw.
func (v *Vendor) WaitCancelled(ctx context.Context, n int) ([]string, error) {
	got, err := wait(ctx, v, func() ([]string, bool) { return slices.Clone(v.cancelled), len(v.cancelled) >= n })
	if err != nil {
		return got, fmt.Errorf("lifecycletest: %d interviews cancelled, want %d: %w", len(got), n, err)
	}
	return got, nil
}

// wait calls check under the lock until it reports done, waking on every
// recorded call instead of polling.
func wait[T any](ctx context.Context, v *Vendor, check func() (T, bool)) (T, error) {
	for {
		v.mu.Lock()
		got, done := check()
		changed := v.changed
		v.mu.Unlock()
		if done {
			return got, nil
		}
		select {
		case <-ctx.Done():
			return got, context.Cause(ctx)
		case <-changed:
		}
	}
}
