package lifecycle

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/atskit/atskit/ats"
)

// ErrInvalidUpdate is matched (errors.Is) by every *UpdateError.
var ErrInvalidUpdate = errors.New("lifecycle: invalid update")

// UpdateError is returned by Engine.Report for an update that lacks what
// its note needs. Nothing was applied.
type UpdateError struct {
	Kind UpdateKind
	// Field is the Update field that is missing: "At" (scheduled,
	// rescheduled), "Link" (invited) or "Result" (completed).
	Field string
}

// Error implements error.
func (e *UpdateError) Error() string {
	return fmt.Sprintf("lifecycle: %s update without %s: set Update.%s", e.Kind, e.Field, e.Field)
}

// Is reports true for ErrInvalidUpdate.
func (e *UpdateError) Is(target error) bool { return target == ErrInvalidUpdate }

// validate returns an *UpdateError when u lacks a field its note needs.
func (u Update) validate() error {
	var field string
	switch {
	case (u.Kind == UpdateScheduled || u.Kind == UpdateRescheduled) && u.At.IsZero():
		field = "At"
	case u.Kind == UpdateInvited && u.Link == "":
		field = "Link"
	case u.Kind == UpdateCompleted && u.Result == nil:
		field = "Result"
	default:
		return nil
	}
	return &UpdateError{Kind: u.Kind, Field: field}
}

// ErrResultConflict is matched (errors.Is) by every *ResultConflictError.
var ErrResultConflict = errors.New("lifecycle: a different result was already reported")

// ResultConflictError is returned by Engine.Report for a second completion
// whose result differs from the one already applied: the first result was
// posted to the ATS and is kept; the host decides what to do with the
// second (e.g. tell the recruiter). The same result again is a harmless
// redelivery and returns nil.
type ResultConflictError struct {
	Interview string
}

// Error implements error.
func (e *ResultConflictError) Error() string {
	return fmt.Sprintf("lifecycle: interview %s already has a different result; the first one stands", e.Interview)
}

// Is reports true for ErrResultConflict.
func (e *ResultConflictError) Is(target error) bool { return target == ErrResultConflict }

// sameResult reports whether a and b report the same outcome.
func sameResult(a, b *ats.Result) bool {
	if a == nil || b == nil {
		return a == b
	}
	return reflect.DeepEqual(*a, *b)
}
