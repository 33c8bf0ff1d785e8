// Package pgtest gives tests a PostgreSQL database of their own: the server
// named by ATSKIT_POSTGRES_DSN (which .ci/run starts and sets), and a fresh
// schema per test, dropped when the test ends, so test packages running in
// parallel never see each other's tables.
//
// Without ATSKIT_POSTGRES_DSN a test is skipped, except under CI (CI is
// set), where it fails: CI never silently skips the PostgreSQL tests.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// EnvDSN is the environment variable holding the server's DSN.
const EnvDSN = "ATSKIT_POSTGRES_DSN"

// DSN returns the server's DSN, skipping t when there is none outside CI
// and failing it under CI.
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal(EnvDSN + " is not set but CI is: refusing to skip the PostgreSQL tests")
		}
		t.Skip(EnvDSN + " not set")
	}
	return dsn
}

// Schema creates a schema named prefix plus a random suffix, drops it when
// t ends, and returns a DSN (a postgres:// URL) whose search_path is that
// schema.
func Schema(t testing.TB, prefix string) string {
	t.Helper()
	dsn := DSN(t)
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		t.Fatalf("%s must be a postgres:// URL", EnvDSN)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := prefix + hex.EncodeToString(b[:])
	ctx := context.Background()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}
