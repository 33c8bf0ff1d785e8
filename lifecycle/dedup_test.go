package lifecycle_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/internal/fakeats"
	"github.com/atskit/atskit/lifecycle/memstore"
)

// errAnswerLost is what a client reports when its per-attempt timeout
// fires while the ATS is still answering: the write may have landed.
var errAnswerLost = errors.New(`Post "https://ats.example/notes": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`)

// hidingATS is an ATS whose notes can hide content (lifecycle.MarkedNoter),
// as Ashby's HTML notes can: the key is kept out of the visible text and
// listed with the note. The first lost calls of AddMarkedNote store the
// note and then report errAnswerLost.
type hidingATS struct {
	*fakeats.ATS
	mu      sync.Mutex
	visible map[string][]string // candidate -> visible note texts
	keys    map[string][]string // candidate -> hidden keys
	lost    int
}

func newHidingATS(f *fakeats.ATS, lost int) *hidingATS {
	return &hidingATS{ATS: f, visible: map[string][]string{}, keys: map[string][]string{}, lost: lost}
}

func (a *hidingATS) AddMarkedNote(_ context.Context, id string, n ats.Note, key string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.visible[id] = append(a.visible[id], n.Body)
	a.keys[id] = append(a.keys[id], key)
	if a.lost > 0 {
		a.lost--
		return errAnswerLost
	}
	return nil
}

func (a *hidingATS) Notes(_ context.Context, id string) ([]ats.Note, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []ats.Note
	for i, b := range a.visible[id] {
		out = append(out, ats.Note{Body: b + `<a href="https://atskit.invalid/ref/` + a.keys[id][i] + `"></a>`})
	}
	return out, nil
}

func (a *hidingATS) texts(id string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.visible[id]...)
}

const invitedNote = "InterviewVector: Ada c1 was invited to the Technical interview. Scheduling link: https://v.example/s"

// TestNoteMarkerVisibleOrHidden: notes on an ATS that cannot hide content end in the
// visible marker — the default or Options.NoteMarker's — and an adapter
// that can hide it (lifecycle.MarkedNoter) gets the note without any
// marker text, the key out of sight.
func TestNoteMarkerVisibleOrHidden(t *testing.T) {
	tests := []struct {
		name   string
		marker func(string) string
		hiding bool
		// want returns the expected note texts given the effect ID.
		want func(id string) string
	}{
		{"default visible marker", nil, false, func(id string) string { return invitedNote + "\n\n[ref " + id + "]" }},
		{"custom visible marker", func(id string) string { return "· " + id }, false, func(id string) string { return invitedNote + "\n\n· " + id }},
		{"hidden where the ATS can hide it", nil, true, func(string) string { return invitedNote }},
		{"hidden even with a custom marker", func(id string) string { return "· " + id }, true, func(string) string { return invitedNote }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			opts := h.Options()
			opts.NoteMarker = tc.marker
			var hider *hidingATS
			if tc.hiding {
				hider = newHidingATS(h.ATS, 0)
				opts.Connector = lifecycle.NewMemoryConnector(map[string]ats.Adapter{enginetest.Source: hider})
			}
			e, err := lifecycle.New(h.Store, opts)
			if err != nil {
				t.Fatal(err)
			}
			h.Engine, h.Disp = e, e.Dispatcher(lifecycle.DispatcherOptions{Owner: "d"})
			h.Candidate("c1")
			h.Move("c1", enginetest.StageTrigger)
			iv := h.Only("c1")
			if _, err := h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://v.example/s"}); err != nil {
				t.Fatal(err)
			}
			h.Drain()
			notes := effectsOf(t, h, lifecycle.EffectNote)
			if len(notes) != 1 {
				t.Fatalf("%d note effects, want 1", len(notes))
			}
			got := h.ATS.NotesOf("c1")
			if tc.hiding {
				got = hider.texts("c1")
				if diff := cmp.Diff([]string{notes[0].ID}, hider.keys["c1"]); diff != "" {
					t.Errorf("hidden keys (-want +got):\n%s", diff)
				}
			}
			if diff := cmp.Diff([]string{tc.want(notes[0].ID)}, got); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
		})
	}
}

// TestHiddenMarkerRetryNoDuplicate: a note sent with a hidden key whose
// answer was lost is found by its key before the retry: one note.
func TestHiddenMarkerRetryNoDuplicate(t *testing.T) {
	h := newHarness(t)
	hider := newHidingATS(h.ATS, 1)
	h.Connector.Set(enginetest.Source, hider)
	h.Disp = h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "d", Backoff: fixedBackoff(0)})
	h.Candidate("c1")
	h.Move("c1", enginetest.StageTrigger)
	iv := h.Only("c1")
	if _, err := h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://v.example/s"}); err != nil {
		t.Fatal(err)
	}
	h.Drain()
	if diff := cmp.Diff([]string{invitedNote}, hider.texts("c1")); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	notes := effectsOf(t, h, lifecycle.EffectNote)
	if len(notes) != 1 || notes[0].State != lifecycle.EffectDone || notes[0].Attempts != 2 {
		t.Errorf("note effects %+v, want one done after 2 attempts", notes)
	}
}

// TestNewRefusesMarkerWithoutEffectID: a marker that does not embed the
// effect ID could never be looked up, so New refuses it and says why.
func TestNewRefusesMarkerWithoutEffectID(t *testing.T) {
	h := newHarness(t)
	opts := h.Options()
	opts.NoteMarker = func(string) string { return "(sent by InterviewVector)" }
	_, err := lifecycle.New(memstore.New(), opts)
	if err == nil || !strings.Contains(err.Error(), "Options.NoteMarker") || !strings.Contains(err.Error(), "effect ID") {
		t.Fatalf("New: %v, want an error naming Options.NoteMarker and the effect ID", err)
	}
}
