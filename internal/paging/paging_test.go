package paging

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// pages serves items 0..n-1 in pages of size, cursor = next offset.
func pages(n, size int, calls *int) FetchFunc[int] {
	return func(_ context.Context, cursor string) ([]int, string, error) {
		*calls++
		off := 0
		if cursor != "" {
			off, _ = strconv.Atoi(cursor)
		}
		var out []int
		for i := off; i < n && i < off+size; i++ {
			out = append(out, i)
		}
		next := ""
		if off+size < n {
			next = strconv.Itoa(off + size)
		}
		return out, next, nil
	}
}

func TestSeq(t *testing.T) {
	for _, tt := range []struct{ n, size, wantCalls int }{{0, 3, 1}, {3, 3, 1}, {7, 3, 3}, {9, 3, 3}} {
		t.Run(fmt.Sprint(tt.n, "/", tt.size), func(t *testing.T) {
			calls := 0
			got, err := Collect(Seq(context.Background(), pages(tt.n, tt.size, &calls)))
			if err != nil {
				t.Fatal(err)
			}
			want := []int{}
			for i := range tt.n {
				want = append(want, i)
			}
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("items = %v, want %v", got, want)
			}
			if calls != tt.wantCalls {
				t.Errorf("fetches = %d, want %d", calls, tt.wantCalls)
			}
		})
	}
}

func TestSeqStopsEarly(t *testing.T) {
	calls := 0
	for v, err := range Seq(context.Background(), pages(100, 10, &calls)) {
		if err != nil {
			t.Fatal(err)
		}
		if v == 12 {
			break
		}
	}
	if calls != 2 {
		t.Errorf("fetches = %d after stopping on the second page, want 2", calls)
	}
}

func TestSeqErrors(t *testing.T) {
	boom := errors.New("boom")
	fetch := func(_ context.Context, cursor string) ([]int, string, error) {
		if cursor == "" {
			return []int{1, 2}, "p2", nil
		}
		return nil, "", boom
	}
	got, err := Collect(Seq(context.Background(), fetch))
	if !errors.Is(err, boom) || !slices.Equal(got, []int{1, 2}) {
		t.Errorf("Collect = %v, %v; want [1 2], boom", got, err)
	}

	loop := func(context.Context, string) ([]int, string, error) { return []int{1}, "same", nil }
	if _, err := Collect(Seq(context.Background(), loop)); err == nil {
		t.Error("a repeating cursor did not stop the iteration")
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := 0
	if _, err := Collect(Seq(ctx, pages(10, 2, &calls))); !errors.Is(err, context.Canceled) || calls != 0 {
		t.Errorf("cancelled: err %v after %d fetches; want context.Canceled before any fetch", err, calls)
	}
}

// TestSeqCursorCycle: a cursor seen before, however far back, ends the
// iteration with ErrCursorCycle after one pass over the cycle; the error
// names the cursor without its query.
func TestSeqCursorCycle(t *testing.T) {
	cases := []struct {
		name      string
		next      map[string]string // cursor -> next cursor
		wantCalls int
		wantMsg   string
	}{
		{"repeat of the current cursor", map[string]string{"": "A", "A": "A"}, 2, `page 2 points back to "A"`},
		{"A -> B -> A", map[string]string{"": "A", "A": "B", "B": "A"}, 3, `page 3 points back to "A"`},
		{"back to the first page's links", map[string]string{"": "https://x.test/p?since=1&email=a@b.c", "https://x.test/p?since=1&email=a@b.c": "https://x.test/q", "https://x.test/q": "https://x.test/p?since=1&email=a@b.c"}, 3, `"https://x.test/p?…"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			fetch := func(_ context.Context, cursor string) ([]int, string, error) {
				calls++
				if calls > 100 {
					t.Fatal("still paging after 100 fetches")
				}
				return nil, tc.next[cursor], nil
			}
			_, err := Collect(Seq(context.Background(), fetch))
			if !errors.Is(err, ErrCursorCycle) {
				t.Fatalf("err = %v; want ErrCursorCycle", err)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) || strings.Contains(err.Error(), "a@b.c") {
				t.Errorf("err = %q; want it to say %q and not the query", err, tc.wantMsg)
			}
			if calls != tc.wantCalls {
				t.Errorf("fetches = %d; want %d", calls, tc.wantCalls)
			}
		})
	}
}
