package enginetest

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
)

// Inbox checks the engine's inbox over store (which must implement
// lifecycle.Inbox): events accepted by one engine whose process dies before
// or while processing them are processed by another engine on the same
// store, each once, and a redelivered event is processed once.
func Inbox(t *testing.T, newStore func(t *testing.T) lifecycle.Store) {
	t.Run("process dies after accepting", func(t *testing.T) {
		h := New(t, newStore(t))
		ctx := context.Background()
		var evs []ats.Event
		for i := range 3 {
			id := fmt.Sprintf("c%d", i)
			h.Candidate(id)
			evs = append(evs, h.MoveEvent(id, StageTrigger))
		}
		base := h.ATS.Calls("Candidate") // MoveEvent reads too
		if err := h.Engine.AcceptEvents(ctx, evs); err != nil {
			t.Fatal(err)
		}
		if got := h.ATS.Calls("Candidate") - base; got != 0 {
			t.Fatalf("accepting read %d candidates, want none", got)
		}
		// The first process dies here; a second one, on the same store,
		// processes what was accepted.
		e2 := lifecycle.NewEngine(h.Store, h.Options())
		if _, err := e2.Dispatcher(lifecycle.DispatcherOptions{Owner: "second"}).Drain(ctx); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if iv := h.Only(fmt.Sprintf("c%d", i)); iv.State != lifecycle.StateRequested {
				t.Errorf("c%d: state %s, want requested", i, iv.State)
			}
		}
		h.wantInbox(t, map[lifecycle.InboxState]int{lifecycle.InboxProcessed: 3})
	})

	t.Run("worker dies while processing", func(t *testing.T) {
		h := New(t, newStore(t))
		ctx := context.Background()
		h.Candidate("c1")
		h.Candidate("c2")
		ev1, ev2 := h.MoveEvent("c1", StageTrigger), h.MoveEvent("c2", StageTrigger)
		base := h.ATS.Calls("Candidate")
		if err := h.Engine.AcceptEvents(ctx, []ats.Event{ev1, ev2}); err != nil {
			t.Fatal(err)
		}
		// A dispatcher claims both and dies: before deciding on c1, and
		// after committing c2's decision but before recording it done.
		inbox := h.Store.(lifecycle.Inbox)
		claimed, err := inbox.ClaimEvents(ctx, lifecycle.Claim{Owner: "dead", Now: h.Clock.Now(), Lease: time.Minute, Limit: 10})
		if err != nil || len(claimed) != 2 {
			t.Fatalf("claim = %d events, %v; want 2", len(claimed), err)
		}
		if err := h.Engine.HandleEvent(ctx, ev2); err != nil {
			t.Fatal(err)
		}
		d2 := lifecycle.NewEngine(h.Store, h.Options()).Dispatcher(lifecycle.DispatcherOptions{Owner: "second", Lease: time.Minute})
		if _, err := d2.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		h.wantInbox(t, map[lifecycle.InboxState]int{lifecycle.InboxPending: 2})
		h.Clock.Advance(time.Minute + time.Second) // the dead dispatcher's lease ends
		if _, err := d2.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		h.wantInbox(t, map[lifecycle.InboxState]int{lifecycle.InboxProcessed: 2})
		h.Only("c1")
		h.Only("c2")
		if got := h.Vendor.Created(); got != 2 {
			t.Errorf("vendor interviews created = %d, want 2", got)
		}
		if got := h.ATS.Calls("Candidate") - base; got != 2 {
			t.Errorf("candidate reads = %d, want 2 (c2's event was not decided twice)", got)
		}
	})

	t.Run("redelivered event processed once", func(t *testing.T) {
		h := New(t, newStore(t))
		ctx := context.Background()
		h.Candidate("c1")
		ev := h.MoveEvent("c1", StageTrigger)
		base := h.ATS.Calls("Candidate")
		for range 3 {
			if err := h.Engine.AcceptEvents(ctx, []ats.Event{ev}); err != nil {
				t.Fatal(err)
			}
		}
		h.Drain()
		if err := h.Engine.AcceptEvents(ctx, []ats.Event{ev}); err != nil { // after processing
			t.Fatal(err)
		}
		if err := h.Engine.HandleEvent(ctx, ev); err != nil { // and through the synchronous path
			t.Fatal(err)
		}
		h.Drain()
		h.wantInbox(t, map[lifecycle.InboxState]int{lifecycle.InboxProcessed: 1})
		h.Only("c1")
		if got := h.ATS.Calls("Candidate") - base; got != 1 {
			t.Errorf("candidate reads = %d, want 1", got)
		}
		if got := h.Vendor.Created(); got != 1 {
			t.Errorf("vendor interviews created = %d, want 1", got)
		}
	})

	t.Run("decided on the candidate when processed", func(t *testing.T) {
		h := New(t, newStore(t))
		ctx := context.Background()
		h.Candidate("c1")
		in := h.MoveEvent("c1", StageTrigger)
		out := h.MoveEvent("c1", StageOffer)
		// Delivered in order, but the candidate is read when each is
		// processed: the read shows them in the offer stage.
		if err := h.Engine.AcceptEvents(ctx, []ats.Event{in, out}); err != nil {
			t.Fatal(err)
		}
		d := h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "d", Workers: 8, PerConnection: 8})
		if _, err := d.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		ivs, err := h.Engine.Interviews(ctx, lifecycle.InterviewFilter{CandidateID: "c1"})
		if err != nil {
			t.Fatal(err)
		}
		if len(ivs) != 0 {
			t.Errorf("interviews = %+v, want none: the candidate had left the stage", ivs)
		}
		h.wantInbox(t, map[lifecycle.InboxState]int{lifecycle.InboxProcessed: 2})
	})

	t.Run("failing read retried, then given up", func(t *testing.T) {
		h := New(t, newStore(t))
		ctx := context.Background()
		h.Candidate("c1")
		ev := h.MoveEvent("c1", StageTrigger)
		h.ATS.Fail("Candidate", &ats.APIError{ATS: "fake", StatusCode: 503}, &ats.APIError{ATS: "fake", StatusCode: 503})
		if err := h.Engine.AcceptEvents(ctx, []ats.Event{ev}); err != nil {
			t.Fatal(err)
		}
		d := h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "d", MaxAttempts: 3, Backoff: func(int) time.Duration { return time.Second }})
		for range 3 {
			if _, err := d.Drain(ctx); err != nil {
				t.Fatal(err)
			}
			h.Clock.Advance(2 * time.Second)
		}
		h.Only("c1")
		evs, err := h.Engine.InboxEvents(ctx, lifecycle.InboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 || evs[0].State != lifecycle.InboxProcessed || evs[0].Attempts != 2 {
			t.Errorf("inbox = %+v, want one event processed after 2 failed attempts", evs)
		}

		h.Candidate("c2")
		ev = h.MoveEvent("c2", StageTrigger)
		h.ATS.Fail("Candidate", &ats.APIError{ATS: "fake", StatusCode: 503}, &ats.APIError{ATS: "fake", StatusCode: 503}, &ats.APIError{ATS: "fake", StatusCode: 503})
		if err := h.Engine.AcceptEvents(ctx, []ats.Event{ev}); err != nil {
			t.Fatal(err)
		}
		for range 4 {
			if _, err := d.Drain(ctx); err != nil {
				t.Fatal(err)
			}
			h.Clock.Advance(2 * time.Second)
		}
		failed, err := h.Engine.InboxEvents(ctx, lifecycle.InboxFilter{State: lifecycle.InboxFailed})
		if err != nil {
			t.Fatal(err)
		}
		if len(failed) != 1 || failed[0].Attempts != 3 || failed[0].Event.CandidateID != "c2" {
			t.Errorf("failed = %+v, want c2's event after 3 attempts", failed)
		}
	})
}

// wantInbox checks how many inbox events are in each state.
func (h *Harness) wantInbox(t *testing.T, want map[lifecycle.InboxState]int) {
	t.Helper()
	evs, err := h.Engine.InboxEvents(context.Background(), lifecycle.InboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[lifecycle.InboxState]int{}
	for _, ev := range evs {
		got[ev.State]++
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("inbox states (-want +got):\n%s", d)
	}
}

// BenchInboxPipeline measures events through the whole pipeline: workers concurrent webhook
// handlers accept b.N events one delivery at a time (each moves a new
// candidate into the trigger stage), then one dispatcher with workers
// workers processes them (each reads the candidate from the fake ATS and
// commits an interview with its effects; the effects are delivered too).
// It reports and returns events per second over both phases, and the
// accept rate alone.
func BenchInboxPipeline(b *testing.B, store lifecycle.Store, workers int) float64 {
	h := New(b, store)
	events := make([]ats.Event, b.N)
	for i := range b.N {
		id := fmt.Sprintf("i%07d", i)
		h.Candidate(id)
		events[i] = h.MoveEvent(id, StageTrigger)
	}
	ctx := context.Background()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				if err := h.Engine.AcceptEvents(ctx, events[i:i+1]); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	accepted := time.Since(start)
	d := h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "bench", Workers: workers, BatchSize: 128, PerConnection: workers})
	if _, err := d.Drain(ctx); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if got := h.ATS.Calls("Candidate") - b.N; got != b.N { // MoveEvent read each once
		b.Fatalf("processed %d events, want %d", got, b.N)
	}
	rate := float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "events/s")
	b.ReportMetric(float64(b.N)/accepted.Seconds(), "accepts/s")
	return rate
}

// BenchInbox measures the inbox itself: workers concurrent webhook
// handlers accept b.N events, one delivery per AcceptEvents call, while
// workers concurrent workers claim them (up to 32 at a time, as a
// dispatcher does) and record each processed. It reports and returns
// events per second from the first accept to the last recorded outcome.
// Processing (HandleEvent) is measured by BenchEvents, effect delivery by
// BenchDispatch.
func BenchInbox(b *testing.B, store lifecycle.Store, workers int) float64 {
	inbox, ok := store.(lifecycle.Inbox)
	if !ok {
		b.Fatalf("%T does not implement lifecycle.Inbox", store)
	}
	e := lifecycle.NewEngine(store, lifecycle.Options{Logger: slog.New(slog.DiscardHandler)})
	events := make([]ats.Event, b.N)
	for i := range b.N {
		events[i] = ats.Event{ID: fmt.Sprintf("ev%07d", i), Source: Source, Connection: fmt.Sprintf("conn%d", i%4),
			Kind: ats.EventStageChanged, Type: "candidate_moved", CandidateID: fmt.Sprintf("c%07d", i), JobID: JobID,
			ToStage: ats.StageRef{ID: StageTrigger, Name: "InterviewVector"}, Time: Start}
	}
	ctx := context.Background()
	var next atomic.Int64
	var processed atomic.Int64
	var wg sync.WaitGroup
	// accepted wakes the workers, as Engine.AcceptEvents wakes a
	// dispatcher: an empty inbox is not polled in a busy loop.
	accepted := make(chan struct{}, 1)
	b.ResetTimer()
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				if err := e.AcceptEvents(ctx, events[i:i+1]); err != nil {
					b.Error(err)
					return
				}
				select {
				case accepted <- struct{}{}:
				default:
				}
			}
		}()
	}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := fmt.Sprintf("w%d", w)
			for processed.Load() < int64(b.N) {
				evs, err := inbox.ClaimEvents(ctx, lifecycle.Claim{Owner: owner, Now: time.Now(), Lease: time.Minute, Limit: 32})
				if err != nil {
					b.Error(err)
					return
				}
				if len(evs) == 0 {
					select {
					case <-accepted:
					case <-time.After(time.Millisecond):
					}
					continue
				}
				for _, ev := range evs {
					if err := inbox.FinishEvent(ctx, ev.ID, owner, lifecycle.InboxOutcome{State: lifecycle.InboxProcessed, At: time.Now()}); err != nil {
						b.Error(err)
						return
					}
					processed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	rate := float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "events/s")
	return rate
}
