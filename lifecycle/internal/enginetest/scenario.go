package enginetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
)

// Replicas runs two engines ("replicas") with a dispatcher each over one
// store. Both receive the same events at the same time — and the vendor's
// updates — and the test checks that every candidate ends with exactly one
// interview, one vendor interview and one set of notes.
func Replicas(t *testing.T, store lifecycle.Store) {
	ctx := context.Background()
	h := New(t, store)
	b := lifecycle.NewEngine(store, h.Options())
	engines := []*lifecycle.Engine{h.Engine, b}
	disps := []*lifecycle.Dispatcher{
		h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "replica-a", BatchSize: 4}),
		b.Dispatcher(lifecycle.DispatcherOptions{Owner: "replica-b", BatchSize: 4}),
	}
	const n = 12
	var cands []string
	for i := range n {
		id := fmt.Sprintf("c%02d", i)
		h.Candidate(id)
		cands = append(cands, id)
	}

	parallel := func(fn func(i int, e *lifecycle.Engine) error) {
		t.Helper()
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, 2*n)
		for i := range n {
			for _, e := range engines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					if err := fn(i, e); err != nil {
						errs <- err
					}
				}()
			}
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
	drain := func() {
		t.Helper()
		var wg sync.WaitGroup
		for _, d := range disps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := d.Drain(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		// A dispatcher may stop while the other still holds the head of
		// a queue; finish what is left.
		for _, d := range disps {
			if _, err := d.Drain(ctx); err != nil {
				t.Error(err)
			}
		}
	}

	// The same delivery reaches both replicas.
	events := make([]ats.Event, n)
	for i, c := range cands {
		events[i] = h.MoveEvent(c, StageTrigger)
	}
	parallel(func(i int, e *lifecycle.Engine) error { return e.HandleEvent(ctx, events[i]) })
	// The ATS redelivers under new IDs too.
	parallel(func(i int, e *lifecycle.Engine) error {
		ev := events[i]
		ev.ID += "-redelivery"
		return e.HandleEvent(ctx, ev)
	})
	drain()
	if got := h.Vendor.Created(); got != n {
		t.Fatalf("vendor interviews created = %d, want %d", got, n)
	}

	// The vendor's webhook reaches both replicas too.
	ids := make([]string, n)
	for i, c := range cands {
		ids[i] = h.Only(c).ID
	}
	parallel(func(i int, e *lifecycle.Engine) error {
		_, err := e.Report(ctx, ids[i], lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://v.example/s/" + cands[i]})
		return err
	})
	parallel(func(i int, e *lifecycle.Engine) error {
		_, err := e.Report(ctx, ids[i], lifecycle.Update{ID: "sched-" + cands[i], Kind: lifecycle.UpdateScheduled, At: Start.Add(48 * time.Hour)})
		return err
	})
	drain()

	for _, c := range cands {
		iv := h.Only(c)
		if iv.State != lifecycle.StateScheduled {
			t.Errorf("%s: state %s, want scheduled", c, iv.State)
		}
		notes := h.ATS.NotesOf(c)
		if len(notes) != 2 || !strings.Contains(notes[0], "invited") || !strings.Contains(notes[1], "scheduled for") {
			t.Errorf("%s: notes = %q, want one invitation and one schedule note", c, notes)
		}
	}
	var moves int
	for _, m := range h.ATS.Moves() {
		if m.StageID == StageScheduled {
			moves++
		}
	}
	if moves != n {
		t.Errorf("moves to scheduled stage = %d, want %d", moves, n)
	}
	pending, err := store.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectPending})
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 0 {
		t.Errorf("%d effects still pending", len(pending))
	}
}

// BenchEvents measures HandleEvent throughput with workers concurrent
// callers: each event moves a new candidate into the trigger stage, which
// creates an interview and its outbox effects. It returns events per second.
func BenchEvents(b *testing.B, store lifecycle.Store, workers int) float64 {
	h := New(b, store)
	events := make([]ats.Event, b.N)
	for i := range b.N {
		id := fmt.Sprintf("b%07d", i)
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
				if err := h.Engine.HandleEvent(ctx, events[i]); err != nil {
					b.Error(err)
					return
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

// BenchDispatch measures the dispatcher's throughput against the fake ATS
// and vendor: b.N candidates enter the trigger stage (untimed), then one
// dispatcher with workers workers drains their effects. It returns effects
// per second.
func BenchDispatch(b *testing.B, store lifecycle.Store, workers int) float64 {
	h := New(b, store)
	ctx := context.Background()
	for i := range b.N {
		id := fmt.Sprintf("d%07d", i)
		h.Candidate(id)
		if err := h.Engine.HandleEvent(ctx, h.MoveEvent(id, StageTrigger)); err != nil {
			b.Fatal(err)
		}
	}
	d := h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "bench", Workers: workers, BatchSize: 128})
	b.ResetTimer()
	start := time.Now()
	n, err := d.Drain(ctx)
	elapsed := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if n < b.N {
		b.Fatalf("drained %d effects, want at least %d", n, b.N)
	}
	rate := float64(n) / elapsed.Seconds()
	b.ReportMetric(rate, "effects/s")
	return rate
}
