package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/atskit/atskit/lifecycle/sqlstore/sqlite"
)

// TestSQLiteSynchronousFull: a store from Open syncs every commit (FULL =
// 2), so a webhook acknowledged with 200 survives a power loss; a DSN
// that chooses otherwise is respected.
func TestSQLiteSynchronousFull(t *testing.T) {
	tests := []struct {
		name, query string
		want        int
	}{
		{"default", "", 2},
		{"host chose NORMAL", "?_pragma=synchronous(NORMAL)", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "a.db")+tt.query)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			var got int
			if err := s.DB().QueryRowContext(context.Background(), `PRAGMA synchronous`).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("PRAGMA synchronous = %d, want %d", got, tt.want)
			}
		})
	}
}
