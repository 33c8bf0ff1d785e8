package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/atskit/atskit/ashby/ashbytest"
	"github.com/google/go-cmp/cmp"
)

// TestAshbyPartner has the ashbytest fake play Ashby against /ashby/:
// list, start (its inline Started update applied), a repeat (409) and
// cancel.
func TestAshbyPartner(t *testing.T) {
	h, _ := newServer(config{Token: "t", CallbackToken: "c", Templates: []string{"Java Interview"}, Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(h)
	defer srv.Close()
	fake := ashbytest.NewServer()
	defer fake.Close()
	job := fake.AddJob(ashbytest.Job{Title: "Java Engineer", Stages: []ashbytest.Stage{{Title: "Applied"}}})
	p := fake.AddCandidate(ashbytest.Candidate{Name: "Ada Lovelace", Emails: []string{"ada@example.com"}})
	app := fake.AddApplication(ashbytest.Application{CandidateID: p.ID, JobID: job.ID})
	ctx := context.Background()
	ashby := fake.Partner(srv.URL+"/ashby", "t")

	types, err := ashby.ListAssessments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]ashbytest.PartnerAssessmentType{{ID: "java-interview", Name: "Java Interview", Description: "Java Interview (demo)"}}, types); diff != "" {
		t.Errorf("types (-want +got):\n%s", diff)
	}
	out, err := ashby.StartAssessment(ctx, app.ID, "java-interview", nil)
	if err != nil || !out.Updated {
		t.Fatalf("StartAssessment = %+v, %v", out, err)
	}
	if a, _ := fake.Assessment(out.AssessmentID); a.StartedAt.IsZero() {
		t.Errorf("the inline Started update was not applied: %+v", a)
	}
	// Ashby retrying a start within the idempotency window gets the same
	// assessment.
	if again, err := ashby.StartAssessment(ctx, app.ID, "java-interview", nil); err != nil || again.AssessmentID != out.AssessmentID {
		t.Errorf("repeat start = %+v, %v", again, err)
	}
	var pe *ashbytest.PartnerError
	if _, err := ashby.StartAssessment(ctx, app.ID, "nope", nil); !errors.As(err, &pe) || pe.Status != 422 {
		t.Errorf("unknown type = %v; want 422", err)
	}
	if err := ashby.CancelAssessment(ctx, out.AssessmentID); err != nil {
		t.Errorf("cancel: %v", err)
	}
	bad := fake.Partner(srv.URL+"/ashby", "wrong")
	if _, err := bad.ListAssessments(ctx); !errors.As(err, &pe) || pe.Status != 401 {
		t.Errorf("wrong key = %v; want 401", err)
	}
}
