package lifecycle_test

import (
	"errors"
	"os"
	"testing"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/diagram"
)

// TestCanTransition checks every (from, to) pair against the table: listed
// pairs are legal, every other pair is refused.
func TestCanTransition(t *testing.T) {
	listed := map[[2]lifecycle.State]bool{}
	for _, tr := range lifecycle.Transitions() {
		listed[[2]lifecycle.State{tr.From, tr.To}] = true
	}
	froms := append([]lifecycle.State{""}, lifecycle.States()...)
	legal, refused := 0, 0
	for _, from := range froms {
		for _, to := range lifecycle.States() {
			want := listed[[2]lifecycle.State{from, to}]
			t.Run(string(from)+"->"+string(to), func(t *testing.T) {
				if got := lifecycle.CanTransition(from, to); got != want {
					t.Fatalf("CanTransition(%q, %q) = %v, want %v", from, to, got, want)
				}
			})
			if want {
				legal++
			} else {
				refused++
			}
		}
	}
	if legal != len(lifecycle.Transitions()) {
		t.Errorf("table has %d entries but %d distinct legal pairs", len(lifecycle.Transitions()), legal)
	}
	t.Logf("%d legal, %d refused transitions", legal, refused)
}

func TestTerminalStates(t *testing.T) {
	for _, s := range []lifecycle.State{lifecycle.StateReported} {
		for _, to := range lifecycle.States() {
			if lifecycle.CanTransition(s, to) {
				t.Errorf("%s is terminal but may move to %s", s, to)
			}
		}
	}
	for _, s := range lifecycle.States() {
		if s.Live() && s.Restartable() {
			t.Errorf("%s is both live and restartable", s)
		}
	}
}

func TestTransitionError(t *testing.T) {
	var err error = &lifecycle.TransitionError{From: lifecycle.StateReported, To: lifecycle.StateCancelled, Interview: "iv_1"}
	if !errors.Is(err, lifecycle.ErrIllegalTransition) {
		t.Fatal("errors.Is(ErrIllegalTransition) = false")
	}
	var te *lifecycle.TransitionError
	if !errors.As(err, &te) || te.From != lifecycle.StateReported || te.To != lifecycle.StateCancelled || te.Interview != "iv_1" {
		t.Fatalf("errors.As = %+v", te)
	}
	if got, want := err.Error(), "lifecycle: interview iv_1: illegal transition reported -> cancelled"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}

// TestDiagramUpToDate fails when diagram.md or the package docs drift from
// the transition table; run `go generate ./lifecycle` to fix.
func TestDiagramUpToDate(t *testing.T) {
	m := lifecycle.Mermaid()
	md, err := os.ReadFile("diagram.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(md) != diagram.Markdown(m) {
		t.Error("diagram.md is stale: run go generate ./lifecycle")
	}
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	want, err := diagram.Splice(string(doc), m)
	if err != nil {
		t.Fatal(err)
	}
	if string(doc) != want {
		t.Error("doc.go diagram is stale: run go generate ./lifecycle")
	}
}
