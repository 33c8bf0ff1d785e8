package lifecycletest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/atskit/atskit/lifecycle"
)

// Poll intervals of the store waits: short at first so a test that is
// almost done does not wait, growing so a slow one does not hammer the
// store.
const (
	minPoll = time.Millisecond
	maxPoll = 50 * time.Millisecond
)

// poll calls check until it reports done, an error, or ctx ends; it then
// returns check's last value.
func poll[T any](ctx context.Context, check func() (T, bool, error)) (T, error) {
	d := minPoll
	for {
		got, done, err := check()
		if err != nil || done {
			return got, err
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return got, context.Cause(ctx)
		case <-t.C:
		}
		d = min(2*d, maxPoll)
	}
}

// InState returns a condition for WaitInterview that holds for an
// interview in any of states.
func InState(states ...lifecycle.State) func(lifecycle.Interview) bool {
	return func(iv lifecycle.Interview) bool { return slices.Contains(states, iv.State) }
}

// WaitInterview waits until an interview of s matching f satisfies cond (nil
// accepts any) and returns it; with several, the first in the store's
// order. Pass engine.Store() for s. It reads the store until ctx is done and
// then fails, listing the matching interviews it saw last and their states.
func WaitInterview(ctx context.Context, s lifecycle.Store, f lifecycle.InterviewFilter, cond func(lifecycle.Interview) bool) (lifecycle.Interview, error) {
	var found lifecycle.Interview
	seen, err := poll(ctx, func() ([]lifecycle.Interview, bool, error) {
		ivs, err := s.Interviews(ctx, f)
		if err != nil && ctx.Err() == nil {
			return nil, false, fmt.Errorf("lifecycletest: read interviews: %w", err)
		}
		for _, iv := range ivs {
			if cond == nil || cond(iv) {
				found = iv
				return ivs, true, nil
			}
		}
		return ivs, false, nil
	})
	if err != nil {
		return lifecycle.Interview{}, fmt.Errorf("lifecycletest: no interview matching %+v satisfied the condition (saw %s): %w", f, describeInterviews(seen), err)
	}
	return found, nil
}

func describeInterviews(ivs []lifecycle.Interview) string {
	if len(ivs) == 0 {
		return "none"
	}
	parts := make([]string, len(ivs))
	for i, iv := range ivs {
		parts[i] = fmt.Sprintf("%s %s/%s round %d %s", iv.ID, iv.Connection, iv.CandidateID, iv.Round, iv.State)
	}
	return strings.Join(parts, ", ")
}

// WaitEffects waits until at least one effect of s matches f and none of
// those is pending any more, that is until a running Dispatcher has
// delivered, failed or parked each; it returns them in order. Check each
// effect's State: a failed or parked effect ends the wait too, with its
// LastError. It reads the store until ctx is done and then fails, listing
// the effects still pending.
func WaitEffects(ctx context.Context, s lifecycle.Store, f lifecycle.EffectFilter) ([]lifecycle.Effect, error) {
	effs, err := poll(ctx, func() ([]lifecycle.Effect, bool, error) {
		effs, err := s.Effects(ctx, f)
		if err != nil && ctx.Err() == nil {
			return nil, false, fmt.Errorf("lifecycletest: read effects: %w", err)
		}
		settled := len(effs) > 0 && !slices.ContainsFunc(effs, func(e lifecycle.Effect) bool { return e.State == lifecycle.EffectPending })
		return effs, settled, nil
	})
	if err != nil {
		return effs, fmt.Errorf("lifecycletest: effects matching %+v not settled (%s): %w", f, describeEffects(effs), err)
	}
	return effs, nil
}

func describeEffects(effs []lifecycle.Effect) string {
	if len(effs) == 0 {
		return "none recorded"
	}
	var parts []string
	for _, e := range effs {
		if e.State != lifecycle.EffectPending {
			continue
		}
		p := fmt.Sprintf("%s %s pending after %d attempts", e.ID, e.Kind, e.Attempts)
		if e.LastError != "" {
			p += ": " + e.LastError
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}
