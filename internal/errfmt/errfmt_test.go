package errfmt

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var errNotReady = errors.New("lifecycle: position not ready")

func TestErrorf(t *testing.T) {
	pathErr := &fs.PathError{Op: "open", Path: "/x.db", Err: fs.ErrNotExist}
	for _, tt := range []struct {
		name   string
		err    error
		want   string
		target error
	}{
		{"repeated prefix dropped", Errorf("lifecycle: activate position %s: %w: not configured", "p1", errNotReady),
			"lifecycle: activate position p1: position not ready: not configured", errNotReady},
		{"twice nested", Errorf("lifecycle: a: %w", Errorf("lifecycle: b: %w", errNotReady)),
			"lifecycle: a: b: position not ready", errNotReady},
		{"other package's prefix kept", Errorf("sqlstore: migrate %s: %w", "/x.db", pathErr),
			"sqlstore: migrate /x.db: open /x.db: file does not exist", fs.ErrNotExist},
		{"no prefix in format", Errorf("%w", errNotReady), "lifecycle: position not ready", errNotReady},
		{"two wrapped errors", Errorf("lifecycle: a: %w: %w", errNotReady, errNotReady),
			"lifecycle: a: position not ready: position not ready", errNotReady},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, tt.err.Error()); d != "" {
				t.Errorf("message (-want +got):\n%s", d)
			}
			if !errors.Is(tt.err, tt.target) {
				t.Errorf("errors.Is(%v, %v) = false", tt.err, tt.target)
			}
		})
	}
	var pe *fs.PathError
	if !errors.As(Errorf("lifecycle: x: %w", Errorf("lifecycle: y: %w", pathErr)), &pe) || pe.Path != "/x.db" {
		t.Errorf("errors.As lost the *fs.PathError: %v", pe)
	}
}
