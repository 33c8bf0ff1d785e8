package lifecycle_test

import (
	"context"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/internal/fakeats"
)

// oldCredentialsInFlight is the fake ATS with one AddNote call in flight
// when the connection's credentials are fixed: the call was sent with the
// old credentials, so the ATS refuses it (401) — but only after the host
// stored the new ones and requeued what was parked.
type oldCredentialsInFlight struct {
	*fakeats.ATS
	once             sync.Once
	entered, release chan struct{}
}

func (a *oldCredentialsInFlight) AddNote(ctx context.Context, id string, n ats.Note) error {
	first := false
	a.once.Do(func() { first = true })
	if !first {
		return a.ATS.AddNote(ctx, id, n)
	}
	close(a.entered)
	<-a.release
	return &ats.APIError{ATS: "fake", StatusCode: 401}
}

// TestRequeueCatchesEffectInFlight: an effect whose attempt was refused
// with the old credentials, and whose outcome is recorded only after the
// host fixed the credentials and requeued the connection, is not left
// parked for good: it is delivered with the new credentials and the
// interview is reported.
func TestRequeueCatchesEffectInFlight(t *testing.T) {
	tests := []struct {
		name string
		fix  func(h *enginetest.Harness) error
	}{
		{"RequeueConnection", func(h *enginetest.Harness) error {
			_, err := h.Engine.RequeueConnection(ctx, enginetest.Source)
			return err
		}},
		{"RequeueConnection on another replica", func(h *enginetest.Harness) error {
			_, err := lifecycle.NewEngine(h.Store, h.Options()).RequeueConnection(ctx, enginetest.Source)
			return err
		}},
		{"credentials changed", func(h *enginetest.Harness) error {
			h.Connector.Set(enginetest.Source, h.ATS) // ConnectorNotifier requeues
			return nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			iv := reach(t, h, lifecycle.StateScheduled)
			h.Drain()
			a := &oldCredentialsInFlight{ATS: h.ATS, entered: make(chan struct{}), release: make(chan struct{})}
			h.Connector.Set(enginetest.Source, a)
			if _, err := h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateCompleted,
				Result: &ats.Result{Grade: ats.GradePassed, Score: "90"}}); err != nil {
				t.Fatal(err)
			}
			drained := make(chan error, 1)
			go func() { _, err := h.Disp.Drain(ctx); drained <- err }()
			<-a.entered // the completion note is in flight with the old credentials
			if err := tc.fix(h); err != nil {
				t.Fatal(err)
			}
			close(a.release)
			if err := <-drained; err != nil {
				t.Fatal(err)
			}
			h.Drain()
			parked, err := h.Engine.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectParked})
			if err != nil {
				t.Fatal(err)
			}
			var kinds []lifecycle.EffectKind
			for _, e := range parked {
				kinds = append(kinds, e.Kind)
			}
			if diff := cmp.Diff([]lifecycle.EffectKind(nil), kinds); diff != "" {
				t.Errorf("effects left parked (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(lifecycle.StateReported, h.Only(iv.CandidateID).State); diff != "" {
				t.Errorf("state (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRecheckRequeuesOnce: an ATS that answers the read that checks the
// credentials but refuses the write with 401 gets the write retried once,
// then the effect stays parked for the operator instead of looping.
func TestRecheckRequeuesOnce(t *testing.T) {
	h := newHarness(t)
	iv := reach(t, h, lifecycle.StateScheduled)
	h.Drain()
	before := h.ATS.Calls("AddNote")
	unauthorized := &ats.APIError{ATS: "fake", StatusCode: 401}
	h.ATS.Fail("AddNote", unauthorized, unauthorized, unauthorized)
	if _, err := h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateCompleted,
		Result: &ats.Result{Grade: ats.GradePassed, Score: "90"}}); err != nil {
		t.Fatal(err)
	}
	h.Drain()
	parked, err := h.Engine.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectParked})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []lifecycle.EffectKind
	for _, e := range parked {
		kinds = append(kinds, e.Kind)
	}
	if diff := cmp.Diff([]lifecycle.EffectKind{lifecycle.EffectNote}, kinds); diff != "" {
		t.Errorf("parked effects (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(2, h.ATS.Calls("AddNote")-before); diff != "" {
		t.Errorf("note attempts (-want +got):\n%s", diff)
	}
}
