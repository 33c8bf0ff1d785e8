package provider

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResultWire(t *testing.T) {
	res := &InterviewResult{Score: "78", Grade: GradeExcelled, Summary: "good"}
	for _, tt := range []struct {
		name       string
		in         Result
		declined   Status
		assessment bool
		want       string
	}{
		{"interview: grade at both levels", Result{Status: StatusCompleted, ResultsURL: "https://v.example/r", Interview: res}, "", false,
			`{"status":"completed","results_url":"https://v.example/r","grade":"excelled","interview":{"score":"78","grade":"excelled","summary":"good"}}`},
		{"assessment field: both keys", Result{Status: StatusCompleted, ResultsURL: "https://v.example/r", Assessment: res}, "", false,
			`{"status":"completed","results_url":"https://v.example/r","grade":"excelled","interview":{"score":"78","grade":"excelled","summary":"good"},"assessment":{"score":"78","grade":"excelled","summary":"good"}}`},
		{"served as assessment: both keys", Result{Status: StatusCompleted, ResultsURL: "https://v.example/r", Interview: res}, "", true,
			`{"status":"completed","results_url":"https://v.example/r","grade":"excelled","interview":{"score":"78","grade":"excelled","summary":"good"},"assessment":{"score":"78","grade":"excelled","summary":"good"}}`},
		{"top-level grade copied into results", Result{Status: StatusCompleted, ResultsURL: "https://v.example/r", Grade: GradePassed, Interview: &InterviewResult{Score: "1"}}, "", false,
			`{"status":"completed","results_url":"https://v.example/r","grade":"passed","interview":{"score":"1","grade":"passed"}}`},
		{"declined default", Result{Status: StatusDeclined}, "", false, `{"status":"rejected"}`},
		{"declined option", Result{Status: StatusRejected}, StatusDeclined, false, `{"status":"declined"}`},
		{"no results: nothing added", Result{Status: StatusExpired}, "", true, `{"status":"expired"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.in
			b, err := json.Marshal(tt.in.Wire(tt.declined, tt.assessment))
			if err != nil {
				t.Fatal(err)
			}
			var got, want any
			_ = json.Unmarshal(b, &got)
			_ = json.Unmarshal([]byte(tt.want), &want)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("wire (-want +got):\n%s", d)
			}
			if d := cmp.Diff(before, tt.in); d != "" {
				t.Errorf("Wire modified its receiver:\n%s", d)
			}
		})
	}
}

func TestResultValidateGrades(t *testing.T) {
	for _, tt := range []struct {
		name  string
		r     Result
		field string // "" = valid
	}{
		{"top-level only", Result{Status: StatusCompleted, ResultsURL: "https://v.example/r", Grade: GradePassed}, ""},
		{"top-level invalid", Result{Status: StatusCompleted, ResultsURL: "https://v.example/r", Grade: "great"}, "grade"},
		{"assessment grade invalid", Result{Status: StatusCompleted, ResultsURL: "https://v.example/r", Assessment: &InterviewResult{Grade: "A+"}}, "assessment.grade"},
		{"grades disagree", Result{Status: StatusCompleted, ResultsURL: "https://v.example/r", Grade: GradePassed, Interview: &InterviewResult{Grade: GradeFailed}}, "interview.grade"},
		{"assessment details checked", Result{Status: StatusCompleted, ResultsURL: "https://v.example/r", Assessment: &InterviewResult{Details: map[string]any{"a": []int{1}}}}, "assessment.details.a"},
		{"rejected valid", Result{Status: StatusRejected}, ""},
		{"unknown status", Result{Status: "cancelled"}, "status"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Validate()
			got := ""
			if ve, ok := err.(*ValidationError); ok {
				got = ve.Field
			} else if err != nil {
				t.Fatalf("error %T %v", err, err)
			}
			if got != tt.field {
				t.Errorf("Validate() field %q (%v), want %q", got, err, tt.field)
			}
		})
	}
}

func TestSharedLinkValidate(t *testing.T) {
	for _, tt := range []struct {
		name  string
		l     SharedLink
		field string
	}{
		{"permanent", SharedLink{URL: "https://v.example/s/1"}, ""},
		{"minutes", SharedLink{URL: "https://v.example/s/1", TTL: "120", TTLUnits: "minutes"}, ""},
		{"views", SharedLink{URL: "https://v.example/s/1", TTL: "3", TTLUnits: "views"}, ""},
		{"hours is not a unit", SharedLink{URL: "https://v.example/s/1", TTL: "2", TTLUnits: "hours"}, "ttl_units"},
		{"ttl without units", SharedLink{URL: "https://v.example/s/1", TTL: "2"}, "ttl_units"},
		{"units without ttl", SharedLink{URL: "https://v.example/s/1", TTLUnits: "days"}, "ttl_units"},
		{"ttl not a number", SharedLink{URL: "https://v.example/s/1", TTL: "two", TTLUnits: "days"}, "ttl"},
		{"relative url", SharedLink{URL: "/s/1"}, "url"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.l.Validate()
			got := ""
			if ve, ok := err.(*ValidationError); ok {
				got = ve.Field
			}
			if got != tt.field {
				t.Errorf("Validate() = %v, want field %q", err, tt.field)
			}
		})
	}
}

type badLinks struct {
	*MemoryBackend
	link SharedLink
}

func (b badLinks) SharedLink(context.Context, Account, string) (SharedLink, error) {
	return b.link, nil
}

// TestServeLinkChecksTTLUnits: a backend's link with a unit Workable does
// not know is not passed through; it is a server error naming the field.
func TestServeLinkChecksTTLUnits(t *testing.T) {
	h := newTestHandler(t, badLinks{newMemory(), SharedLink{URL: "https://v.example/s/1", TTL: "2", TTLUnits: "hours"}})
	w := serve(h, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: validInterview})
	if w.Code != 201 {
		t.Fatalf("create: %d", w.Code)
	}
	w = serve(h, reqSpec{method: "GET", path: "/interviews/iv_1/shared-link", token: tokenAcme})
	if w.Code != 500 {
		t.Errorf("shared-link with ttl_units hours: %d %s, want 500", w.Code, w.Body.String())
	}
}
