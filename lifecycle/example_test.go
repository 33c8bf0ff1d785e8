package lifecycle_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/lifecycletest"
	"github.com/atskit/atskit/lifecycle/memstore"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
)

func ExampleNewEngine() {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	// A Workable account (here the fake) with one job whose pipeline
	// contains the vendor's stage, and a candidate in it.
	fake := workabletest.NewServer(workabletest.WithoutRateLimit())
	defer fake.Close()
	job := fake.AddJob(workabletest.Job{Title: "Backend Engineer", Stages: workabletest.StagesNamed("Applied", "YourProduct", "Offer")})
	ada := fake.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Stage: "applied", Name: "Ada Lovelace", Email: "ada@example.com"})
	client, err := workable.NewClient(workable.Options{Subdomain: fake.Subdomain(), Token: workabletest.DefaultAPIKey,
		BaseURL: fake.URL, MemberID: fake.DefaultMemberID(), VendorStage: "YourProduct", RateLimit: -1, Logger: quiet,
	})
	if err != nil {
		panic(err)
	}

	engine := lifecycle.NewEngine(memstore.New(), lifecycle.Options{
		Connector:    lifecycle.NewMemoryConnector(map[string]ats.Adapter{"workable": client}),
		Vendor:       lifecycletest.NewVendor(), // the host's interview platform
		VendorName:   "YourProduct",
		RetriggerURL: func(_, id string) string { return "https://vendor.example/retrigger/" + id },
		Logger:       quiet,
	})
	dispatcher := engine.Dispatcher(lifecycle.DispatcherOptions{})

	// Configure the linked job once.
	positions, _ := engine.RefreshPositions(ctx, "workable")
	fmt.Println(positions[0].Title, positions[0].Status)
	_, _ = engine.ConfigurePosition(ctx, positions[0].ID, lifecycle.PositionConfig{
		Rounds:  []lifecycle.Round{{Name: "Technical", Template: "backend-l2"}},
		Require: []lifecycle.Field{lifecycle.FieldEmail},
	})
	p, _ := engine.ActivatePosition(ctx, positions[0].ID)
	fmt.Println(p.Title, p.Status)

	// A verified webhook (workable.WebhookHandler or hosting.Handler):
	// the recruiter moved the candidate into the vendor's stage.
	_ = fake.MoveCandidate(ada.ID, "yourproduct")
	_ = engine.HandleEvent(ctx, ats.Event{ID: "delivery-1", Source: "workable", Kind: ats.EventStageChanged,
		CandidateID: ada.ID, JobID: job.Shortcode, ToStage: ats.StageRef{ID: "yourproduct"}})
	ivs, _ := engine.Interviews(ctx, lifecycle.InterviewFilter{CandidateID: ada.ID})
	fmt.Println(ivs[0].RoundName, ivs[0].State)

	// The vendor invited the candidate.
	iv, _ := engine.Report(ctx, ivs[0].ID, lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://iv.example/s/abc"})
	fmt.Println(iv.State)

	// Deliver the side effects (normally dispatcher.Run(ctx) in a goroutine).
	_, _ = dispatcher.Drain(ctx)
	for _, body := range fake.CommentsOn(ada.ID) {
		body, _, _ = strings.Cut(body, "\n\n")
		fmt.Println(body)
	}
	// Output:
	// Backend Engineer pending
	// Backend Engineer active
	// Technical requested
	// invited
	// YourProduct: Ada Lovelace was invited to the Technical interview. Scheduling link: https://iv.example/s/abc
}
