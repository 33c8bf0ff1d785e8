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
