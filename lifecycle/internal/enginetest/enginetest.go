package enginetest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/fakeats"
)

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the current fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Start is the fake clock's initial time.
var Start = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)

// Stage IDs of the fake job's pipeline.
const (
	StageApplied   = "applied"
	StageTrigger   = "interviewvector"
	StageScheduled = "iv-scheduled"
	StagePassed    = "iv-yes"
	StageFailed    = "iv-no"
	StageUnable    = "iv-unable"
	StageOffer     = "offer"
	JobID          = "GROOV005"
	Source         = "workable"
)

// Pipeline is the fake job's pipeline.
var Pipeline = []ats.Stage{
	{ID: StageApplied, Name: "Applied", Kind: ats.StageApplied, Position: 0},
	{ID: StageTrigger, Name: "InterviewVector", Kind: ats.StageInterview, Position: 1},
	{ID: StageScheduled, Name: "IV Scheduled", Kind: ats.StageInterview, Position: 2},
	{ID: StagePassed, Name: "IV Yes", Kind: ats.StageInterview, Position: 3},
	{ID: StageFailed, Name: "IV No", Kind: ats.StageInterview, Position: 4},
	{ID: StageUnable, Name: "Unable to schedule", Kind: ats.StageInterview, Position: 5},
	{ID: StageOffer, Name: "Offer", Kind: ats.StageOffer, Position: 6},
}

// Harness is an engine over a store with a fake ATS, vendor, publisher
// and clock, and one active position (PositionID) for job JobID.
type Harness struct {
	T         testing.TB
	Store     lifecycle.Store
	ATS       *fakeats.ATS
	Vendor    *fakeats.Vendor
	Publisher *fakeats.Publisher
	Clock     *Clock
	Engine    *lifecycle.Engine
	Disp      *lifecycle.Dispatcher
	// Connector holds the engine's adapters: ATS under Source. Tests
	// replace it with Connector.Set.
	Connector *lifecycle.MemoryConnector

	events atomic.Int64
}

// PositionID is the harness position.
var PositionID = lifecycle.PositionID(Source, JobID)

// Config is the harness position's configuration.
var Config = lifecycle.PositionConfig{
	Rounds: []lifecycle.Round{{Name: "Technical", Template: "tpl-tech"}},
	Stages: lifecycle.StageMapping{
		Scheduled: StageScheduled, Passed: StagePassed, Failed: StageFailed, UnableToSchedule: StageUnable,
	},
	Require:       []lifecycle.Field{lifecycle.FieldEmail},
	Tags:          []string{"interviewvector"},
	InvitationTTL: 72 * time.Hour,
	Feedback:      true,
}

// Options returns the engine options the harness uses.
func (h *Harness) Options() lifecycle.Options {
	return lifecycle.Options{
		Connector:    h.Connector,
		Vendor:       h.Vendor,
		VendorName:   "InterviewVector",
		Publisher:    h.Publisher,
		RetriggerURL: func(_, id string) string { return "https://vendor.example/retrigger/" + id },
		Now:          h.Clock.Now,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// New returns a harness over store with the position configured and active.
func New(t testing.TB, store lifecycle.Store) *Harness {
	t.Helper()
	h := &Harness{T: t, Store: store, ATS: fakeats.New(), Vendor: fakeats.NewVendor(), Publisher: &fakeats.Publisher{}, Clock: NewClock(Start)}
	h.Connector = lifecycle.NewMemoryConnector(map[string]ats.Adapter{Source: h.ATS})
	h.ATS.AddJob(ats.Job{ID: JobID, Title: "Backend Engineer", State: ats.JobPublished,
		Link: ats.JobLink{Linked: true, Marker: "InterviewVector", StageID: StageTrigger}}, Pipeline...)
	h.Engine = lifecycle.NewEngine(store, h.Options())
	h.Disp = h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "d1", Lease: time.Minute})
	ctx := context.Background()
	if _, err := h.Engine.RefreshPositions(ctx, Source); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Engine.ConfigurePosition(ctx, PositionID, Config); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Engine.ActivatePosition(ctx, PositionID); err != nil {
		t.Fatal(err)
	}
	return h
}

// Candidate adds a candidate with complete data in the applied stage.
func (h *Harness) Candidate(id string) ats.Candidate {
	c := ats.Candidate{ID: id, JobID: JobID, Name: "Ada " + id, Emails: []string{id + "@example.com"},
		Phones: []string{"+44 20 7946 0000"}, ResumeURL: "https://ats.example/resume/" + id,
		Stage: ats.StageRef{ID: StageApplied, Name: "Applied"}}
	h.ATS.PutCandidate(c)
	return c
}

// MoveEvent returns a stage-change event for a candidate moved to stage,
// and moves the candidate in the fake ATS.
func (h *Harness) MoveEvent(candidateID, stageID string) ats.Event {
	c, err := h.ATS.Candidate(context.Background(), candidateID)
	if err != nil {
		h.T.Fatal(err)
	}
	from := c.Stage
	st, _ := ats.FindStage(Pipeline, ats.StageRef{ID: stageID})
	c.Stage = ats.StageRef{ID: st.ID, Name: st.Name}
	h.ATS.PutCandidate(c)
	return ats.Event{
		ID: fmt.Sprintf("ev-%d", h.events.Add(1)), Source: Source, Kind: ats.EventStageChanged, Type: "candidate_moved",
		CandidateID: candidateID, JobID: JobID, FromStage: from, ToStage: c.Stage, Time: h.Clock.Now(),
	}
}

// Move moves a candidate and handles the event.
func (h *Harness) Move(candidateID, stageID string) {
	h.T.Helper()
	if err := h.Engine.HandleEvent(context.Background(), h.MoveEvent(candidateID, stageID)); err != nil {
		h.T.Fatalf("HandleEvent: %v", err)
	}
}

// Drain delivers every due effect.
func (h *Harness) Drain() int {
	h.T.Helper()
	n, err := h.Disp.Drain(context.Background())
	if err != nil {
		h.T.Fatalf("Drain: %v", err)
	}
	return n
}

// Only returns the candidate's single interview.
func (h *Harness) Only(candidateID string) lifecycle.Interview {
	h.T.Helper()
	ivs, err := h.Engine.Interviews(context.Background(), lifecycle.InterviewFilter{Source: Source, CandidateID: candidateID})
	if err != nil {
		h.T.Fatal(err)
	}
	if len(ivs) != 1 {
		h.T.Fatalf("candidate %s has %d interviews, want 1", candidateID, len(ivs))
	}
	return ivs[0]
}
