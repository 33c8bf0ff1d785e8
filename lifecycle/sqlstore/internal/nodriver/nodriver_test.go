// Package nodriver tests package sqlstore in a program that links no SQL
// driver, as a host that forgot the driver's import builds it.
package nodriver

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atskit/atskit/lifecycle/sqlstore"
)

func TestOpenWithoutDriver(t *testing.T) {
	tests := []struct {
		driver, dsn, wantImport string
	}{
		{"sqlite", filepath.Join(t.TempDir(), "x.db"), `import "github.com/atskit/atskit/lifecycle/sqlstore/sqlite"`},
		{"pgx", "postgres://localhost/atskit", `import "github.com/atskit/atskit/lifecycle/sqlstore/postgres"`},
		{"postgres", "postgres://localhost/atskit", `import "github.com/atskit/atskit/lifecycle/sqlstore/postgres"`},
	}
	for _, tt := range tests {
		t.Run(tt.driver, func(t *testing.T) {
			_, err := sqlstore.Open(context.Background(), tt.driver, tt.dsn)
			if err == nil || !strings.Contains(err.Error(), "not linked") || !strings.Contains(err.Error(), tt.wantImport) {
				t.Fatalf("Open without the driver: %v, want an error naming %s", err, tt.wantImport)
			}
		})
	}
}
