package workable_test

import (
	"context"
	"strings"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
	"github.com/stretchr/testify/require"
)

// lifecycle's dispatcher discovers this capability (lifecycle.NoteLister)
// by type assertion; adapters do not import lifecycle.
var _ interface {
	Notes(context.Context, string) ([]ats.Note, error)
} = (*workable.Client)(nil)

func TestNotes(t *testing.T) {
	srv := newFake(t)
	job := seedJob(srv, "Listed notes")
	cand := srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: "Ada Lovelace", Email: "ada@example.com"})
	c := newClient(t, srv, nil)
	ctx := context.Background()

	notes, err := c.Notes(ctx, cand.ID)
	require.NoError(t, err)
	require.Empty(t, notes)

	require.NoError(t, c.AddNote(ctx, cand.ID, ats.Note{Body: "first [ref fx_1]"}))
	require.NoError(t, c.MoveCandidate(ctx, cand.ID, "interviewvector")) // a stage activity, not a note
	require.NoError(t, c.AddNote(ctx, cand.ID, ats.Note{Body: "second [ref fx_2]"}))
	notes, err = c.Notes(ctx, cand.ID)
	require.NoError(t, err)
	var bodies []string
	for _, n := range notes {
		bodies = append(bodies, n.Body)
		require.NotEmpty(t, n.Author, "comments are attributed to the acting member")
	}
	require.Equal(t, []string{"first [ref fx_1]", "second [ref fx_2]"}, bodies)

	_, err = c.Notes(ctx, "deadbeef")
	require.ErrorIs(t, err, ats.ErrNotFound)
	require.True(t, strings.Contains(err.Error(), "deadbeef"), "the error names the candidate: %v", err)
}

func TestNormalizeNoteBody(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "Invited Ada [ref fx_1]", "Invited Ada [ref fx_1]"},
		{"newlines kept, blank lines dropped", "line one\n\n  line   two \n", "line one\nline two"},
		{"html paragraphs and breaks", "<p>line <b>one</b></p><p>line two<br/>[ref fx_1]</p>", "line one\nline two\n[ref fx_1]"},
		{"entities", "a &lt;b&gt; &amp; c &#91;ref fx_1&#93;", "a <b> & c [ref fx_1]"},
		{"comparison text stays", "score < 5 and > 2", "score < 5 and > 2"},
		{"crlf", "one\r\ntwo", "one\ntwo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := workable.NormalizeNoteBody(tc.in); got != tc.want {
				t.Errorf("NormalizeNoteBody(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestNotesMatchHTMLStoredBody: if Workable returns a posted comment as
// HTML, the body Notes returns still contains the text that was posted
// (after normalisation), so the dispatcher's marker look-up finds it and a
// retried note is not duplicated.
func TestNotesMatchHTMLStoredBody(t *testing.T) {
	posted := "Interview invitation sent to Ada & co.\n\n[ref fx_42]"
	stored := "<p>Interview invitation sent to Ada &amp; co.</p><p>&#91;ref fx_42&#93;</p>"
	got := workable.NormalizeNoteBody(stored)
	if !strings.Contains(got, "[ref fx_42]") {
		t.Fatalf("normalised body %q lost the marker", got)
	}
	if want := workable.NormalizeNoteBody(posted); got != want {
		t.Errorf("normalised stored body %q != normalised posted body %q", got, want)
	}
}

func TestCommentPolicyDefault(t *testing.T) {
	srv := newFake(t)
	job := seedJob(srv, "Policies")
	cand := srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: "Ada Lovelace"})
	all := []string{"admin", "recruiting_admin", "hiring_manager", "simple", "reviewer", "recruiter"}
	for _, tc := range []struct {
		name       string
		opt        []string
		vis        ats.Visibility
		wantPolicy []string
		wantVis    []string
	}{
		{"default sends every role", nil, ats.VisibilityDefault, all, all},
		{"configured default", []string{"recruiter"}, ats.VisibilityDefault, []string{"recruiter"}, []string{"admin", "recruiter"}},
		{"configured admins only", []string{}, ats.VisibilityDefault, []string{}, []string{"admin"}},
		{"restricted", nil, ats.VisibilityRestricted, []string{"recruiter", "admin"}, []string{"admin", "recruiter"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, srv, func(o *workable.Options) { o.DefaultCommentPolicy = tc.opt })
			srv.ResetRequests()
			require.NoError(t, c.AddNote(context.Background(), cand.ID, ats.Note{Body: tc.name, Visibility: tc.vis}))
			wantRequest(t, lastRequest(t, srv), "POST", "/candidates/"+cand.ID+"/comments", nil,
				map[string]any{"member_id": srv.DefaultMemberID(), "comment": map[string]any{"body": tc.name, "policy": anySlice(tc.wantPolicy)}})
			cms := srv.Comments()
			diff(t, tc.wantVis, cms[len(cms)-1].Visibility)
		})
	}
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
