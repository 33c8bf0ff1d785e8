package levertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
)

// DefaultRatingOptions returns the options of the score-system field of
// the fake's default templates, as in Lever's documentation ("3 - Hire"),
// in a new slice.
func DefaultRatingOptions() []string {
	return []string{"4 - Strong Hire", "3 - Hire", "2 - No Hire", "1 - Strong No Hire"}
}

// NoFeedbackTemplate returns the template every Lever account has
// ("Including 'no-feedback' which is a default on all accounts"); NewServer
// adds it. Like every Lever template it has exactly one score-system
// field. Each call returns a new value.
func NoFeedbackTemplate() FeedbackTemplate {
	return FeedbackTemplate{ID: "no-feedback", Text: "No Feedback", Fields: []FeedbackField{
		{ID: "no-feedback-rating", Type: "score-system", Text: "Rating", Options: DefaultRatingOptions()},
	}}
}

// validateFieldValues checks feedback values against the template as Lever
// documents ("The ID and value must match the field's UID and value type
// specified in the Feedback Template"). The messages, and refusing a
// missing required field, are assumptions: Lever documents neither.
func validateFieldValues(tpl *FeedbackTemplate, vals []FieldValue) string {
	if vals == nil {
		return "fieldValues must be an array"
	}
	seen := map[string]bool{}
	for _, fv := range vals {
		i := slices.IndexFunc(tpl.Fields, func(f FeedbackField) bool { return f.ID == fv.ID })
		if i < 0 {
			return "Invalid field id " + fv.ID + " for template " + tpl.ID
		}
		f := tpl.Fields[i]
		seen[f.ID] = true
		if !valueFits(f, fv.Value) {
			return fmt.Sprintf("Invalid value for field %s (%s): %s", f.ID, f.Type, mustJSON(fv.Value))
		}
	}
	for _, f := range tpl.Fields {
		if f.Required && !seen[f.ID] {
			return "Missing value for required field " + f.ID
		}
	}
	return ""
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

// valueFits reports whether v (as decoded from JSON) is a value of f's type.
func valueFits(f FeedbackField, v any) bool {
	if v == nil {
		return !f.Required
	}
	switch f.Type {
	case "text", "textarea", "code", "":
		_, ok := v.(string)
		return ok
	case "dropdown", "multiple-choice", "score-system":
		s, ok := v.(string)
		return ok && slices.Contains(f.Options, s)
	case "multiple-select":
		a, ok := v.([]any)
		if !ok {
			return false
		}
		for _, x := range a {
			if s, ok := x.(string); !ok || !slices.Contains(f.Options, s) {
				return false
			}
		}
		return true
	case "score":
		n, ok := v.(float64)
		return ok && n == float64(int(n)) && n >= 1 && n <= 4
	case "yes-no":
		s, ok := v.(string)
		return ok && (s == "yes" || s == "no")
	case "date", "currency":
		_, ok := v.(float64)
		return ok
	case "scorecard":
		a, ok := v.([]any)
		return ok && len(a) >= 0
	}
	return false
}

// postTemplate creates a feedback template (POST /feedback_templates):
// Lever requires "exactly one field of type score-system".
func (s *Server) postTemplate(w http.ResponseWriter, r *http.Request, _ *auth) {
	var body struct {
		Text   string `json:"text"`
		Fields []struct {
			Type        string `json:"type"`
			Text        string `json:"text"`
			Description string `json:"description"`
			Required    bool   `json:"required"`
			Options     []struct {
				Text string `json:"text"`
			} `json:"options"`
		} `json:"fields"`
	}
	if !decode(w, r, &body) {
		return
	}
	if body.Text == "" || len(body.Fields) == 0 {
		writeError(w, http.StatusBadRequest, "text and fields are required")
		return
	}
	t := FeedbackTemplate{Text: body.Text}
	scoreSystems := 0
	for _, f := range body.Fields {
		ff := FeedbackField{Type: f.Type, Text: f.Text, Required: f.Required}
		for _, o := range f.Options {
			ff.Options = append(ff.Options, o.Text)
		}
		if f.Type == "score-system" {
			scoreSystems++
			if len(ff.Options) == 0 {
				writeError(w, http.StatusBadRequest, "a score-system field needs options")
				return
			}
		}
		t.Fields = append(t.Fields, ff)
	}
	if scoreSystems != 1 {
		writeError(w, http.StatusBadRequest, "Feedback templates must have exactly one field of type score-system")
		return
	}
	t = s.AddFeedbackTemplate(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	fields := make([]map[string]any, len(t.Fields))
	for i, f := range t.Fields {
		opts := []map[string]string{}
		for _, o := range f.Options {
			opts = append(opts, map[string]string{"text": o})
		}
		fields[i] = map[string]any{"id": f.ID, "type": f.Type, "text": f.Text, "required": f.Required, "options": opts}
	}
	one(w, http.StatusCreated, map[string]any{"id": t.ID, "text": t.Text, "fields": fields})
}
