package workable_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/workable/workabletest"
)

// TestSubmittedFeedback: ratings made through SubmitFeedback are read back
// from the activity stream (comments and moves are not ratings), so a
// caller finds the text it rated with.
func TestSubmittedFeedback(t *testing.T) {
	srv := newFake(t)
	job := seedJob(srv, "Rated")
	cand := srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: "Ada Lovelace", Email: "ada@example.com"})
	c := newClient(t, srv, nil)
	ctx := context.Background()

	if err := c.AddNote(ctx, cand.ID, ats.Note{Body: "a comment"}); err != nil {
		t.Fatal(err)
	}
	if err := c.SubmitFeedback(ctx, cand.ID, ats.Feedback{Title: "IV – Technical", Grade: "passed", Summary: "Good.\n\n[ref fx_1]"}); err != nil {
		t.Fatal(err)
	}
	got, err := c.SubmittedFeedback(ctx, cand.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []ats.Feedback{{Summary: "IV – Technical\nGrade: passed\nGood.\n[ref fx_1]"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SubmittedFeedback (-want +got):\n%s", diff)
	}
}
