package lever_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lever"
)

// TestSubmittedFeedback: a submitted form is listed back as Lever lists
// it (the template's text and fields with their answers) and converted to
// ats.Feedback, so a caller finds text it submitted.
func TestSubmittedFeedback(t *testing.T) {
	f := newFixture(t, func(o *lever.Options) {
		o.Now = func() time.Time { return t0 }
		o.Feedback = lever.FeedbackMapping{Template: "interviewvector FEEDBACK"}
	})
	ctx := context.Background()
	if err := f.c.SubmitFeedback(ctx, f.opp.ID, ats.Feedback{Score: "78", Grade: "passed", Summary: "Good.\n\n[ref fx_1]"}); err != nil {
		t.Fatal(err)
	}
	got, err := f.c.SubmittedFeedback(ctx, f.opp.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []ats.Feedback{{
		Title:   f.tpl.Text,
		Summary: "78\npassed\nGood.\n\n[ref fx_1]",
		Fields: []ats.FeedbackField{
			{Name: "Score", Value: "78"}, {Name: "Verdict", Value: "passed"}, {Name: "Summary", Value: "Good.\n\n[ref fx_1]"},
		},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SubmittedFeedback (-want +got):\n%s", diff)
	}
	wantRequest(t, f.last(t), "GET", "/opportunities/"+f.opp.ID+"/feedback", map[string][]string{"limit": {"100"}}, "")
}
