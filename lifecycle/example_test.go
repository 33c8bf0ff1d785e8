package lifecycle_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/fakeats"
	"github.com/atskit/atskit/lifecycle/memstore"
)

func ExampleNewEngine() {
	ctx := context.Background()

	// An ATS adapter (here a fake standing in for workable.NewClient(...))
	// with one job whose pipeline contains the vendor's stage.
	workable := fakeats.New()
	workable.AddJob(ats.Job{ID: "GROOV005", Title: "Backend Engineer",
		Link: ats.JobLink{Linked: true, Marker: "InterviewVector", StageID: "interviewvector"}},
		ats.Stage{ID: "applied", Name: "Applied"}, ats.Stage{ID: "interviewvector", Name: "InterviewVector"},
		ats.Stage{ID: "offer", Name: "Offer"})
	workable.PutCandidate(ats.Candidate{ID: "3fc9a80f", JobID: "GROOV005", Name: "Ada Lovelace", Emails: []string{"ada@example.com"},
		Stage: ats.StageRef{ID: "interviewvector"}}) // a recruiter moved her into the vendor's stage

	engine := lifecycle.NewEngine(memstore.New(), lifecycle.Options{
		Connector:    lifecycle.NewMemoryConnector(map[string]ats.Adapter{"workable": workable}),
		Vendor:       fakeats.NewVendor(), // the host's interview platform
		VendorName:   "InterviewVector",
		RetriggerURL: func(_, id string) string { return "https://vendor.example/retrigger/" + id },
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	dispatcher := engine.Dispatcher(lifecycle.DispatcherOptions{})

	// Configure the linked job once.
	positions, _ := engine.RefreshPositions(ctx, "workable")
	fmt.Println(positions[0].ID, positions[0].Status)
	_, _ = engine.ConfigurePosition(ctx, "workable:GROOV005", lifecycle.PositionConfig{
		Rounds:  []lifecycle.Round{{Name: "Technical", Template: "backend-l2"}},
		Require: []lifecycle.Field{lifecycle.FieldEmail},
	})
	p, _ := engine.ActivatePosition(ctx, "workable:GROOV005")
	fmt.Println(p.ID, p.Status)

	// A verified webhook: the candidate entered the vendor's stage.
	_ = engine.HandleEvent(ctx, ats.Event{ID: "delivery-1", Source: "workable", Kind: ats.EventStageChanged,
		CandidateID: "3fc9a80f", JobID: "GROOV005", ToStage: ats.StageRef{ID: "interviewvector"}})
	ivs, _ := engine.Interviews(ctx, lifecycle.InterviewFilter{CandidateID: "3fc9a80f"})
	fmt.Println(ivs[0].RoundName, ivs[0].State)

	// The vendor invited the candidate.
	iv, _ := engine.Report(ctx, ivs[0].ID, lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://iv.example/s/abc"})
	fmt.Println(iv.State)

	// Deliver the side effects (normally dispatcher.Run(ctx) in a goroutine).
	_, _ = dispatcher.Drain(ctx)
	for _, body := range workable.NotesOf("3fc9a80f") {
		fmt.Println(body[:strings.Index(body, "\n\n[ref ")])
	}
	// Output:
	// workable:GROOV005 pending
	// workable:GROOV005 active
	// Technical requested
	// invited
	// InterviewVector: Ada Lovelace was invited to the Technical interview. Scheduling link: https://iv.example/s/abc
}
