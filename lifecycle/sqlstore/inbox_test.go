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

// BenchmarkSQLiteInbox and BenchmarkPostgresInbox report inbox throughput
// (events/s accepted and processed, 8 webhook handlers and 8 workers) and
// the ratio to memstore measured in the same run.
func BenchmarkSQLiteInbox(b *testing.B) {
	benchVsMemstore(b, newSQLite, enginetest.BenchInbox, "events")
}

func BenchmarkPostgresInbox(b *testing.B) {
	benchVsMemstore(b, newPostgres, enginetest.BenchInbox, "events")
}
