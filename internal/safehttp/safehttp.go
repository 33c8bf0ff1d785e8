// Package safehttp holds the small defences every atskit handler and
// client shares: reading an unauthenticated request body under a size
// limit and a read deadline, and bounding untrusted text before it reaches
// a log record or an error string.
package safehttp

import (
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// ReadBody reads r's body for a handler that must read it before it can
// authenticate the caller (or that must not let an authenticated caller
// hold a connection): at most limit bytes, and, when timeout is positive,
// within timeout of the call — a read deadline set on the connection
// through http.ResponseController, lifted again after the read so a
// kept-alive connection is not cut. On failure it returns the status to
// answer: 413 for a body over limit, 408 for one not read in time (the
// connection is then marked to close), 400 for any other read error.
// Writers that do not support deadlines (httptest.ResponseRecorder) are
// read without one.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64, timeout time.Duration) ([]byte, int) {
	if r.ContentLength > limit {
		return nil, http.StatusRequestEntityTooLarge
	}
	defer SetReadDeadline(w, timeout).Lift()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return nil, ReadErrorStatus(w, err)
	}
	return body, 0
}

// SetReadDeadline sets a read deadline timeout from now on w's connection
// (when timeout is positive and w supports it) and returns the deadline
// to Lift once the body is read. The writer that sets deadlines is found
// the way http.ResponseController finds it (w itself, or a writer reached
// through Unwrap), so setting and lifting the deadline allocates nothing,
// and a writer without deadlines (httptest.ResponseRecorder) costs nothing.
func SetReadDeadline(w http.ResponseWriter, timeout time.Duration) Deadline {
	if timeout <= 0 {
		return Deadline{}
	}
	d := readDeadlinerOf(w)
	if d == nil || d.SetReadDeadline(time.Now().Add(timeout)) != nil {
		return Deadline{}
	}
	return Deadline{d: d}
}

// readDeadlinerOf returns the writer in w's Unwrap chain that sets read
// deadlines, or nil, as http.ResponseController.SetReadDeadline looks it
// up.
func readDeadlinerOf(w http.ResponseWriter) readDeadliner {
	for {
		switch t := w.(type) {
		case readDeadliner:
			return t
		case interface{ Unwrap() http.ResponseWriter }:
			w = t.Unwrap()
		default:
			return nil
		}
	}
}

type readDeadliner interface {
	SetReadDeadline(time.Time) error
}

// Deadline is a read deadline set by SetReadDeadline.
type Deadline struct{ d readDeadliner }

// Lift removes the deadline, so the rest of the request (and a kept-alive
// connection) is not cut by it.
func (d Deadline) Lift() {
	if d.d != nil {
		_ = d.d.SetReadDeadline(time.Time{})
	}
}

// ReadErrorStatus maps an error from reading a request body (through
// http.MaxBytesReader, under a deadline from SetReadDeadline) to the
// status to answer: 413, 408 (marking the connection to close) or 400.
func ReadErrorStatus(w http.ResponseWriter, err error) int {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, os.ErrDeadlineExceeded):
		w.Header().Set("Connection", "close")
		return http.StatusRequestTimeout
	}
	return http.StatusBadRequest
}

// Bound returns s cut to at most n bytes on a rune boundary (with "…"
// marking a cut) and with invalid UTF-8 dropped, for log records and error
// texts that may quote untrusted input.
func Bound(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
