package lever

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strings"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/httpx"
	"github.com/atskit/atskit/internal/paging"
)

// FeedbackTemplate is a Lever feedback form template.
type FeedbackTemplate struct {
	ID           string          `json:"id"`
	Text         string          `json:"text"`
	Instructions string          `json:"instructions,omitempty"`
	Group        *Ref            `json:"group,omitempty"`
	Fields       []FeedbackField `json:"fields"`
}

// FeedbackField is one field of a feedback template.
type FeedbackField struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Text     string `json:"text"`
	Required bool   `json:"required,omitempty"`
}

// FieldValue is an answer to a template field.
type FieldValue struct {
	ID    string `json:"id"`
	Value any    `json:"value"`
}

// FeedbackInput is a completed feedback form.
type FeedbackInput struct {
	// TemplateID is the base template (baseTemplateId).
	TemplateID string
	// Panel and Interview tie the form to an interview, when known.
	Panel, Interview string
	FieldValues      []FieldValue
	// CompletedAt is when the interview feedback was completed.
	CompletedAt Millis
	// PerformAs attributes the form to a user ID; "" uses the configured
	// user.
	PerformAs string
}

// FeedbackMapping says how SubmitFeedback fills a template: which template
// (by ID or name) and which field (by ID or text, case-insensitive) takes
// each part of an ats.Feedback. Empty field names use the defaults: Score
// "Score", Grade "Grade" or "Verdict" or "Result", Summary "Summary" or
// "Comments" or "Notes", ReportURL "Report" or "Report URL". Feedback.Fields
// are matched by name. Parts with no matching field are appended to the
// summary field when there is one.
type FeedbackMapping struct {
	Template                                          string
	ScoreField, GradeField, SummaryField, ReportField string
}

// ListFeedbackTemplates lists the account's feedback templates
// (GET /feedback_templates).
//
// https://hire.lever.co/developer/documentation#list-all-feedback-templates
func (c *Client) ListFeedbackTemplates(ctx context.Context) iter.Seq2[FeedbackTemplate, error] {
	return paging.Seq(ctx, func(ctx context.Context, cursor string) ([]FeedbackTemplate, string, error) {
		return fetchPage[FeedbackTemplate](ctx, c, "list feedback templates", "/feedback_templates", nil, 100, cursor)
	})
}

// CreateFeedback submits a completed feedback form to an opportunity
// (POST /opportunities/:id/feedback?perform_as=) and returns its ID.
//
// Assumed (the reference marks the body "verify"): {"baseTemplateId",
// "panel", "interview", "fieldValues": [{"id","value"}], "completedAt"}.
func (c *Client) CreateFeedback(ctx context.Context, opportunityID string, in FeedbackInput) (string, error) {
	op := "submit feedback to opportunity " + short(opportunityID)
	if in.TemplateID == "" {
		return "", &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "baseTemplateId", Message: "is required"}}}
	}
	if (in.Panel == "") != (in.Interview == "") {
		return "", &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "panel, interview", Message: "Lever needs both or neither"}}}
	}
	q, err := c.writeQuery(ctx, in.PerformAs)
	if err != nil {
		return "", err
	}
	if q.Get("perform_as") == "" {
		// Lever requires perform_as on feedback, whatever the credentials.
		return "", &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "perform_as",
			Message: "Lever requires a user to submit feedback as: set lever.Options.PerformAs or PerformAsEmail (or FeedbackInput.PerformAs)"}}}
	}
	fv := in.FieldValues
	if fv == nil {
		fv = []FieldValue{} // an array, never null
	}
	body := map[string]any{"baseTemplateId": in.TemplateID, "fieldValues": fv}
	if in.Panel != "" {
		body["panel"] = in.Panel
	}
	if in.Interview != "" {
		body["interview"] = in.Interview
	}
	if in.CompletedAt != 0 {
		body["completedAt"] = int64(in.CompletedAt)
	}
	// Lever documents the created form unwrapped; the data-wrapped form is
	// accepted too.
	type created struct {
		ID string `json:"id"`
	}
	r, err := write(ctx, c, &httpx.Request{Op: op, Method: "POST", Path: "/opportunities/" + url.PathEscape(opportunityID) + "/feedback", Query: q, Body: body},
		func(r created) string {
			if r.ID == "" {
				return "the feedback form id"
			}
			return ""
		})
	return r.ID, err
}

// SubmitFeedback maps fb onto the configured template (Options.Feedback)
// and submits it. It implements ats.FeedbackSubmitter.
func (c *Client) SubmitFeedback(ctx context.Context, candidateID string, fb ats.Feedback) error {
	op := "submit feedback to opportunity " + short(candidateID)
	tpl, err := c.feedbackTemplate(ctx)
	if err != nil {
		return err
	}
	if tpl == nil {
		return &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "template", Message: fmt.Sprintf("no feedback template %q in this Lever account", c.opts.Feedback.Template)}}}
	}
	vals, err := MapFeedback(*tpl, c.opts.Feedback, fb)
	if err != nil {
		return &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "fieldValues", Message: err.Error()}}}
	}
	_, err = c.CreateFeedback(ctx, candidateID, FeedbackInput{TemplateID: tpl.ID, FieldValues: vals, CompletedAt: MillisOf(c.opts.Now())})
	return err
}

// feedbackTemplate finds the configured template, reading the list once.
// With no template configured the only template, or the one titled
// "Interview feedback", is used.
func (c *Client) feedbackTemplate(ctx context.Context) (*FeedbackTemplate, error) {
	c.mu.Lock()
	tpls := c.templates
	c.mu.Unlock()
	if tpls == nil {
		var err error
		if tpls, err = paging.Collect(c.ListFeedbackTemplates(ctx)); err != nil {
			return nil, err
		}
		if tpls == nil {
			tpls = []FeedbackTemplate{}
		}
		c.mu.Lock()
		c.templates = tpls
		c.mu.Unlock()
	}
	want := c.opts.Feedback.Template
	for i := range tpls {
		if want != "" && (tpls[i].ID == want || strings.EqualFold(tpls[i].Text, want)) {
			return &tpls[i], nil
		}
	}
	if want == "" && len(tpls) == 1 {
		return &tpls[0], nil
	}
	return nil, nil
}

// MapFeedback fills template fields from fb according to m. It fails when
// no field of the template receives a value.
func MapFeedback(tpl FeedbackTemplate, m FeedbackMapping, fb ats.Feedback) ([]FieldValue, error) {
	find := func(names ...string) *FeedbackField {
		for _, n := range names {
			if n == "" {
				continue
			}
			for i := range tpl.Fields {
				f := &tpl.Fields[i]
				if f.ID == n || strings.EqualFold(strings.TrimSpace(f.Text), strings.TrimSpace(n)) {
					return f
				}
			}
		}
		return nil
	}
	pick := func(custom string, defaults ...string) *FeedbackField {
		if custom != "" {
			return find(custom)
		}
		return find(defaults...)
	}
	set := map[string]string{}
	var order []string
	var leftovers []string
	put := func(f *FeedbackField, label, v string) {
		if v == "" {
			return
		}
		if f == nil {
			leftovers = append(leftovers, label+": "+v)
			return
		}
		if old, ok := set[f.ID]; ok {
			set[f.ID] = old + "\n" + v
			return
		}
		set[f.ID] = v
		order = append(order, f.ID)
	}
	summary := pick(m.SummaryField, "Summary", "Comments", "Notes")
	put(pick(m.ScoreField, "Score"), "Score", fb.Score)
	put(pick(m.GradeField, "Grade", "Verdict", "Result"), "Grade", fb.Grade)
	put(summary, "Summary", fb.Summary)
	put(pick(m.ReportField, "Report", "Report URL"), "Report", fb.ReportURL)
	for _, f := range fb.Fields {
		put(find(f.Name), f.Name, f.Value)
	}
	if len(leftovers) > 0 && summary != nil {
		put(summary, "", strings.Join(leftovers, "\n"))
		leftovers = nil
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("no field of template %q matches the feedback (fields: score, grade, summary, report)", tpl.Text)
	}
	out := make([]FieldValue, len(order))
	for i, id := range order {
		out[i] = FieldValue{ID: id, Value: set[id]}
	}
	return out, nil
}
