package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/sqlstore"
)

// TestSQLiteInbox and TestPostgresInbox: events accepted before a crash,
// or claimed by a dispatcher that died, are processed once by another
// engine on the same database.
func TestSQLiteInbox(t *testing.T) {
	enginetest.Inbox(t, func(t *testing.T) lifecycle.Store { return newSQLite(t) })
}

func TestPostgresInbox(t *testing.T) {
	postgresDSN(t)
	enginetest.Inbox(t, func(t *testing.T) lifecycle.Store { return newPostgres(t) })
}

// BenchmarkSQLiteInbox and BenchmarkPostgresInbox report the inbox's
// throughput (events/s accepted one delivery at a time by 8 webhook
// handlers and claimed and recorded processed by 8 workers) and the ratio
// to memstore measured in the same run; the ...InboxPipeline benchmarks
// process each event too (a candidate read and an interview committed)
// and deliver its effects.
func BenchmarkSQLiteInbox(b *testing.B) {
	benchVsMemstore(b, newSQLite, enginetest.BenchInbox, "events")
}

func BenchmarkPostgresInbox(b *testing.B) {
	benchVsMemstore(b, newPostgres, enginetest.BenchInbox, "events")
}

func BenchmarkSQLiteInboxPipeline(b *testing.B) {
	benchVsMemstore(b, newSQLite, enginetest.BenchInboxPipeline, "events")
}

func BenchmarkPostgresInboxPipeline(b *testing.B) {
	benchVsMemstore(b, newPostgres, enginetest.BenchInboxPipeline, "events")
}

// TestPruneWebhookDeliveries: Prune also deletes remembered webhook
// deliveries whose expiry passed, and keeps the others.
func TestPruneWebhookDeliveries(t *testing.T) {
	stores := map[string]func(testing.TB) *sqlstore.Store{"sqlite": newSQLite}
	if os.Getenv("ATSKIT_POSTGRES_DSN") != "" {
		stores["postgres"] = newPostgres
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			ctx := context.Background()
			now := time.Now()
			for i, exp := range []time.Time{now.Add(-time.Hour), now.Add(-time.Minute), now.Add(time.Hour)} {
				first, err := s.RememberDelivery(ctx, "acme", fmt.Sprintf("delivery-%d", i), exp)
				if err != nil || !first {
					t.Fatalf("remember %d: %v, %v", i, first, err)
				}
			}
			n, err := s.Prune(ctx, now.Add(-24*time.Hour), 1)
			if err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("first batch pruned %d rows, want 1 (the limit)", n)
			}
			if n, err = s.Prune(ctx, now.Add(-24*time.Hour), 10); err != nil || n != 1 {
				t.Errorf("second batch pruned %d rows, %v; want 1", n, err)
			}
			var left int
			if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM atskit_webhook_deliveries`).Scan(&left); err != nil {
				t.Fatal(err)
			}
			if left != 1 {
				t.Errorf("%d deliveries left, want the unexpired one", left)
			}
		})
	}
}
