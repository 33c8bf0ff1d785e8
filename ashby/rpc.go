package ashby

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/atskit/atskit/internal/errfmt"
	"github.com/atskit/atskit/internal/httpx"
	"github.com/atskit/atskit/internal/paging"
)

// errNoResults reports a success answer without the results field.
var errNoResults = errors.New(`success response has no "results" field`)

// call POSTs body to /<method> and decodes results into a T. Reads are
// marked idempotent so they are retried on transport errors and 5xx;
// writes are retried only where repeating cannot duplicate an effect.
func call[T any](ctx context.Context, c *Client, op, method string, body any, idempotent bool) (T, error) {
	var zero T
	env, err := post[T](ctx, c, op, method, body, idempotent)
	if err != nil {
		return zero, err
	}
	if env.Results == nil {
		return zero, errfmt.Errorf("ashby: %s: %w", op, errNoResults)
	}
	return *env.Results, nil
}

func post[T any](ctx context.Context, c *Client, op, method string, body any, idempotent bool) (*envelope[T], error) {
	if body == nil {
		body = struct{}{}
	}
	var env envelope[T]
	if _, err := c.hc.Do(ctx, &httpx.Request{Op: op, Method: "POST", Path: "/" + method, Body: body, Idempotent: idempotent}, &env); err != nil {
		return nil, classifyHTTPError(err)
	}
	if env.Success == nil {
		return nil, errfmt.Errorf("ashby: %s: %w", op, errors.New(`response has no "success" field`))
	}
	if !*env.Success {
		code, msg, reqID := env.code()
		return nil, envelopeError(op, code, msg, reqID)
	}
	return &env, nil
}

// ListOptions are the pagination and incremental-sync fields every Ashby
// list call takes (https://developers.ashbyhq.com/docs/pagination-and-incremental-sync).
type ListOptions struct {
	// Limit is the page size; zero uses DefaultPageSize. Ashby caps it.
	Limit int
	// SyncToken, from an earlier full listing's OnSyncToken, lists only
	// records changed since. When Ashby rejects it the listing yields an
	// error matching ErrResyncRequired: discard it and list again without.
	SyncToken string
	// CreatedAfter lists only records created after this many ms since
	// the epoch (zero: no filter).
	CreatedAfter int64
	// OnSyncToken, when set, receives the sync token Ashby returns with
	// the last page, to be stored for the next incremental sync.
	OnSyncToken func(token string)
}

type listBody struct {
	Limit        int    `json:"limit,omitempty"`
	Cursor       string `json:"cursor,omitempty"`
	SyncToken    string `json:"syncToken,omitempty"`
	CreatedAfter int64  `json:"createdAfter,omitempty"`
}

func (o ListOptions) body(cursor string) listBody {
	lim := o.Limit
	if lim <= 0 {
		lim = DefaultPageSize
	}
	return listBody{Limit: lim, Cursor: cursor, SyncToken: o.SyncToken, CreatedAfter: o.CreatedAfter}
}

// list pages through an Ashby list call. mk builds the request body for a
// cursor. One page is held in memory at a time.
func list[T any](ctx context.Context, c *Client, op, method string, o ListOptions, mk func(listBody) any) iter.Seq2[T, error] {
	return paging.Seq(ctx, func(ctx context.Context, cursor string) ([]T, string, error) {
		env, err := post[[]T](ctx, c, op, method, mk(o.body(cursor)), true)
		if err != nil {
			return nil, "", err
		}
		var items []T
		if env.Results != nil {
			items = *env.Results
		} else {
			return nil, "", errfmt.Errorf("ashby: %s: %w", op, errNoResults)
		}
		if env.MoreDataAvailable {
			if env.NextCursor == "" {
				return nil, "", fmt.Errorf("ashby: %s: moreDataAvailable without a nextCursor", op)
			}
			return items, env.NextCursor, nil
		}
		if env.SyncToken != "" && o.OnSyncToken != nil {
			o.OnSyncToken(env.SyncToken)
		}
		return items, "", nil
	})
}
