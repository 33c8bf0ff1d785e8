package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/memstore"
	"github.com/atskit/atskit/lifecycle/sqlstore"
	"github.com/atskit/atskit/lifecycle/storetest"
)

func newSQLite(t testing.TB) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), "sqlite", filepath.Join(t.TempDir(), "atskit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// postgresDSN returns ATSKIT_POSTGRES_DSN; without it the test is skipped,
// unless CI is set, where it fails so CI never silently skips.
func postgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("ATSKIT_POSTGRES_DSN")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("ATSKIT_POSTGRES_DSN is not set but CI is: refusing to skip the PostgreSQL tests")
		}
		t.Skip("ATSKIT_POSTGRES_DSN not set")
	}
	return dsn
}

// newPostgres returns a store in a fresh schema, dropped at cleanup.
func newPostgres(t testing.TB) *sqlstore.Store {
	t.Helper()
	dsn := postgresDSN(t)
	ctx := context.Background()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	s, err := sqlstore.Open(ctx, "pgx", dsn+sep+"search_path="+schema)
	if err != nil {
		t.Fatal(err)
	}
	s.DB().SetMaxOpenConns(16)
	t.Cleanup(func() {
		s.Close()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Error(err)
		}
		admin.Close()
	})
	return s
}

func TestSQLiteConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) lifecycle.Store { return newSQLite(t) })
}

func TestPostgresConformance(t *testing.T) {
	postgresDSN(t)
	storetest.Run(t, func(t *testing.T) lifecycle.Store { return newPostgres(t) })
}

func TestSQLiteReplicas(t *testing.T) { enginetest.Replicas(t, newSQLite(t)) }

// TestPostgresReplicas runs two engines and two dispatchers on one
// PostgreSQL database receiving the same events concurrently.
func TestPostgresReplicas(t *testing.T) { enginetest.Replicas(t, newPostgres(t)) }

func TestReopenKeepsState(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "atskit.db")
	s, err := sqlstore.Open(ctx, "sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	h := enginetest.New(t, s)
	h.Candidate("c1")
	h.Move("c1", enginetest.StageTrigger)
	id := h.Only("c1").ID
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopening applies no migration twice and finds everything.
	s, err = sqlstore.Open(ctx, "sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	iv, err := s.Interview(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if iv.State != lifecycle.StateRequested {
		t.Fatalf("state = %s", iv.State)
	}
	effs, err := s.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectPending})
	if err != nil || len(effs) != 2 {
		t.Fatalf("pending effects = %d, %v; want 2", len(effs), err)
	}
}

func TestOpenUnknownDriver(t *testing.T) {
	if _, err := sqlstore.Open(context.Background(), "mysql", "x"); err == nil {
		t.Fatal("want error")
	}
}

// The benchmarks report events/s (8 concurrent HandleEvent callers) and the
// ratio to memstore measured in the same run.

func benchVsMemstore(b *testing.B, newStore func(testing.TB) *sqlstore.Store, bench func(*testing.B, lifecycle.Store, int) float64, unit string) {
	var base float64
	b.Run("memstore", func(b *testing.B) { base = bench(b, memstore.New(), 8) })
	b.Run("sql", func(b *testing.B) {
		rate := bench(b, newStore(b), 8)
		if base > 0 {
			b.ReportMetric(rate/base, unit+"-vs-memstore")
		}
	})
}

func BenchmarkSQLiteEvents(b *testing.B) {
	benchVsMemstore(b, newSQLite, enginetest.BenchEvents, "events")
}

func BenchmarkPostgresEvents(b *testing.B) {
	benchVsMemstore(b, newPostgres, enginetest.BenchEvents, "events")
}

func BenchmarkSQLiteDispatch(b *testing.B) {
	benchVsMemstore(b, newSQLite, enginetest.BenchDispatch, "effects")
}

func BenchmarkPostgresDispatch(b *testing.B) {
	benchVsMemstore(b, newPostgres, enginetest.BenchDispatch, "effects")
}
