// Package postgres links the PostgreSQL driver (github.com/jackc/pgx/v5
// through its database/sql adapter) into a program and opens a lifecycle
// store on it.
//
//	store, err := postgres.Open(ctx, "postgres://atskit@db/atskit")
//
// The store itself is package sqlstore's; this package exists so that a
// program using SQLite does not carry pgx, and the other way round:
// importing it registers the database/sql driver "pgx" (as importing a
// database/sql driver does), after which sqlstore.Open(ctx, "pgx", dsn)
// works too.
package postgres

import (
	"context"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the database/sql driver "pgx"

	"github.com/atskit/atskit/lifecycle/sqlstore"
)

// DriverName is the database/sql driver this package registers.
const DriverName = "pgx"

// Open connects to the PostgreSQL database dsn (a postgres:// URL or a
// key=value string, as pgx accepts) and returns a migrated store that Close
// closes. Several replicas may open the same database: migrations take an
// advisory lock and effects are claimed with FOR UPDATE SKIP LOCKED. The
// pool keeps sqlstore.PostgresIdleConns idle connections; change it through
// Store.DB.
func Open(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	return sqlstore.Open(ctx, DriverName, dsn)
}
