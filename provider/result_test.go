package provider

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/stretchr/testify/require"
)

func completed(details map[string]any) StatusDocument {
	return StatusDocument{Status: StatusCompleted, ResultsURL: "https://acme.com/interviews/1", Interview: &InterviewResult{Details: details}}
}

func TestResultValidate(t *testing.T) {
	tests := []struct {
		name  string
		r     StatusDocument
		field string // "" means valid
	}{
		{"pending", StatusDocument{Status: StatusPending}, ""},
		{"declined", StatusDocument{Status: StatusDeclined}, ""},
		{"rejected alias", StatusDocument{Status: StatusRejected}, ""},
		{"expired", StatusDocument{Status: StatusExpired}, ""},
		{"contract example", StatusDocument{
			Status: StatusCompleted, ResultsURL: "https://acme.com/interviews/2044922",
			Interview: &InterviewResult{Score: "78", Grade: ats.GradeExcelled, Summary: "excellent", Duration: "01:01:17",
				Details: map[string]any{
					"behavior":      map[string]any{"Influence": 97, "conscientiousness": 76},
					"mental_skills": map[string]any{"Problem Solving": 82, "Aptitude": 91},
				}},
			Attachments: []ats.Attachment{{Description: "Interview Report", URL: "https://acme.com/interviews/2044922/report.pdf"}},
		}, ""},
		{"missing status", StatusDocument{}, "status"},
		{"unknown status", StatusDocument{Status: "done"}, "status"},
		{"completed without results_url", StatusDocument{Status: StatusCompleted}, "results_url"},
		{"relative results_url", StatusDocument{Status: StatusCompleted, ResultsURL: "/interviews/1"}, "results_url"},
		{"unknown grade", StatusDocument{Status: StatusCompleted, ResultsURL: "https://a.com/1", Interview: &InterviewResult{Grade: "great"}}, "interview.grade"},
		{"each grade", StatusDocument{Status: StatusCompleted, ResultsURL: "https://a.com/1", Interview: &InterviewResult{Grade: ats.GradeFailed}}, ""},
		{"scalars", completed(map[string]any{"a": "x", "b": 1.5, "c": true, "d": nil, "e": int64(3), "f": json.Number("4")}), ""},
		{"two levels", completed(map[string]any{"a": map[string]any{"b": 1}}), ""},
		{"typed nested map", completed(map[string]any{"a": map[string]int{"b": 1}}), ""},
		{"three levels", completed(map[string]any{"a": map[string]any{"b": map[string]any{"c": 1}}}), "interview.details.a.b"},
		{"array at level one", completed(map[string]any{"skills": []any{"go"}}), "interview.details.skills"},
		{"array at level two", completed(map[string]any{"a": map[string]any{"b": []string{"x"}}}), "interview.details.a.b"},
		{"struct value", completed(map[string]any{"a": struct{ X int }{1}}), "interview.details.a"},
		{"time value", completed(map[string]any{"at": time.Now()}), ""},
		{"iso date", completed(map[string]any{"taken": "2024-03-12"}), ""},
		{"iso datetime", completed(map[string]any{"taken": "2024-03-12T09:30:00Z"}), ""},
		{"iso datetime offset fraction", completed(map[string]any{"a": map[string]any{"taken": "2024-03-12T09:30:00.123+02:00"}}), ""},
		{"iso minutes", completed(map[string]any{"taken": "2024-03-12T09:30"}), ""},
		{"us date", completed(map[string]any{"taken": "03/12/2024"}), "interview.details.taken"},
		{"dotted date", completed(map[string]any{"a": map[string]any{"taken": "12.03.2024"}}), "interview.details.a.taken"},
		{"slashed iso order", completed(map[string]any{"taken": "2024/03/12"}), "interview.details.taken"},
		{"invalid month", completed(map[string]any{"taken": "2024-13-01"}), "interview.details.taken"},
		{"space separator", completed(map[string]any{"taken": "2024-03-12 09:30"}), "interview.details.taken"},
		{"score is not a date", completed(map[string]any{"score": "7/10"}), ""},
		{"version is not a date", completed(map[string]any{"v": "1.2.3"}), ""},
		{"phone is not a date", completed(map[string]any{"p": "555-1234"}), ""},
		{"attachment without url", StatusDocument{Status: StatusDeclined, Attachments: []ats.Attachment{{Description: "x"}}}, "attachments[0].url"},
		{"attachment relative url", StatusDocument{Status: StatusDeclined, Attachments: []ats.Attachment{{URL: "report.pdf"}}}, "attachments[0].url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Validate()
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			var ve *ValidationError
			require.True(t, errors.As(err, &ve), "got %v", err)
			require.Equal(t, tt.field, ve.Field, err.Error())
		})
	}
}

func TestStatusNormalize(t *testing.T) {
	require.Equal(t, StatusDeclined, StatusRejected.Normalize())
	require.Equal(t, StatusCompleted, StatusCompleted.Normalize())
}

func TestIDJSON(t *testing.T) {
	tests := []struct {
		in     string
		want   ID
		out    string
		number bool
	}{
		{`1`, NumberID(1), `1`, true},
		{`"a1"`, StringID("a1"), `"a1"`, false},
		{`"1"`, StringID("1"), `"1"`, false},
		{`-12`, NumberID(-12), `-12`, true},
	}
	for _, tt := range tests {
		var id ID
		require.NoError(t, json.Unmarshal([]byte(tt.in), &id))
		require.Equal(t, tt.want, id)
		require.Equal(t, tt.number, id.IsNumber())
		b, err := json.Marshal(id)
		require.NoError(t, err)
		require.Equal(t, tt.out, string(b))
	}
	var id ID
	require.Error(t, json.Unmarshal([]byte(`{}`), &id))
	require.Error(t, json.Unmarshal([]byte(`[1]`), &id))
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", `q"uote\`, "ctl\x01\n\t\r", "<a&b>", "héllo ✓", "\u2028\u2029", "bad\xffutf8"} {
		want, _ := json.Marshal(s)
		require.Equal(t, string(want), string(appendJSONString(nil, s)), "input %q", s)
	}
}
