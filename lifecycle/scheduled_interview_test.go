package lifecycle_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/internal/fakeats"
	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

// schedulingATS is the fake ATS with the optional InterviewScheduler
// capability: it keeps the interviews on each candidate's profile.
type schedulingATS struct {
	*fakeats.ATS
	mu       sync.Mutex
	seq      int
	profile  map[string]ats.ScheduledInterview // candidate → interview on the profile
	calls    []string
	feedback []ats.Feedback
}

func (s *schedulingATS) CreateScheduledInterview(_ context.Context, cand string, si ats.ScheduledInterview) (ats.ScheduledInterview, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	si.ID, si.InterviewID = fmt.Sprintf("panel-%d", s.seq), fmt.Sprintf("interview-%d", s.seq)
	s.profile[cand] = si
	s.calls = append(s.calls, "create")
	return si, nil
}

func (s *schedulingATS) UpdateScheduledInterview(_ context.Context, cand string, si ats.ScheduledInterview) (ats.ScheduledInterview, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	si.InterviewID = fmt.Sprintf("interview-%d", s.seq) // Lever replaces the interview
	s.profile[cand] = si
	s.calls = append(s.calls, "update "+si.ID)
	return si, nil
}

func (s *schedulingATS) DeleteScheduledInterview(_ context.Context, cand, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.profile, cand)
	s.calls = append(s.calls, "delete "+id)
	return nil
}

func (s *schedulingATS) SubmitFeedback(ctx context.Context, cand string, fb ats.Feedback) error {
	s.mu.Lock()
	s.feedback = append(s.feedback, fb)
	s.mu.Unlock()
	return s.ATS.SubmitFeedback(ctx, cand, fb)
}

func schedulingHarness(t *testing.T) (*enginetest.Harness, *schedulingATS) {
	h := newHarness(t)
	s := &schedulingATS{ATS: h.ATS, profile: map[string]ats.ScheduledInterview{}}
	h.Connector.Set(enginetest.Source, s)
	return h, s
}

// TestScheduledInterviewOnATSProfile: with an adapter that can, the
// scheduled interview is put on the candidate's profile, moved on
// reschedule, tied to the feedback and removed on cancellation.
func TestScheduledInterviewOnATSProfile(t *testing.T) {
	h, s := schedulingHarness(t)
	iv := reach(t, h, lifecycle.StateInvited)
	at := enginetest.Start.Add(48 * time.Hour)
	_, err := h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateScheduled, At: at, Duration: 45 * time.Minute, Link: "https://v.example/join/1"})
	require.NoError(t, err)
	h.Drain()
	want := ats.ScheduledInterview{ID: "panel-1", InterviewID: "interview-1", Subject: "InterviewVector – " + iv.RoundName, Start: at,
		Duration: 45 * time.Minute, TimeZone: "UTC", URL: "https://v.example/join/1"}
	if d := cmp.Diff(want, s.profile[iv.CandidateID]); d != "" {
		t.Errorf("on the profile (-want +got):\n%s", d)
	}

	// Reschedule: the same panel moves; the new interview ID is kept.
	_, err = h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateRescheduled, At: at.Add(time.Hour)})
	require.NoError(t, err)
	h.Drain()
	got, err := h.Engine.Interview(ctx, iv.ID)
	require.NoError(t, err)
	require.NotNil(t, got.ATSScheduled)
	require.Equal(t, "panel-1", got.ATSScheduled.ID)
	require.Equal(t, "interview-2", got.ATSScheduled.InterviewID)
	require.True(t, s.profile[iv.CandidateID].Start.Equal(at.Add(time.Hour)))

	// Completed: the feedback names the interview on the profile.
	_, err = h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateCompleted, Result: &ats.Result{Score: "80", Grade: ats.GradePassed}})
	require.NoError(t, err)
	h.Drain()
	require.Len(t, s.feedback, 1)
	require.NotNil(t, s.feedback[0].ScheduledInterview)
	require.Equal(t, "interview-2", s.feedback[0].ScheduledInterview.InterviewID)
	require.Equal(t, []string{"create", "update panel-1"}, s.calls)
}

func TestScheduledInterviewRemovedOnCancel(t *testing.T) {
	tests := []struct {
		name   string
		cancel func(h *enginetest.Harness, iv lifecycle.Interview)
		want   []string
	}{
		{"vendor cancels", func(h *enginetest.Harness, iv lifecycle.Interview) {
			_, err := h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateCancelled})
			require.NoError(t, err)
		}, []string{"create", "delete panel-1"}},
		{"candidate leaves the stage", func(h *enginetest.Harness, iv lifecycle.Interview) {
			h.Move(iv.CandidateID, enginetest.StageOffer)
		}, []string{"create", "delete panel-1"}},
		{"no-show keeps it", func(h *enginetest.Harness, iv lifecycle.Interview) {
			_, err := h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateNoShow})
			require.NoError(t, err)
		}, []string{"create"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, s := schedulingHarness(t)
			iv := reach(t, h, lifecycle.StateScheduled)
			h.Drain()
			tt.cancel(h, iv)
			h.Drain()
			require.Equal(t, tt.want, s.calls)
			got, err := h.Engine.Interview(ctx, iv.ID)
			require.NoError(t, err)
			require.Equal(t, len(tt.want) == 1, got.ATSScheduled != nil)
		})
	}
}

// TestNoSchedulerNoEffect: adapters without the capability get no
// ats_schedule effects.
func TestNoSchedulerNoEffect(t *testing.T) {
	h := newHarness(t)
	reach(t, h, lifecycle.StateScheduled)
	require.Empty(t, effectsOf(t, h, lifecycle.EffectATSSchedule))
}
