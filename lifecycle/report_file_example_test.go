package lifecycle_test

import (
	"context"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/examples/custom-adapter/memats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/lifecycletest"
	"github.com/atskit/atskit/lifecycle/memstore"
)

// pdfVendor is a host's interview platform with the optional
// lifecycle.ReportFetcher capability: its results link the PDF report, and
// the engine fetches the bytes when it uploads the report to the
// candidate's profile.
type pdfVendor struct {
	*lifecycletest.Vendor
	reports map[string][]byte // by URL
}

func (v pdfVendor) FetchReport(_ context.Context, r lifecycle.ReportRequest) (ats.Attachment, error) {
	data, ok := v.reports[r.Attachment.URL]
	if !ok {
		return ats.Attachment{}, fmt.Errorf("no report at %s", r.Attachment.URL)
	}
	a := r.Attachment
	a.Data = data
	return a, nil
}

// profileATS stands for an adapter that stores report files
// (ats.ReportAttacher), as the lever, greenhouse and ashby clients do, and
// links every job through its "Interview" stage.
type profileATS struct{ *memats.Adapter }

func (p profileATS) LinkedJobs(ctx context.Context) iter.Seq2[ats.Job, error] {
	return func(yield func(ats.Job, error) bool) {
		for j, err := range p.Jobs(ctx, ats.ListJobsOptions{}) {
			j.Link = ats.JobLink{Linked: true, StageID: "interview"}
			if !yield(j, err) {
				return
			}
		}
	}
}

func (p profileATS) AttachReport(_ context.Context, candidateID string, a ats.Attachment) error {
	fmt.Printf("uploaded %s (%s, %d bytes) to candidate %s\n", a.Name, a.ContentType, len(a.Data), candidateID)
	return nil
}

func ExampleReportFetcher() {
	ctx := context.Background()
	svc := memats.NewService("token")
	job, _ := svc.AddJob("Backend Engineer", "Applied", "Interview")
	cand, _ := svc.AddCandidate(job, "interview", ats.Candidate{Name: "Ada Lovelace", Emails: []string{"ada@example.com"}})
	vendor := pdfVendor{Vendor: lifecycletest.NewVendor(), reports: map[string][]byte{
		"https://vendor.example/reports/42.pdf": []byte("%PDF-1.7 …"),
	}}
	engine := lifecycle.NewEngine(memstore.New(), lifecycle.Options{
		Connector:    lifecycle.NewMemoryConnector(map[string]ats.Adapter{"workable": profileATS{memats.NewAdapter(svc, "token")}}),
		Vendor:       vendor,
		VendorName:   "InterviewVector",
		RetriggerURL: func(_, id string) string { return "https://vendor.example/retrigger/" + id },
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	dispatcher := engine.Dispatcher(lifecycle.DispatcherOptions{})
	_, _ = engine.RefreshPositions(ctx, "workable")
	_, _ = engine.ConfigurePosition(ctx, lifecycle.PositionID("workable", job), lifecycle.PositionConfig{Rounds: []lifecycle.Round{{Name: "Technical"}}})
	_, _ = engine.ActivatePosition(ctx, lifecycle.PositionID("workable", job))
	_ = engine.HandleEvent(ctx, ats.Event{ID: "delivery-1", Source: "workable", Kind: ats.EventStageChanged,
		CandidateID: cand, JobID: job, ToStage: ats.StageRef{ID: "interview"}})
	ivs, _ := engine.Interviews(ctx, lifecycle.InterviewFilter{CandidateID: cand})

	// The vendor's result links the PDF report; it carries no bytes.
	for _, u := range []lifecycle.Update{
		{Kind: lifecycle.UpdateInvited, Link: "https://vendor.example/s/42"},
		{Kind: lifecycle.UpdateScheduled, At: time.Date(2025, 6, 3, 9, 0, 0, 0, time.UTC)},
		{Kind: lifecycle.UpdateCompleted, Result: &ats.Result{Grade: ats.GradePassed, Score: "82",
			Attachments: []ats.Attachment{{Name: "report.pdf", ContentType: "application/pdf", URL: "https://vendor.example/reports/42.pdf"}}}},
	} {
		_, _ = engine.Report(ctx, ivs[0].ID, u)
	}
	_, _ = dispatcher.Drain(ctx)
	iv, _ := engine.Interview(ctx, ivs[0].ID)
	fmt.Println(iv.State)
	// Output:
	// uploaded report.pdf (application/pdf, 12 bytes) to candidate cand0002
	// reported
}
