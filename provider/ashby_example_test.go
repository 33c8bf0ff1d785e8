package provider_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/atskit/atskit/ashby/ashbytest"
	"github.com/atskit/atskit/provider"
)

// exampleAshby is a minimal AshbyBackend: one assessment type, and a start
// that answers with the assessment ID and an inline "Started" update.
type exampleAshby struct{}

func (exampleAshby) AshbyAssessmentTypes(context.Context, provider.Account) ([]provider.AshbyAssessmentType, error) {
	return []provider.AshbyAssessmentType{{ID: "go-senior", Name: "Go (senior)", Description: "90 minutes, live coding"}}, nil
}

func (exampleAshby) StartAshbyAssessment(_ context.Context, _ provider.Account, r provider.AshbyStartRequest) (provider.AshbyStartResult, error) {
	return provider.AshbyStartResult{AssessmentID: "as-" + r.Application.AshbyID[:8], FirstUpdate: &provider.AshbyUpdate{
		Status: &provider.AshbyDataValue{Identifier: "status", Label: "Status", Type: provider.AshbyString, Value: provider.AshbyStatusStarted},
	}}, nil
}

// ExampleNewAshbyHandler serves Ashby's Assessments Partner API and reports
// a result with AshbyPublisher; the ashbytest fake plays Ashby on both
// sides.
func ExampleNewAshbyHandler() {
	h, err := provider.NewAshbyHandler(exampleAshby{}, provider.AshbyHandlerOptions{
		// The secret key given to Ashby at onboarding, per customer.
		Tokens: provider.NewStaticTokens(map[string]provider.Account{"ashby-secret-acme": "acme"}),
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/ashby/", http.StripPrefix("/ashby", h))
	vendor := httptest.NewServer(mux)
	defer vendor.Close()

	fake := ashbytest.NewServer()
	defer fake.Close()
	job := fake.AddJob(ashbytest.Job{Title: "Go Engineer", Stages: []ashbytest.Stage{{Title: "Applied"}}})
	p := fake.AddCandidate(ashbytest.Candidate{Name: "Ada Lovelace", Emails: []string{"ada@example.com"}})
	app := fake.AddApplication(ashbytest.Application{CandidateID: p.ID, JobID: job.ID})
	ctx := context.Background()

	// Ashby lists the assessments and starts one.
	ashby := fake.Partner(vendor.URL+"/ashby", "ashby-secret-acme")
	types, _ := ashby.ListAssessments(ctx)
	fmt.Println("offered:", types[0].Name)
	started, err := ashby.StartAssessment(ctx, app.ID, "go-senior", nil)
	fmt.Println("started:", err == nil, "inline update:", started.Updated)

	// The candidate finishes; the vendor reports the result with the
	// customer's Ashby API key.
	pub := provider.NewAshbyPublisher(provider.AshbyPublisherOptions{
		BaseURL: fake.URL, // production: the default, https://api.ashbyhq.com
		Now:     func() time.Time { return time.UnixMilli(1700000000000) },
		// For the loopback fake only; never in production.
		PublisherOptions: provider.PublisherOptions{AllowLoopback: true, AllowInsecureHTTP: true},
	})
	_, err = pub.Update(ctx, ashbytest.DefaultAPIKey, provider.AshbyUpdate{
		AssessmentID: started.AssessmentID,
		Status:       &provider.AshbyDataValue{Identifier: "status", Label: "Status", Type: provider.AshbyString, Value: "Completed"},
		Result:       &provider.AshbyDataValue{Identifier: "score", Label: "Score", Type: provider.AshbyNumericScore, Value: 87},
		ProfileURL:   &provider.AshbyDataValue{Identifier: "report", Label: "Report", Type: provider.AshbyURL, Value: "https://vendor.example/r/1"},
	})
	a, _ := fake.Assessment(started.AssessmentID)
	fmt.Println("reported:", err == nil, "complete:", a.Complete())
	// Output:
	// offered: Go (senior)
	// started: true inline update: true
	// reported: true complete: true
}
