package lifecycle_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/internal/fakeats"
	"github.com/atskit/atskit/lifecycle/memstore"
)

func TestPositionsLifecycle(t *testing.T) {
	h := newHarness(t)
	e := h.Engine
	status := func(id string) (lifecycle.PositionStatus, string) {
		t.Helper()
		p, err := e.Position(ctx, id)
		require.NoError(t, err)
		return p.Status, p.PendingReason
	}
	require.Equal(t, lifecycle.PositionActive, must(status(enginetest.PositionID)))

	// A new linked job appears as pending; an unlinked one does not appear.
	h.ATS.AddJob(ats.Job{ID: "NEW1", Title: "Designer", Link: ats.JobLink{Linked: true, Marker: "InterviewVector", StageID: "iv"}},
		ats.Stage{ID: "applied", Name: "Applied"}, ats.Stage{ID: "iv", Name: "InterviewVector"})
	h.ATS.AddJob(ats.Job{ID: "PLAIN", Title: "Not linked"}, ats.Stage{ID: "applied", Name: "Applied"})
	ps, err := e.RefreshPositions(ctx, "workable")
	require.NoError(t, err)
	require.Len(t, ps, 2)
	st, reason := status("workable:NEW1")
	require.Equal(t, lifecycle.PositionPending, st)
	require.Equal(t, "new", reason)
	pending, err := e.Positions(ctx, lifecycle.PositionFilter{Source: "workable", Status: lifecycle.PositionPending})
	require.NoError(t, err)
	require.Len(t, pending, 1)

	// Activation needs configuration; configuration is validated.
	_, err = e.ActivatePosition(ctx, "workable:NEW1")
	require.ErrorIs(t, err, lifecycle.ErrPositionNotReady)
	// The message names the package once and says what to do.
	require.Equal(t, "lifecycle: activate position workable:NEW1: position not ready: not configured (call ConfigurePosition first)", err.Error())
	_, err = e.ConfigurePosition(ctx, "workable:NEW1", lifecycle.PositionConfig{})
	require.ErrorContains(t, err, "at least one round")
	_, err = e.ConfigurePosition(ctx, "workable:NEW1", lifecycle.PositionConfig{Rounds: []lifecycle.Round{{Name: "R1"}}, Stages: lifecycle.StageMapping{Passed: "nope"}})
	require.ErrorContains(t, err, `passed stage "nope" is not a stage of job NEW1`)
	_, err = e.ConfigurePosition(ctx, "workable:NEW1", lifecycle.PositionConfig{Rounds: []lifecycle.Round{{Name: "R1"}}, Require: []lifecycle.Field{"shoe size"}})
	require.Error(t, err)
	_, err = e.ConfigurePosition(ctx, "workable:NEW1", lifecycle.PositionConfig{Rounds: []lifecycle.Round{{Name: "R1", Template: "t"}}})
	require.NoError(t, err)
	p, err := e.ActivatePosition(ctx, "workable:NEW1")
	require.NoError(t, err)
	require.Equal(t, lifecycle.PositionActive, p.Status)
	require.Equal(t, "iv", p.TriggerStage(), "Workable: the linking stage triggers by default")

	// Refreshing without changes changes nothing.
	before, _ := e.Position(ctx, "workable:NEW1")
	_, err = e.RefreshPositions(ctx, "workable")
	require.NoError(t, err)
	after, _ := e.Position(ctx, "workable:NEW1")
	require.Equal(t, before.Version, after.Version)

	// A new round (stage) in the pipeline puts it back to pending.
	h.ATS.AddJob(ats.Job{ID: "NEW1", Title: "Designer", Link: ats.JobLink{Linked: true, Marker: "InterviewVector", StageID: "iv"}},
		ats.Stage{ID: "applied", Name: "Applied"}, ats.Stage{ID: "iv", Name: "InterviewVector"}, ats.Stage{ID: "iv2", Name: "InterviewVector 2"})
	_, err = e.RefreshPositions(ctx, "workable")
	require.NoError(t, err)
	st, reason = status("workable:NEW1")
	require.Equal(t, lifecycle.PositionPending, st)
	require.Equal(t, "pipeline changed", reason)
	// Pending positions request nothing.
	c := h.Candidate("c1")
	c.JobID = "NEW1"
	h.ATS.PutCandidate(c)
	require.NoError(t, e.HandleEvent(ctx, ats.Event{ID: "e1", Source: "workable", Kind: ats.EventStageChanged, CandidateID: "c1", JobID: "NEW1", ToStage: ats.StageRef{ID: "iv"}}))
	ivs, err := e.Interviews(ctx, lifecycle.InterviewFilter{CandidateID: "c1"})
	require.NoError(t, err)
	require.Empty(t, ivs)
	_, err = e.ActivatePosition(ctx, "workable:NEW1")
	require.NoError(t, err)

	// Removing the stage deactivates; linking again makes it pending.
	h.ATS.RemoveJob("NEW1")
	_, err = e.RefreshPositions(ctx, "workable")
	require.NoError(t, err)
	require.Equal(t, lifecycle.PositionInactive, must(status("workable:NEW1")))
	_, err = e.ActivatePosition(ctx, "workable:NEW1")
	require.ErrorIs(t, err, lifecycle.ErrPositionNotReady)
	h.ATS.AddJob(ats.Job{ID: "NEW1", Title: "Designer", Link: ats.JobLink{Linked: true, Marker: "InterviewVector", StageID: "iv"}},
		ats.Stage{ID: "iv", Name: "InterviewVector"})
	_, err = e.RefreshPositions(ctx, "workable")
	require.NoError(t, err)
	st, reason = status("workable:NEW1")
	require.Equal(t, lifecycle.PositionPending, st)
	require.Equal(t, "linked again", reason)

	_, err = e.DeactivatePosition(ctx, enginetest.PositionID)
	require.NoError(t, err)
	require.Equal(t, lifecycle.PositionPending, must(status(enginetest.PositionID)))
}

func must[T, U any](a T, _ U) T { return a }

// TestLeverTagLinkedPosition: Lever postings are linked by tag, so the
// trigger ("to be scheduled") stage must be configured.
func TestLeverTagLinkedPosition(t *testing.T) {
	f := fakeats.New()
	f.AddJob(ats.Job{ID: "post-1", Title: "SRE", Link: ats.JobLink{Linked: true, Marker: "intervue.io"}},
		ats.Stage{ID: "lead-new", Name: "New lead"}, ats.Stage{ID: "tbs", Name: "To be Scheduled"},
		ats.Stage{ID: "sch", Name: "Scheduled"}, ats.Stage{ID: "yes", Name: "Intervue - Yes"},
		ats.Stage{ID: "no", Name: "Intervue - No"}, ats.Stage{ID: "uts", Name: "Unable to schedule"})
	conns := lifecycle.NewMemoryConnector(map[string]ats.Adapter{"lever": f})
	e := lifecycle.NewEngine(memstore.New(), lifecycle.Options{Connector: conns})
	_, err := e.RefreshPositions(ctx, "lever")
	require.NoError(t, err)
	_, err = e.ConfigurePosition(ctx, "lever:post-1", lifecycle.PositionConfig{Rounds: []lifecycle.Round{{Name: "Live coding"}}})
	require.NoError(t, err)
	_, err = e.ActivatePosition(ctx, "lever:post-1")
	require.ErrorIs(t, err, lifecycle.ErrPositionNotReady)
	_, err = e.ConfigurePosition(ctx, "lever:post-1", lifecycle.PositionConfig{Rounds: []lifecycle.Round{{Name: "Live coding"}},
		Stages: lifecycle.StageMapping{Trigger: "tbs", Scheduled: "sch", Passed: "yes", Failed: "no", UnableToSchedule: "uts"}})
	require.NoError(t, err)
	_, err = e.ActivatePosition(ctx, "lever:post-1")
	require.NoError(t, err)
	_, err = e.ConfigurePosition(ctx, "lever:post-1", lifecycle.PositionConfig{Rounds: []lifecycle.Round{{Name: "x"}},
		Stages: lifecycle.StageMapping{Trigger: "tbs", Scheduled: "tbs"}})
	require.ErrorContains(t, err, "trigger stage cannot also be an outcome stage")

	// Without LinkedJobLister there is nothing to refresh.
	conns.Set("minimal", f.Minimal())
	_, err = e.RefreshPositions(ctx, "minimal")
	require.ErrorContains(t, err, "LinkedJobLister")
}

// TestActivateRevalidatesAfterPipelineChange: a pipeline change put the
// position back to pending and removed a mapped stage; activating it again
// without reconfiguring is refused, since moves to that stage would fail.
func TestActivateRevalidatesAfterPipelineChange(t *testing.T) {
	h := newHarness(t)
	var stages []ats.Stage
	for _, s := range enginetest.Pipeline {
		if s.ID != enginetest.StagePassed {
			stages = append(stages, s)
		}
	}
	job := ats.Job{ID: enginetest.JobID, Title: "Backend Engineer", State: ats.JobPublished,
		Link: ats.JobLink{Linked: true, Marker: "InterviewVector", StageID: enginetest.StageTrigger}}
	h.ATS.AddJob(job, stages...)
	_, err := h.Engine.RefreshPositions(ctx, enginetest.Source)
	require.NoError(t, err)
	p, err := h.Engine.Position(ctx, enginetest.PositionID)
	require.NoError(t, err)
	require.Equal(t, lifecycle.PositionPending, p.Status)

	_, err = h.Engine.ActivatePosition(ctx, enginetest.PositionID)
	require.ErrorIs(t, err, lifecycle.ErrPositionNotReady)
	require.ErrorContains(t, err, `passed stage "iv-yes" is not a stage of job GROOV005`)

	cfg := enginetest.Config
	cfg.Stages.Passed = ""
	_, err = h.Engine.ConfigurePosition(ctx, enginetest.PositionID, cfg)
	require.NoError(t, err)
	p, err = h.Engine.ActivatePosition(ctx, enginetest.PositionID)
	require.NoError(t, err)
	require.Equal(t, lifecycle.PositionActive, p.Status)
}
