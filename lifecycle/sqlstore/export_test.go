package sqlstore

import "io/fs"

// MigrationCount returns the number of migrations of a dialect.
func MigrationCount(d Dialect) int {
	entries, _ := fs.ReadDir(migrations, "migrations/"+d.String())
	return len(entries)
}
