package provider

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMemoryBackendArena checks that invitations kept in the backend's
// arena come back intact however they fall: many small ones spanning
// several arenas, and ones too large for an arena, between them.
func TestMemoryBackendArena(t *testing.T) {
	tests := []struct {
		name  string
		count int
		size  int // bytes of the job title
	}{
		{"one small", 1, 10},
		{"many small, several arenas", 3 * memArenaSize / 100, 60},
		{"larger than an arena holds", 3, memArenaMax + 1},
		{"larger than an arena", 2, memArenaSize + 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMemoryBackend(MemoryBackendOptions{})
			var want []CreateInterviewRequest
			for i := range tt.count {
				req := CreateInterviewRequest{
					InterviewTemplateID: "t" + strconv.Itoa(i),
					JobTitle:            strings.Repeat(string(rune('a'+i%26)), tt.size),
					CallbackURL:         "https://a.example/cb/" + strconv.Itoa(i),
					Candidate:           Candidate{FirstName: "Ada", Email: "ada" + strconv.Itoa(i) + "@example.com"},
					Preferences:         map[string]any{"k": strconv.Itoa(i)},
				}
				// A small one between large ones shares an arena with
				// neither.
				if tt.size > memArenaMax && i%2 == 1 {
					req.JobTitle = "small"
				}
				id, err := m.CreateInterview(context.Background(), "acct", req)
				if err != nil {
					t.Fatal(err)
				}
				if wantID := "iv_" + strconv.Itoa(i+1); id != wantID {
					t.Fatalf("id = %q, want %q", id, wantID)
				}
				want = append(want, req)
			}
			got := m.Invitations()
			if len(got) != len(want) {
				t.Fatalf("%d invitations, want %d", len(got), len(want))
			}
			for i, inv := range got {
				g := CreateInterviewRequest{
					InterviewTemplateID: inv.TemplateID, JobID: inv.JobID, JobShortcode: inv.JobShortcode,
					JobTitle: inv.JobTitle, CallbackURL: inv.CallbackURL, Candidate: inv.Candidate, Preferences: inv.Preferences,
				}
				if diff := cmp.Diff(want[i], g); diff != "" {
					t.Fatalf("invitation %d (-created +kept):\n%s", i, diff)
				}
			}
		})
	}
}
