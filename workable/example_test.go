package workable_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
)

// Example runs the vendor flow against the fake: list the jobs linked to
// the vendor's stage, subscribe to candidate_moved, receive and verify the
// webhook when a recruiter moves a candidate into the stage, and comment
// on the candidate's timeline.
func Example() {
	srv := workabletest.NewServer(workabletest.WithoutRateLimit(), workabletest.WithSynchronousWebhooks())
	defer srv.Close()
	job := srv.AddJob(workabletest.Job{Title: "Backend Engineer", Stages: workabletest.StagesNamed("Applied", "InterviewVector", "Offer")})
	srv.AddJob(workabletest.Job{Title: "Office Manager"}) // not linked
	ada := srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: "Ada Lovelace", Email: "ada@example.com"})

	c, err := workable.NewClient(workable.Options{Subdomain: srv.Subdomain(), Token: workabletest.DefaultAPIKey,
		BaseURL:           srv.URL, // omit in production: https://{subdomain}.workable.com/spi/v3
		ActingMemberEmail: "rita@example.com",
		VendorStage:       "InterviewVector",
		RateLimit:         -1, // the fake runs unlimited; omit in production to pace at Workable's limit
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// 1. Jobs whose pipeline has the vendor's stage.
	for j, err := range c.LinkedJobs(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("linked job %s %q, stage %q\n", j.ID, j.Title, j.Link.StageID)
	}

	// 2. Receive verified webhooks. The secret is the account token.
	events := make(chan ats.Event, 1)
	hook := httptest.NewServer(workable.WebhookHandler(workable.WebhookVerifier{Secrets: []string{workabletest.DefaultAPIKey}},
		func(ctx context.Context, evs []ats.Event) error {
			for _, ev := range evs {
				events <- ev
			}
			return nil
		}, workable.WebhookHandlerOptions{}))
	defer hook.Close()
	sub, err := c.EnsureSubscription(ctx, ats.Subscription{Event: workable.EventCandidateMoved, Target: hook.URL + "/workable"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("subscribed to", sub.Event)

	// 3. A recruiter moves Ada into the vendor's stage in Workable.
	if err := srv.MoveCandidate(ada.ID, "interviewvector"); err != nil {
		log.Fatal(err)
	}
	ev := <-events
	if err := c.ResolveEvent(ctx, &ev); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: candidate %s moved to %q (%s)\n", ev.Kind, ev.CandidateID, ev.ToStage.Name, ev.ToStage.ID)

	// 4. Comment on the candidate's timeline.
	if err := c.AddNote(ctx, ev.CandidateID, ats.Note{Body: "InterviewVector: invitation sent to ada@example.com"}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("timeline:", srv.CommentsOn(ada.ID))
	// Output:
	// linked job ACME001 "Backend Engineer", stage "interviewvector"
	// subscribed to candidate_moved
	// stage_changed: candidate 10000004 moved to "InterviewVector" (interviewvector)
	// timeline: [InterviewVector: invitation sent to ada@example.com]
}

// A WebhookVerifier with several secrets accepts deliveries signed with
// either while the secret is rotated; with a ReplayGuard it acts on each
// delivery once (a copy is ats.ErrWebhookReplayed, which WebhookHandler
// answers 200).
func ExampleWebhookVerifier() {
	body := []byte(`{"id":"evt_1","event_type":"candidate_moved","resource_type":"candidate","data":{"id":"c1","job":{"shortcode":"J1"},"stage":"Interview"}}`)
	header := http.Header{workable.SignatureHeader: {workable.Sign(body, "old-secret")}}
	v := workable.WebhookVerifier{
		Secrets:    []string{"new-secret", "old-secret"},
		Replay:     &ats.MemoryReplayGuard{},
		Connection: "acme",
	}
	events, err := v.VerifyWebhook(body, header)
	fmt.Println(len(events), events[0].CandidateID, events[0].Connection, err)
	_, err = v.VerifyWebhook(body, header)
	fmt.Println(errors.Is(err, ats.ErrWebhookReplayed))
	// Output:
	// 1 c1 acme <nil>
	// true
}
