package sqlstore

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNumberPlaceholders(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"SELECT 1", "SELECT 1"},
		{"SELECT ?", "SELECT $1"},
		{"a = ? AND b IN (?, ?)", "a = $1 AND b IN ($2, $3)"},
		{"??", "$1$2"},
		{"é = ? ü", "é = $1 ü"},
		{"bad \xff = ?", "bad \xff = $1"}, // bytes kept as they are
	} {
		t.Run(tc.in, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, numberPlaceholders(tc.in)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	t.Run("ten and more", func(t *testing.T) {
		in, want := "", ""
		for i := 1; i <= 12; i++ {
			in += "?,"
			want += fmt.Sprintf("$%d,", i)
		}
		if diff := cmp.Diff(want, numberPlaceholders(in)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

// TestQCache: q returns the same text from the cache as rewritten, keeps
// SQLite's text as written, and stops caching at maxRewrites.
func TestQCache(t *testing.T) {
	pg := &Store{dialect: Postgres}
	for range 2 {
		if diff := cmp.Diff("x = $1 AND y = $2", pg.q("x = ? AND y = ?")); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	}
	for i := range maxRewrites + 10 {
		if got, want := pg.q(fmt.Sprintf("q%d = ?", i)), fmt.Sprintf("q%d = $1", i); got != want {
			t.Fatalf("q = %q, want %q", got, want)
		}
	}
	if n := pg.rewrites.n.Load(); n != maxRewrites {
		t.Errorf("%d queries cached, want the bound %d", n, maxRewrites)
	}
	lite := &Store{dialect: SQLite}
	if diff := cmp.Diff("x = ?", lite.q("x = ?")); diff != "" {
		t.Errorf("SQLite (-want +got):\n%s", diff)
	}
}

func BenchmarkQ(b *testing.B) {
	const query = `UPDATE atskit_inbox SET state = ?, attempts = ?, claimed_by = '', lease_until = 0, last_error = ?, done_at = ?
			WHERE id = ? AND claimed_by = ? AND state = 'pending'`
	b.Run("rewrite", func(b *testing.B) {
		for b.Loop() {
			numberPlaceholders(query)
		}
	})
	b.Run("cached", func(b *testing.B) {
		s := &Store{dialect: Postgres}
		for b.Loop() {
			s.q(query)
		}
	})
}
