package provider

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ghBenchBody is Greenhouse's send_test example with an email unique to i,
// so idempotency never dedupes two iterations.
func ghBenchBody(i int) string {
	return strings.Replace(ghSendBody, "hpotter@", "hpotter+"+strconv.Itoa(i)+"@", 1)
}

func ghBenchLoop(tb testing.TB, h http.Handler, n int) {
	base := httptest.NewRequest("POST", "/send_test", nil)
	base.SetBasicAuth(ghKey, "")
	base.Header.Set("Content-Type", "application/json")
	for i := 0; i < n; i++ {
		body := ghBenchBody(i)
		r := *base
		r.Body = io.NopCloser(strings.NewReader(body))
		r.ContentLength = int64(len(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, &r)
		if w.Code != http.StatusOK {
			tb.Fatalf("status %d: %s", w.Code, w.Body.String())
		}
	}
}

// ghBareHandler is the baseline: a bare net/http handler decoding the same
// JSON and answering a partner_interview_id, nothing else.
func ghBareHandler() http.Handler {
	n := 0
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req GreenhouseSendTestRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		n++
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(struct {
			ID string `json:"partner_interview_id"`
		}{"gh_" + strconv.Itoa(n)})
	})
}

// ghFullHandler is the GreenhouseHandler with Basic-key auth, size limit,
// decoding, validation, idempotency, and a MemoryBackend behind the
// assessment bridge.
func ghFullHandler() http.Handler {
	mem := NewMemoryBackend(MemoryBackendOptions{Tests: []Test{{ID: NumberID(12345), Name: "My First Test"}}})
	return must(NewGreenhouseHandler(GreenhouseFromAssessments(mem), GreenhouseHandlerOptions{Tokens: NewStaticTokens(map[string]Account{ghKey: "acme"}), Logger: quietLogger()}))
}

func ghMeasure(tb testing.TB, h http.Handler, n int) (nsPerOp float64) {
	return measureWith(tb, func() { ghBenchLoop(tb, h, n) }, n)
}

// BenchmarkGreenhouseSendTest compares send_test through the
// GreenhouseHandler with a bare handler that only decodes the same JSON
// and encodes an ID, in alternating rounds (best of seven each, so a burst
// of load on a shared machine does not decide the ratio), and
// reports the handler's throughput as a multiple of the bare handler's
// (throughput-vs-bare; the target is at least 1.0).
func BenchmarkGreenhouseSendTest(b *testing.B) {
	const rounds = 7
	n := max(b.N/rounds, 1)
	bareNs, fullNs := math.Inf(1), math.Inf(1)
	for range rounds {
		bareNs = math.Min(bareNs, ghMeasure(b, ghBareHandler(), n))
		fullNs = math.Min(fullNs, ghMeasure(b, ghFullHandler(), n))
	}
	b.ReportMetric(bareNs, "bare-ns/op")
	b.ReportMetric(fullNs, "handler-ns/op")
	b.ReportMetric(bareNs/fullNs, "throughput-vs-bare")
}

// measureWith times run, which makes n requests, and returns ns/op.
func measureWith(tb testing.TB, run func(), n int) float64 {
	start := nowNanos()
	run()
	return float64(nowNanos()-start) / float64(n)
}

func nowNanos() int64 { return timeNow().UnixNano() }

var timeNow = time.Now
