package lifecycle_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/lifecycle"
)

// TestPackageDefaultsAreCopies: the package's tables are returned as
// copies, so a caller changing one changes nothing for other callers or
// the engine.
func TestPackageDefaultsAreCopies(t *testing.T) {
	tests := []struct {
		name   string
		mutate func()
		read   func() any
	}{
		{"DefaultNotes", func() { lifecycle.DefaultNotes()[lifecycle.NoteInvited] = "changed" }, func() any { return lifecycle.DefaultNotes() }},
		{"States", func() { lifecycle.States()[0] = "changed" }, func() any { return lifecycle.States() }},
		{"Transitions", func() { lifecycle.Transitions()[0].To = "changed" }, func() any { return lifecycle.Transitions() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.read()
			tt.mutate()
			if diff := cmp.Diff(before, tt.read()); diff != "" {
				t.Errorf("changing the returned value changed the package's (-before +after):\n%s", diff)
			}
		})
	}
	if !lifecycle.CanTransition(lifecycle.StateRequested, lifecycle.StateInvited) {
		t.Error("CanTransition(requested, invited) is false after the tests changed their copies")
	}
}
