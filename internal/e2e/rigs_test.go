package e2e

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/fakeserver"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/workable/workabletest"
)

// delivery is a webhook delivery as a fake made it, for redelivery.
type delivery struct {
	Body      []byte
	Header    http.Header
	Delivered bool // the endpoint answered 200
	Final     bool // the fake will not try again
}

// rig is one ATS fake with the real adapter pointed at it, seen through
// the operations the tests need. Both ATSs offer the same operations, so
// scenarios are written once and run against each.
type rig struct {
	source  string
	adapter ats.Adapter
	stats   *callStats
	fixes   *fixes
	// jobID is the linked job; stage maps stage names to IDs.
	jobID string
	stage map[string]string
	// hookPath is where the fake delivers webhooks on the hook server.
	hookPath string

	// addCandidate seeds a candidate of the linked job in stageApplied.
	addCandidate func(t testing.TB, name, email string) string
	// recruiterMove moves a candidate as a recruiter would, which fires
	// a signed webhook.
	recruiterMove func(t testing.TB, id, stageName string)
	// flush waits until the fake attempted every queued delivery.
	flush func(t testing.TB)
	// notes returns the bodies of the notes on a candidate.
	notes func(id string) []string
	// moves returns the stage IDs the adapter moved a candidate to.
	moves func(id string) []string
	// stageOf returns the candidate's current stage ID.
	stageOf func(id string) string
	// tags returns a candidate's tags.
	tags func(id string) []string
	// feedback returns how many feedback forms (Lever) or ratings
	// (Workable) were submitted for a candidate.
	feedback func(id string) int
	// deliveries returns the webhook deliveries so far.
	deliveries func() []delivery
	// forge returns a delivery for a stage change of id to the trigger
	// stage, signed with the wrong secret.
	forge func(id string) delivery
	// faults returns how many faults the fake injected.
	faults func() int
	// requests returns how many API requests the fake served.
	requests func() int
	// setFaults turns fault injection on (rate > 0) or off.
	setFaults func(rate float64, stall time.Duration, seed uint64)
}

// rigOptions configures newWorkableRig and newLeverRig.
type rigOptions struct {
	// httpClient performs each adapter attempt (per-attempt timeout).
	httpClient *http.Client
	// sync makes Workable deliver webhooks before the triggering call
	// returns; Lever always delivers in order from one goroutine and is
	// flushed with WaitDeliveries.
	sync bool
	// deliveryAttempts and deliveryBackoff configure Workable's retries.
	deliveryAttempts int
	deliveryBackoff  time.Duration
	// scheduledStage adds stageScheduled to the pipeline.
	scheduledStage bool
	// leverNow, when set, is the Lever fake's clock (its webhooks'
	// triggeredAt).
	leverNow func() time.Time
}

func (o rigOptions) pipeline() []string {
	names := []string{stageApplied, stageTrigger}
	if o.scheduledStage {
		names = append(names, stageScheduled)
	}
	return append(names, stagePassed, stageFailed, stageOffer)
}

// newWorkableRig starts a workabletest server with a job linked through
// the vendor's stage and an unlinked job, subscribes hs to
// candidate_moved and returns the rig.
func newWorkableRig(t testing.TB, hs *hookServer, o rigOptions) (*rig, *workabletest.Server) {
	t.Helper()
	opts := []workabletest.Option{workabletest.WithoutRateLimit()}
	if o.sync {
		opts = append(opts, workabletest.WithSynchronousWebhooks())
	}
	if o.deliveryAttempts > 0 {
		opts = append(opts, workabletest.WithWebhookRetryGaps(fakeserver.DoublingGaps(o.deliveryBackoff, o.deliveryAttempts-1)...))
	}
	srv := workabletest.NewServer(opts...)
	t.Cleanup(srv.Close)
	job := srv.AddJob(workabletest.Job{Title: "Backend Engineer", Stages: workabletest.StagesNamed(o.pipeline()...)})
	srv.AddJob(workabletest.Job{Title: "Office Manager"}) // not linked: no vendor stage
	srv.Subscribe("candidate_moved", hs.URL+"/workable", workabletest.DefaultAPIKey)

	stats, fx := &callStats{}, &fixes{}
	r := &rig{
		source:   "workable",
		adapter:  &workableATS{Client: newWorkableClient(t, srv, o.httpClient), stats: stats, fixes: fx},
		stats:    stats,
		fixes:    fx,
		jobID:    job.Shortcode,
		stage:    map[string]string{},
		hookPath: "/workable",
	}
	for _, st := range job.Stages {
		r.stage[st.Name] = st.Slug
	}
	r.addCandidate = func(t testing.TB, name, email string) string {
		return srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Stage: r.stage[stageApplied], Name: name, Email: email}).ID
	}
	r.recruiterMove = func(t testing.TB, id, stageName string) {
		t.Helper()
		if err := srv.MoveCandidate(id, r.stage[stageName]); err != nil {
			t.Fatal(err)
		}
	}
	r.flush = func(t testing.TB) {
		t.Helper()
		if err := srv.WaitDeliveries(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	r.notes = srv.CommentsOn
	r.moves = func(id string) []string {
		var out []string
		for _, m := range srv.Moves() {
			if m.CandidateID == id {
				out = append(out, m.Stage)
			}
		}
		return out
	}
	r.stageOf = func(id string) string { c, _ := srv.Candidate(id); return c.Stage }
	r.tags = srv.Tags
	r.feedback = func(id string) int {
		n := 0
		for _, rt := range srv.Ratings() {
			if rt.CandidateID == id {
				n++
			}
		}
		return n
	}
	attempts := o.deliveryAttempts
	if attempts <= 0 {
		attempts = len(workabletest.DefaultRetryGaps()) + 1
	}
	r.deliveries = func() []delivery {
		var out []delivery
		for _, d := range srv.Deliveries() {
			out = append(out, delivery{Body: d.Body, Header: d.Header, Delivered: d.Delivered,
				Final: d.Delivered || d.Attempts >= attempts})
		}
		return out
	}
	r.forge = func(id string) delivery {
		body := []byte(`{"id":"evt_forged_` + id + `","event_type":"candidate_moved","fired_at":"2025-06-02T09:00:00Z",` +
			`"resource_type":"candidate","data":{"id":"` + id + `","job":{"shortcode":"` + job.Shortcode + `"},"stage":"` + stageTrigger + `"}}`)
		return delivery{Body: body, Header: http.Header{workabletest.SignatureHeader: {workabletest.Sign(body, "not-the-token")}}}
	}
	r.faults = func() int { return sumFaults(srv.InjectedFaults()) }
	r.requests = srv.RequestCount
	r.setFaults = func(rate float64, stall time.Duration, seed uint64) {
		srv.SetFaults(workabletest.Faults{Probability: rate, Seed: seed, Stall: stall})
	}
	return r, srv
}

// sumFaults totals a fake's injected faults over their kinds.
func sumFaults[K comparable](byKind map[K]int) int {
	n := 0
	for _, v := range byKind {
		n += v
	}
	return n
}

// newLeverRig starts a levertest server with a posting linked through the
// vendor's tag and an untagged one, adds a candidateStageChange webhook to
// hs and returns the rig. The webhook's signature token is stored in tok.
func newLeverRig(t testing.TB, hs *hookServer, tok *atomic.Pointer[string], o rigOptions) (*rig, *levertest.Server) {
	t.Helper()
	lopts := []levertest.Option{levertest.WithRateLimit(0, 0)}
	if o.leverNow != nil {
		lopts = append(lopts, levertest.WithClock(o.leverNow))
	}
	srv := levertest.NewServer(lopts...)
	t.Cleanup(srv.Close)
	bot := srv.AddUser(levertest.User{Name: "Vendor Bot", Email: "bot@vendor.example"})
	stages := srv.AddStages(o.pipeline()...)
	posting := srv.AddPosting(levertest.Posting{Text: "Backend Engineer", Tags: []string{vendorName}})
	srv.AddPosting(levertest.Posting{Text: "Office Manager"})
	srv.AddFeedbackTemplate(feedbackTemplate)
	hook := srv.AddWebhook(hs.URL+"/lever", "candidateStageChange")
	tok.Store(&hook.SignatureToken)

	stats, fx := &callStats{}, &fixes{}
	r := &rig{
		source:   "lever",
		adapter:  &leverATS{Client: newLeverClient(t, srv, bot.ID, o.httpClient), stats: stats, fixes: fx},
		stats:    stats,
		fixes:    fx,
		jobID:    posting.ID,
		stage:    map[string]string{},
		hookPath: "/lever",
	}
	for _, st := range stages {
		r.stage[st.Text] = st.ID
	}
	r.addCandidate = func(t testing.TB, name, email string) string {
		opp := levertest.Opportunity{Name: name, PostingID: posting.ID, StageID: r.stage[stageApplied]}
		if email != "" {
			opp.Emails = []string{email}
		}
		return srv.AddOpportunity(opp).ID
	}
	r.recruiterMove = func(t testing.TB, id, stageName string) {
		t.Helper()
		if err := srv.MoveCandidate(id, r.stage[stageName]); err != nil {
			t.Fatal(err)
		}
	}
	r.flush = func(testing.TB) { srv.WaitDeliveries(context.Background()) }
	r.notes = func(id string) []string {
		var out []string
		for _, n := range srv.Notes(id) {
			out = append(out, n.Value)
		}
		return out
	}
	r.moves = func(id string) []string {
		var out []string
		for _, c := range srv.StageChanges(id) {
			if c.PerformAs != "" { // moves by the vendor's user, not the recruiter
				out = append(out, c.ToStageID)
			}
		}
		return out
	}
	r.stageOf = func(id string) string { o, _ := srv.Opportunity(id); return o.StageID }
	r.tags = func(id string) []string { o, _ := srv.Opportunity(id); return o.Tags }
	r.feedback = func(id string) int { return len(srv.Feedback(id)) }
	r.deliveries = func() []delivery {
		var out []delivery
		for _, d := range srv.Deliveries() {
			// levertest delivers once: anything but 200 is final.
			out = append(out, delivery{Body: d.Body, Delivered: d.StatusCode == http.StatusOK, Final: true})
		}
		return out
	}
	r.forge = func(id string) delivery {
		body := levertest.SignPayload("not-the-signature-token", "forged-"+id, "candidateStageChange", time.Now(),
			map[string]any{"opportunityId": id, "toStageId": r.stage[stageTrigger]})
		return delivery{Body: body}
	}
	r.faults = func() int { return sumFaults(srv.InjectedFaults()) }
	r.requests = srv.RequestCount
	r.setFaults = func(rate float64, stall time.Duration, seed uint64) {
		srv.SetFaults(levertest.Faults{Probability: rate, Seed: seed, Stall: stall})
	}
	return r, srv
}

// configure refreshes the rig's positions, expects exactly the linked job
// as a pending position, and configures and activates it with cfg.
func (r *rig) configure(t testing.TB, ctx context.Context, e *lifecycle.Engine, cfg lifecycle.PositionConfig) lifecycle.Position {
	t.Helper()
	ps, err := e.RefreshPositions(ctx, r.source)
	if err != nil {
		t.Fatalf("%s: RefreshPositions: %v", r.source, err)
	}
	id := lifecycle.PositionID(r.source, r.jobID)
	if len(ps) != 1 || ps[0].ID != id || ps[0].Status != lifecycle.PositionPending {
		t.Fatalf("%s: positions after refresh = %+v, want only %s pending", r.source, ps, id)
	}
	if _, err := e.ConfigurePosition(ctx, id, cfg); err != nil {
		t.Fatalf("%s: ConfigurePosition: %v", r.source, err)
	}
	p, err := e.ActivatePosition(ctx, id)
	if err != nil {
		t.Fatalf("%s: ActivatePosition: %v", r.source, err)
	}
	return p
}
