// Package errfmt formats errors that name their package once.
//
// A package's errors start with its name ("lifecycle: "), and wrapping one
// of them in another ("lifecycle: activate position p: %w") would repeat
// it: "lifecycle: activate position p: lifecycle: position not ready".
// Errorf keeps the first prefix and drops the repeats, so the message reads
// as one sentence; errors.Is and errors.As still see every wrapped error.
package errfmt

import (
	"fmt"
	"strings"
)

// Errorf is fmt.Errorf whose message carries the format's package prefix
// (the text up to and including the first ": ", e.g. "lifecycle: ") once:
// later occurrences of it, from wrapped errors of the same package, are
// removed. The result unwraps to what fmt.Errorf returned, so %w works as
// usual.
func Errorf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	i := strings.Index(format, ": ")
	if i <= 0 || strings.ContainsAny(format[:i], "% ") {
		return err
	}
	prefix := format[:i+2]
	msg := err.Error()
	rest := msg[len(prefix):]
	if !strings.HasPrefix(msg, prefix) || !strings.Contains(rest, prefix) {
		return err
	}
	return &prefixed{msg: prefix + strings.ReplaceAll(rest, prefix, ""), err: err}
}

type prefixed struct {
	msg string
	err error
}

func (e *prefixed) Error() string { return e.msg }

func (e *prefixed) Unwrap() error { return e.err }
