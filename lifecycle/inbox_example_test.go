package lifecycle_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/examples/custom-adapter/memats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/lifecycletest"
	"github.com/atskit/atskit/lifecycle/memstore"
)

func ExampleEngine_AcceptEvents() {
	ctx := context.Background()
	svc := memats.NewService("token") // stands in for a Workable account
	job, _ := svc.AddJob("Backend Engineer", "Applied", "Interview")
	ada, _ := svc.AddCandidate(job, "applied", ats.Candidate{Name: "Ada Lovelace", Emails: []string{"ada@example.com"}})
	workable := profileATS{memats.NewAdapter(svc, "token")} // stands in for workable.NewClient(...)
	engine := lifecycle.NewEngine(memstore.New(), lifecycle.Options{
		Connector: lifecycle.NewMemoryConnector(map[string]ats.Adapter{"workable": workable}), Vendor: lifecycletest.NewVendor(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	_, _ = engine.RefreshPositions(ctx, "workable")
	pos := lifecycle.PositionID("workable", job)
	_, _ = engine.ConfigurePosition(ctx, pos, lifecycle.PositionConfig{Rounds: []lifecycle.Round{{Name: "Technical"}}})
	_, _ = engine.ActivatePosition(ctx, pos)

	// A recruiter moves Ada into the vendor's stage; Workable sends a
	// webhook. In the handler: store the verified events, then answer 200.
	// Nothing is read from the ATS yet.
	_ = workable.MoveCandidate(ctx, ada, "interview")
	reads := svc.Requests()
	ev := ats.Event{ID: "delivery-1", Source: "workable", Kind: ats.EventStageChanged, CandidateID: ada, JobID: job}
	if err := engine.AcceptEvents(ctx, []ats.Event{ev, ev}); err != nil { // a redelivery is stored once
		fmt.Println("answer 500 so the ATS retries:", err)
	}
	pending, _ := engine.InboxEvents(ctx, lifecycle.InboxFilter{State: lifecycle.InboxPending})
	fmt.Println(len(pending), "pending,", svc.Requests()-reads, "ATS reads")

	// A dispatcher (normally Run in a goroutine) reads the candidate,
	// paced, and decides.
	_, _ = engine.Dispatcher(lifecycle.DispatcherOptions{}).Drain(ctx)
	ivs, _ := engine.Interviews(ctx, lifecycle.InterviewFilter{CandidateID: ada})
	fmt.Println(ivs[0].RoundName, ivs[0].State)
	// Output:
	// 1 pending, 0 ATS reads
	// Technical requested
}

func ExampleEngine_Prune() {
	ctx := context.Background()
	now := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	engine := lifecycle.NewEngine(memstore.New(), lifecycle.Options{
		Retention: 7 * 24 * time.Hour, // keep a week of delivered history
		Now:       func() time.Time { return now },
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	// Engine.Run prunes every PruneInterval; a host may also call Prune.
	n, err := engine.Prune(ctx, now)
	fmt.Println(n, err)
	// Output:
	// 0 <nil>
}
