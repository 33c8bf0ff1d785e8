package provider

import (
	"errors"
	"net/http"
	"strconv"
)

// Errors a backend returns to make the handler answer with the contract's
// error statuses. Wrap them with %w to add context; the context is logged,
// not sent to Workable.
var (
	// ErrNotFound means the interview or assessment does not exist for the
	// account. The handler answers 404.
	ErrNotFound = errors.New("provider: not found")
	// ErrConflict means the request conflicts with the current state, e.g.
	// the candidate already has an invitation. The handler answers 409.
	ErrConflict = errors.New("provider: conflict")
	// ErrInvalidToken is returned by a TokenResolver for a token it does not
	// know. The handler answers 401 Invalid Token.
	ErrInvalidToken = errors.New("provider: invalid token")
)

// Error is an error a backend returns to choose the status and the message
// Workable sees, e.g. &provider.Error{Status: 409, Message: "Entity is
// already updated"}. An Error with status 404 or 409 also matches ErrNotFound
// or ErrConflict under errors.Is.
type Error struct {
	// Status is the HTTP status, 400–599.
	Status int
	// Message is sent to Workable as is; keep it short and free of secrets.
	Message string
}

// Error implements error.
func (e *Error) Error() string {
	return "provider: " + strconv.Itoa(e.Status) + " " + e.Message
}

// Is reports whether target is the sentinel matching e's status.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrConflict:
		return e.Status == http.StatusConflict
	}
	return false
}

// writeError writes the contract's error document:
// {"status": 401, "message": "Invalid Token"}.
func writeError(w http.ResponseWriter, status int, message string) {
	b := make([]byte, 0, 32+len(message))
	b = append(b, `{"status":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, `,"message":`...)
	b = appendJSONString(b, message)
	b = append(b, '}')
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
