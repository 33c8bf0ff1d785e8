package sqlstore

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// maxRewrites bounds the cache of rewritten queries. The store's queries
// are a fixed set, plus a few shapes whose text depends on a count (a
// multi-row insert, a claim skipping n connections); past the bound a
// query is rewritten on every call, as before the cache.
const maxRewrites = 1024

// rewrites caches the PostgreSQL text of queries written with ?
// placeholders, so a hot path (accepting, claiming and finishing inbox
// events) does not rescan the same text on every call. The zero value is
// ready to use.
type rewrites struct {
	m sync.Map // query string → rewritten string
	n atomic.Int32
}

// q rewrites ? placeholders for the dialect: PostgreSQL numbers them ($1,
// $2, …); SQLite takes them as written. The store's queries hold no ? in
// string literals or comments.
func (s *Store) q(query string) string {
	if s.dialect != Postgres {
		return query
	}
	if r, ok := s.rewrites.m.Load(query); ok {
		return r.(string)
	}
	r := numberPlaceholders(query)
	if s.rewrites.n.Load() < maxRewrites {
		if _, loaded := s.rewrites.m.LoadOrStore(query, r); !loaded {
			s.rewrites.n.Add(1)
		}
	}
	return r
}

// numberPlaceholders replaces each ? in query with $1, $2, … in order.
func numberPlaceholders(query string) string {
	count := strings.Count(query, "?")
	if count == 0 {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 3*count)
	n := 0
	for {
		i := strings.IndexByte(query, '?')
		if i < 0 {
			b.WriteString(query)
			return b.String()
		}
		n++
		b.WriteString(query[:i])
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
		query = query[i+1:]
	}
}
