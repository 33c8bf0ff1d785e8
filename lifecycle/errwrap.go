package lifecycle

import (
	"fmt"
	"strings"
)

// prefix starts every error the package returns.
const prefix = "lifecycle: "

// wrappedError adds what was being done to an error without repeating the
// package prefix: "lifecycle: activate position p: position not ready: …"
// rather than "lifecycle: activate position p: lifecycle: position not
// ready: …". errors.Is and errors.As see the wrapped error.
type wrappedError struct {
	op  string
	err error
}

func (e *wrappedError) Error() string {
	return prefix + e.op + ": " + strings.TrimPrefix(e.err.Error(), prefix)
}

func (e *wrappedError) Unwrap() error { return e.err }

// wrapf returns err with the operation format (without the package
// prefix) in front; nil for a nil err.
func wrapf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &wrappedError{op: fmt.Sprintf(format, args...), err: err}
}
