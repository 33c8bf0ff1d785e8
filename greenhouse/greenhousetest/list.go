package greenhousetest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// cursor is what the fake encodes in its opaque cursors: the resource, the
// original filters and page size, and the last ID served.
type cursor struct {
	R  string     `json:"r"`
	Q  url.Values `json:"q"`
	PP int        `json:"pp"`
	A  int64      `json:"a"`
}

// listReq is a validated list request.
type listReq struct {
	q       url.Values
	perPage int
	after   int64
}

// parseList validates a list request of resource: a cursor must be the
// only query parameter; otherwise per_page must be 1–500 and each ids or
// *_ids filter at most 50 integers. It answers errors itself.
func (s *Server) parseList(w http.ResponseWriter, r *http.Request, resource string) (listReq, bool) {
	raw := r.URL.Query()
	if raw.Has("cursor") {
		if len(raw) > 1 || len(raw["cursor"]) > 1 {
			writeError(w, s.cfg.cursorStatus, "When you pass a cursor, it must be the only query parameter", errorField{Field: "cursor", Message: "must be the only query parameter"})
			return listReq{}, false
		}
		var c cursor
		b, err := base64.RawURLEncoding.DecodeString(raw.Get("cursor"))
		if err != nil || json.Unmarshal(b, &c) != nil || c.R != resource || c.PP < 1 {
			invalid(w, "cursor", "is not a valid cursor for this endpoint")
			return listReq{}, false
		}
		return listReq{q: c.Q, perPage: c.PP, after: c.A}, true
	}
	lr := listReq{q: url.Values{}, perPage: 100}
	for k, vs := range raw {
		v := vs[len(vs)-1]
		switch {
		case k == "per_page":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 500 {
				invalid(w, "per_page", "must be an integer from 1 to 500")
				return listReq{}, false
			}
			lr.perPage = n
			continue
		case k == "ids" || strings.HasSuffix(k, "_ids"):
			parts := strings.Split(v, ",")
			if len(parts) > 50 {
				invalid(w, k, "may hold at most 50 IDs")
				return listReq{}, false
			}
			for _, p := range parts {
				if _, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64); err != nil {
					invalid(w, k, "must be a comma-separated list of integer IDs")
					return listReq{}, false
				}
			}
		}
		lr.q[k] = vs
	}
	return lr, true
}

// idSet returns the IDs of filter key, or nil when the filter is absent.
func idSet(q url.Values, key string) map[int64]bool {
	if !q.Has(key) {
		return nil
	}
	m := map[int64]bool{}
	for p := range strings.SplitSeq(q.Get(key), ",") {
		n, _ := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		m[n] = true
	}
	return m
}

// page collects up to lr.perPage rendered items whose ID follows lr.after
// in ids (ascending), and the cursor of the next page ("" on the last).
// The caller holds s.mu.
func (s *Server) page(resource string, lr listReq, ids []int64, render func(id int64) (any, bool)) ([]any, string) {
	start := sort.Search(len(ids), func(i int) bool { return ids[i] > lr.after })
	items := make([]any, 0, min(lr.perPage, 64))
	var last int64
	for i := start; i < len(ids); i++ {
		obj, ok := render(ids[i])
		if !ok {
			continue
		}
		if len(items) == lr.perPage {
			b, _ := json.Marshal(cursor{R: resource, Q: lr.q, PP: lr.perPage, A: last})
			return items, base64.RawURLEncoding.EncodeToString(b)
		}
		items = append(items, obj)
		last = ids[i]
	}
	return items, ""
}

// writePage answers a list: a bare JSON array and, when more follows, a
// Link header with only rel="next".
func (s *Server) writePage(w http.ResponseWriter, resource string, items []any, next string) {
	if next != "" {
		w.Header().Set("Link", fmt.Sprintf("<%s/%s?cursor=%s>; rel=\"next\"", s.URL, resource, next))
	}
	writeJSON(w, http.StatusOK, items)
}

// timeRange is a parsed gte/lte/gt/lt filter.
type timeRange struct{ gte, lte, gt, lt time.Time }

// parseRange reads a date-time range filter. The OpenAPI declares it a
// pipe-delimited object (key=gte|<t>|lte|<t>); the bracket form
// key[gte]=<t> that other clients send is accepted too.
func parseRange(q url.Values, key string) (timeRange, bool, error) {
	var tr timeRange
	set := func(op, v string) error {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return fmt.Errorf("%s: %q is not an ISO 8601 date-time", key, v)
		}
		switch op {
		case "gte":
			tr.gte = t
		case "lte":
			tr.lte = t
		case "gt":
			tr.gt = t
		case "lt":
			tr.lt = t
		default:
			return fmt.Errorf("%s: unknown operator %q (gte, lte, gt, lt)", key, op)
		}
		return nil
	}
	found := false
	if v := q.Get(key); v != "" {
		found = true
		parts := strings.Split(v, "|")
		if len(parts)%2 != 0 {
			return tr, false, fmt.Errorf("%s: expected operator|value pairs", key)
		}
		for i := 0; i < len(parts); i += 2 {
			if err := set(parts[i], parts[i+1]); err != nil {
				return tr, false, err
			}
		}
	}
	for _, op := range []string{"gte", "lte", "gt", "lt"} {
		if v := q.Get(key + "[" + op + "]"); v != "" {
			found = true
			if err := set(op, v); err != nil {
				return tr, false, err
			}
		}
	}
	return tr, found, nil
}

func (tr timeRange) has(t time.Time) bool {
	return (tr.gte.IsZero() || !t.Before(tr.gte)) && (tr.lte.IsZero() || !t.After(tr.lte)) &&
		(tr.gt.IsZero() || t.After(tr.gt)) && (tr.lt.IsZero() || t.Before(tr.lt))
}

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// narrow returns the IDs a listing must scan: all of them, or only the
// requested ones that exist (sorted) when an ids filter is present, so a lookup by
// ids costs what it returns rather than the size of the account.
func narrow[T any](ids map[int64]bool, all []int64, records map[int64]*T) []int64 {
	if ids == nil {
		return all
	}
	out := make([]int64, 0, len(ids))
	for id := range ids {
		if records[id] != nil {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}
