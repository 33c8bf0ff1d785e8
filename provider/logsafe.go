package provider

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// errorAttrs describes a backend's error for the partner handlers' logs
// without its text: a backend's message may carry the candidate's name or
// e-mail, a query or a credential, so only the Go types along its wrap
// chain (at most maxErrorTypes, e.g. "*fmt.wrapError>*net.OpError") and
// whether it was a context cancellation or deadline are logged. The
// backend logs its own errors, with whatever detail it knows to be safe.
func errorAttrs(err error) slog.Attr {
	const maxErrorTypes = 4
	var types []string
	for e := err; e != nil && len(types) < maxErrorTypes; e = errors.Unwrap(e) {
		types = append(types, fmt.Sprintf("%T", e))
	}
	attrs := []any{slog.String("type", strings.Join(types, ">"))}
	switch {
	case errors.Is(err, context.Canceled):
		attrs = append(attrs, slog.String("cause", "context canceled"))
	case errors.Is(err, context.DeadlineExceeded):
		attrs = append(attrs, slog.String("cause", "context deadline exceeded"))
	}
	return slog.Group("error", attrs...)
}
