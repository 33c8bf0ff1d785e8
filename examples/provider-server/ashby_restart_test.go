package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/atskit/atskit/ashby/ashbytest"
	"github.com/atskit/atskit/provider"
)

// TestAshbyRestartAfterCancel has ashbytest play Ashby: the inline
// Started update carries the current time (ashbytest refuses timestamp 0),
// and after a cancel the same application and type start a new assessment.
func TestAshbyRestartAfterCancel(t *testing.T) {
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

	before := time.Now().Add(-time.Second)
	out, err := ashby.StartAssessment(ctx, app.ID, "java-interview", nil)
	if err != nil || !out.Updated {
		t.Fatalf("StartAssessment = %+v, %v; want the inline update applied", out, err)
	}
	if a, _ := fake.Assessment(out.AssessmentID); a.StartedAt.Before(before) {
		t.Errorf("StartedAt = %v; want the time of the start (after %v)", a.StartedAt, before)
	}
	if err := ashby.CancelAssessment(ctx, out.AssessmentID); err != nil {
		t.Fatal(err)
	}
	again, err := ashby.StartAssessment(ctx, app.ID, "java-interview", nil)
	if err != nil || again.AssessmentID == out.AssessmentID || !again.Updated {
		t.Errorf("restart after cancel = %+v, %v; want a new assessment, not the cancelled %s", again, err, out.AssessmentID)
	}
}

// TestAshbyDemoCancelChecksAccount: one customer's key cannot cancel
// another customer's assessment.
func TestAshbyDemoCancelChecksAccount(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name    string
		account provider.Account
		want    error
	}{
		{"another account", "globex", provider.ErrNotFound},
		{"the owner", "acme", nil},
		{"the owner again (already cancelled)", "acme", provider.ErrNotFound},
	}
	d := newAshbyDemo([]string{"Java Interview"})
	var req provider.AshbyStartRequest
	req.AssessmentTypeID, req.Application.AshbyID = "java-interview", "app1"
	res, err := d.StartAshbyAssessment(ctx, "acme", req)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := d.CancelAshbyAssessment(ctx, tc.account, res.AssessmentID); !errors.Is(err, tc.want) {
				t.Errorf("cancel by %s = %v; want %v", tc.account, err, tc.want)
			}
		})
	}
}
