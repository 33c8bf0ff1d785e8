package lifecycle

import (
	"context"
	"fmt"
	"strings"

	"github.com/atskit/atskit/ats"
)

// MarkedNoter is an optional adapter capability: adding a note whose
// de-duplication key is stored where recruiters do not see it. The key is
// made of letters, digits and underscores (it is the effect's ID). An
// adapter implementing it must also implement NoteLister, and its Notes
// must return the key somewhere in the note's Body, so the dispatcher can
// find a note it already posted. Without it, the dispatcher appends
// Options.NoteMarker's visible text to the note.
//
// The ashby client implements it (an empty link in the note's HTML);
// Workable, Lever and Greenhouse notes are plain text with nowhere to hide
// it, so their notes carry the visible marker.
type MarkedNoter interface {
	AddMarkedNote(ctx context.Context, candidateID string, note ats.Note, key string) error
}

// FeedbackLister is an optional adapter capability: reading back the
// feedback forms (Lever) or ratings (Workable) on a candidate. When the
// adapter implements it, the dispatcher appends Options.NoteMarker's text
// to the feedback's Summary and, before re-sending a feedback effect whose
// earlier attempt has an unknown outcome (a crash before the outcome was
// recorded, a timeout or a reset connection after the ATS may have stored
// it), looks for that marker in the candidate's feedback, so the form or
// rating is never submitted twice. Without it such feedback is sent again:
// delivery is at-least-once.
type FeedbackLister interface {
	// SubmittedFeedback returns the candidate's feedback; the dispatcher
	// looks for the marker in each one's Summary and Fields values.
	SubmittedFeedback(ctx context.Context, candidateID string) ([]ats.Feedback, error)
}

// marker returns the visible de-duplication marker of effect effectID:
// Options.NoteMarker's, else NoteMarker's.
func (e *Engine) marker(effectID string) string {
	if e.opts.NoteMarker != nil {
		return e.opts.NoteMarker(effectID)
	}
	return NoteMarker(effectID)
}

// checkNoteMarker reports what is wrong with a custom marker function: it
// must embed the effect ID (the dispatcher looks the ID up), so two
// effects never share a marker.
func checkNoteMarker(f func(string) string) error {
	const probe = "fx_0123456789abcdef01234567"
	if m := f(probe); !strings.Contains(m, probe) {
		return fmt.Errorf("Options.NoteMarker(%q) returned %q, which does not contain the effect ID: the dispatcher finds a note it already posted by that ID", probe, m)
	}
	return nil
}

// withMarker appends marker to text on a line of its own.
func withMarker(text, marker string) string {
	text = strings.TrimRight(text, "\n")
	if text == "" {
		return marker
	}
	return text + "\n\n" + marker
}

// delivered reports whether eff, whose earlier attempt may have reached
// the ATS, is already there: a note (NoteLister) or feedback
// (FeedbackLister) carrying the effect's ID. Other effects, and adapters
// without the capability, report false.
func (d *Dispatcher) delivered(ctx context.Context, eff Effect) (bool, error) {
	if eff.Kind != EffectNote && eff.Kind != EffectFeedback {
		return false, nil
	}
	a, err := d.e.adapter(ctx, connectionOf(eff.Connection, eff.Source))
	if err != nil {
		return false, err
	}
	var texts []string
	switch eff.Kind {
	case EffectNote:
		nl, ok := a.(NoteLister)
		if !ok {
			return false, nil
		}
		notes, err := nl.Notes(ctx, eff.CandidateID)
		if err != nil {
			return false, fmt.Errorf("lifecycle: list notes of %s: %w", eff.CandidateID, err)
		}
		for _, n := range notes {
			texts = append(texts, n.Body)
		}
	case EffectFeedback:
		fl, ok := a.(FeedbackLister)
		if !ok {
			return false, nil
		}
		fbs, err := fl.SubmittedFeedback(ctx, eff.CandidateID)
		if err != nil {
			return false, fmt.Errorf("lifecycle: list feedback of %s: %w", eff.CandidateID, err)
		}
		for _, fb := range fbs {
			texts = append(texts, fb.Summary)
			for _, f := range fb.Fields {
				texts = append(texts, f.Value)
			}
		}
	}
	for _, s := range texts {
		// The effect ID is in the visible marker and is the hidden key.
		if strings.Contains(s, eff.ID) {
			return true, nil
		}
	}
	return false, nil
}
