package ashby_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ashby"
	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
)

var _ lifecycle.MarkedNoter = (*ashby.Client)(nil)

// TestAddMarkedNote: the note reaches Ashby as HTML that Ashby keeps
// (links clickable, text escaped), the key survives Ashby's stripping as
// an empty link nobody sees, and Notes returns it so the dispatcher finds
// the note; a key that is not a plain token is refused before any call.
func TestAddMarkedNote(t *testing.T) {
	tests := []struct {
		name, body, key string
		wantText        string // what a recruiter sees: the HTML without tags
		wantHTML        string
	}{
		{
			name: "text with a link", body: "Scheduled <Tuesday>.\nReschedule: https://v.example/r/1.", key: "fx_0a1b",
			wantText: "Scheduled &lt;Tuesday&gt;.\nReschedule: https://v.example/r/1.",
			wantHTML: `Scheduled &lt;Tuesday&gt;.` + "\n" + `Reschedule: <a href="https://v.example/r/1">https://v.example/r/1</a>.<a href="https://atskit.invalid/ref/fx_0a1b"></a>`,
		},
		{
			name: "plain text", body: "Done", key: "fx_ff",
			wantText: "Done",
			wantHTML: `Done<a href="https://atskit.invalid/ref/fx_ff"></a>`,
		},
	}
	tags := regexp.MustCompile(`<[^>]*>`)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			if err := f.c.AddMarkedNote(ctx(t), f.app.ID, ats.Note{Body: tc.body}, tc.key); err != nil {
				t.Fatal(err)
			}
			stored := f.srv.Notes(f.person.ID)
			if len(stored) != 1 {
				t.Fatalf("%d notes stored", len(stored))
			}
			if diff := cmp.Diff(tc.wantHTML, stored[0].Content); diff != "" {
				t.Errorf("stored HTML (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantText, tags.ReplaceAllString(stored[0].Content, "")); diff != "" {
				t.Errorf("visible text (-want +got):\n%s", diff)
			}
			notes, err := f.c.Notes(ctx(t), f.app.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(notes) != 1 || !strings.Contains(notes[0].Body, tc.key) {
				t.Errorf("Notes = %+v; want the key %q in the body", notes, tc.key)
			}
		})
	}
	t.Run("bad key", func(t *testing.T) {
		f := newFixture(t, nil)
		err := f.c.AddMarkedNote(ctx(t), f.app.ID, ats.Note{Body: "x"}, `"><script>`)
		if !errors.Is(err, ats.ErrValidation) {
			t.Fatalf("AddMarkedNote with a bad key = %v; want a validation error", err)
		}
		if n := len(f.srv.Notes(f.person.ID)); n != 0 {
			t.Errorf("%d notes stored", n)
		}
	})
}
