// Package benchkit holds what the adapters' benchmarks share: the bare
// go-retryablehttp client their baselines use, and the heap sampling that
// shows a listing streams (its memory does not grow with the number of
// pages). It is imported by test files only.
package benchkit

import (
	"runtime"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// BaselineClient returns a go-retryablehttp client with no logger that
// retries up to retries times, waiting between waitMin and waitMax: the
// plain client a benchmark measures an adapter's paced client against.
// linear selects retryablehttp.LinearJitterBackoff instead of the
// library's default exponential backoff.
func BaselineClient(retries int, waitMin, waitMax time.Duration, linear bool) *retryablehttp.Client {
	rc := retryablehttp.NewClient()
	rc.Logger = nil
	rc.RetryMax = retries
	rc.RetryWaitMin, rc.RetryWaitMax = waitMin, waitMax
	if linear {
		rc.Backoff = retryablehttp.LinearJitterBackoff
	}
	return rc
}

// HeapSpread keeps the smallest and largest live-heap samples of one pass
// over a listing. The zero HeapSpread is ready to use.
type HeapSpread struct {
	lo, hi  uint64
	sampled bool
}

// Sample stops b's timer, runs before (if any; e.g. to drop a fake's
// request log, which is not the client's memory), collects garbage,
// records the heap in use and restarts the timer.
func (h *HeapSpread) Sample(b testing.TB, before func()) {
	if bb, ok := b.(*testing.B); ok {
		bb.StopTimer()
		defer bb.StartTimer()
	}
	if before != nil {
		before()
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if !h.sampled {
		h.lo, h.hi, h.sampled = ms.HeapInuse, ms.HeapInuse, true
		return
	}
	h.lo, h.hi = min(h.lo, ms.HeapInuse), max(h.hi, ms.HeapInuse)
}

// Growth returns the spread between the largest and smallest sample, in
// bytes (0 before two samples).
func (h *HeapSpread) Growth() uint64 { return h.hi - h.lo }

// ReportHeapGrowth reports worst (the largest Growth over the benchmark's
// passes) as heap-growth-B and per page as heap-growth-B/page, and fails
// the benchmark when it exceeds limit bytes (0: no limit).
func ReportHeapGrowth(b *testing.B, worst uint64, pages int, limit uint64) {
	b.ReportMetric(float64(worst), "heap-growth-B")
	b.ReportMetric(float64(worst)/float64(pages), "heap-growth-B/page")
	if limit > 0 && worst > limit {
		b.Errorf("heap grew by %d bytes over %d pages; the listing is not streaming", worst, pages)
	}
}
