package lever_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
)

// This example walks a vendor's Lever flow against the levertest fake:
// grant access with OAuth, list the tagged postings, verify a stage-change
// webhook, then post a note and move the opportunity.
func Example() {
	srv := levertest.NewServer()
	defer srv.Close()
	bot := srv.AddUser(levertest.User{Name: "Vendor Bot", Email: "bot@vendor.example"})
	stages := srv.AddStages("New applicant", "To be scheduled", "Scheduled")
	job := srv.AddPosting(levertest.Posting{Text: "Backend Engineer", Tags: []string{"InterviewVector"}})
	srv.AddPosting(levertest.Posting{Text: "Office Manager"})
	opp := srv.AddOpportunity(levertest.Opportunity{Name: "Ada Lovelace", PostingID: job.ID, StageID: stages[0].ID})
	ctx := context.Background()

	// The vendor's webhook endpoint. Its address is known before it
	// serves, so the webhook can be registered and its signature token
	// configured before any delivery arrives.
	vendor := httptest.NewUnstartedServer(nil)
	defer vendor.Close()
	vendorURL := "http://" + vendor.Listener.Addr().String()

	// 1. Grant access: send the admin to AuthCodeURL; Lever redirects back
	// with a code, which is exchanged for tokens.
	oc := lever.OAuthConfig{
		ClientID: levertest.DefaultClientID, ClientSecret: levertest.DefaultClientSecret,
		RedirectURL: "http://vendor.example/lever/callback",
		AuthURL:     srv.AuthURL(), TokenURL: srv.TokenURL(), Audience: srv.Audience(),
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(oc.AuthCodeURL("state-123"))
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	back, _ := url.Parse(resp.Header.Get("Location"))
	tok, err := oc.Exchange(ctx, back.Query().Get("code"))
	if err != nil {
		panic(err)
	}
	fmt.Println("state:", back.Query().Get("state"), "refresh token:", tok.RefreshToken != "")

	client, err := lever.NewClient(lever.Options{
		TokenSource: oc.TokenSource(ctx, tok),
		BaseURL:     srv.URL,
		VendorTag:   "InterviewVector",
		PerformAs:   bot.ID,
	})
	if err != nil {
		panic(err)
	}

	// 2. The linked jobs are the postings with the vendor's tag.
	for j, err := range client.LinkedJobs(ctx) {
		if err != nil {
			panic(err)
		}
		fmt.Printf("linked: %s (tag %s)\n", j.Title, j.Link.Marker)
	}

	// 3. Subscribe to stage changes and keep the webhook's signature token
	// for verification. A recruiter then moves the candidate to the
	// vendor's stage; Lever posts a signed webhook that the handler
	// verifies.
	hook, err := client.CreateWebhook(ctx, lever.Webhook{URL: vendorURL, Event: lever.EventCandidateStageChange})
	if err != nil {
		panic(err)
	}
	// Lever sends nothing until a Super Admin switches the webhook group
	// on in the account's settings; the fake stands in for that click.
	srv.SetWebhookGroup(lever.EventCandidateStageChange, true)
	// The replay guard makes each delivery count once; in production use
	// the lifecycle store, which implements ats.ReplayGuard.
	verifier := lever.WebhookVerifier{Secrets: []string{hook.Configuration.SignatureToken}, Replay: &ats.MemoryReplayGuard{}}
	got := make(chan ats.Event, 10)
	vendor.Config.Handler = lever.WebhookHandler(verifier, func(ctx context.Context, evs []ats.Event) error {
		for _, ev := range evs {
			got <- ev
		}
		return nil
	}, lever.WebhookHandlerOptions{})
	vendor.Start()
	srv.MoveCandidate(opp.ID, stages[1].ID)
	srv.WaitDeliveries(context.Background())
	ev := <-got
	fmt.Println("event:", ev.Kind, ev.CandidateID == opp.ID, ev.ToStage.ID == stages[1].ID)

	// 4. Report back: a note and a stage move, attributed to the bot.
	if err := client.AddNote(ctx, ev.CandidateID, ats.Note{Body: "Interview link sent: https://vendor.example/i/42"}); err != nil {
		panic(err)
	}
	if err := client.MoveCandidate(ctx, ev.CandidateID, stages[2].ID); err != nil {
		panic(err)
	}
	c, err := client.Candidate(ctx, ev.CandidateID)
	if err != nil {
		panic(err)
	}
	fmt.Println("now in:", c.Stage.Name)
	fmt.Println("note:", srv.Notes(opp.ID)[0].Value)

	// Output:
	// state: state-123 refresh token: true
	// linked: Backend Engineer (tag InterviewVector)
	// event: stage_changed true true
	// now in: Scheduled
	// note: Interview link sent: https://vendor.example/i/42
}

// ExampleClient_CreateScheduledInterview puts the vendor's interview on the
// candidate's page, moves it when the candidate reschedules, files the
// scorecard under it and uploads the report.
func ExampleClient_CreateScheduledInterview() {
	srv := levertest.NewServer()
	defer srv.Close()
	bot := srv.AddUser(levertest.User{Name: "Vendor Bot", Email: "bot@vendor.example"})
	opp := srv.AddOpportunity(levertest.Opportunity{Name: "Ada Lovelace"})
	client, err := lever.NewClient(lever.Options{APIKey: levertest.DefaultAPIKey, BaseURL: srv.URL, PerformAs: bot.ID})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	start := time.Date(2025, 3, 4, 15, 0, 0, 0, time.UTC)
	si, err := client.CreateScheduledInterview(ctx, opp.ID, ats.ScheduledInterview{
		Subject: "InterviewVector – Technical", Start: start, Duration: 45 * time.Minute,
		TimeZone: "Europe/Berlin", URL: "https://vendor.example/i/42",
	})
	if err != nil {
		panic(err)
	}
	si.Start = start.Add(24 * time.Hour)
	if si, err = client.UpdateScheduledInterview(ctx, opp.ID, si); err != nil {
		panic(err)
	}
	p := srv.Panels(opp.ID)[0]
	fmt.Println("on the profile:", p.Interviews[0].Subject, p.Interviews[0].Date.Format(time.DateTime), p.Timezone)

	// A vendor-owned template holds the whole result.
	if _, err := client.CreateFeedbackTemplate(ctx, lever.VendorFeedbackTemplate("InterviewVector result")); err != nil {
		panic(err)
	}
	fb := ats.Feedback{Score: "82%", Grade: "passed", Summary: "Clean, well-tested solution.", ScheduledInterview: &si}
	if err := client.SubmitFeedback(ctx, opp.ID, fb); err != nil {
		panic(err)
	}
	fmt.Println("feedback under the interview:", srv.Feedback(opp.ID)[0].Interview == si.InterviewID)

	if err := client.AttachReport(ctx, opp.ID, ats.Attachment{Name: "report.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.7 ...")}); err != nil {
		panic(err)
	}
	fmt.Println("files:", srv.Files(opp.ID)[0].Name)

	// Output:
	// on the profile: InterviewVector – Technical 2025-03-05 15:00:00 Europe/Berlin
	// feedback under the interview: true
	// files: report.pdf
}
