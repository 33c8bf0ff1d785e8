package lifecycle_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/fakeats"
	"github.com/atskit/atskit/lifecycle/memstore"
)

func TestPermanentKeepsChain(t *testing.T) {
	err := lifecycle.Permanent(fmt.Errorf("acme vendor: %w", lifecycle.ErrInsufficientCredits))
	if !errors.Is(err, lifecycle.ErrInsufficientCredits) {
		t.Error("errors.Is lost ErrInsufficientCredits")
	}
	var p interface{ Permanent() bool }
	if !errors.As(err, &p) || !p.Permanent() {
		t.Error("Permanent's error does not report Permanent() == true")
	}
	if lifecycle.Permanent(nil) != nil {
		t.Error("Permanent(nil) != nil")
	}
}

// TestVendorFailureNote: out of credits, wrapped as the docs say (not
// marked permanent), ends the interview unable-to-schedule at the first
// failure with a note in plain words; no Go error text reaches the note.
func TestVendorFailureNote(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantNote string
	}{
		{"out of credits", fmt.Errorf("acme-vendor: POST /interviews: 402: %w", lifecycle.ErrInsufficientCredits), "no credits left"},
		{"permanent other", lifecycle.Permanent(errors.New("acme-vendor: template tpl-9 not found")), "could not be created"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.Candidate("c1")
			h.Vendor.Fail("CreateInterview", tc.err)
			h.Move("c1", "interviewvector")
			h.Drain()
			if got := h.Only("c1").State; got != lifecycle.StateUnableToSchedule {
				t.Fatalf("state = %s, want unable_to_schedule after one failure", got)
			}
			notes := h.ATS.NotesOf("c1")
			if len(notes) == 0 {
				t.Fatal("no note posted")
			}
			last := notes[len(notes)-1]
			if !strings.Contains(last, tc.wantNote) {
				t.Errorf("note %q does not say %q", last, tc.wantNote)
			}
			if strings.Contains(last, "acme-vendor") || strings.Contains(last, "lifecycle:") {
				t.Errorf("note carries Go error text: %q", last)
			}
		})
	}
}

func TestNewRefusesUnusableOptions(t *testing.T) {
	a := fakeats.New()
	tests := []struct {
		name  string
		store lifecycle.Store
		opts  lifecycle.Options
		want  []string
	}{
		{"no vendor", memstore.New(), lifecycle.Options{Connector: lifecycle.NewMemoryConnector(map[string]ats.Adapter{"workable": a})}, []string{"Options.Vendor"}},
		{"no ATS", memstore.New(), lifecycle.Options{Vendor: fakeats.NewVendor()}, []string{"Options.Connector"}},
		{"nothing", nil, lifecycle.Options{}, []string{"store is nil", "Options.Vendor", "Options.Connector"}},
		{"usable", memstore.New(), lifecycle.Options{Vendor: fakeats.NewVendor(), Connector: lifecycle.NewMemoryConnector(map[string]ats.Adapter{"workable": a})}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := lifecycle.New(tc.store, tc.opts)
			if tc.want == nil {
				if err != nil || e == nil {
					t.Fatalf("New = %v, %v; want an engine", e, err)
				}
				return
			}
			if err == nil || e != nil {
				t.Fatalf("New = %v, %v; want an error", e, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}
