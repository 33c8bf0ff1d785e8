package sqlstore

import (
	"errors"
	"fmt"

	"github.com/atskit/atskit/lifecycle"
)

// SQLite primary result codes for a database locked by another writer
// (https://www.sqlite.org/rescode.html).
const (
	sqliteBusy   = 5 // SQLITE_BUSY
	sqliteLocked = 6 // SQLITE_LOCKED
)

// PostgreSQL SQLSTATEs the engine retries
// (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const (
	pgDeadlock      = "40P01" // deadlock_detected
	pgSerialization = "40001" // serialization_failure
)

// sqlStater is an error carrying a PostgreSQL SQLSTATE; pgx's
// *pgconn.PgError (and lib/pq's *pq.Error) implement it. Matching the method
// instead of the type keeps the driver out of this package.
type sqlStater interface{ SQLState() string }

// sqliteCoder is an error carrying an SQLite result code; modernc.org/sqlite's
// *sqlite.Error implements it.
type sqliteCoder interface{ Code() int }

// conflict maps PostgreSQL deadlocks and serialization failures, and SQLite
// "database is locked" (SQLITE_BUSY, SQLITE_LOCKED: another process held
// the write lock beyond the busy timeout) onto ErrVersionConflict, so the
// engine reloads and retries instead of failing the event.
func (s *Store) conflict(err error) error {
	switch s.dialect {
	case Postgres:
		var pe sqlStater
		if errors.As(err, &pe) && (pe.SQLState() == pgDeadlock || pe.SQLState() == pgSerialization) {
			return fmt.Errorf("%w: %v", lifecycle.ErrVersionConflict, err)
		}
	case SQLite:
		var se sqliteCoder
		if errors.As(err, &se) && (se.Code()&0xff == sqliteBusy || se.Code()&0xff == sqliteLocked) {
			return fmt.Errorf("%w: %v", lifecycle.ErrVersionConflict, err)
		}
	}
	return err
}
