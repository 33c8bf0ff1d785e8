package safehttp

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// deadlineWriter records the read deadlines set on it.
type deadlineWriter struct {
	http.ResponseWriter
	set []time.Time
}

func (d *deadlineWriter) SetReadDeadline(t time.Time) error { d.set = append(d.set, t); return nil }

// wrapper hides a writer behind Unwrap, as middleware does.
type wrapper struct{ http.ResponseWriter }

func (w wrapper) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// TestSetReadDeadline: the deadline reaches the writer that sets deadlines,
// directly or through Unwrap, and Lift clears it; a writer without
// deadlines costs no allocation (http.ResponseController would build an
// error for it on every request).
func TestSetReadDeadline(t *testing.T) {
	tests := []struct {
		name string
		wrap func(*deadlineWriter) http.ResponseWriter
	}{
		{"direct", func(d *deadlineWriter) http.ResponseWriter { return d }},
		{"through Unwrap", func(d *deadlineWriter) http.ResponseWriter { return wrapper{wrapper{d}} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &deadlineWriter{ResponseWriter: httptest.NewRecorder()}
			before := time.Now()
			SetReadDeadline(tc.wrap(d), time.Minute).Lift()
			if len(d.set) != 2 || d.set[0].Before(before.Add(time.Minute)) {
				t.Fatalf("deadlines set %v, want one a minute from now, then zero", d.set)
			}
			if diff := cmp.Diff(time.Time{}, d.set[1]); diff != "" {
				t.Errorf("Lift set (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("unsupported writer", func(t *testing.T) {
		var w http.ResponseWriter = wrapper{httptest.NewRecorder()}
		if allocs := testing.AllocsPerRun(100, func() { SetReadDeadline(w, time.Minute).Lift() }); allocs != 0 {
			t.Errorf("%.1f allocations for a writer without deadlines, want 0", allocs)
		}
	})
}
