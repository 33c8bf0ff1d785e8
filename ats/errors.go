package ats

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors for errors.Is. Adapter errors match them through
// (*APIError).Is, so callers never compare status codes themselves.
var (
	ErrNotFound     = errors.New("ats: not found")
	ErrUnauthorized = errors.New("ats: unauthorized")
	ErrForbidden    = errors.New("ats: forbidden")
	ErrRateLimited  = errors.New("ats: rate limited")
	ErrValidation   = errors.New("ats: validation failed")
	ErrConflict     = errors.New("ats: conflict")
)

// APIError is an error response from an ATS. It carries the HTTP status and
// the ATS's own message; it never carries credentials.
type APIError struct {
	// ATS names the service, e.g. "workable".
	ATS string
	// Op describes what was attempted, e.g. "move candidate 3fc9a80f".
	Op string
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Code is the ATS's machine-readable error code, when it sends one.
	Code string
	// Message is the ATS's human-readable message.
	Message string
	// RequestID is the ATS's request identifier, when it sends one.
	RequestID string
}

// Error implements error, e.g.
// "workable: move candidate 3fc9a80f: 422 Unprocessable Entity: target_stage is not a stage of job GROOV005".
func (e *APIError) Error() string {
	var b strings.Builder
	if e.ATS != "" {
		b.WriteString(e.ATS)
		b.WriteString(": ")
	}
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Code != "" {
		b.WriteString(" (")
		b.WriteString(e.Code)
		b.WriteString(")")
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Is reports whether the error's status matches one of the sentinel errors.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound || e.StatusCode == http.StatusGone
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrValidation:
		return e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	}
	return false
}

// Temporary reports whether retrying the same call later may succeed:
// rate limits, request timeouts and server errors.
func (e *APIError) Temporary() bool {
	return e.StatusCode == http.StatusTooManyRequests ||
		e.StatusCode == http.StatusRequestTimeout ||
		e.StatusCode >= 500
}

// RateLimitError is returned when the ATS answered 429 and the client gave
// up retrying. RetryAfter is how long the ATS asked callers to wait (zero
// when it did not say).
type RateLimitError struct {
	Err        *APIError
	RetryAfter time.Duration
}

// Error implements error.
func (e *RateLimitError) Error() string {
	if e.RetryAfter > 0 {
		return fmt.Sprintf("%v (retry after %v)", e.Err, e.RetryAfter)
	}
	return e.Err.Error()
}

// Unwrap returns the underlying *APIError.
func (e *RateLimitError) Unwrap() error { return e.Err }

// Is reports true for ErrRateLimited.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// FieldError is one invalid field in a request.
type FieldError struct {
	// Field is the offending field, e.g. "target_stage" or "candidate.email".
	Field string
	// Message says what is wrong with it.
	Message string
}

// Error implements error.
func (f FieldError) Error() string {
	if f.Field == "" {
		return f.Message
	}
	return f.Field + ": " + f.Message
}

// ValidationError is returned when the ATS (or the adapter, before sending)
// rejected a request's content. Fields lists the offending fields when known.
type ValidationError struct {
	// Err is the ATS's response; nil when the adapter refused the request
	// itself before sending it.
	Err *APIError
	// Op describes the attempted call when Err is nil.
	Op     string
	Fields []FieldError
}

// Error implements error.
func (e *ValidationError) Error() string {
	var b strings.Builder
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("ats: ")
		if e.Op != "" {
			b.WriteString(e.Op)
			b.WriteString(": ")
		}
		b.WriteString("invalid request")
	}
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.Error())
	}
	return b.String()
}

// Unwrap returns the underlying *APIError, if any.
func (e *ValidationError) Unwrap() error {
	if e.Err == nil {
		return nil
	}
	return e.Err
}

// Is reports true for ErrValidation.
func (e *ValidationError) Is(target error) bool { return target == ErrValidation }

// RetryAfter reports how long the ATS asked the caller to wait before
// retrying, if err carries a rate limit.
func RetryAfter(err error) (time.Duration, bool) {
	var rl *RateLimitError
	if errors.As(err, &rl) {
		return rl.RetryAfter, true
	}
	return 0, false
}

// IsPermanent reports whether err is an ATS answer that retrying the same
// request cannot change: not found, unauthorized, forbidden, validation and
// conflict errors, and any other 4xx except 408 and 429. Transport errors,
// timeouts, 429s and 5xx are not permanent.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return true
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return !ae.Temporary() && ae.StatusCode >= 400
	}
	return false
}
