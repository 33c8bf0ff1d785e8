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

// invitedPending drives n new candidates to invited and delivers every
// effect but their invitation notes, which stay pending (one per order key).
func (h *Harness) invitedPending(prefix string, n int) []lifecycle.Interview {
	h.T.Helper()
	ctx := context.Background()
	var ivs []lifecycle.Interview
	for i := range n {
		id := fmt.Sprintf("%s%02d", prefix, i)
		h.Candidate(id)
		h.Move(id, StageTrigger)
		ivs = append(ivs, h.Only(id))
	}
	h.Drain()
	for _, iv := range ivs {
		if _, err := h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://v.example/s/" + iv.ID}); err != nil {
			h.T.Fatal(err)
		}
	}
	return ivs
}

func pending(t testing.TB, s lifecycle.Store) []lifecycle.Effect {
	t.Helper()
	effs, err := s.Effects(context.Background(), lifecycle.EffectFilter{State: lifecycle.EffectPending})
	if err != nil {
		t.Fatal(err)
	}
	return effs
}

// GracefulStop cancels a dispatcher's context right after the ATS accepted
// a note: the call's outcome is still recorded (no redelivery needed), the
// claimed effects it had not started are released at once and not
// attempted, and another dispatcher delivers them without waiting for a
// lease to end.
func GracefulStop(t *testing.T, store lifecycle.Store) {
	ctx := context.Background()
	h := New(t, store)
	ivs := h.invitedPending("g", 2)
	a, b := ivs[0], ivs[1]
	dctx, stop := context.WithCancel(ctx)
	h.ATS.AfterCall = func(op, cand string) {
		if op == "AddNote" && cand == a.CandidateID {
			stop()
		}
	}
	d := h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "stopping", Workers: 1, BatchSize: 2})
	if _, err := d.RunOnce(dctx); err != nil {
		t.Fatalf("RunOnce after stop: %v", err)
	}
	h.ATS.AfterCall = nil
	if got := len(h.ATS.NotesOf(a.CandidateID)); got != 1 {
		t.Fatalf("notes of a = %d, want 1", got)
	}
	if got := len(h.ATS.NotesOf(b.CandidateID)); got != 0 {
		t.Fatalf("notes of b = %d, want 0: nothing may start after the stop", got)
	}
	left := pending(t, store)
	if len(left) != 1 || left[0].InterviewID != b.ID {
		t.Fatalf("pending after stop = %+v, want only b's note (a's was acknowledged)", left)
	}
	if left[0].ClaimedBy != "" || left[0].Attempts != 0 || left[0].Unacked {
		t.Fatalf("b's note = claimed by %q, %d attempts, unacked %v; want released and never attempted", left[0].ClaimedBy, left[0].Attempts, left[0].Unacked)
	}
	other := h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "other"})
	if _, err := other.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(h.ATS.NotesOf(b.CandidateID)); got != 1 {
		t.Fatalf("notes of b = %d, want 1", got)
	}
	if left := pending(t, store); len(left) != 0 {
		t.Fatalf("%d effects still pending", len(left))
	}
}

// CrashRestart stops an engine's process between an ATS call and its
// acknowledgement — the store is closed right after the ATS accepted a
// note, as when the process dies — then starts a new engine on a reopened
// store. Once the dead dispatcher's leases end, everything is delivered:
// no note is lost and none is duplicated.
func CrashRestart(t *testing.T, open func() lifecycle.Store) {
	ctx := context.Background()
	st := open()
	h := New(t, st)
	ivs := h.invitedPending("r", 3)
	for _, iv := range ivs {
		if _, err := h.Engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateScheduled, At: Start.Add(48 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	var once sync.Once
	h.ATS.AfterCall = func(op, _ string) {
		if op == "AddNote" {
			once.Do(func() {
				if c, ok := st.(interface{ Close() error }); ok {
					_ = c.Close() // the process dies: nothing more reaches the database
				}
			})
		}
	}
	dead := h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "dead", Workers: 1, BatchSize: 16, PerConnection: 16, Lease: time.Minute})
	if _, err := dead.RunOnce(ctx); err == nil {
		t.Fatal("RunOnce on a closed store: want an error")
	}
	h.ATS.AfterCall = nil
	var sent int
	for _, iv := range ivs {
		sent += len(h.ATS.NotesOf(iv.CandidateID))
	}
	if sent != 1 {
		t.Fatalf("notes sent before the crash = %d, want 1", sent)
	}

	// Restart: a new process, a new engine on the same database.
	st2 := open()
	e2 := lifecycle.NewEngine(st2, h.Options())
	d2 := e2.Dispatcher(lifecycle.DispatcherOptions{Owner: "restarted", Lease: time.Minute})
	if n, err := d2.Drain(ctx); err != nil || n != 0 {
		t.Fatalf("Drain while the dead leases hold = %d, %v; want 0", n, err)
	}
	h.Clock.Advance(time.Minute + time.Second)
	if _, err := d2.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	for _, iv := range ivs {
		notes := h.ATS.NotesOf(iv.CandidateID)
		if len(notes) != 2 || !strings.Contains(notes[0], "invited") || !strings.Contains(notes[1], "scheduled for") {
			t.Errorf("%s: notes = %q, want one invitation and one schedule note", iv.CandidateID, notes)
		}
	}
	var moves int
	for _, m := range h.ATS.Moves() {
		if m.StageID == StageScheduled {
			moves++
		}
	}
	if moves != len(ivs) {
		t.Errorf("moves to the scheduled stage = %d, want %d", moves, len(ivs))
	}
	if left := pending(t, st2); len(left) != 0 {
		t.Errorf("%d effects still pending", len(left))
	}
	failed, err := st2.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectFailed})
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 0 {
		t.Errorf("failed effects: %+v", failed)
	}
}
