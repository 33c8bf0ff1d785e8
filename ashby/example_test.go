package ashby_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/atskit/atskit/ashby"
	"github.com/atskit/atskit/ashby/ashbytest"
	"github.com/atskit/atskit/ats"
)

// This example walks a vendor's Ashby flow against the ashbytest fake:
// check the customer's setup, find the linked jobs, register a webhook
// through the API, receive a recruiter's stage change, then note the
// interview and move the candidate on.
func Example() {
	srv := ashbytest.NewServer()
	defer srv.Close()
	job := srv.AddJob(ashbytest.Job{Title: "Backend Engineer", Stages: []ashbytest.Stage{
		{Title: "Application Review"}, {Title: "InterviewVector Interview"}, {Title: "Onsite"},
	}})
	srv.AddJob(ashbytest.Job{Title: "Office Manager", Stages: []ashbytest.Stage{{Title: "Application Review"}}})
	person := srv.AddCandidate(ashbytest.Candidate{Name: "Ada Lovelace", Emails: []string{"ada@example.com"}})
	app := srv.AddApplication(ashbytest.Application{CandidateID: person.ID, JobID: job.ID})
	ctx := context.Background()

	client, err := ashby.NewClient(ashby.Options{
		APIKey:        ashbytest.DefaultAPIKey, // the customer's key
		BaseURL:       srv.URL,
		VendorStage:   "InterviewVector Interview",
		WebhookSecret: "whsec-example",
	})
	if err != nil {
		panic(err)
	}
	report, err := client.CheckSetup(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println("setup ok:", report.OK())

	for j, err := range client.LinkedJobs(ctx) {
		if err != nil {
			panic(err)
		}
		fmt.Println("linked job:", j.Title)
	}

	// The vendor's webhook endpoint: Ashby pings it when the webhook is
	// created, so it serves before EnsureSubscription.
	var mu sync.Mutex
	var received []ats.Event
	hook := ashby.WebhookHandler(ashby.WebhookVerifier{Secrets: []string{"whsec-example"}},
		func(ctx context.Context, evs []ats.Event) error {
			mu.Lock()
			defer mu.Unlock()
			received = append(received, evs...)
			return nil
		}, ashby.WebhookHandlerOptions{})
	vendor := httptest.NewServer(hook)
	defer vendor.Close()
	if _, err := client.EnsureSubscription(ctx, ats.Subscription{Event: ashby.EventCandidateStageChange, Target: vendor.URL}); err != nil {
		panic(err)
	}

	// A recruiter moves Ada to the vendor's stage in Ashby.
	stages, _ := client.Stages(ctx, job.ID)
	srv.MoveCandidate(app.ID, stages[1].ID)
	srv.WaitDeliveries(ctx)
	mu.Lock()
	ev := received[0]
	mu.Unlock()
	fmt.Println("event:", ev.Kind, "to", ev.ToStage.Name)

	// The vendor schedules the interview, notes it and moves Ada on.
	if err := client.AddNote(ctx, ev.CandidateID, ats.Note{Body: "Interview scheduled for Tuesday"}); err != nil {
		panic(err)
	}
	if err := client.MoveCandidate(ctx, ev.CandidateID, stages[2].ID); err != nil {
		panic(err)
	}
	c, _ := client.Candidate(ctx, ev.CandidateID)
	fmt.Println(c.Name, "is now in", c.Stage.Name)
	fmt.Println("note:", srv.Notes(person.ID)[0].Content)
	// Output:
	// setup ok: true
	// linked job: Backend Engineer
	// event: stage_changed to InterviewVector Interview
	// Ada Lovelace is now in Onsite
	// note: Interview scheduled for Tuesday
}

// ExampleVerifyWebhook verifies one delivery by hand, as a host's own
// handler would.
func ExampleVerifyWebhook() {
	body := []byte(`{"action":"candidateStageChange","data":{"application":{"id":"app-1","status":"Active",` +
		`"candidate":{"id":"p-1","name":"Ada Lovelace"},"currentInterviewStage":{"id":"st-2","title":"Onsite","type":"Active"},` +
		`"job":{"id":"job-1","title":"Engineer"}}}}`)
	header := http.Header{"Ashby-Signature": {ashby.Sign(body, "whsec")}}
	evs, err := ashby.VerifyWebhook(body, header, "whsec")
	fmt.Println(evs[0].Kind, evs[0].CandidateID, evs[0].ToStage.Name, err)
	_, err = ashby.VerifyWebhook(body, header, "another-secret")
	fmt.Println(err)
	// Output:
	// stage_changed app-1 Onsite <nil>
	// ashby: webhook: ats: webhook signature invalid: no configured secret matches
}

// ExampleClient_Disqualify archives an application with one of the
// account's archive reasons.
func ExampleClient_Disqualify() {
	srv := ashbytest.NewServer()
	defer srv.Close()
	srv.AddArchiveReason("Unable to schedule")
	job := srv.AddJob(ashbytest.Job{Title: "Engineer", Stages: []ashbytest.Stage{{Title: "Applied"}}})
	p := srv.AddCandidate(ashbytest.Candidate{Name: "Grace Hopper"})
	app := srv.AddApplication(ashbytest.Application{CandidateID: p.ID, JobID: job.ID})
	client, _ := ashby.NewClient(ashby.Options{APIKey: ashbytest.DefaultAPIKey, BaseURL: srv.URL})
	if err := client.Disqualify(context.Background(), app.ID, "unable to schedule"); err != nil {
		panic(err)
	}
	a, _ := srv.Application(app.ID)
	fmt.Println(a.Status)
	// Output: Archived
}

// ExampleClient_AttachReport uploads a PDF report to the candidate through
// Ashby's presigned upload.
func ExampleClient_AttachReport() {
	srv := ashbytest.NewServer()
	defer srv.Close()
	job := srv.AddJob(ashbytest.Job{Title: "Engineer", Stages: []ashbytest.Stage{{Title: "Applied"}}})
	p := srv.AddCandidate(ashbytest.Candidate{Name: "Grace Hopper"})
	app := srv.AddApplication(ashbytest.Application{CandidateID: p.ID, JobID: job.ID})
	client, _ := ashby.NewClient(ashby.Options{APIKey: ashbytest.DefaultAPIKey, BaseURL: srv.URL})
	err := client.AttachReport(context.Background(), app.ID, ats.Attachment{Name: "report.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.7")})
	fmt.Println(err, srv.Files(p.ID)[0].Name)
	// Output: <nil> report.pdf
}
