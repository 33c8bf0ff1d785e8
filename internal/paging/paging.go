// Package paging turns page-at-a-time fetch functions into Go 1.23
// iterators that hold one page in memory at a time.
package paging

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
)

// ErrCursorCycle is wrapped by the error Seq yields when a page's next
// cursor (or next link) is one the iteration has already fetched: the
// server's paging loops (A → B → A), and following it would fetch the same
// pages forever.
var ErrCursorCycle = errors.New("paging: the next-page cursor repeats an earlier page's")

// FetchFunc fetches the page at cursor ("" for the first page) and returns
// its items and the cursor of the next page ("" when there is none).
type FetchFunc[T any] func(ctx context.Context, cursor string) (items []T, next string, err error)

// Seq returns an iterator over every item of every page. Pages are fetched
// lazily as the caller ranges; stopping the range early fetches nothing
// more. An error (including ctx's) is yielded once, as the last element.
// A next cursor seen before in this iteration (the current one or any
// earlier one) ends it with an error wrapping ErrCursorCycle rather than
// looping forever. Seen cursors are kept for the iteration's lifetime, one
// string per page fetched.
func Seq[T any](ctx context.Context, fetch FetchFunc[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		cursor := ""
		seen := map[string]struct{}{}
		for page := 1; ; page++ {
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			items, next, err := fetch(ctx, cursor)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next == "" {
				return
			}
			seen[cursor] = struct{}{}
			if _, ok := seen[next]; ok {
				yield(zero, fmt.Errorf("%w (page %d points back to %s); stopping instead of looping forever: the ATS's listing changed or is inconsistent, so list again later", ErrCursorCycle, page, describe(next)))
				return
			}
			cursor = next
		}
	}
}

// Collect drains seq into a slice, stopping at the first error.
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// describe names a cursor for an error without its query, which may carry
// filters or personal data (a next link's ?email=…), and at most 100 bytes.
func describe(cursor string) string {
	if i := strings.IndexByte(cursor, '?'); i >= 0 {
		cursor = cursor[:i] + "?…"
	}
	if len(cursor) > 100 {
		cursor = cursor[:100] + "…"
	}
	return fmt.Sprintf("%q", cursor)
}
