package ashby_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atskit/atskit/ashby"
	"github.com/atskit/atskit/ashby/ashbytest"
	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/memstore"
)

// The Client lists notes, so lifecycle's dispatcher de-duplicates notes
// after a crash.
var _ lifecycle.NoteLister = (*ashby.Client)(nil)

// recVendor records interview requests.
type recVendor struct {
	mu   sync.Mutex
	reqs []lifecycle.VendorRequest
}

func (v *recVendor) CreateInterview(_ context.Context, r lifecycle.VendorRequest) (string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.reqs = append(v.reqs, r)
	return "v-" + r.IdempotencyKey, nil
}

func (v *recVendor) CancelInterview(context.Context, string) error { return nil }

// TestLifecycleFlow runs the vendor flow through lifecycle on Ashby: the
// linked job is found by its vendor stage, a recruiter's move reaches the
// engine through a signed webhook (with Ashby's duplicate applicationUpdate),
// the vendor is asked once, and the vendor's result comes back as notes
// and a stage move on the application.
func TestLifecycleFlow(t *testing.T) {
	srv := ashbytest.NewServer(ashbytest.WithRateLimit(1000, 100))
	defer srv.Close()
	job := srv.AddJob(ashbytest.Job{Title: "Backend Engineer", Stages: []ashbytest.Stage{
		{Title: "Applied"}, {Title: "InterviewVector Interview"}, {Title: "Scheduled"}, {Title: "Passed"}, {Title: "Failed"},
	}})
	stage := map[string]string{}
	for _, s := range job.Stages {
		stage[s.Title] = s.ID
	}
	person := srv.AddCandidate(ashbytest.Candidate{Name: "Ada Lovelace", Emails: []string{"ada@example.com"}})
	app := srv.AddApplication(ashbytest.Application{CandidateID: person.ID, JobID: job.ID})
	client := newClient(t, srv, ashbytest.DefaultAPIKey, func(o *ashby.Options) {
		o.VendorStage, o.WebhookSecret = "InterviewVector Interview", "whsec"
	})

	vendor := &recVendor{}
	engine := lifecycle.NewEngine(memstore.New(), lifecycle.Options{
		Connector: lifecycle.NewMemoryConnector(map[string]ats.Adapter{"ashby": client}), Vendor: vendor, VendorName: "InterviewVector",
		Logger: slog.New(slog.DiscardHandler),
	})
	disp := engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "test"})
	hook := httptest.NewServer(ashby.WebhookHandler(ashby.WebhookVerifier{Secrets: []string{"whsec"}},
		func(ctx context.Context, evs []ats.Event) error {
			for _, e := range evs {
				if err := engine.HandleEvent(ctx, e); err != nil {
					return err
				}
			}
			return nil
		}, ashby.WebhookHandlerOptions{}))
	defer hook.Close()
	ctx := context.Background()
	for _, typ := range []string{ashby.EventCandidateStageChange, ashby.EventApplicationUpdate} {
		if _, err := client.EnsureSubscription(ctx, ats.Subscription{Event: typ, Target: hook.URL}); err != nil {
			t.Fatal(err)
		}
	}

	ps, err := engine.RefreshPositions(ctx, "ashby")
	if err != nil || len(ps) != 1 || ps[0].JobID != job.ID {
		t.Fatalf("RefreshPositions = %+v, %v", ps, err)
	}
	if _, err := engine.ConfigurePosition(ctx, ps[0].ID, lifecycle.PositionConfig{
		Rounds: []lifecycle.Round{{Name: "Technical", Template: "tpl"}},
		Stages: lifecycle.StageMapping{Trigger: stage["InterviewVector Interview"], Scheduled: stage["Scheduled"], Passed: stage["Passed"], Failed: stage["Failed"]},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := engine.ActivatePosition(ctx, ps[0].ID); err != nil {
		t.Fatal(err)
	}
	settle := func() {
		t.Helper()
		for range 5 {
			if err := srv.WaitDeliveries(ctx); err != nil {
				t.Fatal(err)
			}
			n, err := disp.Drain(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return
			}
		}
	}

	if err := srv.MoveCandidate(app.ID, stage["InterviewVector Interview"]); err != nil {
		t.Fatal(err)
	}
	settle()
	ivs, err := engine.Interviews(ctx, lifecycle.InterviewFilter{Source: "ashby", CandidateID: app.ID})
	if err != nil || len(ivs) != 1 || ivs[0].State != lifecycle.StateRequested {
		t.Fatalf("interviews = %+v, %v; want one requested", ivs, err)
	}
	if len(vendor.reqs) != 1 || vendor.reqs[0].Candidate.Email() != "ada@example.com" || vendor.reqs[0].Candidate.PersonID != person.ID {
		t.Fatalf("vendor requests = %+v", vendor.reqs)
	}
	at := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	for _, u := range []lifecycle.Update{
		{ID: "u1", Kind: lifecycle.UpdateScheduled, At: at},
		{ID: "u2", Kind: lifecycle.UpdateCompleted, Result: &ats.Result{Score: "87", Grade: ats.GradePassed, ReportURL: "https://iv.example/r/1"}},
	} {
		if _, err := engine.Report(ctx, ivs[0].ID, u); err != nil {
			t.Fatal(err)
		}
		settle()
	}
	a, _ := srv.Application(app.ID)
	if a.StageID != stage["Passed"] {
		t.Errorf("application is in stage %s, want Passed", a.StageID)
	}
	notes := srv.Notes(person.ID)
	if len(notes) != 2 || !strings.Contains(notes[1].Content, "Verdict: passed") {
		t.Errorf("notes = %+v; want the scheduled and the completed note", notes)
	}
	if iv, _ := engine.Interview(ctx, ivs[0].ID); iv.State != lifecycle.StateReported {
		t.Errorf("interview state = %s, want reported", iv.State)
	}
}
