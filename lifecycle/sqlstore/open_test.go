package sqlstore_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/atskit/atskit/lifecycle/sqlstore"
	"github.com/atskit/atskit/lifecycle/sqlstore/sqlite"
)

// TestOpenErrors: a store that cannot be opened says which file or driver
// and what to do, without SQLite's bare "unable to open database file".
func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "nonexistent", "dir")
	tests := []struct {
		name         string
		driver, dsn  string
		wantContains []string
	}{
		{"missing directory", "sqlite", filepath.Join(missing, "x.db"),
			[]string{filepath.Join(missing, "x.db"), `directory "` + missing + `" does not exist`, "create it"}},
		{"missing directory in a file URI", "sqlite", "file:" + filepath.Join(missing, "x.db") + "?mode=rwc",
			[]string{filepath.Join(missing, "x.db"), "does not exist", "create it"}},
		{"parent is a file", "sqlite", filepath.Join(file, "x.db"),
			[]string{filepath.Join(file, "x.db"), "is not a directory"}},
		{"unknown driver", "mysql", "x",
			[]string{`unsupported driver "mysql"`, `"sqlite"`, "lifecycle/sqlstore/sqlite", "lifecycle/sqlstore/postgres"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sqlstore.Open(context.Background(), tt.driver, tt.dsn)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded, want an error")
			}
			for _, want := range tt.wantContains {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if strings.Count(err.Error(), "sqlstore:") != 1 {
				t.Errorf("error %q repeats its prefix", err)
			}
		})
	}
}

// TestOpenSQLiteUnwritableDirectory: SQLITE_CANTOPEN from a directory the
// process may not write comes with the file and a hint.
func TestOpenSQLiteUnwritableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root may write to any directory")
	}
	dir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	_, err := sqlite.Open(context.Background(), filepath.Join(dir, "x.db"))
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "x.db")) || !strings.Contains(err.Error(), "may create and write files") {
		t.Fatalf("Open in a read-only directory: %v, want the path and a hint", err)
	}
}

// TestDriversLinkedSeparately: package sqlstore links no SQL driver, the
// sqlite package no pgx and the postgres package no SQLite engine, so a
// program carries only the driver it imports.
func TestDriversLinkedSeparately(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	const (
		pgx    = "github.com/jackc/pgx/v5"
		sqlite = "modernc.org/sqlite"
	)
	tests := []struct {
		pkg          string
		want, forbid []string
	}{
		{"github.com/atskit/atskit/lifecycle/sqlstore", nil, []string{pgx, sqlite}},
		{"github.com/atskit/atskit/lifecycle/sqlstore/sqlite", []string{sqlite}, []string{pgx}},
		{"github.com/atskit/atskit/lifecycle/sqlstore/postgres", []string{pgx}, []string{sqlite}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.pkg), func(t *testing.T) {
			out, err := exec.Command(goTool, "list", "-deps", tt.pkg).Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", tt.pkg, err)
			}
			deps := strings.Fields(string(out))
			has := func(prefix string) bool {
				return slices.ContainsFunc(deps, func(d string) bool { return d == prefix || strings.HasPrefix(d, prefix+"/") })
			}
			for _, w := range tt.want {
				if !has(w) {
					t.Errorf("%s does not link %s", tt.pkg, w)
				}
			}
			for _, f := range tt.forbid {
				if has(f) {
					t.Errorf("%s links %s", tt.pkg, f)
				}
			}
		})
	}
}
