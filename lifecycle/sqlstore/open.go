package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Import paths of the packages that link a driver, named in errors.
const (
	sqlitePackage   = "github.com/atskit/atskit/lifecycle/sqlstore/sqlite"
	postgresPackage = "github.com/atskit/atskit/lifecycle/sqlstore/postgres"
)

// Open opens a database and returns a migrated store that Close closes.
//
// driverName is "sqlite" (dsn a file path or "file:" URI; WAL, a busy
// timeout, immediate transactions and synchronous=FULL are added — see the
// package documentation on durability — and one connection is used so
// writers never collide) or "pgx"/"postgres" (dsn a PostgreSQL URL or
// key=value string).
//
// Package sqlstore links no driver: the program must import the package
// that registers it, github.com/atskit/atskit/lifecycle/sqlstore/sqlite or
// github.com/atskit/atskit/lifecycle/sqlstore/postgres, whose Open
// functions call this one. Without it Open returns an error naming the
// import. For SQLite an error names the file and, when its directory is
// missing or unwritable, says so.
func Open(ctx context.Context, driverName, dsn string) (*Store, error) {
	var d Dialect
	var pkg string
	switch driverName {
	case "sqlite":
		d, pkg = SQLite, sqlitePackage
	case "pgx", "postgres":
		d, driverName, pkg = Postgres, "pgx", postgresPackage
	default:
		return nil, fmt.Errorf("sqlstore: unsupported driver %q: use \"sqlite\" (import %q) or \"pgx\" (import %q), or sqlstore.New with a *sql.DB you opened",
			driverName, sqlitePackage, postgresPackage)
	}
	if !slices.Contains(sql.Drivers(), driverName) {
		return nil, fmt.Errorf("sqlstore: the %s driver %q is not linked into this program: import %q and open the store with its Open function",
			d, driverName, pkg)
	}
	if d == SQLite {
		return openSQLite(ctx, dsn)
	}
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		// The DSN may hold a password: it is not repeated here.
		return nil, fmt.Errorf("sqlstore: open PostgreSQL: %w", err)
	}
	// database/sql keeps only 2 idle connections by default, so a
	// dispatcher with dozens of workers opens and closes PostgreSQL
	// connections (a server process each) all the time. Keep a pool the
	// size of a typical worker count; a host that needs another size calls
	// DB().SetMaxIdleConns / SetMaxOpenConns.
	db.SetMaxIdleConns(PostgresIdleConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s, err := New(ctx, db, Postgres)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// PostgresIdleConns is how many idle connections Open keeps in the pool of a
// PostgreSQL store (database/sql's default of 2 makes a busy dispatcher
// reconnect constantly).
const PostgresIdleConns = 32

// sqliteCantOpen is SQLITE_CANTOPEN (https://www.sqlite.org/rescode.html#cantopen).
const sqliteCantOpen = 14

func openSQLite(ctx context.Context, dsn string) (*Store, error) {
	path := sqliteFile(dsn)
	if path != "" {
		if err := checkSQLiteDir(path); err != nil {
			return nil, err
		}
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	full := dsn + sep + "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate" + sqliteSynchronous(dsn)
	db, err := sql.Open("sqlite", full)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open SQLite database %q: %w", dsn, err)
	}
	db.SetMaxOpenConns(1)
	s := &Store{db: db, dialect: SQLite, owned: true}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		var se sqliteCoder
		if errors.As(err, &se) && se.Code()&0xff == sqliteCantOpen {
			return nil, fmt.Errorf("sqlstore: open SQLite database %q: %w (check that this process may create and write files in the database's directory)", dsn, err)
		}
		return nil, fmt.Errorf("sqlstore: open SQLite database %q: %w", dsn, err)
	}
	return s, nil
}

// sqliteFile returns the file an SQLite DSN names: a path, or a "file:" URI
// without its query. It returns "" for in-memory databases and URIs with an
// authority, whose file it does not check.
func sqliteFile(dsn string) string {
	path, query, _ := strings.Cut(dsn, "?")
	if strings.HasPrefix(path, "file:") {
		path = strings.TrimPrefix(path, "file:")
		if strings.HasPrefix(path, "//") {
			return ""
		}
	}
	if path == "" || strings.HasPrefix(path, ":memory:") || strings.Contains(query, "mode=memory") {
		return ""
	}
	return path
}

// checkSQLiteDir reports a missing parent directory of path, before SQLite
// answers with a bare "unable to open database file".
func checkSQLiteDir(path string) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("sqlstore: open SQLite database %q: directory %q does not exist: create it first (for example with os.MkdirAll(%q, 0o700)) or choose a file in an existing directory", path, dir, dir)
	case err != nil:
		return fmt.Errorf("sqlstore: open SQLite database %q: %w", path, err)
	case !fi.IsDir():
		return fmt.Errorf("sqlstore: open SQLite database %q: %q is not a directory: choose a file in a directory", path, dir)
	}
	return nil
}
