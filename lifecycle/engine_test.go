package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/internal/fakeats"
	"github.com/atskit/atskit/lifecycle/memstore"
)

var ctx = context.Background()

func newHarness(t *testing.T) *enginetest.Harness { return enginetest.New(t, memstore.New()) }

var candSeq atomic.Int64

// reach drives a fresh candidate's interview to state through legal
// transitions and returns it.
func reach(t *testing.T, h *enginetest.Harness, state lifecycle.State) lifecycle.Interview {
	t.Helper()
	id := fmt.Sprintf("c%d", candSeq.Add(1))
	c := h.Candidate(id)
	if state == lifecycle.StateNeedsInfo {
		c.Emails = nil
		h.ATS.PutCandidate(c)
	}
	h.Move(id, enginetest.StageTrigger)
	iv := h.Only(id)
	report := func(u lifecycle.Update) {
		t.Helper()
		var err error
		iv, err = h.Engine.Report(ctx, iv.ID, u)
		require.NoError(t, err)
	}
	invite := lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://v.example/s/" + id}
	schedule := lifecycle.Update{Kind: lifecycle.UpdateScheduled, At: enginetest.Start.Add(24 * time.Hour)}
	switch state {
	case lifecycle.StateRequested, lifecycle.StateNeedsInfo:
	case lifecycle.StateInvited:
		report(invite)
	case lifecycle.StateScheduled:
		report(invite)
		report(schedule)
	case lifecycle.StateCompleted:
		report(invite)
		report(schedule)
		report(lifecycle.Update{Kind: lifecycle.UpdateCompleted, Result: &ats.Result{Score: "80", Grade: ats.GradePassed}})
	case lifecycle.StateReported:
		report(invite)
		report(lifecycle.Update{Kind: lifecycle.UpdateCompleted, Result: &ats.Result{Grade: ats.GradeFailed}})
		h.Drain()
	case lifecycle.StateCancelled:
		var err error
		iv, err = h.Engine.Cancel(ctx, iv.ID, "position filled")
		require.NoError(t, err)
	case lifecycle.StateUnableToSchedule:
		report(invite)
		report(lifecycle.Update{Kind: lifecycle.UpdateNoShow})
	case lifecycle.StateDeclined:
		report(invite)
		report(lifecycle.Update{Kind: lifecycle.UpdateDeclined})
	case lifecycle.StateExpired:
		report(lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://v.example/s/" + id, ExpiresAt: h.Clock.Now().Add(time.Hour)})
		n, err := h.Engine.ExpireDue(ctx, h.Clock.Now().Add(time.Hour))
		require.NoError(t, err)
		require.Equal(t, 1, n)
	default:
		t.Fatalf("reach: unknown state %s", state)
	}
	iv = h.Only(id)
	require.Equal(t, state, iv.State, "reach(%s)", state)
	return iv
}

// action drives one transition of the table on iv.
type action func(t *testing.T, h *enginetest.Harness, iv lifecycle.Interview) error

func report(u lifecycle.Update) action {
	return func(t *testing.T, h *enginetest.Harness, iv lifecycle.Interview) error {
		_, err := h.Engine.Report(ctx, iv.ID, u)
		return err
	}
}

func reenter(removeEmail bool) action {
	return func(t *testing.T, h *enginetest.Harness, iv lifecycle.Interview) error {
		c, err := h.ATS.Candidate(ctx, iv.CandidateID)
		require.NoError(t, err)
		if removeEmail {
			c.Emails = nil
			h.ATS.PutCandidate(c)
		}
		h.Move(iv.CandidateID, enginetest.StageApplied)
		h.Move(iv.CandidateID, enginetest.StageTrigger)
		return nil
	}
}

var (
	invited     = report(lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://v.example/new-link"})
	scheduled   = report(lifecycle.Update{Kind: lifecycle.UpdateScheduled, At: enginetest.Start.Add(50 * time.Hour)})
	rescheduled = report(lifecycle.Update{Kind: lifecycle.UpdateRescheduled, At: enginetest.Start.Add(72 * time.Hour)})
	completed   = report(lifecycle.Update{Kind: lifecycle.UpdateCompleted, Result: &ats.Result{Score: "91", Grade: ats.GradeExcelled}})
	noShow      = report(lifecycle.Update{Kind: lifecycle.UpdateNoShow})
	declined    = report(lifecycle.Update{Kind: lifecycle.UpdateDeclined})
	cancel      = func(t *testing.T, h *enginetest.Harness, iv lifecycle.Interview) error {
		_, err := h.Engine.Cancel(ctx, iv.ID, "host cancelled")
		return err
	}
	moveOut = func(t *testing.T, h *enginetest.Harness, iv lifecycle.Interview) error {
		return h.Engine.HandleEvent(ctx, h.MoveEvent(iv.CandidateID, enginetest.StageOffer))
	}
	retrigger = func(fix bool) action {
		return func(t *testing.T, h *enginetest.Harness, iv lifecycle.Interview) error {
			if fix {
				c, err := h.ATS.Candidate(ctx, iv.CandidateID)
				require.NoError(t, err)
				c.Emails = []string{"fixed@example.com"}
				h.ATS.PutCandidate(c)
			}
			_, err := h.Engine.Retrigger(ctx, iv.Connection, iv.ID)
			return err
		}
	}
	deliver = func(t *testing.T, h *enginetest.Harness, iv lifecycle.Interview) error {
		_, err := h.Disp.Drain(ctx)
		return err
	}
	expire = func(t *testing.T, h *enginetest.Harness, iv lifecycle.Interview) error {
		_, err := h.Engine.ExpireDue(ctx, iv.ExpiresAt)
		return err
	}
)

// drivers maps every transition of the table (except creation, tested in
// TestCreate) to the driver that causes it.
var drivers = map[[2]lifecycle.State]action{
	{lifecycle.StateNeedsInfo, lifecycle.StateRequested}:        retrigger(true),
	{lifecycle.StateNeedsInfo, lifecycle.StateNeedsInfo}:        retrigger(false),
	{lifecycle.StateRequested, lifecycle.StateInvited}:          invited,
	{lifecycle.StateInvited, lifecycle.StateInvited}:            invited,
	{lifecycle.StateRequested, lifecycle.StateScheduled}:        scheduled,
	{lifecycle.StateInvited, lifecycle.StateScheduled}:          scheduled,
	{lifecycle.StateScheduled, lifecycle.StateScheduled}:        rescheduled,
	{lifecycle.StateRequested, lifecycle.StateCompleted}:        completed,
	{lifecycle.StateInvited, lifecycle.StateCompleted}:          completed,
	{lifecycle.StateScheduled, lifecycle.StateCompleted}:        completed,
	{lifecycle.StateCompleted, lifecycle.StateReported}:         deliver,
	{lifecycle.StateRequested, lifecycle.StateCancelled}:        moveOut,
	{lifecycle.StateNeedsInfo, lifecycle.StateCancelled}:        cancel,
	{lifecycle.StateInvited, lifecycle.StateCancelled}:          moveOut,
	{lifecycle.StateScheduled, lifecycle.StateCancelled}:        cancel,
	{lifecycle.StateRequested, lifecycle.StateUnableToSchedule}: report(lifecycle.Update{Kind: lifecycle.UpdateUnableToSchedule, Reason: lifecycle.ReasonInsufficientCredits}),
	{lifecycle.StateInvited, lifecycle.StateUnableToSchedule}:   report(lifecycle.Update{Kind: lifecycle.UpdateCancelled, Reason: lifecycle.ReasonOrganisationCancel}),
	{lifecycle.StateScheduled, lifecycle.StateUnableToSchedule}: noShow,
	{lifecycle.StateRequested, lifecycle.StateDeclined}:         declined,
	{lifecycle.StateInvited, lifecycle.StateDeclined}:           declined,
	{lifecycle.StateInvited, lifecycle.StateExpired}:            expire,
	{lifecycle.StateCancelled, lifecycle.StateRequested}:        reenter(false),
	{lifecycle.StateUnableToSchedule, lifecycle.StateRequested}: retrigger(false),
	{lifecycle.StateDeclined, lifecycle.StateRequested}:         reenter(false),
	{lifecycle.StateExpired, lifecycle.StateRequested}:          retrigger(false),
	{lifecycle.StateCancelled, lifecycle.StateNeedsInfo}:        reenter(true),
	{lifecycle.StateUnableToSchedule, lifecycle.StateNeedsInfo}: reenter(true),
	{lifecycle.StateDeclined, lifecycle.StateNeedsInfo}:         reenter(true),
	{lifecycle.StateExpired, lifecycle.StateNeedsInfo}:          reenter(true),
}

// TestTransitions drives every transition of the table through the engine.
func TestTransitions(t *testing.T) {
	for _, tr := range lifecycle.Transitions() {
		if tr.From == "" {
			continue
		}
		name := fmt.Sprintf("%s->%s", tr.From, tr.To)
		drive, ok := drivers[[2]lifecycle.State{tr.From, tr.To}]
		if !ok {
			t.Errorf("%s: no driver in the test table", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			iv := reach(t, h, tr.From)
			require.NoError(t, drive(t, h, iv))
			got, err := h.Engine.Interview(ctx, iv.ID)
			require.NoError(t, err)
			require.Equal(t, tr.To, got.State)
			require.Greater(t, got.Version, iv.Version)
		})
	}
}

func TestCreate(t *testing.T) {
	h := newHarness(t)
	iv := reach(t, h, lifecycle.StateRequested)
	require.Equal(t, 1, iv.Attempt)
	require.Equal(t, "Technical", iv.RoundName)
	require.Equal(t, "tpl-tech", iv.Template)
	require.Equal(t, enginetest.PositionID, iv.PositionID)
	ni := reach(t, h, lifecycle.StateNeedsInfo)
	require.Equal(t, []lifecycle.Field{lifecycle.FieldEmail}, ni.Missing)
	require.Zero(t, ni.Attempt)
}

// TestRefusedTransitions sends every vendor update and command to an
// interview in every state and checks that each move the table does not
// allow is refused with a *TransitionError and changes nothing.
func TestRefusedTransitions(t *testing.T) {
	updates := map[string]struct {
		to  lifecycle.State
		act action
	}{
		"invited":     {lifecycle.StateInvited, invited},
		"scheduled":   {lifecycle.StateScheduled, scheduled},
		"rescheduled": {lifecycle.StateScheduled, rescheduled},
		"completed":   {lifecycle.StateCompleted, completed},
		"no_show":     {lifecycle.StateUnableToSchedule, noShow},
		"declined":    {lifecycle.StateDeclined, declined},
		"cancel":      {lifecycle.StateCancelled, cancel},
		"retrigger":   {lifecycle.StateRequested, retrigger(true)},
	}
	refused := 0
	for _, from := range lifecycle.States() {
		for name, u := range updates {
			if lifecycle.CanTransition(from, u.to) || (from == u.to && name != "retrigger") ||
				(u.to == lifecycle.StateCompleted && from == lifecycle.StateReported) ||
				(name == "retrigger" && lifecycle.CanTransition(from, lifecycle.StateNeedsInfo)) {
				continue // legal, or an idempotent repeat
			}
			refused++
			t.Run(string(from)+"/"+name, func(t *testing.T) {
				h := newHarness(t)
				iv := reach(t, h, from)
				effects, err := h.Engine.Effects(ctx, lifecycle.EffectFilter{InterviewID: iv.ID})
				require.NoError(t, err)
				err = u.act(t, h, iv)
				var te *lifecycle.TransitionError
				require.ErrorAs(t, err, &te)
				require.ErrorIs(t, err, lifecycle.ErrIllegalTransition)
				require.Equal(t, from, te.From)
				require.Equal(t, u.to, te.To)
				require.Equal(t, iv.ID, te.Interview)
				after, err := h.Engine.Interview(ctx, iv.ID)
				require.NoError(t, err)
				if d := cmp.Diff(iv, after); d != "" {
					t.Errorf("refused transition changed the interview (-before +after):\n%s", d)
				}
				effects2, err := h.Engine.Effects(ctx, lifecycle.EffectFilter{InterviewID: iv.ID})
				require.NoError(t, err)
				require.Len(t, effects2, len(effects), "refused transition enqueued effects")
			})
		}
	}
	require.Greater(t, refused, 30)
}

// TestRepeatedUpdatesAreNoops: vendors redeliver; the same update twice
// posts one note.
func TestRepeatedUpdatesAreNoops(t *testing.T) {
	h := newHarness(t)
	iv := reach(t, h, lifecycle.StateScheduled)
	before, err := h.Engine.Effects(ctx, lifecycle.EffectFilter{InterviewID: iv.ID})
	require.NoError(t, err)
	for _, u := range []lifecycle.Update{
		{Kind: lifecycle.UpdateScheduled, At: iv.ScheduledAt},
		{Kind: lifecycle.UpdateRescheduled, At: iv.ScheduledAt},
	} {
		got, err := h.Engine.Report(ctx, iv.ID, u)
		require.NoError(t, err)
		require.Equal(t, iv.Version, got.Version)
	}
	// An update with an ID is processed once, even when it would be legal again.
	u := lifecycle.Update{ID: "wh-1", Kind: lifecycle.UpdateRescheduled, At: iv.ScheduledAt.Add(time.Hour)}
	_, err = h.Engine.Report(ctx, iv.ID, u)
	require.NoError(t, err)
	u.At = u.At.Add(time.Hour)
	_, err = h.Engine.Report(ctx, iv.ID, u)
	require.NoError(t, err)
	after, err := h.Engine.Effects(ctx, lifecycle.EffectFilter{InterviewID: iv.ID})
	require.NoError(t, err)
	require.Len(t, after, len(before)+1)
	cur, err := h.Engine.Interview(ctx, iv.ID)
	require.NoError(t, err)
	require.True(t, cur.ScheduledAt.Equal(iv.ScheduledAt.Add(time.Hour)))
}

// TestWorkableFlow follows a candidate from the trigger stage to the result
// and checks every note, move, tag and feedback form on the ATS.
func TestWorkableFlow(t *testing.T) {
	h := newHarness(t)
	h.Candidate("c1")
	h.Move("c1", enginetest.StageTrigger)
	h.Drain()
	iv := h.Only("c1")
	require.Equal(t, lifecycle.StateRequested, iv.State)
	require.Equal(t, "vend-1", iv.VendorRef)
	require.Equal(t, []string{"interviewvector"}, h.ATS.Tags("c1"))
	reqs := h.Vendor.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, iv.ID+"/1", reqs[0].IdempotencyKey)
	require.Equal(t, "c1@example.com", reqs[0].Candidate.Email())
	require.Equal(t, "Backend Engineer", reqs[0].JobTitle)

	_, err := h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://iv.example/schedule/abc"})
	require.NoError(t, err)
	at := time.Date(2025, 6, 5, 14, 30, 0, 0, time.UTC)
	_, err = h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateScheduled, At: at})
	require.NoError(t, err)
	_, err = h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateRescheduled, At: at.Add(24 * time.Hour)})
	require.NoError(t, err)
	_, err = h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateCompleted, Result: &ats.Result{
		Score: "78", Grade: ats.GradePassed, Summary: "Solid problem solving.", ReportURL: "https://iv.example/report/abc",
		Attachments: []ats.Attachment{{Description: "Recording", URL: "https://iv.example/rec/abc"}},
	}})
	require.NoError(t, err)
	// The candidate lands in the mapped stages; our own moves do not cancel.
	h.Drain()
	require.NoError(t, h.Engine.HandleEvent(ctx, h.MoveEvent("c1", enginetest.StageScheduled)))

	iv = h.Only("c1")
	require.Equal(t, lifecycle.StateReported, iv.State)
	var notes []string
	for _, n := range h.ATS.NotesOf("c1") {
		notes = append(notes, n[:strings.LastIndex(n, "\n\n[ref fx_")])
	}
	want := []string{
		"InterviewVector: Ada c1 was invited to the Technical interview. Scheduling link: https://iv.example/schedule/abc",
		"InterviewVector: the Technical interview with Ada c1 is scheduled for Thu, 5 Jun 2025 14:30 UTC.",
		"InterviewVector: the Technical interview with Ada c1 was rescheduled from Thu, 5 Jun 2025 14:30 UTC to Fri, 6 Jun 2025 14:30 UTC.",
		"InterviewVector: Ada c1 completed the Technical interview. Verdict: passed. Score: 78.\nSolid problem solving.\nReport: https://iv.example/report/abc\nRecording: https://iv.example/rec/abc",
	}
	if d := cmp.Diff(want, notes); d != "" {
		t.Fatalf("notes (-want +got):\n%s", d)
	}
	require.Equal(t, []fakeats.Move{{CandidateID: "c1", StageID: enginetest.StageScheduled}, {CandidateID: "c1", StageID: enginetest.StagePassed}}, h.ATS.Moves())
	fb := h.ATS.Feedback("c1")
	require.Len(t, fb, 1)
	require.Equal(t, ats.Feedback{Title: "InterviewVector – Technical", Score: "78", Grade: "passed", Summary: "Solid problem solving.",
		ReportURL: "https://iv.example/report/abc", Fields: []ats.FeedbackField{{Name: "Recording", Value: "https://iv.example/rec/abc"}}}, fb[0])
	require.Empty(t, h.Publisher.Published(), "stage-triggered interviews publish no provider callback")
}

func TestDuplicateEvent(t *testing.T) {
	h := newHarness(t)
	h.Candidate("c1")
	ev := h.MoveEvent("c1", enginetest.StageTrigger)
	reads := h.ATS.Calls("Candidate")
	require.NoError(t, h.Engine.HandleEvent(ctx, ev))
	require.NoError(t, h.Engine.HandleEvent(ctx, ev))
	iv := h.Only("c1")
	require.EqualValues(t, 1, iv.Version)
	effs, err := h.Engine.Effects(ctx, lifecycle.EffectFilter{})
	require.NoError(t, err)
	require.Len(t, effs, 2) // vendor create + tag
	require.Equal(t, reads+1, h.ATS.Calls("Candidate"), "a duplicate must not even re-read the candidate")
}

func TestMultipleRounds(t *testing.T) {
	h := newHarness(t)
	cfg := enginetest.Config
	cfg.Rounds = []lifecycle.Round{{Name: "Screen", Template: "a"}, {Name: "Deep dive", Template: "b"}}
	_, err := h.Engine.ConfigurePosition(ctx, enginetest.PositionID, cfg)
	require.NoError(t, err)
	h.Candidate("c1")
	h.Move("c1", enginetest.StageTrigger)
	ivs, err := h.Engine.Interviews(ctx, lifecycle.InterviewFilter{CandidateID: "c1"})
	require.NoError(t, err)
	require.Len(t, ivs, 2)
	h.Drain()
	require.Equal(t, 2, h.Vendor.Created())
	// Leaving the stage cancels both, at the vendor too.
	h.Move("c1", enginetest.StageOffer)
	h.Drain()
	ivs, err = h.Engine.Interviews(ctx, lifecycle.InterviewFilter{CandidateID: "c1", States: []lifecycle.State{lifecycle.StateCancelled}})
	require.NoError(t, err)
	require.Len(t, ivs, 2)
	require.ElementsMatch(t, []string{"vend-1", "vend-2"}, h.Vendor.Cancelled())
	notes := h.ATS.NotesOf("c1")
	require.Len(t, notes, 2)
	require.Contains(t, notes[0], `was cancelled: the candidate was moved to "Offer"`)
}

// TestStageMovesKeepOrderAcrossRounds: a candidate's effects are ordered
// across all its interviews, so a stage move of round 1 that is being
// retried cannot land after round 2's move and leave the candidate in the
// stage of an older verdict.
func TestStageMovesKeepOrderAcrossRounds(t *testing.T) {
	h := newHarness(t)
	cfg := enginetest.Config
	cfg.Rounds = []lifecycle.Round{{Name: "Screen", Template: "a"}, {Name: "Deep dive", Template: "b"}}
	_, err := h.Engine.ConfigurePosition(ctx, enginetest.PositionID, cfg)
	require.NoError(t, err)
	h.Candidate("c1")
	h.Move("c1", enginetest.StageTrigger)
	h.Drain()
	ivs, err := h.Engine.Interviews(ctx, lifecycle.InterviewFilter{CandidateID: "c1"})
	require.NoError(t, err)
	require.Len(t, ivs, 2)
	round := map[int]string{}
	for _, iv := range ivs {
		round[iv.Round] = iv.ID
	}

	h.ATS.Fail("MoveCandidate", &ats.APIError{ATS: "fake", StatusCode: 503})
	_, err = h.Engine.Report(ctx, round[0], lifecycle.Update{Kind: lifecycle.UpdateCompleted, Result: &ats.Result{Grade: ats.GradePassed}})
	require.NoError(t, err)
	h.Drain() // round 1's move fails and waits for its backoff
	_, err = h.Engine.Report(ctx, round[1], lifecycle.Update{Kind: lifecycle.UpdateCompleted, Result: &ats.Result{Grade: ats.GradeFailed}})
	require.NoError(t, err)
	h.Drain()
	require.Empty(t, h.ATS.Moves(), "round 2's move must wait for round 1's")

	h.Clock.Advance(time.Hour)
	h.Drain()
	require.Equal(t, []fakeats.Move{{CandidateID: "c1", StageID: enginetest.StagePassed}, {CandidateID: "c1", StageID: enginetest.StageFailed}}, h.ATS.Moves())
}

func TestArchivedAndDeletedCancel(t *testing.T) {
	for _, kind := range []ats.EventKind{ats.EventArchived, ats.EventDeleted, ats.EventHired} {
		t.Run(string(kind), func(t *testing.T) {
			h := newHarness(t)
			iv := reach(t, h, lifecycle.StateScheduled)
			// The ATS's state agrees with the event: the engine decides
			// on what it reads, not on the event.
			c, err := h.ATS.Candidate(ctx, iv.CandidateID)
			require.NoError(t, err)
			switch kind {
			case ats.EventArchived:
				c.Disqualified = true
				h.ATS.PutCandidate(c)
			case ats.EventHired:
				c.Stage = ats.StageRef{ID: enginetest.StageOffer, Name: "Offer"}
				h.ATS.PutCandidate(c)
			case ats.EventDeleted:
				h.ATS.DeleteCandidate(iv.CandidateID)
			}
			require.NoError(t, h.Engine.HandleEvent(ctx, ats.Event{ID: "x-" + string(kind), Source: "workable", Kind: kind, CandidateID: iv.CandidateID}))
			got := h.Only(iv.CandidateID)
			require.Equal(t, lifecycle.StateCancelled, got.State)
			require.NotEmpty(t, got.Detail)
		})
	}
}

// TestSnapshotEventRereadsCandidate: Workable events are snapshots, so the
// engine trusts the candidate as read from the adapter, not the payload.
func TestSnapshotEventRereadsCandidate(t *testing.T) {
	h := newHarness(t)
	h.Candidate("c1")
	ev := h.MoveEvent("c1", enginetest.StageTrigger)
	ev.Snapshot = true
	ev.ToStage = ats.StageRef{Name: "Applied"} // stale payload
	require.NoError(t, h.Engine.HandleEvent(ctx, ev))
	require.Equal(t, lifecycle.StateRequested, h.Only("c1").State)

	// Stage given by name only (Lever style) also matches.
	h.Candidate("c2")
	ev = h.MoveEvent("c2", enginetest.StageTrigger)
	ev.ToStage = ats.StageRef{Name: "interviewvector"}
	require.NoError(t, h.Engine.HandleEvent(ctx, ev))
	require.Equal(t, lifecycle.StateRequested, h.Only("c2").State)
}

func TestIgnoredEvents(t *testing.T) {
	h := newHarness(t)
	h.Candidate("c1")
	// Another stage, another job, unknown kinds: nothing happens.
	h.Move("c1", enginetest.StageOffer)
	ev := h.MoveEvent("c1", enginetest.StageTrigger)
	ev.JobID = "OTHER"
	c, _ := h.ATS.Candidate(ctx, "c1")
	c.JobID = "OTHER"
	h.ATS.PutCandidate(c)
	require.NoError(t, h.Engine.HandleEvent(ctx, ev))
	require.NoError(t, h.Engine.HandleEvent(ctx, ats.Event{ID: "u1", Source: "workable", Kind: ats.EventUnknown, Type: "job_created"}))
	ivs, err := h.Engine.Interviews(ctx, lifecycle.InterviewFilter{})
	require.NoError(t, err)
	require.Empty(t, ivs)
	seen, err := h.Store.EventProcessed(ctx, lifecycle.EventRef{Connection: "workable", Source: "workable", ID: "u1"})
	require.NoError(t, err)
	require.True(t, seen)

	err = h.Engine.HandleEvent(ctx, ats.Event{ID: "g1", Source: "greenhouse", Kind: ats.EventStageChanged})
	require.ErrorIs(t, err, lifecycle.ErrUnknownSource)
}

func TestCandidateReadFailureIsRetried(t *testing.T) {
	h := newHarness(t)
	h.Candidate("c1")
	ev := h.MoveEvent("c1", enginetest.StageTrigger)
	h.ATS.Fail("Candidate", &ats.APIError{ATS: "fake", StatusCode: 503})
	require.Error(t, h.Engine.HandleEvent(ctx, ev))
	// Not recorded: the redelivery succeeds.
	require.NoError(t, h.Engine.HandleEvent(ctx, ev))
	require.Equal(t, lifecycle.StateRequested, h.Only("c1").State)
}

func TestNeedsInfoAndRetrigger(t *testing.T) {
	h := newHarness(t)
	cfg := enginetest.Config
	cfg.Require = []lifecycle.Field{lifecycle.FieldEmail, lifecycle.FieldPhone, lifecycle.FieldResume}
	_, err := h.Engine.ConfigurePosition(ctx, enginetest.PositionID, cfg)
	require.NoError(t, err)
	c := h.Candidate("c1")
	c.Emails, c.Phones = nil, nil
	h.ATS.PutCandidate(c)
	h.Move("c1", enginetest.StageTrigger)
	h.Drain()
	iv := h.Only("c1")
	require.Equal(t, lifecycle.StateNeedsInfo, iv.State)
	require.Zero(t, h.Vendor.Created())
	notes := h.ATS.NotesOf("c1")
	require.Len(t, notes, 1)
	require.Contains(t, notes[0], "missing email and phone.")
	require.Contains(t, notes[0], "re-trigger: https://vendor.example/retrigger/"+iv.ID)

	c, err = h.ATS.Candidate(ctx, "c1")
	require.NoError(t, err)
	c.Emails, c.Phones = []string{"ada@example.com"}, []string{"+1 555 0100"}
	h.ATS.PutCandidate(c)
	iv, err = h.Engine.Retrigger(ctx, iv.Connection, iv.ID)
	require.NoError(t, err)
	require.Equal(t, lifecycle.StateRequested, iv.State)
	h.Drain()
	require.Equal(t, 1, h.Vendor.Created())
	require.Equal(t, "ada@example.com", h.Vendor.Requests()[0].Candidate.Email())

	// Re-triggering a live interview is refused.
	_, err = h.Engine.Retrigger(ctx, iv.Connection, iv.ID)
	require.ErrorIs(t, err, lifecycle.ErrIllegalTransition)
}

func TestProviderInterview(t *testing.T) {
	h := newHarness(t)
	req := lifecycle.ProviderRequest{
		Source: "workable", EventID: "assess-1", CandidateID: "p1", JobID: enginetest.JobID, RoundName: "Coding test", Template: "test-42",
		Candidate: ats.Candidate{Name: "Grace Hopper", Emails: []string{"grace@example.com"}},
		Callback:  lifecycle.Callback{URL: "https://www.workable.com/spi/v3/assessments/1", Token: "s3cret"},
	}
	iv, err := h.Engine.ProviderInterview(ctx, req)
	require.NoError(t, err)
	require.Equal(t, lifecycle.StateRequested, iv.State)
	again, err := h.Engine.ProviderInterview(ctx, req)
	require.NoError(t, err)
	require.Equal(t, iv.ID, again.ID)
	h.Drain()
	require.Equal(t, 1, h.Vendor.Created())

	_, err = h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateCompleted, Result: &ats.Result{
		Score: "88", Grade: ats.GradeExcelled, Summary: "Great", ReportURL: "https://iv.example/r/p1", Duration: "40m",
		Details: []ats.FeedbackField{{Name: "algorithms", Value: "5"}},
	}})
	require.NoError(t, err)
	h.Drain()
	pub := h.Publisher.Published()
	require.Len(t, pub, 1)
	require.Equal(t, lifecycle.Callback{URL: "https://www.workable.com/spi/v3/assessments/1", Token: "s3cret"}, pub[0].Callback)
	require.Equal(t, lifecycle.CallbackResult{Status: lifecycle.CallbackCompleted, ResultsURL: "https://iv.example/r/p1", Score: "88",
		Grade: ats.GradeExcelled, Summary: "Great", Duration: "40m", Details: map[string]any{"algorithms": "5"}}, pub[0].Result)
	require.Empty(t, h.ATS.Moves(), "provider interviews report through the callback, not stage moves")
	require.Equal(t, lifecycle.StateReported, h.Only("p1").State)
}

// TestProviderInterviewWithoutCandidate covers Workable's POST /interviews,
// which names no ATS candidate: the interview is keyed by its callback URL,
// repeated requests find it again, and nothing is written to an ATS
// timeline that does not exist; the result still reaches the callback.
func TestProviderInterviewWithoutCandidate(t *testing.T) {
	h := newHarness(t)
	req := lifecycle.ProviderRequest{
		Source: "workable", JobID: "6789", RoundName: "Aptitude Interview", Template: "1",
		Candidate: ats.Candidate{Name: "Lakita Marrero", Emails: []string{"lakita@example.com"}},
		Callback:  lifecycle.Callback{URL: "https://groove-tech.workable.com/interviews/8823119", Token: "wk-token"},
	}
	iv, err := h.Engine.ProviderInterview(ctx, req)
	require.NoError(t, err)
	require.True(t, iv.Detached)
	require.NotEmpty(t, iv.CandidateID, "a detached interview is keyed by its callback URL")
	again, err := h.Engine.ProviderInterview(ctx, req)
	require.NoError(t, err)
	require.Equal(t, iv.ID, again.ID)
	other := req
	other.Callback.URL = "https://groove-tech.workable.com/interviews/8823120"
	second, err := h.Engine.ProviderInterview(ctx, other)
	require.NoError(t, err)
	require.NotEqual(t, iv.ID, second.ID, "another callback URL is another interview")
	h.Drain()

	_, err = h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://iv.example/s/1"})
	require.NoError(t, err)
	_, err = h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateCompleted, Result: &ats.Result{
		Score: "78", Grade: ats.GradePassed, ReportURL: "https://iv.example/r/1"}})
	require.NoError(t, err)
	h.Drain()
	pub := h.Publisher.Published()
	require.Len(t, pub, 1)
	require.Equal(t, lifecycle.CallbackCompleted, pub[0].Result.Status)
	notes, err := h.ATS.Notes(ctx, iv.CandidateID)
	require.NoError(t, err)
	require.Empty(t, notes, "no notes for a candidate the ATS does not know")
	require.Zero(t, h.ATS.Calls("AddNote"), "no note was attempted")
	require.Empty(t, h.ATS.Moves())
	failed, err := h.Engine.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectFailed})
	require.NoError(t, err)
	require.Empty(t, failed)
	got, err := h.Engine.Interview(ctx, iv.ID)
	require.NoError(t, err)
	require.Equal(t, lifecycle.StateReported, got.State)
}

func TestProviderExpiry(t *testing.T) {
	h := newHarness(t)
	iv, err := h.Engine.ProviderInterview(ctx, lifecycle.ProviderRequest{Source: "workable", CandidateID: "p2", JobID: "J9",
		Candidate: ats.Candidate{Emails: []string{"x@example.com"}}, Callback: lifecycle.Callback{URL: "https://cb.example", Token: "t"}})
	require.NoError(t, err)
	h.Drain()
	_, err = h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://l", ExpiresAt: enginetest.Start.Add(time.Hour)})
	require.NoError(t, err)
	n, err := h.Engine.ExpireDue(ctx, enginetest.Start.Add(59*time.Minute))
	require.NoError(t, err)
	require.Zero(t, n)
	n, err = h.Engine.ExpireDue(ctx, enginetest.Start.Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, 1, n)
	h.Drain()
	pub := h.Publisher.Published()
	require.Len(t, pub, 1)
	require.Equal(t, lifecycle.CallbackExpired, pub[0].Result.Status)
	require.Equal(t, []string{"vend-1"}, h.Vendor.Cancelled())
}

func TestInvitationTTL(t *testing.T) {
	h := newHarness(t)
	iv := reach(t, h, lifecycle.StateInvited)
	require.True(t, iv.ExpiresAt.Equal(enginetest.Start.Add(enginetest.Config.InvitationTTL)))
}

func TestNoteTemplateOverride(t *testing.T) {
	h := newHarness(t)
	cfg := enginetest.Config
	cfg.Notes = map[lifecycle.NoteKind]string{lifecycle.NoteInvited: "Book here: {{.Link}} ({{.Position}})"}
	_, err := h.Engine.ConfigurePosition(ctx, enginetest.PositionID, cfg)
	require.NoError(t, err)
	iv := reach(t, h, lifecycle.StateInvited)
	h.Drain()
	notes := h.ATS.NotesOf(iv.CandidateID)
	require.Len(t, notes, 1)
	require.True(t, strings.HasPrefix(notes[0], "Book here: https://v.example/s/"+iv.CandidateID+" (Backend Engineer)\n\n[ref fx_"), notes[0])

	cfg.Notes = map[lifecycle.NoteKind]string{lifecycle.NoteInvited: "{{.Nope}}"}
	_, err = h.Engine.ConfigurePosition(ctx, enginetest.PositionID, cfg)
	require.Error(t, err)
}

func TestUnknownInterview(t *testing.T) {
	h := newHarness(t)
	_, err := h.Engine.Report(ctx, "iv_missing", lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://v.example/s/x"})
	require.True(t, errors.Is(err, lifecycle.ErrNotFound))
	_, err = h.Engine.Report(ctx, "iv_missing", lifecycle.Update{Kind: "bogus"})
	require.Error(t, err)
}
