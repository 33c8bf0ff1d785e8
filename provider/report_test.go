package provider

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/workable/workabletest"
	"github.com/google/go-cmp/cmp"
)

// TestHarverReports publishes an assessment result carrying the four
// report kinds Harver offers to Workable's (fake) callback, which
// validates it like Workable, and checks where each report lands.
func TestHarverReports(t *testing.T) {
	reports := []Report{
		{Kind: ReportDetailsPage, URL: "https://harver.example/c/1"},
		{Kind: ReportReadOnlyDetailsPage, URL: "https://harver.example/c/1/ro"},
		{Kind: ReportPDF, URL: "https://harver.example/c/1/report.pdf"},
		{Kind: ReportSigned, URL: "https://harver.example/c/1/signed.pdf?sig=x"},
	}
	res, err := StatusDocument{Status: StatusCompleted, Assessment: &InterviewResult{Score: "82", Grade: ats.GradePassed}}.WithReports(reports...)
	if err != nil {
		t.Fatal(err)
	}
	srv := workabletest.NewServer(workabletest.WithoutRateLimit())
	defer srv.Close()
	if _, err := testPublisher().Publish(context.Background(), srv.CallbackURL("assessments", "42"), workabletest.CallbackToken, res); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	puts := srv.Callbacks().Accepted("/assessments/42")
	if len(puts) != 1 {
		t.Fatalf("%d accepted PUTs, want 1", len(puts))
	}
	var got map[string]any
	if err := json.Unmarshal(puts[0].Body, &got); err != nil {
		t.Fatal(err)
	}
	results := map[string]any{"score": "82", "grade": "passed", "details": map[string]any{"Reports": map[string]any{
		"Candidate details page":             "https://harver.example/c/1",
		"Candidate details page (read-only)": "https://harver.example/c/1/ro",
		"PDF report":                         "https://harver.example/c/1/report.pdf",
		"Signed report":                      "https://harver.example/c/1/signed.pdf?sig=x",
	}}}
	want := map[string]any{
		"status": "completed", "results_url": "https://harver.example/c/1", "grade": "passed",
		"assessment": results, "interview": results,
		"attachments": []any{
			map[string]any{"description": "PDF report", "url": "https://harver.example/c/1/report.pdf"},
			map[string]any{"description": "Signed report", "url": "https://harver.example/c/1/signed.pdf?sig=x"},
		},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("callback body (-want +got):\n%s", d)
	}
}

func TestWithReports(t *testing.T) {
	base := StatusDocument{Status: StatusCompleted, ResultsURL: "https://v.example/full", Interview: &InterviewResult{Details: map[string]any{"a": "b"}}}
	for _, tt := range []struct {
		name        string
		reports     []Report
		wantURL     string
		wantAtts    int
		wantErrPath string
	}{
		{"each kind alone: pdf", []Report{{Kind: ReportPDF, URL: "https://v.example/r.pdf"}}, "https://v.example/full", 1, ""},
		{"each kind alone: signed", []Report{{Kind: ReportSigned, URL: "https://v.example/s.pdf"}}, "https://v.example/full", 1, ""},
		{"each kind alone: details", []Report{{Kind: ReportDetailsPage, URL: "https://v.example/d"}}, "https://v.example/full", 0, ""},
		{"each kind alone: read-only", []Report{{Kind: ReportReadOnlyDetailsPage, URL: "https://v.example/ro"}}, "https://v.example/full", 0, ""},
		{"unknown kind", []Report{{Kind: "video", URL: "https://v.example/v"}}, "", 0, "reports[0].kind"},
		{"twice", []Report{{Kind: ReportPDF, URL: "https://v.example/1.pdf"}, {Kind: ReportPDF, URL: "https://v.example/2.pdf"}}, "", 0, "reports[1].kind"},
		{"relative url", []Report{{Kind: ReportPDF, URL: "/r.pdf"}}, "", 0, "reports[0].url"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := base.WithReports(tt.reports...)
			if tt.wantErrPath != "" {
				ve, ok := err.(*ValidationError)
				if !ok || ve.Field != tt.wantErrPath {
					t.Fatalf("err = %v, want field %s", err, tt.wantErrPath)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.ResultsURL != tt.wantURL || len(got.Attachments) != tt.wantAtts {
				t.Errorf("results_url %q, %d attachments", got.ResultsURL, len(got.Attachments))
			}
			if err := got.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
			if d := cmp.Diff(map[string]any{"a": "b"}, base.Interview.Details); d != "" {
				t.Errorf("WithReports modified its receiver's details:\n%s", d)
			}
		})
	}
	t.Run("results_url from the first page report when empty", func(t *testing.T) {
		got, _ := StatusDocument{Status: StatusCompleted}.WithReports(Report{Kind: ReportPDF, URL: "https://v.example/r.pdf"}, Report{Kind: ReportReadOnlyDetailsPage, URL: "https://v.example/ro"})
		if got.ResultsURL != "https://v.example/ro" {
			t.Errorf("results_url %q", got.ResultsURL)
		}
	})
}
