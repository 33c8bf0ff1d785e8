package lifecycle

import (
	"context"
	"iter"
	"time"
)

// DefaultPageSize is the number of records the All* iterators read from the
// Store at a time when the filter's Limit is zero.
const DefaultPageSize = 200

// InterviewCursor is a position in the listing order of interviews:
// CreatedAt, then ID. The zero value is the beginning.
type InterviewCursor struct {
	CreatedAt time.Time
	ID        string
}

// CursorOf returns the cursor just past iv.
func CursorOf(iv Interview) InterviewCursor {
	return InterviewCursor{CreatedAt: iv.CreatedAt, ID: iv.ID}
}

// IsZero reports whether c is the beginning.
func (c InterviewCursor) IsZero() bool { return c.CreatedAt.IsZero() && c.ID == "" }

// Before reports whether c sorts before iv, so iv is listed after c.
func (c InterviewCursor) Before(iv Interview) bool {
	if d := c.CreatedAt.Compare(iv.CreatedAt); d != 0 {
		return d < 0
	}
	return c.ID < iv.ID
}

// AllInterviews returns an iterator over the interviews matching f, oldest
// first, read from the Store a page at a time (f.Limit per page, default
// DefaultPageSize) by cursor (f.After advances past each page's last
// interview), so a listing of any size holds one page in memory and
// interviews created meanwhile are seen once or not at all, never twice.
// Iteration stops at the first error, which is yielded with a zero
// Interview.
func (e *Engine) AllInterviews(ctx context.Context, f InterviewFilter) iter.Seq2[Interview, error] {
	f.Limit = pageSize(f.Limit)
	return paged(f.Limit,
		func() ([]Interview, error) {
			ivs, err := e.store.Interviews(ctx, f)
			return redactInterviews(ivs), err
		},
		func(iv Interview) bool { return f.After.IsZero() || f.After.Before(iv) },
		func(iv Interview) { f.After = CursorOf(iv) })
}

// AllEffects returns an iterator over the outbox effects matching f in Seq
// order, read a page at a time (f.Limit per page, default
// DefaultPageSize) by cursor (f.AfterSeq). Iteration stops at the first
// error, which is yielded with a zero Effect.
func (e *Engine) AllEffects(ctx context.Context, f EffectFilter) iter.Seq2[Effect, error] {
	f.Limit = pageSize(f.Limit)
	return paged(f.Limit,
		func() ([]Effect, error) {
			effs, err := e.store.Effects(ctx, f)
			return redactEffects(effs), err
		},
		func(eff Effect) bool { return eff.Seq > f.AfterSeq },
		func(eff Effect) { f.AfterSeq = eff.Seq })
}

// AllPositions returns an iterator over the positions matching f in ID
// order, read a page at a time (f.Limit per page, default
// DefaultPageSize) by cursor (f.AfterID). Iteration stops at the first
// error, which is yielded with a zero Position.
func (e *Engine) AllPositions(ctx context.Context, f PositionFilter) iter.Seq2[Position, error] {
	f.Limit = pageSize(f.Limit)
	return paged(f.Limit,
		func() ([]Position, error) { return e.store.Positions(ctx, f) },
		func(p Position) bool { return p.ID > f.AfterID },
		func(p Position) { f.AfterID = p.ID })
}

// paged iterates over pages from fetch until a short page. Records a
// store returns at or before the cursor (one that ignores it) are
// skipped, and a page with nothing new ends the listing, so such a store
// cannot make the iterator loop or repeat itself.
func paged[T any](size int, fetch func() ([]T, error), isNew func(T) bool, advance func(T)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			page, err := fetch()
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			fresh := 0
			for _, v := range page {
				if !isNew(v) {
					continue
				}
				fresh++
				advance(v)
				if !yield(v, nil) {
					return
				}
			}
			if len(page) < size || fresh == 0 {
				return
			}
		}
	}
}

func pageSize(limit int) int {
	if limit > 0 {
		return limit
	}
	return DefaultPageSize
}
