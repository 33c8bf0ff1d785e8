package lever

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

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

// FeedbackField is one field of a feedback template. Type is one of
// Lever's form field types (FieldText, FieldScoreSystem, …); Options lists
// the choices of dropdown, multiple-choice, multiple-select and
// score-system fields.
type FeedbackField struct {
	ID          string        `json:"id,omitempty"`
	Type        string        `json:"type"`
	Text        string        `json:"text"`
	Description string        `json:"description,omitempty"`
	Required    bool          `json:"required,omitempty"`
	Options     []FieldOption `json:"options,omitempty"`
}

// FieldOption is one choice of a field.
type FieldOption struct {
	Text string `json:"text"`
}

// Lever's form field types and the value each takes
// (https://hire.lever.co/developer/documentation#form-fields).
const (
	FieldText           = "text"            // string
	FieldTextarea       = "textarea"        // string
	FieldCode           = "code"            // string
	FieldDropdown       = "dropdown"        // string: an option's text
	FieldMultipleChoice = "multiple-choice" // string: an option's text
	FieldMultipleSelect = "multiple-select" // array of option texts
	FieldScoreSystem    = "score-system"    // string: an option's text, e.g. "3 - Hire"
	FieldScore          = "score"           // integer 1–4
	FieldScorecard      = "scorecard"       // array of {score, comment}
	FieldDate           = "date"            // epoch milliseconds
	FieldYesNo          = "yes-no"          // "yes" or "no"
	FieldCurrency       = "currency"        // number
)

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
// each part of an ats.Feedback. Values are converted to the type Lever
// expects for the field (see the Field* constants).
//
// Empty field names use the defaults: Rating the template's score-system
// field (every Lever template has exactly one, usually "Rating"), Score a
// field named "Score", Grade "Grade", "Verdict" or "Result", Summary
// "Summary", "Notes / Comments", "Comments" or "Notes" (else the first
// textarea, else the first text field), ReportURL "Report" or "Report URL".
// Feedback.Fields are matched by name. Parts with no field of their own
// (grade, report link, further fields) are appended to the summary field;
// when the template has no text field to hold them SubmitFeedback fails
// with an error naming what could not be placed, rather than dropping it.
type FeedbackMapping struct {
	// Template is the template's ID or name. Empty picks the account's
	// only template other than Lever's default "No Feedback"; with several,
	// set it (or use a vendor-owned template, see VendorFeedbackTemplate).
	Template                                          string
	ScoreField, GradeField, SummaryField, ReportField string
	// RatingField names the score-system field; empty finds it by type.
	RatingField string
	// Rating maps the vendor's grade (case-insensitive) to the text of a
	// score-system option; nil uses DefaultRatingOptions. A grade that
	// is not a key is also tried as an option text itself.
	Rating map[string]string
}

// DefaultRatingOptions maps common vendor grades to the options of Lever's
// default score-system field ("4 - Strong Hire" … "1 - Strong No Hire").
// Assumed from Lever's documented example value "3 - Hire"; accounts
// that renamed the options set FeedbackMapping.Rating.
func DefaultRatingOptions() map[string]string {
	return map[string]string{
		"strong pass": "4 - Strong Hire", "strong hire": "4 - Strong Hire", "excellent": "4 - Strong Hire", "excelled": "4 - Strong Hire",
		"passed": "3 - Hire", "pass": "3 - Hire", "hire": "3 - Hire", "yes": "3 - Hire",
		"failed": "2 - No Hire", "fail": "2 - No Hire", "no hire": "2 - No Hire", "no": "2 - No Hire",
		"strong fail": "1 - Strong No Hire", "strong no hire": "1 - Strong No Hire",
	}
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
// The body is the one Lever documents: {"baseTemplateId", "panel" and
// "interview" (both or neither), "fieldValues": [{"id","value"}],
// "completedAt"}; perform_as is required
// (https://hire.lever.co/developer/documentation#create-a-feedback-form).
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
	r, err := write(ctx, c, &httpx.Request{Op: op, Method: "POST", Path: "/opportunities/" + url.PathEscape(opportunityID) + "/feedback", Query: q, Body: body},
		feedbackCreatedRequired)
	return r.ID, err
}

// feedbackCreated is the answer to a feedback create. Lever documents the
// created form unwrapped; the data-wrapped form is accepted too.
type feedbackCreated struct {
	ID string `json:"id"`
}

func feedbackCreatedRequired(r feedbackCreated) string {
	if r.ID == "" {
		return "the feedback form id"
	}
	return ""
}

// SubmitFeedback maps fb onto the configured template (Options.Feedback)
// and submits it. It implements ats.FeedbackSubmitter.
func (c *Client) SubmitFeedback(ctx context.Context, candidateID string, fb ats.Feedback) error {
	op := "submit feedback to opportunity " + short(candidateID)
	tpl, err := c.feedbackTemplate(ctx)
	if err != nil {
		return err
	}
	vals, err := MapFeedback(*tpl, c.opts.Feedback, fb)
	if err != nil {
		return &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "fieldValues", Message: err.Error()}}}
	}
	in := FeedbackInput{TemplateID: tpl.ID, FieldValues: vals, CompletedAt: MillisOf(c.opts.Now())}
	if si := fb.ScheduledInterview; si != nil && si.ID != "" && si.InterviewID != "" {
		// Tie the form to the vendor's interview on the profile (panel
		// and interview), so it shows under that interview.
		in.Panel, in.Interview = si.ID, si.InterviewID
	}
	_, err = c.CreateFeedback(ctx, candidateID, in)
	return err
}

// FeedbackForm is a submitted feedback form as Lever lists it: the
// template's text and fields, each field carrying its answer in Value.
type FeedbackForm struct {
	ID             string `json:"id"`
	Type           string `json:"type"`
	Text           string `json:"text"`
	BaseTemplateID string `json:"baseTemplateId"`
	Panel          string `json:"panel"`
	Interview      string `json:"interview"`
	User           string `json:"user"`
	CompletedAt    Millis `json:"completedAt"`
	Fields         []struct {
		ID    string `json:"id"`
		Type  string `json:"type"`
		Text  string `json:"text"`
		Value any    `json:"value"`
	} `json:"fields"`
	// FieldValues is read too: the create call takes answers in this
	// shape, and an account may echo it.
	FieldValues []FieldValue `json:"fieldValues,omitempty"`
}

// ListFeedback lists the feedback forms submitted on an opportunity
// (GET /opportunities/:id/feedback).
//
// https://hire.lever.co/developer/documentation#list-all-feedback
func (c *Client) ListFeedback(ctx context.Context, opportunityID string) iter.Seq2[FeedbackForm, error] {
	return paging.Seq(ctx, func(ctx context.Context, cursor string) ([]FeedbackForm, string, error) {
		return fetchPage[FeedbackForm](ctx, c, "list feedback of opportunity "+short(opportunityID), "/opportunities/"+url.PathEscape(opportunityID)+"/feedback", nil, 100, cursor)
	})
}

// SubmittedFeedback returns the feedback forms on an opportunity as
// ats.Feedback: Title is the form's text, Summary its text answers (one a
// line), Fields every answer by field text. With it the lifecycle
// dispatcher can tell whether a form whose submission timed out already
// landed (lifecycle.FeedbackLister), so it is never submitted twice.
//
// Assumed (Lever's documentation shows the form object but not every
// value type): answers are read from fields[].value and, when a form
// carries them, from fieldValues[].value; non-string answers are shown
// in their JSON form.
func (c *Client) SubmittedFeedback(ctx context.Context, candidateID string) ([]ats.Feedback, error) {
	var out []ats.Feedback
	for f, err := range c.ListFeedback(ctx, candidateID) {
		if err != nil {
			return nil, err
		}
		fb := ats.Feedback{Title: f.Text}
		var texts []string
		add := func(name string, v any) {
			s := answerText(v)
			if s == "" {
				return
			}
			fb.Fields = append(fb.Fields, ats.FeedbackField{Name: name, Value: s})
			if _, ok := v.(string); ok {
				texts = append(texts, s)
			}
		}
		for _, fl := range f.Fields {
			add(fl.Text, fl.Value)
		}
		for _, fv := range f.FieldValues {
			add(fv.ID, fv.Value)
		}
		fb.Summary = strings.Join(texts, "\n")
		out = append(out, fb)
	}
	return out, nil
}

// answerText renders a form answer as text: strings as they are, numbers
// and other values in their JSON form, null as "".
func answerText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// isNoFeedback reports whether t is Lever's default "No Feedback"
// template, present on every account.
func isNoFeedback(t FeedbackTemplate) bool {
	return t.ID == "no-feedback" || strings.EqualFold(strings.TrimSpace(t.Text), "No Feedback")
}

// feedbackTemplate finds the configured template, reading the list once.
// With none configured the only template other than "No Feedback" is used.
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
	op := "submit feedback"
	want := c.opts.Feedback.Template
	var usable []string
	for i := range tpls {
		if want != "" && (tpls[i].ID == want || strings.EqualFold(tpls[i].Text, want)) {
			return &tpls[i], nil
		}
		if !isNoFeedback(tpls[i]) {
			usable = append(usable, strconv.Quote(tpls[i].Text))
		}
	}
	if want != "" {
		return nil, &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "template", Message: fmt.Sprintf("no feedback template %q in this Lever account (have %s)", want, strings.Join(usable, ", "))}}}
	}
	if len(usable) == 1 {
		for i := range tpls {
			if !isNoFeedback(tpls[i]) {
				return &tpls[i], nil
			}
		}
	}
	msg := "the account has no feedback template besides \"No Feedback\"; create one (CreateFeedbackTemplate with VendorFeedbackTemplate) and set lever.Options.Feedback.Template"
	if len(usable) > 1 {
		msg = fmt.Sprintf("the account has several feedback templates (%s); set lever.Options.Feedback.Template", strings.Join(usable, ", "))
	}
	return nil, &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "template", Message: msg}}}
}

// MapFeedback fills template fields from fb according to m, converting
// each value to the type of its field. It fails when a value does not fit
// its field (a grade no score-system option matches, a score that is not a
// number), when parts of fb have no field to go to, or when no field
// receives a value.
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
	ofType := func(types ...string) *FeedbackField {
		for _, t := range types {
			for i := range tpl.Fields {
				if tpl.Fields[i].Type == t {
					return &tpl.Fields[i]
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
	isText := func(f *FeedbackField) bool {
		return f != nil && (f.Type == FieldText || f.Type == FieldTextarea || f.Type == FieldCode || f.Type == "")
	}
	summary := pick(m.SummaryField, "Summary", "Notes / Comments", "Comments", "Notes")
	if summary == nil && m.SummaryField == "" {
		summary = ofType(FieldTextarea, FieldText)
	}
	if summary != nil && !isText(summary) {
		return nil, fmt.Errorf("summary field %q of template %q is a %s field, not text", summary.Text, tpl.Text, summary.Type)
	}
	rating := pick(m.RatingField)
	if m.RatingField == "" {
		rating = ofType(FieldScoreSystem)
	}

	set := map[string]any{}
	var order []string
	var leftovers []string
	var errs []string
	put := func(f *FeedbackField, label, v string) {
		if v == "" {
			return
		}
		if f == nil {
			leftovers = append(leftovers, label+": "+v)
			return
		}
		if old, ok := set[f.ID]; ok {
			if isText(f) {
				set[f.ID] = old.(string) + "\n" + v
			} else {
				leftovers = append(leftovers, label+": "+v)
			}
			return
		}
		tv, err := fieldValue(*f, v)
		if err != nil {
			if isText(summary) && f != summary {
				leftovers = append(leftovers, label+": "+v)
			} else {
				errs = append(errs, err.Error())
			}
			return
		}
		set[f.ID] = tv
		order = append(order, f.ID)
	}
	// The score-system field, from the grade.
	if rating != nil && fb.Grade != "" {
		table := m.Rating
		if table == nil {
			table = DefaultRatingOptions()
		}
		opt := fb.Grade
		for k, v := range table {
			if strings.EqualFold(strings.TrimSpace(k), strings.TrimSpace(fb.Grade)) {
				opt = v
			}
		}
		if _, ok := matchOption(*rating, opt); !ok {
			errs = append(errs, fmt.Sprintf("grade %q maps to %q, which is not an option of the %q field (options: %s); set FeedbackMapping.Rating", fb.Grade, opt, rating.Text, optionList(*rating)))
		} else {
			put(rating, "Rating", opt)
		}
	}
	gradeField := pick(m.GradeField, "Grade", "Verdict", "Result")
	if gradeField == rating && rating != nil {
		gradeField = nil
	}
	put(pick(m.ScoreField, "Score"), "Score", fb.Score)
	if gradeField != nil || rating == nil {
		put(gradeField, "Grade", fb.Grade)
	} else {
		put(nil, "Grade", fb.Grade) // also in the summary, in the vendor's words
	}
	put(summary, "Summary", fb.Summary)
	put(pick(m.ReportField, "Report", "Report URL"), "Report", fb.ReportURL)
	for _, f := range fb.Fields {
		put(find(f.Name), f.Name, f.Value)
	}
	if len(leftovers) > 0 {
		if summary == nil {
			errs = append(errs, fmt.Sprintf("template %q has no text field to hold %s; name one in FeedbackMapping.SummaryField or use a vendor-owned template (VendorFeedbackTemplate)", tpl.Text, strings.Join(labels(leftovers), ", ")))
		} else {
			put(summary, "", strings.Join(leftovers, "\n"))
		}
	}
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "; "))
	}
	for _, f := range tpl.Fields {
		if _, ok := set[f.ID]; f.Required && !ok {
			return nil, fmt.Errorf("template %q requires field %q (%s), which the feedback does not fill; map it in FeedbackMapping", tpl.Text, f.Text, f.Type)
		}
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("no field of template %q matches the feedback (fields: rating, score, grade, summary, report)", tpl.Text)
	}
	out := make([]FieldValue, len(order))
	for i, id := range order {
		out[i] = FieldValue{ID: id, Value: set[id]}
	}
	return out, nil
}

func labels(leftovers []string) []string {
	out := make([]string, len(leftovers))
	for i, l := range leftovers {
		out[i], _, _ = strings.Cut(l, ":")
	}
	return out
}

func optionList(f FeedbackField) string {
	q := make([]string, len(f.Options))
	for i, o := range f.Options {
		q[i] = strconv.Quote(o.Text)
	}
	return strings.Join(q, ", ")
}

// matchOption returns the option of f whose text equals v, ignoring case
// and surrounding spaces.
func matchOption(f FeedbackField, v string) (string, bool) {
	for _, o := range f.Options {
		if strings.EqualFold(strings.TrimSpace(o.Text), strings.TrimSpace(v)) {
			return o.Text, true
		}
	}
	return "", false
}

// fieldValue converts the vendor's text v to the value Lever expects for
// a field of f's type.
func fieldValue(f FeedbackField, v string) (any, error) {
	v = strings.TrimSpace(v)
	bad := func(want string) error {
		return fmt.Errorf("%q does not fit field %q (%s): want %s", v, f.Text, f.Type, want)
	}
	switch f.Type {
	case FieldText, FieldTextarea, FieldCode, "":
		return v, nil
	case FieldDropdown, FieldMultipleChoice, FieldScoreSystem:
		if o, ok := matchOption(f, v); ok {
			return o, nil
		}
		return nil, bad("one of " + optionList(f))
	case FieldMultipleSelect:
		var out []string
		for _, p := range strings.Split(v, ",") {
			o, ok := matchOption(f, p)
			if !ok {
				return nil, bad("a comma-separated list of " + optionList(f))
			}
			out = append(out, o)
		}
		return out, nil
	case FieldScore:
		// Lever's score is an integer from 1 to 4. A vendor score on
		// another scale ("78", "78%", up to 100) is mapped by quarters
		// (assumed: Lever documents only the 1–4 range).
		n, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
		switch {
		case err != nil || !(n >= 0 && n <= 100): // also NaN
			return nil, bad("an integer from 1 to 4, or a percentage")
		case !strings.HasSuffix(v, "%") && n >= 1 && n <= 4 && n == float64(int(n)):
			return int(n), nil
		}
		return min(4, 1+int(n/25)), nil
	case FieldYesNo:
		switch strings.ToLower(v) {
		case "yes", "true", "passed", "pass", "y":
			return "yes", nil
		case "no", "false", "failed", "fail", "n":
			return "no", nil
		}
		return nil, bad(`"yes" or "no"`)
	case FieldDate:
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t.UnixMilli(), nil
		}
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			return t.UnixMilli(), nil
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			return n, nil
		}
		return nil, bad("a date (RFC 3339, YYYY-MM-DD or epoch milliseconds)")
	case FieldCurrency:
		n, err := strconv.ParseFloat(strings.TrimLeft(v, "$€£ "), 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, bad("a number")
		}
		return n, nil
	}
	return nil, bad("a field type atskit can fill (not " + f.Type + ")")
}

// VendorFeedbackTemplate returns a feedback template a vendor can own:
// created with CreateFeedbackTemplate, its field names are known, so
// SubmitFeedback fills every part of the result without depending on how
// the customer's templates are set up. It has the one score-system field
// Lever requires ("Rating", with Lever's default options), a Score, a
// Grade, a Summary (textarea) and a Report link.
func VendorFeedbackTemplate(name string) FeedbackTemplate {
	rating := FeedbackField{Type: FieldScoreSystem, Text: "Rating", Required: true}
	for _, o := range []string{"4 - Strong Hire", "3 - Hire", "2 - No Hire", "1 - Strong No Hire"} {
		rating.Options = append(rating.Options, FieldOption{Text: o})
	}
	return FeedbackTemplate{Text: name, Instructions: "Filled in by " + name + ".", Fields: []FeedbackField{
		rating,
		{Type: FieldText, Text: "Score"},
		{Type: FieldText, Text: "Grade"},
		{Type: FieldTextarea, Text: "Summary"},
		{Type: FieldText, Text: "Report"},
	}}
}

// CreateFeedbackTemplate creates a feedback template
// (POST /feedback_templates, scope feedback_templates:write:admin) and
// returns it with its ID and field IDs. Lever requires exactly one
// score-system field. Templates created through the API are the only ones
// the API can later update or delete.
//
// https://hire.lever.co/developer/documentation#create-a-feedback-template
func (c *Client) CreateFeedbackTemplate(ctx context.Context, t FeedbackTemplate) (FeedbackTemplate, error) {
	op := "create feedback template"
	n := 0
	for _, f := range t.Fields {
		if f.Type == FieldScoreSystem {
			n++
		}
	}
	if t.Text == "" || n != 1 {
		return FeedbackTemplate{}, &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "fields", Message: "a template needs a name and exactly one score-system field"}}}
	}
	body := struct {
		Text         string          `json:"text"`
		Instructions string          `json:"instructions,omitempty"`
		Fields       []FeedbackField `json:"fields"`
	}{t.Text, t.Instructions, t.Fields}
	for i := range body.Fields {
		body.Fields[i].ID = ""
	}
	created, err := write(ctx, c, &httpx.Request{Op: op, Method: "POST", Path: "/feedback_templates", Body: body}, templateRequired)
	if err != nil {
		return FeedbackTemplate{}, err
	}
	c.mu.Lock()
	c.templates = nil // read the list again, with the new template
	c.mu.Unlock()
	return created, nil
}

func templateRequired(r FeedbackTemplate) string {
	if r.ID == "" {
		return "the template id"
	}
	return ""
}
