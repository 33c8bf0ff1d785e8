package lifecycletest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/lifecycletest"
	"github.com/atskit/atskit/lifecycle/memstore"
)

func interview(id string, st lifecycle.State) lifecycle.Interview {
	return lifecycle.Interview{ID: id, Connection: "acme", Source: "workable", CandidateID: "c1", PositionID: "acme:J1",
		Round: 0, State: st, CreatedAt: time.Unix(1, 0)}
}

func TestWaitInterview(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	s := memstore.New()
	if err := s.Commit(ctx, lifecycle.Change{Create: []lifecycle.Interview{interview("iv1", lifecycle.StateRequested)}}); err != nil {
		t.Fatal(err)
	}
	// Another goroutine (the engine, in a host test) moves it on while
	// the test waits.
	go func() {
		iv, _ := s.Interview(context.Background(), "iv1")
		iv.State = lifecycle.StateInvited
		s.Commit(context.Background(), lifecycle.Change{Update: []lifecycle.Interview{iv}})
	}()
	iv, err := lifecycletest.WaitInterview(ctx, s, lifecycle.InterviewFilter{CandidateID: "c1"}, lifecycletest.InState(lifecycle.StateInvited))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"iv1", string(lifecycle.StateInvited)}, []string{iv.ID, string(iv.State)}); diff != "" {
		t.Errorf("interview (-want +got):\n%s", diff)
	}

	short, stop := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer stop()
	_, err = lifecycletest.WaitInterview(short, s, lifecycle.InterviewFilter{CandidateID: "c1"}, lifecycletest.InState(lifecycle.StateCompleted))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "iv1 acme/c1 round 0 invited") {
		t.Errorf("WaitInterview past the deadline: %v, want what it saw and DeadlineExceeded", err)
	}
}

func TestWaitEffects(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	s := memstore.New()
	now := time.Now()
	effects := []lifecycle.Effect{
		{ID: "e1", Kind: lifecycle.EffectNote, InterviewID: "iv1", OrderKey: "iv1", Connection: "acme", Payload: []byte("{}"), CreatedAt: now},
		{ID: "e2", Kind: lifecycle.EffectMove, InterviewID: "iv1", OrderKey: "iv1", Connection: "acme", Payload: []byte("{}"), CreatedAt: now},
	}
	if err := s.Commit(ctx, lifecycle.Change{Effects: effects}); err != nil {
		t.Fatal(err)
	}

	short, stop := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer stop()
	_, err := lifecycletest.WaitEffects(short, s, lifecycle.EffectFilter{InterviewID: "iv1"})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "e1 note pending after 0 attempts") {
		t.Errorf("WaitEffects with effects pending: %v, want the pending ones listed and DeadlineExceeded", err)
	}
	_, err = lifecycletest.WaitEffects(short, s, lifecycle.EffectFilter{InterviewID: "none"})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "none recorded") {
		t.Errorf("WaitEffects with no effect: %v, want \"none recorded\"", err)
	}

	// A dispatcher (here by hand) delivers one and parks the other.
	go func() {
		ctx := context.Background()
		for _, o := range []lifecycle.Outcome{{State: lifecycle.EffectDone, At: now}, {State: lifecycle.EffectParked, Error: "401", At: now}} {
			claimed, _ := s.ClaimEffects(ctx, lifecycle.Claim{Owner: "d", Now: time.Now(), Lease: time.Minute, Limit: 1})
			for _, e := range claimed {
				s.BeginAttempt(ctx, e.ID, "d", time.Now())
				s.FinishEffect(ctx, e.ID, "d", o)
			}
		}
	}()
	got, err := lifecycletest.WaitEffects(ctx, s, lifecycle.EffectFilter{InterviewID: "iv1"})
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, e := range got {
		states = append(states, e.ID+" "+string(e.State))
	}
	if diff := cmp.Diff([]string{"e1 done", "e2 parked"}, states); diff != "" {
		t.Errorf("effects (-want +got):\n%s", diff)
	}
}
