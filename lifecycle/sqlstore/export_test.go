package sqlstore

import "io/fs"

// MigrationCount returns the number of migrations of a dialect.
func MigrationCount(d Dialect) int {
	entries, _ := fs.ReadDir(migrations, "migrations/"+d.String())
	return len(entries)
}

// SetAfterClaimEvents makes every PostgreSQL inbox claim of s call f with
// the claim's owner inside its transaction, after leasing, before
// committing: a test holds one claim open there to race another.
func SetAfterClaimEvents(s *Store, f func(owner string)) { s.afterClaimEvents = f }
