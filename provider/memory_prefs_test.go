package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMemoryBackendKeepsPreferences checks that preferences come back from
// Invitation as they were given, whether all strings (kept in the packed
// text) or mixed (kept as values).
func TestMemoryBackendKeepsPreferences(t *testing.T) {
	tests := []struct {
		name  string
		prefs map[string]any
	}{
		{"none", nil},
		{"empty", map[string]any{}},
		{"one string", map[string]any{"key": "value"}},
		{"empty key and value", map[string]any{"": ""}},
		{"many strings", map[string]any{"a": "1", "bb": "22", "ccc": "333", "long": strings.Repeat("é", 300)}},
		{"mixed", map[string]any{"s": "x", "n": 1.5, "b": true, "z": nil}},
		{"nested", map[string]any{"o": map[string]any{"k": "v"}, "s": "t"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMemoryBackend(MemoryBackendOptions{})
			id, err := m.CreateInterview(context.Background(), "acct", CreateInterviewRequest{
				InterviewTemplateID: "t", JobID: "j", CallbackURL: "https://a.example/cb",
				Candidate: Candidate{FirstName: "Ada", Email: "ada@example.com"}, Preferences: tt.prefs,
			})
			if err != nil {
				t.Fatal(err)
			}
			inv, ok := m.Invitation(id)
			if !ok {
				t.Fatalf("Invitation(%q) not found", id)
			}
			if diff := cmp.Diff(tt.prefs, inv.Preferences); diff != "" {
				t.Errorf("preferences (-given +kept):\n%s", diff)
			}
			if (tt.prefs == nil) != (inv.Preferences == nil) {
				t.Errorf("preferences nil = %v, want %v", inv.Preferences == nil, tt.prefs == nil)
			}
			want := Candidate{FirstName: "Ada", Email: "ada@example.com"}
			if diff := cmp.Diff(want, inv.Candidate); diff != "" {
				t.Errorf("candidate (-want +got):\n%s", diff)
			}
			if inv.CallbackURL != "https://a.example/cb" || inv.TemplateID != "t" || inv.JobID != "j" {
				t.Errorf("fields = %q %q %q", inv.CallbackURL, inv.TemplateID, inv.JobID)
			}
		})
	}
}
