package benchkit

import (
	"runtime"
	"testing"
	"time"
)

func TestHeapSpread(t *testing.T) {
	var h HeapSpread
	if g := h.Growth(); g != 0 {
		t.Errorf("Growth before any sample = %d, want 0", g)
	}
	calls := 0
	h.Sample(t, func() { calls++ })
	if g := h.Growth(); g != 0 {
		t.Errorf("Growth after one sample = %d, want 0", g)
	}
	keep := make([][]byte, 0, 64)
	for range 64 {
		keep = append(keep, make([]byte, 64<<10)) // 4 MiB live
	}
	h.Sample(t, func() { calls++ })
	if g := h.Growth(); g < 2<<20 {
		t.Errorf("Growth after 4 MiB more live heap = %d, want at least 2 MiB", g)
	}
	if calls != 2 {
		t.Errorf("before ran %d times, want 2", calls)
	}
	runtime.KeepAlive(keep)
}

func TestBaselineClient(t *testing.T) {
	cases := []struct {
		name   string
		linear bool
	}{{"exponential", false}, {"linear", true}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := BaselineClient(7, time.Millisecond, time.Second, tc.linear)
			if rc.Logger != nil || rc.RetryMax != 7 || rc.RetryWaitMin != time.Millisecond || rc.RetryWaitMax != time.Second {
				t.Errorf("client = logger %v, %d retries, waits %v–%v", rc.Logger, rc.RetryMax, rc.RetryWaitMin, rc.RetryWaitMax)
			}
			// LinearJitterBackoff's wait for attempt 3 lies in [3×min, 3×max]
			// scaled; the default exponential one is min·2³ = 8 ms here.
			got := rc.Backoff(time.Millisecond, time.Second, 3, nil)
			if wantLinear := got != 8*time.Millisecond; wantLinear != tc.linear {
				t.Errorf("Backoff(attempt 3) = %v; linear = %v", got, tc.linear)
			}
		})
	}
}
