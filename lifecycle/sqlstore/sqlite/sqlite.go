// Package sqlite links the SQLite driver (modernc.org/sqlite, pure Go, no
// cgo) into a program and opens a lifecycle store on it.
//
//	store, err := sqlite.Open(ctx, "/var/lib/vendor/atskit.db")
//
// The store itself is package sqlstore's; this package exists so that a
// program using PostgreSQL does not carry an SQLite engine, and the other
// way round: importing it registers the database/sql driver "sqlite" (as
// importing a database/sql driver does), after which
// sqlstore.Open(ctx, "sqlite", dsn) works too.
package sqlite

import (
	"context"

	_ "modernc.org/sqlite" // registers the database/sql driver "sqlite"

	"github.com/atskit/atskit/lifecycle/sqlstore"
)

// DriverName is the database/sql driver this package registers.
const DriverName = "sqlite"

// Open opens (creating it if needed) the SQLite database dsn — a file path
// or a "file:" URI — and returns a migrated store that Close closes. It adds
// WAL, a busy timeout, immediate transactions and synchronous=FULL (see
// package sqlstore on durability) and uses one connection, so writers in
// one process never collide. The file's directory must exist: the error
// says so when it does not.
func Open(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	return sqlstore.Open(ctx, DriverName, dsn)
}
