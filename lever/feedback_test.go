package lever_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/google/go-cmp/cmp"
)

func TestListFeedbackTemplates(t *testing.T) {
	f := newFixture(t, nil)
	got, err := paging.Collect(f.c.ListFeedbackTemplates(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	wantRequest(t, f.last(t), "GET", "/feedback_templates", url.Values{"limit": {"100"}}, "")
	if len(got) != 2 || got[1].ID != f.tpl.ID || len(got[1].Fields) != 4 || got[1].Fields[2].Text != "Summary" {
		t.Errorf("templates = %+v", got)
	}
}

func TestSubmitFeedback(t *testing.T) {
	f := newFixture(t, func(o *lever.Options) {
		o.Now = func() time.Time { return t0 }
		o.Feedback = lever.FeedbackMapping{Template: "interviewvector FEEDBACK"}
	})
	fb := ats.Feedback{Score: "78", Grade: "passed", Summary: "Strong on systems design.", ReportURL: "https://iv.example/r/1",
		Fields: []ats.FeedbackField{{Name: "Coding", Value: "4/5"}}}
	if err := f.c.SubmitFeedback(context.Background(), f.opp.ID, fb); err != nil {
		t.Fatal(err)
	}
	fid := func(i int) string { return f.tpl.Fields[i].ID }
	wantBody, _ := json.Marshal(map[string]any{
		"baseTemplateId": f.tpl.ID, "completedAt": t0.UnixMilli(),
		"fieldValues": []map[string]any{
			{"id": fid(0), "value": "78"}, {"id": fid(1), "value": "passed"},
			{"id": fid(2), "value": "Strong on systems design.\nCoding: 4/5"}, {"id": fid(3), "value": "https://iv.example/r/1"},
		},
	})
	wantRequest(t, f.last(t), "POST", "/opportunities/"+f.opp.ID+"/feedback", url.Values{"perform_as": {f.bot.ID}}, string(wantBody))
	got := f.srv.Feedback(f.opp.ID)
	if len(got) != 1 || got[0].TemplateID != f.tpl.ID || got[0].PerformAs != f.bot.ID {
		t.Errorf("server feedback = %+v", got)
	}

	// The template list is read once.
	if err := f.c.SubmitFeedback(context.Background(), f.opp.ID, ats.Feedback{Score: "1"}); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range f.srv.Requests() {
		if r.Path == "/feedback_templates" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("listed templates %d times, want once", n)
	}
}

func TestSubmitFeedbackErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("unknown template", func(t *testing.T) {
		f := newFixture(t, func(o *lever.Options) { o.Feedback.Template = "nope" })
		wantErr(t, f.c.SubmitFeedback(ctx, f.opp.ID, ats.Feedback{Score: "1"}), ats.ErrValidation, "")
	})
	t.Run("nothing maps", func(t *testing.T) {
		f := newFixture(t, nil)
		wantErr(t, f.c.SubmitFeedback(ctx, f.opp.ID, ats.Feedback{}), ats.ErrValidation, "")
	})
	t.Run("missing opportunity", func(t *testing.T) {
		f := newFixture(t, nil)
		wantErr(t, f.c.SubmitFeedback(ctx, "missing", ats.Feedback{Score: "1"}), ats.ErrNotFound, "Opportunity not found")
	})
	t.Run("bad field", func(t *testing.T) {
		f := newFixture(t, nil)
		_, err := f.c.CreateFeedback(ctx, f.opp.ID, lever.FeedbackInput{TemplateID: f.tpl.ID, FieldValues: []lever.FieldValue{{ID: "bogus", Value: 1}}})
		wantErr(t, err, ats.ErrValidation, "Invalid field id bogus for template "+f.tpl.ID)
	})
}

func TestMapFeedback(t *testing.T) {
	tpl := lever.FeedbackTemplate{Text: "T", Fields: []lever.FeedbackField{{ID: "a", Text: "Overall rating"}, {ID: "b", Text: "Comments"}}}
	got, err := lever.MapFeedback(tpl, lever.FeedbackMapping{ScoreField: "overall rating"}, ats.Feedback{Score: "9", Grade: "passed", ReportURL: "u"})
	if err != nil {
		t.Fatal(err)
	}
	want := []lever.FieldValue{{ID: "a", Value: "9"}, {ID: "b", Value: "Grade: passed\nReport: u"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

var _ = levertest.DefaultAPIKey
