package greenhouse

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"strings"

	"github.com/atskit/atskit/internal/errfmt"
	"github.com/atskit/atskit/internal/httpx"
	"github.com/atskit/atskit/internal/paging"
)

// list returns every item of a v3 list endpoint. The first request carries
// q (filters and per_page); every later one is the Link rel="next" URL
// exactly as Greenhouse sent it, since "when you pass a cursor, it must be
// the only query parameter"
// (https://harvestdocs.greenhouse.io/docs/pagination). One page is held
// in memory at a time.
func list[T any](ctx context.Context, c *Client, op, path string, q url.Values) iter.Seq2[T, error] {
	return paging.Seq(ctx, func(ctx context.Context, next string) ([]T, string, error) {
		return fetchPage[T](ctx, c, op, path, q, next)
	})
}

// fetchPage fetches the first page (next == "") or the page at next.
func fetchPage[T any](ctx context.Context, c *Client, op, path string, q url.Values, next string) ([]T, string, error) {
	r := &httpx.Request{Op: op, Path: path, Query: q}
	if next != "" {
		r = &httpx.Request{Op: op, Path: next}
	}
	var items []T
	resp, err := c.do(ctx, r, nil)
	if err != nil {
		return nil, "", err
	}
	// Lists are bare JSON arrays; an object (or anything else) is an error,
	// not an empty page.
	body := strings.TrimSpace(string(resp.Body))
	if !strings.HasPrefix(body, "[") {
		return nil, "", fmt.Errorf("greenhouse: %s: expected a JSON array, got %s", op, describe(resp.Body))
	}
	if err := json.Unmarshal(resp.Body, &items); err != nil {
		return nil, "", errfmt.Errorf("greenhouse: %s: decoding page: %w", op, err)
	}
	// A Link target is a URI reference relative to the page that carried
	// it (RFC 8288 section 3.1); resolved, it passes the host rule like an
	// absolute one.
	link, err := resp.ResolveLink(NextLink(resp.Header.Values("Link")))
	if err != nil {
		return nil, "", errfmt.Errorf("greenhouse: %s: %w", op, err)
	}
	return items, link, nil
}

// all collects a list that is small by nature (stages of a few jobs,
// rejection reasons, tags).
func all[T any](ctx context.Context, c *Client, op, path string, q url.Values) ([]T, error) {
	return paging.Collect(list[T](ctx, c, op, path, q))
}

// NextLink returns the URL of the rel="next" link in RFC 8288 Link header
// values, or "" when there is none (the last page). Greenhouse sends only
// rel="next".
func NextLink(values []string) string {
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			part = strings.TrimSpace(part)
			if !strings.HasPrefix(part, "<") {
				continue
			}
			end := strings.Index(part, ">")
			if end < 0 {
				continue
			}
			target := part[1:end]
			for param := range strings.SplitSeq(part[end+1:], ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(param), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
					continue
				}
				for rel := range strings.FieldsSeq(strings.Trim(strings.TrimSpace(val), `"`)) {
					if strings.EqualFold(rel, "next") && target != "" {
						return target
					}
				}
			}
		}
	}
	return ""
}

// describe names the JSON type of a body for errors, never its content.
func describe(b []byte) string {
	s := strings.TrimSpace(string(b))
	switch {
	case s == "":
		return "an empty body"
	case s[0] == '{':
		return "a JSON object"
	case s[0] == '"':
		return "a JSON string"
	case s == "null":
		return "null"
	}
	return "a non-array value"
}
