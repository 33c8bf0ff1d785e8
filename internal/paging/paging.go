// Package paging turns page-at-a-time fetch functions into Go 1.23
// iterators that hold one page in memory at a time.
package paging

import (
	"context"
	"fmt"
	"iter"
)

// FetchFunc fetches the page at cursor ("" for the first page) and returns
// its items and the cursor of the next page ("" when there is none).
type FetchFunc[T any] func(ctx context.Context, cursor string) (items []T, next string, err error)

// Seq returns an iterator over every item of every page. Pages are fetched
// lazily as the caller ranges; stopping the range early fetches nothing
// more. An error (including ctx's) is yielded once, as the last element.
// A next cursor equal to the current one is reported as an error rather
// than looping forever.
func Seq[T any](ctx context.Context, fetch FetchFunc[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		cursor := ""
		for {
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
			if next == cursor {
				yield(zero, fmt.Errorf("paging: next-page cursor %q repeats; stopping to avoid an endless loop", next))
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
