package lever_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/google/go-cmp/cmp"
)

// leverTemplate is shaped like Lever's documented templates: one
// score-system "Rating" field with option texts, and typed fields.
var leverTemplate = lever.FeedbackTemplate{ID: "t", Text: "Interview Feedback", Fields: []lever.FeedbackField{
	{ID: "rating", Type: lever.FieldScoreSystem, Text: "Rating", Required: true, Options: []lever.FieldOption{{Text: "4 - Strong Hire"}, {Text: "3 - Hire"}, {Text: "2 - No Hire"}, {Text: "1 - Strong No Hire"}}},
	{ID: "score", Type: lever.FieldScore, Text: "Score"},
	{ID: "notes", Type: lever.FieldTextarea, Text: "Notes / Comments"},
	{ID: "hire", Type: lever.FieldYesNo, Text: "Would hire"},
	{ID: "langs", Type: lever.FieldMultipleSelect, Text: "Languages", Options: []lever.FieldOption{{Text: "Go"}, {Text: "Rust"}, {Text: "Python"}}},
	{ID: "salary", Type: lever.FieldCurrency, Text: "Expected salary"},
	{ID: "when", Type: lever.FieldDate, Text: "Available from"},
}}

func TestMapFeedbackTyped(t *testing.T) {
	tests := []struct {
		name string
		m    lever.FeedbackMapping
		fb   ats.Feedback
		want []lever.FieldValue
	}{
		{"typed values, rating from grade, leftovers in the text field", lever.FeedbackMapping{},
			ats.Feedback{Score: "78", Grade: "passed", Summary: "Good.", ReportURL: "https://iv.example/r", Fields: []ats.FeedbackField{
				{Name: "Would hire", Value: "yes"}, {Name: "languages", Value: "go, Rust"}, {Name: "Expected salary", Value: "$95000"}, {Name: "Available from", Value: "2025-04-01"}}},
			[]lever.FieldValue{{ID: "rating", Value: "3 - Hire"}, {ID: "score", Value: 4}, {ID: "notes", Value: "Good.\nGrade: passed\nReport: https://iv.example/r"},
				{ID: "hire", Value: "yes"}, {ID: "langs", Value: []string{"Go", "Rust"}}, {ID: "salary", Value: 95000.0}, {ID: "when", Value: int64(1743465600000)}}},
		{"score on Lever's 1–4 scale", lever.FeedbackMapping{}, ats.Feedback{Score: "2", Grade: "failed"},
			[]lever.FieldValue{{ID: "rating", Value: "2 - No Hire"}, {ID: "score", Value: 2}, {ID: "notes", Value: "Grade: failed"}}},
		{"configured rating table", lever.FeedbackMapping{Rating: map[string]string{"A": "4 - strong hire"}}, ats.Feedback{Grade: "a"},
			[]lever.FieldValue{{ID: "rating", Value: "4 - Strong Hire"}, {ID: "notes", Value: "Grade: a"}}},
		{"grade that is an option text", lever.FeedbackMapping{}, ats.Feedback{Grade: "1 - strong no hire"},
			[]lever.FieldValue{{ID: "rating", Value: "1 - Strong No Hire"}, {ID: "notes", Value: "Grade: 1 - strong no hire"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := lever.MapFeedback(leverTemplate, tt.m, tt.fb)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestMapFeedbackRefuses(t *testing.T) {
	noText := lever.FeedbackTemplate{Text: "No Feedback", Fields: []lever.FeedbackField{leverTemplate.Fields[0]}}
	tests := []struct {
		name string
		tpl  lever.FeedbackTemplate
		m    lever.FeedbackMapping
		fb   ats.Feedback
		want string
	}{
		{"nowhere to put the summary", noText, lever.FeedbackMapping{}, ats.Feedback{Grade: "passed", Summary: "Good"}, `has no text field to hold Grade, Summary`},
		{"grade without an option", leverTemplate, lever.FeedbackMapping{}, ats.Feedback{Grade: "meh"}, `grade "meh" maps to "meh", which is not an option of the "Rating" field`},
		{"required rating unfilled", leverTemplate, lever.FeedbackMapping{}, ats.Feedback{Summary: "x"}, `requires field "Rating"`},
		{"value that does not fit its field", lever.FeedbackTemplate{Text: "S", Fields: []lever.FeedbackField{leverTemplate.Fields[1]}}, lever.FeedbackMapping{}, ats.Feedback{Score: "great"}, `"great" does not fit field "Score" (score)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lever.MapFeedback(tt.tpl, tt.m, tt.fb)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestFeedbackTemplatesLikeLever: every account has "No Feedback", which
// auto-selection skips; the fake checks value types as Lever does; a
// vendor-owned template created through the API takes the whole result.
func TestFeedbackTemplatesLikeLever(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	tpls, err := paging.Collect(f.c.ListFeedbackTemplates(ctx))
	if err != nil || len(tpls) != 2 || tpls[0].Text != "No Feedback" || tpls[0].Fields[0].Type != lever.FieldScoreSystem {
		t.Fatalf("templates = %+v, %v", tpls, err)
	}
	// Auto-selection: the only template besides No Feedback.
	if err := f.c.SubmitFeedback(ctx, f.opp.ID, ats.Feedback{Score: "3"}); err != nil {
		t.Fatal(err)
	}
	if fb := f.srv.Feedback(f.opp.ID); len(fb) != 1 || fb[0].TemplateID != f.tpl.ID {
		t.Errorf("feedback = %+v, want template %s", fb, f.tpl.ID)
	}
	// A mistyped value is refused by the fake, as by Lever.
	_, err = f.c.CreateFeedback(ctx, f.opp.ID, lever.FeedbackInput{TemplateID: "no-feedback", FieldValues: []lever.FieldValue{{ID: "no-feedback-rating", Value: 3}}})
	if !errors.Is(err, ats.ErrValidation) {
		t.Errorf("mistyped rating: %v, want a 400", err)
	}
	// A vendor-owned template.
	created, err := f.c.CreateFeedbackTemplate(ctx, lever.VendorFeedbackTemplate("InterviewVector result"))
	if err != nil || created.ID == "" || len(created.Fields) != 5 || created.Fields[0].ID == "" {
		t.Fatalf("CreateFeedbackTemplate = %+v, %v", created, err)
	}
	c, _ := lever.NewClient(lever.Options{APIKey: levertest.DefaultAPIKey, BaseURL: f.srv.URL, PerformAs: f.bot.ID, RateLimit: -1,
		Feedback: lever.FeedbackMapping{Template: "InterviewVector result"}})
	fb := ats.Feedback{Score: "78%", Grade: "passed", Summary: "Strong.", ReportURL: "https://iv.example/r/1", Fields: []ats.FeedbackField{{Name: "Coding", Value: "4/5"}}}
	if err := c.SubmitFeedback(ctx, f.opp.ID, fb); err != nil {
		t.Fatal(err)
	}
	got := f.srv.Feedback(f.opp.ID)
	byID := map[string]any{}
	for _, v := range got[len(got)-1].FieldValues {
		byID[v.ID] = v.Value
	}
	want := map[string]any{created.Fields[0].ID: "3 - Hire", created.Fields[1].ID: "78%", created.Fields[2].ID: "passed",
		created.Fields[3].ID: "Strong.\nCoding: 4/5", created.Fields[4].ID: "https://iv.example/r/1"}
	if d := cmp.Diff(want, byID); d != "" {
		t.Errorf("values (-want +got):\n%s", d)
	}
	// Lever requires exactly one score-system field.
	_, err = f.c.CreateFeedbackTemplate(ctx, lever.FeedbackTemplate{Text: "x", Fields: []lever.FeedbackField{{Type: lever.FieldText, Text: "a"}}})
	if !errors.Is(err, ats.ErrValidation) {
		t.Errorf("template without score-system: %v", err)
	}
}

// TestFeedbackTemplateAutoSelection: with several templates the client
// asks for one by name instead of guessing.
func TestFeedbackTemplateAutoSelection(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.AddFeedbackTemplate(levertest.FeedbackTemplate{Text: "Phone screen", Fields: []levertest.FeedbackField{{Text: "Notes", Type: "textarea"}}})
	err := f.c.SubmitFeedback(context.Background(), f.opp.ID, ats.Feedback{Summary: "x"})
	if !errors.Is(err, ats.ErrValidation) || !strings.Contains(err.Error(), "several feedback templates") || !strings.Contains(err.Error(), "Options.Feedback.Template") {
		t.Errorf("err = %v", err)
	}
}

// TestCreateFeedbackSendsFieldValuesArray: with no values the body still
// carries "fieldValues": [] — Lever documents an array, and whether it
// accepts null is not documented, so null is never sent.
func TestCreateFeedbackSendsFieldValuesArray(t *testing.T) {
	f := newFixture(t, nil)
	_, _ = f.c.CreateFeedback(context.Background(), f.opp.ID, lever.FeedbackInput{TemplateID: f.tpl.ID})
	var body map[string]any
	if err := json.Unmarshal(f.last(t).Body, &body); err != nil {
		t.Fatal(err)
	}
	if v, ok := body["fieldValues"].([]any); !ok || len(v) != 0 {
		t.Errorf("fieldValues = %#v, want an empty array", body["fieldValues"])
	}
}
