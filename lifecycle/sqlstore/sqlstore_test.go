package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/atskit/atskit/internal/pgtest"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/memstore"
	"github.com/atskit/atskit/lifecycle/sqlstore"
	"github.com/atskit/atskit/lifecycle/sqlstore/postgres"
	"github.com/atskit/atskit/lifecycle/sqlstore/sqlite"
	"github.com/atskit/atskit/lifecycle/storetest"
)

func newSQLite(t testing.TB) *sqlstore.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "atskit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// postgresDSN returns the test server's DSN (see internal/pgtest).
func postgresDSN(t testing.TB) string { return pgtest.DSN(t) }

// postgresSchema returns a DSN for a fresh schema of the test's own.
func postgresSchema(t testing.TB) string { return pgtest.Schema(t, "t_") }

func openPostgres(t testing.TB, dsn string) *sqlstore.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	s.DB().SetMaxOpenConns(16)
	t.Cleanup(func() { s.Close() })
	return s
}

// newPostgres returns a store in a fresh schema, dropped at cleanup.
func newPostgres(t testing.TB) *sqlstore.Store { return openPostgres(t, postgresSchema(t)) }

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

// TestSQLiteCrashRestart and TestPostgresCrashRestart stop the process
// between the ATS call and the outbox acknowledgement, then restart it on
// the same database: no note is lost or duplicated.
func TestSQLiteCrashRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "atskit.db")
	enginetest.CrashRestart(t, func() lifecycle.Store {
		s, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestPostgresCrashRestart(t *testing.T) {
	dsn := postgresSchema(t)
	enginetest.CrashRestart(t, func() lifecycle.Store { return openPostgres(t, dsn) })
}

// TestSQLiteGracefulStop and TestPostgresGracefulStop: a stopped
// dispatcher still records the outcome of a call it made.
func TestSQLiteGracefulStop(t *testing.T)   { enginetest.GracefulStop(t, newSQLite(t)) }
func TestPostgresGracefulStop(t *testing.T) { enginetest.GracefulStop(t, newPostgres(t)) }

// TestPostgresMigrateConcurrently opens one database from several
// "replicas" at once and again later: migrations apply exactly once.
func TestPostgresMigrateConcurrently(t *testing.T) {
	dsn := postgresSchema(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			s, err := postgres.Open(ctx, dsn)
			if err != nil {
				errs <- err
				return
			}
			errs <- s.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s := openPostgres(t, dsn)
	var n int
	if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM atskit_schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := sqlstore.MigrationCount(sqlstore.Postgres); n != want {
		t.Fatalf("migrations recorded = %d, want %d (each once)", n, want)
	}
	enginetest.New(t, s) // the schema works
}

func TestReopenKeepsState(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "atskit.db")
	s, err := sqlite.Open(ctx, path)
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
	s, err = sqlite.Open(ctx, path)
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

// TestSQLiteBusyIsConflict: another process holds SQLite's write lock
// beyond the busy timeout. The commit fails with ErrVersionConflict, which
// the engine retries, rather than an opaque driver error.
func TestSQLiteBusyIsConflict(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "atskit.db")
	s := func() *sqlstore.Store {
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	busy, err := sqlstore.New(ctx, db, sqlstore.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	// "Another process": its own pool on the same file, holding the lock.
	other, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	holder, err := other.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.ExecContext(ctx, `INSERT INTO atskit_events (connection, source, id, processed_at) VALUES ('x', 'x', 'held', 0)`); err != nil {
		t.Fatal(err)
	}
	err = busy.Commit(ctx, lifecycle.Change{Event: &lifecycle.EventRef{Source: "workable", ID: "e1"}})
	if !errors.Is(err, lifecycle.ErrVersionConflict) {
		t.Fatalf("commit while another writer holds the lock: %v, want ErrVersionConflict", err)
	}
	if err := holder.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, lifecycle.Change{Event: &lifecycle.EventRef{Source: "workable", ID: "e1"}}); err != nil {
		t.Fatalf("commit after the lock was released: %v", err)
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

func TestSQLiteParked(t *testing.T) { enginetest.Parked(t, newSQLite(t)) }

func TestPostgresParked(t *testing.T) { enginetest.Parked(t, openPostgres(t, postgresSchema(t))) }
