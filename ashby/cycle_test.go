package ashby_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/atskit/atskit/ashby"
	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
)

// TestCursorCycle: a server whose nextCursor cycles (a buggy or hostile
// listing) ends the iteration with paging.ErrCursorCycle after one pass,
// instead of being followed until the context ends.
func TestCursorCycle(t *testing.T) {
	cases := []struct {
		name      string
		next      map[string]string // request cursor -> nextCursor
		wantCalls int64
	}{
		{"same cursor again", map[string]string{"": "A", "A": "A"}, 2},
		{"A -> B -> A", map[string]string{"": "A", "A": "B", "B": "A"}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				var req struct{ Cursor string }
				_ = json.Unmarshal(b, &req)
				n.Add(1)
				_ = json.NewEncoder(w).Encode(map[string]any{"success": true, "results": []any{}, "moreDataAvailable": true, "nextCursor": tc.next[req.Cursor]})
			}))
			defer srv.Close()
			c, err := ashby.NewClient(ashby.Options{APIKey: "k", BaseURL: srv.URL, RateLimit: -1})
			if err != nil {
				t.Fatal(err)
			}
			var last error
			for _, err := range c.Jobs(context.Background(), ats.ListJobsOptions{}) {
				last = err
			}
			if !errors.Is(last, paging.ErrCursorCycle) {
				t.Errorf("Jobs ended with %v; want paging.ErrCursorCycle", last)
			}
			if got := n.Load(); got != tc.wantCalls {
				t.Errorf("%d requests; want %d", got, tc.wantCalls)
			}
		})
	}
}
