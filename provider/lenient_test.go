package provider

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCreateLenient replays the variants of Workable's documented create
// bodies that a strict reading refused: identifiers as numbers, a null or
// absent candidate field, no job, job_shortcode. Each must be accepted
// (201), with the backend receiving what Workable meant.
func TestCreateLenient(t *testing.T) {
	const cb = `"callback_url":"https://groove-tech.workable.com/interviews/8823119"`
	tests := []struct {
		name, path, body string
		want             Invitation
		missing          []string
	}{
		{"numeric job_id", "/interviews",
			`{"interview_template_id":"1","job_id":6789,"job_title":"Operations Manager",` + cb + `,"candidate":{"first_name":"Lakita","last_name":"Marrero","email":"l@example.com"}}`,
			Invitation{Kind: KindInterview, TemplateID: "1", JobID: "6789", JobTitle: "Operations Manager", Candidate: Candidate{FirstName: "Lakita", LastName: "Marrero", Email: "l@example.com"}}, nil},
		{"numeric interview_template_id", "/interviews",
			`{"interview_template_id":1,"job_title":"Ops",` + cb + `,"candidate":{"first_name":"A","last_name":"B","email":"e@x"}}`,
			Invitation{Kind: KindInterview, TemplateID: "1", JobTitle: "Ops", Candidate: Candidate{FirstName: "A", LastName: "B", Email: "e@x"}}, nil},
		{"null last_name goes to the backend", "/interviews",
			`{"interview_template_id":"1","job_title":"Ops",` + cb + `,"candidate":{"first_name":"Cher","last_name":null,"email":"a@b.c"}}`,
			Invitation{Kind: KindInterview, TemplateID: "1", JobTitle: "Ops", Candidate: Candidate{FirstName: "Cher", Email: "a@b.c"}}, []string{"last_name"}},
		{"numeric phone", "/interviews",
			`{"interview_template_id":"1",` + cb + `,"candidate":{"first_name":"A","last_name":"B","email":"e@x","phone":306912345678}}`,
			Invitation{Kind: KindInterview, TemplateID: "1", Candidate: Candidate{FirstName: "A", LastName: "B", Email: "e@x", Phone: "306912345678"}}, nil},
		{"no candidate, no job title", "/interviews",
			`{"interview_template_id":"2",` + cb + `}`,
			Invitation{Kind: KindInterview, TemplateID: "2"}, []string{"first_name", "last_name", "email"}},
		{"assessment with job_shortcode", "/assessments",
			`{"test_id":1,"job_shortcode":"GROOV005","job_title":"Accountant",` + cb + `,"candidate":{"first_name":"Ann","last_name":"Lee","email":"ann@example.com","phone":null}}`,
			Invitation{Kind: KindAssessment, TestID: NumberID(1), JobShortcode: "GROOV005", JobTitle: "Accountant", Candidate: Candidate{FirstName: "Ann", LastName: "Lee", Email: "ann@example.com"}}, nil},
		{"assessment with numeric job_id and string test id", "/assessments",
			`{"test_id":"acc","job_id":42,` + cb + `,"candidate":{"email":"x@y"}}`,
			Invitation{Kind: KindAssessment, TestID: StringID("acc"), JobID: "42", Candidate: Candidate{Email: "x@y"}}, []string{"first_name", "last_name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFastPathAgrees(t, tt.body)
			mem := newMemory()
			h := newTestHandler(t, mem)
			w := serve(h, reqSpec{method: "POST", path: tt.path, token: tokenAcme, body: tt.body})
			if w.Code != 201 {
				t.Fatalf("status %d %s, want 201", w.Code, w.Body.String())
			}
			var resp map[string]string
			if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
				t.Fatal(err)
			}
			invs := mem.Invitations()
			if len(invs) != 1 {
				t.Fatalf("%d invitations, want 1", len(invs))
			}
			got := invs[0]
			tt.want.ID, tt.want.Account, tt.want.CallbackURL, tt.want.CreatedAt = got.ID, got.Account, "https://groove-tech.workable.com/interviews/8823119", got.CreatedAt
			tt.want.Result = StatusDocument{Status: StatusPending}
			if d := cmp.Diff(tt.want, got, cmpWire); d != "" {
				t.Errorf("invitation (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.missing, got.Candidate.Missing()); d != "" {
				t.Errorf("Missing (-want +got):\n%s", d)
			}
			if id := resp["interview_id"] + resp["assessment_id"]; id != got.ID {
				t.Errorf("response id %q, want %q", id, got.ID)
			}
		})
	}
}

// TestCreateStillRefuses keeps what an invitation cannot do without: the
// template or test, and a usable callback URL; identifiers of another JSON
// type are still a 400 that names the field.
func TestCreateStillRefuses(t *testing.T) {
	for _, tt := range []struct {
		name, path, body, message string
		status                    int
	}{
		{"no template", "/interviews", `{"callback_url":"https://a.workable.com/1"}`, "Missing field: interview_template_id should be provided", 422},
		{"null template", "/interviews", `{"interview_template_id":null,"callback_url":"https://a.workable.com/1"}`, "Missing field: interview_template_id should be provided", 422},
		{"no callback", "/interviews", `{"interview_template_id":"1"}`, "Missing field: callback_url should be provided", 422},
		{"bool job_id", "/interviews", `{"interview_template_id":"1","job_id":true,"callback_url":"https://a.workable.com/1"}`, "Invalid field: job_id should be a string or a number", 400},
		{"object template", "/interviews", `{"interview_template_id":{"id":1},"callback_url":"https://a.workable.com/1"}`, "Invalid field: interview_template_id should be a string or a number", 400},
		{"array job_shortcode", "/assessments", `{"test_id":1,"job_shortcode":["x"],"callback_url":"https://a.workable.com/1"}`, "Invalid field: job_shortcode should be a string or a number", 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkFastPathAgrees(t, tt.body)
			w := serve(newTestHandler(t, newMemory()), reqSpec{method: "POST", path: tt.path, token: tokenAcme, body: tt.body})
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.message) {
				t.Errorf("got %d %s, want %d %q", w.Code, w.Body.String(), tt.status, tt.message)
			}
		})
	}
}
