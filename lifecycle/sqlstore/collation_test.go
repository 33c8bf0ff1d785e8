package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"slices"
	"testing"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/sqlstore/postgres"
)

// TestPostgresCursorsIgnoreCollation: on a database whose default collation
// is linguistic (ICU en-US, the default of most managed PostgreSQL), text
// compares case- and punctuation-insensitively first, while cursors page by
// byte order (Go's, memstore's). Listing by cursor must still return every
// position once, in byte order.
func TestPostgresCursorsIgnoreCollation(t *testing.T) {
	dsn := postgresDSN(t)
	ctx := context.Background()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "atskit_icu_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`); err != nil {
		admin.Close()
		t.Fatalf("create an ICU en-US database (the server needs ICU support): %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), `DROP DATABASE `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	store, err := postgres.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()

	jobs := []string{"ACME002", "abc", "Zeta", "a_b", "aa", "B1"}
	var want []string
	for _, job := range jobs {
		id := lifecycle.PositionID("acme", job)
		want = append(want, id)
		if _, err := store.SavePosition(ctx, lifecycle.Position{ID: id, Connection: "acme", Source: "workable", JobID: job, Status: lifecycle.PositionPending}); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(want) // byte order
	engine := lifecycle.NewEngine(store, lifecycle.Options{})
	var got []string
	for p, err := range engine.AllPositions(ctx, lifecycle.PositionFilter{Connection: "acme", Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("AllPositions with pages of 2 listed %q, want %q (every position once, in byte order)", got, want)
	}
}
