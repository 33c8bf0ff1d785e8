package ashbytest

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"time"
)

// listFields are the pagination fields every Ashby list call takes.
type listFields struct {
	Limit        *int   `json:"limit"`
	Cursor       string `json:"cursor"`
	SyncToken    string `json:"syncToken"`
	CreatedAfter *int64 `json:"createdAfter"`
}

// cursorState is what the fake encodes in a cursor: where the next page
// starts (After: the creation-order seq of the last record served, plus
// one), the revision an incremental sync started from, and the revision
// the listing started at (which becomes the final sync token). Ashby's
// cursors are opaque (a GAP in the reference); the fake reads them as
// naming the last record served, as Lever's and Greenhouse's do, not as a
// count of matches: a record that stops matching the filters between two
// pages (an application archived mid-listing) must not shift the next
// page past one that still matches.
type cursorState struct {
	Gen   int   `json:"g"`
	After int   `json:"n"`
	Since int64 `json:"s"`
	At    int64 `json:"a"`
}

type tokenState struct {
	Gen int   `json:"g"`
	Rev int64 `json:"r"`
}

func enc(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func dec(s string, v any) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && json.Unmarshal(b, v) == nil
}

// record is what a listed item offers the pager.
type record struct {
	seq     int // its index in creation order, among all its kind
	rev     int64
	created time.Time
	v       any // the item, passed to page's render
}

// page answers a list call over recs (in creation order). Caller holds
// s.mu. syncable says whether the endpoint takes syncToken.
func (s *Server) page(w http.ResponseWriter, lf listFields, recs []record, syncable bool, render func(any) any) {
	limit := s.pageCap
	if lf.Limit != nil {
		if *lf.Limit < 1 {
			writeFail(w, http.StatusOK, "invalid_input", "limit must be a positive integer")
			return
		}
		limit = min(*lf.Limit, s.pageCap) // Ashby caps silently
	}
	if lf.SyncToken != "" && !syncable {
		writeFail(w, http.StatusOK, "invalid_input", "This endpoint does not support syncToken")
		return
	}
	st := cursorState{Gen: s.cursorGen, At: s.d.rev}
	if lf.Cursor != "" {
		// A cursor without "n" (the fake's older, count-based form, or
		// another's) would restart the listing and repeat records.
		var has struct {
			After *int `json:"n"`
		}
		if !dec(lf.Cursor, &st) || !dec(lf.Cursor, &has) || has.After == nil || *has.After < 0 {
			writeFail(w, http.StatusOK, "invalid_next_cursor", "The cursor could not be decoded; restart the listing without a cursor")
			return
		}
		if st.Gen != s.cursorGen {
			writeFail(w, http.StatusOK, "next_cursor_expired", "The cursor has expired; restart the listing without a cursor")
			return
		}
	} else if lf.SyncToken != "" {
		var tk tokenState
		if !dec(lf.SyncToken, &tk) {
			writeFail(w, http.StatusOK, "sync_token_invalid", "The sync token could not be decoded; do a full sync without it")
			return
		}
		if tk.Gen != s.tokenGen {
			writeFail(w, http.StatusOK, "sync_token_expired", "The sync token has expired; do a full sync without it")
			return
		}
		st.Since = tk.Rev
	}
	sel := recs[:0]
	for _, r := range recs {
		if r.rev <= st.Since {
			continue
		}
		if lf.CreatedAfter != nil && !r.created.After(time.UnixMilli(*lf.CreatedAfter)) {
			continue
		}
		sel = append(sel, r)
	}
	if st.Since > 0 && s.incrLimit > 0 && len(sel) > s.incrLimit {
		writeFail(w, http.StatusOK, "incremental_sync_too_large", "Too many changes since the sync token; discard it and do a full sync")
		return
	}
	start, _ := slices.BinarySearchFunc(sel, st.After, func(r record, after int) int { return cmp.Compare(r.seq, after) })
	end := min(start+limit, len(sel))
	out := make([]any, 0, end-start)
	for _, r := range sel[start:end] {
		out = append(out, render(r.v))
	}
	extra := map[string]any{"moreDataAvailable": end < len(sel)}
	if end < len(sel) {
		next := st
		next.After = sel[end-1].seq + 1
		extra["nextCursor"] = enc(next)
	} else if syncable {
		extra["syncToken"] = enc(tokenState{Gen: s.tokenGen, Rev: st.At})
	}
	writeOK(w, out, extra)
}
