package lifecycletest_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/lifecycletest"
	"github.com/atskit/atskit/lifecycle/memstore"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
)

// Example tests a host's wiring: the engine and a running dispatcher
// against the Workable fake, with a fake Vendor in place of the interview
// platform, waiting for each effect instead of sleeping.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	fake := workabletest.NewServer(workabletest.WithoutRateLimit())
	defer fake.Close()
	job := fake.AddJob(workabletest.Job{Title: "Backend Engineer", Stages: workabletest.StagesNamed("Applied", "YourProduct", "Offer")})
	ada := fake.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Stage: "yourproduct", Name: "Ada Lovelace", Email: "ada@example.com"})
	client, _ := workable.NewClient(workable.Options{Subdomain: fake.Subdomain(), Token: workabletest.DefaultAPIKey,
		BaseURL: fake.URL, MemberID: fake.DefaultMemberID(), VendorStage: "YourProduct", RateLimit: -1, Logger: quiet,
	})

	vendor := lifecycletest.NewVendor()
	store := memstore.New()
	engine := lifecycle.NewEngine(store, lifecycle.Options{
		Connector: lifecycle.NewMemoryConnector(map[string]ats.Adapter{"workable": client}), Vendor: vendor, VendorName: "YourProduct", Logger: quiet,
	})
	go engine.Dispatcher(lifecycle.DispatcherOptions{}).Run(ctx)
	positions, _ := engine.RefreshPositions(ctx, "workable")
	_, _ = engine.ConfigurePosition(ctx, positions[0].ID, lifecycle.PositionConfig{Rounds: []lifecycle.Round{{Name: "Technical", Template: "backend-l2"}}})
	_, _ = engine.ActivatePosition(ctx, positions[0].ID)

	// The webhook of a recruiter's move.
	_ = engine.HandleEvent(ctx, ats.Event{ID: "d1", Source: "workable", Kind: ats.EventStageChanged,
		CandidateID: ada.ID, JobID: job.Shortcode, ToStage: ats.StageRef{ID: "yourproduct"}})

	created, err := vendor.WaitCreated(ctx, 1)
	if err != nil {
		panic(err)
	}
	fmt.Println(created[0].Ref, created[0].Request.Candidate.Name, created[0].Request.Template)

	iv, err := lifecycletest.WaitInterview(ctx, store, lifecycle.InterviewFilter{CandidateID: ada.ID}, lifecycletest.InState(lifecycle.StateRequested))
	if err != nil {
		panic(err)
	}
	_, _ = engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://vendor.example/s/1"})
	notes, err := lifecycletest.WaitEffects(ctx, store, lifecycle.EffectFilter{InterviewID: iv.ID, Kind: lifecycle.EffectNote})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(notes), "note", notes[0].State, "|", len(fake.CommentsOn(ada.ID)), "comment on the candidate")
	// Output:
	// V-1 Ada Lovelace backend-l2
	// 1 note done | 1 comment on the candidate
}
