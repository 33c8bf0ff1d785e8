package sqlstore_test

import (
	"testing"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
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
