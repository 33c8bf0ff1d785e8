package sqlstore_test

import (
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atskit/atskit/provider"
)

// benchCreate sends n distinct POST /interviews to h and returns ns/op.
func benchCreate(tb testing.TB, h http.Handler, from, n int) float64 {
	start := time.Now()
	for i := from; i < from+n; i++ {
		body := strings.Replace(idemInterviewBody, "lakita@", "lakita+"+strconv.Itoa(i)+"@", 1)
		r := httptest.NewRequest(http.MethodPost, "/interviews", io.NopCloser(strings.NewReader(body)))
		r.Header.Set("Authorization", "Bearer tok-acme")
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusCreated {
			tb.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}

// BenchmarkProviderIdempotencyShared compares POST /interviews through a
// provider.Handler whose idempotency records live in this store (claim and
// complete: two statements and a write each, per create) with the same
// handler keeping them in its memory, in alternating rounds (best of
// three each). It reports both ns/op and shared-vs-memory, the memory
// variant's time over the shared one's (a throughput ratio; no target:
// the shared store buys one invitation across replicas with a database
// round trip or two). Runs for SQLite always, PostgreSQL when
// ATSKIT_POSTGRES_DSN is set.
func BenchmarkProviderIdempotencyShared(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			store := idemStores[dialect](b)
			newHandler := func(shared bool) http.Handler {
				opts := provider.HandlerOptions{Tokens: idemTokens, Logger: quiet()}
				if shared {
					opts.IdempotencyStore = store
				}
				return must(provider.NewHandler(provider.NewMemoryBackend(provider.MemoryBackendOptions{}), opts))
			}
			const rounds = 3
			n := max(b.N/rounds, 1)
			memNs, sharedNs := math.Inf(1), math.Inf(1)
			for r := range rounds {
				memNs = math.Min(memNs, benchCreate(b, newHandler(false), r*n, n))
				sharedNs = math.Min(sharedNs, benchCreate(b, newHandler(true), r*n, n))
			}
			b.ReportMetric(memNs, "memory-ns/op")
			b.ReportMetric(sharedNs, "shared-ns/op")
			b.ReportMetric(memNs/sharedNs, "shared-vs-memory")
		})
	}
}
