package provider

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchBody returns the contract's example payload with a candidate email
// unique to i, so that idempotency never dedupes two iterations.
func benchBody(i int) string {
	const prefix = `{"interview_template_id":"1","job_id":"6789","job_title":"Operations Manager","callback_url":"https://groove-tech.workable.com/interviews/8823119","candidate":{"first_name":"Lakita","last_name":"Marrero","phone":"(785)991-6256","email":"lakita+`
	const suffix = `@example.com"},"preferences":{"key":"value"}}`
	return prefix + strconv.Itoa(i) + suffix
}

// benchLoop calls h with n distinct POST /interviews requests.
func benchLoop(tb testing.TB, h http.Handler, n int) {
	base := httptest.NewRequest("POST", "/interviews", nil)
	base.Header.Set("Authorization", "Bearer "+tokenAcme)
	base.Header.Set("Content-Type", "application/json")
	for i := 0; i < n; i++ {
		body := benchBody(i)
		r := *base
		r.Body = io.NopCloser(strings.NewReader(body))
		r.ContentLength = int64(len(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, &r)
		if w.Code != http.StatusCreated {
			tb.Fatalf("status %d: %s", w.Code, w.Body.String())
		}
	}
}

// bareHandler is the baseline: a bare net/http handler decoding and
// encoding the same JSON, with nothing else.
func bareHandler() http.Handler {
	n := 0
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req CreateInterviewRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		n++
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(struct {
			InterviewID string `json:"interview_id"`
		}{"iv_" + strconv.Itoa(n)})
	})
}

// fullHandler is the Handler with auth, content-type and size checks,
// decoding, validation, idempotency and a MemoryBackend.
func fullHandler() http.Handler {
	return must(NewHandler(newMemory(), HandlerOptions{Tokens: newTokens(), Logger: quietLogger()}))
}

// measure runs n requests through h and returns ns/op and allocs/op.
func measure(tb testing.TB, h http.Handler, n int) (nsPerOp, allocsPerOp float64) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	benchLoop(tb, h, n)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	return float64(elapsed.Nanoseconds()) / float64(n), float64(after.Mallocs-before.Mallocs) / float64(n)
}

// BenchmarkCreateInterview compares POST /interviews through the Handler
// with a bare handler that only decodes and encodes the same JSON. The
// ratio sub-benchmark runs b.N requests through each, in alternating
// rounds, and reports the handler's throughput as a fraction of the bare handler's
// (throughput-vs-bare; the target is at least 1.0) with both ns/op and
// allocs/op; its own ns/op covers both runs.
//
// The bare handler reads, decodes and answers JSON and keeps nothing; the
// Handler also authenticates, validates, remembers the request for
// idempotency, and its MemoryBackend keeps every invitation, so its heap
// grows with b.N and garbage collection is a large share of its cost.
func BenchmarkCreateInterview(b *testing.B) {
	b.Run("bare", func(b *testing.B) {
		h := bareHandler()
		b.ReportAllocs()
		b.ResetTimer()
		benchLoop(b, h, b.N)
	})
	b.Run("handler", func(b *testing.B) {
		h := fullHandler()
		b.ReportAllocs()
		b.ResetTimer()
		benchLoop(b, h, b.N)
	})
	b.Run("ratio", func(b *testing.B) {
		// Alternate rounds, each with fresh handlers, and keep each side's
		// best round, so that a burst of load on a shared machine does not
		// decide the ratio.
		const rounds = 3
		n := max(b.N/rounds, 1)
		bareNs, bareAllocs := math.Inf(1), 0.0
		fullNs, fullAllocs := math.Inf(1), 0.0
		for range rounds {
			if ns, allocs := measure(b, bareHandler(), n); ns < bareNs {
				bareNs, bareAllocs = ns, allocs
			}
			if ns, allocs := measure(b, fullHandler(), n); ns < fullNs {
				fullNs, fullAllocs = ns, allocs
			}
		}
		b.ReportMetric(bareNs, "bare-ns/op")
		b.ReportMetric(fullNs, "handler-ns/op")
		b.ReportMetric(bareAllocs, "bare-allocs/op")
		b.ReportMetric(fullAllocs, "handler-allocs/op")
		b.ReportMetric(bareNs/fullNs, "throughput-vs-bare")
	})
}
