package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/pgtest"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/sqlstore"
	"github.com/atskit/atskit/lifecycle/sqlstore/postgres"
	"github.com/atskit/atskit/lifecycle/sqlstore/sqlite"
	"github.com/atskit/atskit/provider"
)

// Soak sizes. Every stage-linked candidate gets two rounds.
const (
	soakWorkable  = 550 // Workable candidates (× 2 rounds)
	soakLever     = 400 // Lever opportunities (× 2 rounds)
	soakProvider  = 200 // Workable provider-contract interviews (1 round)
	soakRounds    = 2
	soakFaultRate = 0.12
	soakRestarts  = 4
	soakTimeout   = 200 * time.Millisecond // per adapter attempt
	soakStall     = 600 * time.Millisecond // longer than soakTimeout
	// The soak fails when no interview is created or moves on for
	// soakStallLimit (a lost effect or a stuck dispatcher), or when it
	// runs past soakDeadline in all. Progress, not wall time, is the
	// signal: under the race detector on a 2-core machine the run takes
	// four to ten minutes depending on the seed and the machine's load.
	soakStallLimit = 90 * time.Second
	soakDeadline   = 17 * time.Minute // under go test -timeout 20m
	soakCallbackTk = "workable-callback-token"
)

var soakRoundNames = []string{"Technical", "Culture"}

// soakEngine is one "process": an engine and its dispatchers over the
// SQLite file.
type soakEngine struct {
	store  *sqlstore.Store
	engine *lifecycle.Engine
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// TestChaosSoak drives thousands of interviews through the whole flow on
// both ATSs while the fakes answer a share of all calls with 5xx, 429 or a
// stall past the client's timeout, the provider callback endpoint fails
// some PUTs, and the engine is killed and restarted on its SQLite file at
// random points. It then checks from the fakes' own records that nothing
// was lost and nothing duplicated.
func TestChaosSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos soak skipped with -short")
	}
	start := time.Now()
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("ATSKIT_SOAK_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (ATSKIT_SOAK_SEED to repeat)", seed)
	rng := rand.New(rand.NewPCG(seed, 1))

	slot := &engineSlot{}
	var leverToken atomic.Pointer[string]
	hs := newHookServer(t, slot, "workabletest-account-token", &leverToken)
	attempts := &attemptStats{base: http.DefaultTransport.(*http.Transport).Clone()}
	hc := &http.Client{Timeout: soakTimeout, Transport: attempts}
	ro := rigOptions{httpClient: hc, deliveryAttempts: 14, deliveryBackoff: 10 * time.Millisecond}
	wk, _ := newWorkableRig(t, hs, ro)
	lv, _ := newLeverRig(t, hs, &leverToken, ro)
	rigs := map[string]*rig{"workable": wk, "lever": lv}
	vend := newVendor()
	vend.failEvery = 17
	cbs := newCallbackServer(t, soakCallbackTk, 7)
	publisher := lifecycle.ProviderPublisher{Publisher: provider.NewPublisher(provider.PublisherOptions{
		AllowLoopback: true, AllowInsecureHTTP: true, MaxRetries: 1,
		RetryWaitMin: 5 * time.Millisecond, RetryWaitMax: 20 * time.Millisecond, Timeout: time.Second,
		Logger: quietLogger(),
	})}

	openStore, storeName := soakStore(t)
	var cur *soakEngine
	restarts := 0
	startEngine := func() {
		t.Helper()
		st := openStore()
		e := lifecycle.NewEngine(st, lifecycle.Options{
			Connector:  lifecycle.NewMemoryConnector(map[string]ats.Adapter{"workable": wk.adapter, "lever": lv.adapter}),
			Vendor:     vend,
			VendorName: vendorName,
			Publisher:  publisher,
			Logger:     quietLogger(),
		})
		runCtx, cancel := context.WithCancel(ctx)
		se := &soakEngine{store: st, engine: e, cancel: cancel}
		for i := range 3 {
			d := e.Dispatcher(lifecycle.DispatcherOptions{
				Owner: fmt.Sprintf("gen%d-d%d", restarts, i), Lease: 15 * time.Second,
				// BatchSize = Workers: every claimed effect starts at once,
				// so no effect waits out its lease behind slow ones.
				// One connection per ATS: let all workers serve it.
				BatchSize: 48, Workers: 48, PerConnection: 48, PollInterval: 20 * time.Millisecond, MaxAttempts: 1000,
				Backoff: func(n int) time.Duration { return time.Duration(min(n, 8)) * 25 * time.Millisecond },
			})
			se.wg.Go(func() { _ = d.Run(runCtx) })
		}
		cur = se
		slot.Set(e)
	}
	// stopEngine kills the process: deliveries in flight are cut off,
	// their effects stay claimed until the lease ends.
	stopEngine := func() {
		t.Helper()
		slot.Set(nil)
		cur.cancel()
		cur.wg.Wait()
		if err := cur.store.Close(); err != nil {
			t.Fatalf("close store: %v", err)
		}
		cur = nil
	}
	startEngine()
	defer func() {
		if cur != nil {
			stopEngine()
		}
	}()

	// Setup, without faults: positions, candidates.
	for _, r := range []*rig{wk, lv} {
		cfg := lifecycle.PositionConfig{
			Stages:   lifecycle.StageMapping{Trigger: r.stage[stageTrigger], Passed: r.stage[stagePassed], Failed: r.stage[stageFailed]},
			Require:  []lifecycle.Field{lifecycle.FieldEmail},
			Tags:     []string{"interviewvector"},
			Feedback: r.source == "lever",
		}
		for i, n := range soakRoundNames[:soakRounds] {
			cfg.Rounds = append(cfg.Rounds, lifecycle.Round{Name: n, Template: fmt.Sprintf("tpl-%d", i)})
		}
		r.configure(t, ctx, cur.engine, cfg)
	}
	type cand struct {
		source, id string
		provider   bool
	}
	var cands []cand
	for i := range soakWorkable {
		cands = append(cands, cand{"workable", wk.addCandidate(t, fmt.Sprintf("Wanda W%04d", i), fmt.Sprintf("w%04d@example.com", i)), false})
	}
	for i := range soakLever {
		cands = append(cands, cand{"lever", lv.addCandidate(t, fmt.Sprintf("Leo L%04d", i), fmt.Sprintf("l%04d@example.com", i)), false})
	}
	for i := range soakProvider {
		cands = append(cands, cand{"workable", wk.addCandidate(t, fmt.Sprintf("Pia P%04d", i), fmt.Sprintf("p%04d@example.com", i)), true})
	}
	expected := (soakWorkable+soakLever)*soakRounds + soakProvider

	// Chaos on.
	wk.setFaults(soakFaultRate, soakStall, seed)
	lv.setFaults(soakFaultRate, soakStall, seed+1)

	// Restart points: fractions of reported interviews, at random.
	var restartAt []float64
	for range soakRestarts {
		restartAt = append(restartAt, 0.05+0.85*rng.Float64())
	}
	sort.Float64s(restartAt)
	restartAt[0] = 0 // one restart in the initial burst of webhooks

	// The recruiter moves everybody into the vendor stage; Workable
	// calls the provider contract for the others.
	for _, c := range cands {
		if !c.provider {
			rigs[c.source].recruiterMove(t, c.id, stageTrigger)
		}
	}
	providerPending := map[string]bool{}
	for _, c := range cands {
		if c.provider {
			providerPending[c.id] = true
		}
	}

	// The vendor platform: moves each interview on as soon as the
	// previous step is visible, reporting with delivery IDs so retries
	// after a failed call are harmless.
	next := func(iv lifecycle.Interview) (lifecycle.Update, bool) {
		switch iv.State {
		case lifecycle.StateRequested:
			if len(vend.Created(iv.ID)) == 0 {
				return lifecycle.Update{}, false
			}
			return lifecycle.Update{ID: iv.ID + "/invited", Kind: lifecycle.UpdateInvited, Link: "https://iv.example/s/" + iv.ID}, true
		case lifecycle.StateInvited:
			return lifecycle.Update{ID: iv.ID + "/scheduled", Kind: lifecycle.UpdateScheduled, At: time.Date(2025, 6, 10, 14, 0, 0, 0, time.UTC)}, true
		case lifecycle.StateScheduled:
			grade := ats.GradePassed
			if iv.Round == 1 {
				grade = ats.GradeFailed
			}
			return lifecycle.Update{ID: iv.ID + "/completed", Kind: lifecycle.UpdateCompleted, Result: &ats.Result{
				Score: strconv.Itoa(50 + iv.Round*10), Grade: grade, Summary: "Round " + iv.RoundName,
				ReportURL: "https://iv.example/r/" + iv.ID}}, true
		}
		return lifecycle.Update{}, false
	}
	redriven := map[string]bool{}
	redrives := 0
	redrive := func() {
		for _, r := range []*rig{wk, lv} {
			for _, d := range r.deliveries() {
				key := r.source + string(d.Body)
				if d.Delivered || !d.Final || redriven[key] || slot.Get() == nil {
					continue
				}
				if hs.post(t, r.hookPath, d.Body, d.Header) == http.StatusOK {
					redriven[key] = true
					redrives++
				}
			}
		}
	}

	deadline := time.Now().Add(soakDeadline)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var reported, progress, lastProgressed int
	lastProgress := time.Now()
	for {
		if progress > lastProgressed {
			lastProgressed, lastProgress = progress, time.Now()
		}
		if now := time.Now(); now.After(deadline) || now.Sub(lastProgress) > soakStallLimit {
			soakDiagnose(t, ctx, cur, expected, now.Sub(lastProgress))
		}
		if len(restartAt) > 0 && float64(reported) >= restartAt[0]*float64(expected) {
			restartAt = restartAt[1:]
			stopEngine()
			restarts++
			startEngine()
		}
		e := cur.engine
		for id := range providerPending {
			_, err := e.ProviderInterview(ctx, lifecycle.ProviderRequest{
				Source: "workable", EventID: "assessment-" + id, CandidateID: id, JobID: wk.jobID,
				RoundName: "Assessment", Template: "tpl-assess",
				Candidate: ats.Candidate{ID: id, Name: "Pia " + id, Emails: []string{id + "@example.com"}},
				Callback:  lifecycle.Callback{URL: cbs.URL + "/callbacks/" + id, Token: soakCallbackTk},
			})
			if err == nil {
				delete(providerPending, id)
			}
		}
		ivs, err := e.Interviews(ctx, lifecycle.InterviewFilter{})
		if err != nil {
			t.Fatalf("Interviews: %v", err)
		}
		reported, progress = 0, 0
		var todo []lifecycle.Interview
		for _, iv := range ivs {
			progress += 1 + soakStateRank[iv.State]
			if iv.State == lifecycle.StateReported {
				reported++
			} else if _, ok := next(iv); ok {
				todo = append(todo, iv)
			}
		}
		if reported == expected && len(providerPending) == 0 {
			pending, err := e.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectPending})
			if err != nil {
				t.Fatal(err)
			}
			if len(pending) == 0 {
				// Let the fakes finish their deliveries (Lever's queue,
				// Workable's retries), then re-drive what they gave up.
				wk.flush(t)
				lv.flush(t)
				redrive()
				if deliveriesSettled(wk, lv) {
					break
				}
			}
		}
		var wg sync.WaitGroup
		work := make(chan lifecycle.Interview)
		for range 8 {
			wg.Go(func() {
				for iv := range work {
					u, _ := next(iv)
					_, _ = e.Report(ctx, iv.ID, u) // a failure is retried next round
				}
			})
		}
		for _, iv := range todo {
			work <- iv
		}
		close(work)
		wg.Wait()
		redrive()
		if len(todo) == 0 {
			<-tick.C
		}
	}
	if restarts < 3 {
		t.Errorf("restarts = %d, want at least 3", restarts)
	}

	// Everything is quiet: check the fakes' records.
	e := cur.engine
	ivs, err := e.Interviews(ctx, lifecycle.InterviewFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byCand := map[string][]lifecycle.Interview{}
	dupInterviews, lost := 0, 0
	for _, iv := range ivs {
		byCand[iv.Source+"/"+iv.CandidateID] = append(byCand[iv.Source+"/"+iv.CandidateID], iv)
		if n := len(vend.Created(iv.ID)); n != 1 {
			t.Errorf("interview %s: %d vendor interviews, want 1", iv.ID, n)
			dupInterviews += max(n-1, 0)
		}
	}
	if len(ivs) != expected || vend.Total() != expected {
		t.Errorf("interviews = %d, vendor interviews = %d, want %d", len(ivs), vend.Total(), expected)
	}
	var dupNotes, moveRepeats, moveResends, feedbackRepeats, callbackRepeats int
	notesTotal, movesTotal := 0, 0
	for _, c := range cands {
		r := rigs[c.source]
		got := byCand[c.source+"/"+c.id]
		rounds := soakRounds
		if c.provider {
			rounds = 1
		}
		if len(got) != rounds {
			t.Errorf("%s %s: %d interviews, want %d", c.source, c.id, len(got), rounds)
			lost += max(rounds-len(got), 0)
		}
		for _, iv := range got {
			if iv.State != lifecycle.StateReported {
				t.Errorf("%s %s round %d: state %s, want reported", c.source, c.id, iv.Round, iv.State)
			}
		}
		// Notes: exactly one invited, scheduled and completed per round.
		count := map[string]int{}
		notes := r.notes(c.id)
		notesTotal += len(notes)
		for _, n := range notes {
			round := ""
			for _, name := range append(slices.Clone(soakRoundNames), "Assessment") {
				if strings.Contains(n, " the "+name+" interview") {
					round = name
				}
			}
			count[string(noteKind(n))+"/"+round]++
		}
		var want []string
		if c.provider {
			want = []string{"Assessment"}
		} else {
			want = soakRoundNames[:soakRounds]
		}
		for _, round := range want {
			for _, k := range []lifecycle.NoteKind{lifecycle.NoteInvited, lifecycle.NoteScheduled, lifecycle.NoteCompleted} {
				key := string(k) + "/" + round
				switch n := count[key]; {
				case n == 0:
					t.Errorf("%s %s: no %s note", c.source, c.id, key)
					lost++
				case n > 1:
					t.Errorf("%s %s: %d %s notes, want 1", c.source, c.id, n, key)
					dupNotes += n - 1
				}
				delete(count, key)
			}
		}
		for key, n := range count {
			t.Errorf("%s %s: %d unexpected %s notes", c.source, c.id, n, key)
		}
		// Stage moves: passed (round 1) and failed (round 2). Each must
		// happen; a move is repeated only when an earlier attempt's
		// outcome was unknown (counted below). The two rounds' moves are
		// ordered per interview, not per candidate, so a re-sent move
		// can land after the other round's.
		moves := r.moves(c.id)
		movesTotal += len(moves)
		if c.provider {
			if len(moves) != 0 {
				t.Errorf("%s %s: provider interview moved the candidate: %q", c.source, c.id, moves)
			}
			acc := cbs.Accepted(c.id)
			switch {
			case len(acc) == 0:
				t.Errorf("%s: no callback delivered", c.id)
				lost++
			case slices.ContainsFunc(acc, func(s string) bool { return s != "completed" }):
				t.Errorf("%s: callbacks %q, want only completed", c.id, acc)
			case !strings.Contains(cbs.Body(c.id), `"score":"50"`):
				t.Errorf("%s: callback body %s lacks the score", c.id, cbs.Body(c.id))
			}
			callbackRepeats += max(len(acc)-1, 0)
			continue
		}
		wantMoves := []string{r.stage[stagePassed], r.stage[stageFailed]}
		for _, st := range wantMoves {
			if !slices.Contains(moves, st) {
				t.Errorf("%s %s: moves %q lack %q", c.source, c.id, moves, st)
				lost++
			}
		}
		for _, m := range moves {
			if !slices.Contains(wantMoves, m) {
				t.Errorf("%s %s: unexpected move to %q", c.source, c.id, m)
			}
		}
		// The adapters retry idempotent calls (a move) themselves after a
		// timeout, which can repeat a move in place; a repeat anywhere
		// else needs an attempt the dispatcher saw fail without answer.
		transitions := slices.Compact(slices.Clone(moves))
		moveRepeats += len(moves) - len(transitions)
		moveResends += max(len(transitions)-len(wantMoves), 0)
		if !slices.Contains(r.tags(c.id), "interviewvector") {
			t.Errorf("%s %s: tags %q lack interviewvector", c.source, c.id, r.tags(c.id))
		}
		if c.source == "lever" {
			fb := r.feedback(c.id)
			if fb < soakRounds {
				t.Errorf("%s: %d feedback forms, want %d", c.id, fb, soakRounds)
			}
			feedbackRepeats += max(fb-soakRounds, 0)
		}
	}
	// Writes repeat only when an earlier attempt's outcome was unknown.
	for _, x := range []struct {
		kind    string
		repeats int
	}{{"move", moveRepeats + moveResends}, {"feedback", feedbackRepeats}} {
		if unknown := attempts.Uncertain(x.kind); x.repeats > unknown {
			t.Errorf("%d repeated %s writes but only %d attempts ended with an unknown outcome", x.repeats, x.kind, unknown)
		}
	}
	for _, st := range []lifecycle.EffectState{lifecycle.EffectPending, lifecycle.EffectFailed} {
		effs, err := e.Effects(ctx, lifecycle.EffectFilter{State: st})
		if err != nil {
			t.Fatal(err)
		}
		for i, ef := range effs {
			if i < 10 {
				t.Errorf("effect %s (%s, %s) left %s: %s", ef.ID, ef.Kind, ef.CandidateID, st, ef.LastError)
			}
		}
		if len(effs) > 0 {
			t.Errorf("%d effects %s", len(effs), st)
		}
	}
	allEffects, _ := e.Effects(ctx, lifecycle.EffectFilter{})
	wkDel, lvDel := wk.deliveries(), lv.deliveries()

	calls := wk.requests() + lv.requests()
	faults := wk.faults() + lv.faults()
	report := fmt.Sprintf(`
=== chaos soak ===
interviews           %d (workable %d×%d + provider %d, lever %d×%d), all reported
vendor interviews    %d (create calls failed on purpose: %d)
effects delivered    %d (notes %d, stage moves %d)
ATS calls            %d, injected faults %d (%.1f%%: workable %d, lever %d)
webhook deliveries   workable %d, lever %d; re-driven by the test %d
callbacks            %d interviews, PUTs failed on purpose %d, idempotent re-sends %d
restarts             %d (store: %s)
duplicates           0 (interviews %d, notes %d)
idempotent repeats   stage moves in place %d, re-sent %d, feedback forms %d (unknown-outcome HTTP attempts: moves %d, feedback %d)
lost                 %d
wall time            %s
seed                 %d
`, len(ivs), soakWorkable, soakRounds, soakProvider, soakLever, soakRounds,
		vend.Total(), vend.failed,
		len(allEffects), notesTotal, movesTotal,
		calls, faults, 100*float64(faults)/float64(calls), wk.faults(), lv.faults(),
		len(wkDel), len(lvDel), redrives,
		soakProvider, cbs.Failed(), callbackRepeats,
		restarts, storeName,
		dupInterviews, dupNotes,
		moveRepeats, moveResends, feedbackRepeats, attempts.Uncertain("move"), attempts.Uncertain("feedback"),
		lost, time.Since(start).Round(time.Millisecond), seed)
	if dupInterviews+dupNotes > 0 {
		report = strings.Replace(report, "duplicates           0", fmt.Sprintf("duplicates           %d", dupInterviews+dupNotes), 1)
	}
	t.Log(report)
	if testing.Verbose() {
		fmt.Print(report)
	}
	if float64(faults) < 0.10*float64(calls) {
		t.Errorf("injected faults %d of %d calls, want at least 10%%", faults, calls)
	}
	if dupInterviews+dupNotes+lost > 0 {
		t.Errorf("duplicates %d, lost %d; want 0", dupInterviews+dupNotes, lost)
	}
}

// deliveriesSettled reports whether every webhook delivery of both fakes
// was accepted (by the fake's retries or the test's re-drive) or is still
// being retried by the fake.
func deliveriesSettled(rs ...*rig) bool {
	for _, r := range rs {
		for _, d := range r.deliveries() {
			if !d.Delivered && !d.Final {
				return false
			}
		}
	}
	return true
}

// soakStateRank orders the states an interview passes through in the soak,
// so any step forward counts as progress.
var soakStateRank = map[lifecycle.State]int{
	lifecycle.StateRequested: 0, lifecycle.StateInvited: 1, lifecycle.StateScheduled: 2,
	lifecycle.StateCompleted: 3, lifecycle.StateReported: 4,
}

// soakDiagnose fails the soak when it stopped making progress (or ran past
// its deadline), with what is still pending.
func soakDiagnose(t *testing.T, ctx context.Context, se *soakEngine, expected int, idle time.Duration) {
	t.Helper()
	if se == nil {
		t.Fatal("soak deadline passed while the engine was down")
	}
	ivs, _ := se.engine.Interviews(ctx, lifecycle.InterviewFilter{})
	states := map[lifecycle.State]int{}
	for _, iv := range ivs {
		states[iv.State]++
	}
	effs, _ := se.engine.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectPending})
	kinds := map[lifecycle.EffectKind]int{}
	var sample []string
	for _, e := range effs {
		kinds[e.Kind]++
		if len(sample) < 5 {
			sample = append(sample, fmt.Sprintf("%s %s attempts=%d err=%q", e.Kind, e.CandidateID, e.Attempts, e.LastError))
		}
	}
	t.Fatalf("soak stopped (no interview created or moved on for %s, or %s in all): %d of %d interviews, states %v; pending effects %v; e.g. %q",
		idle.Round(time.Second), soakDeadline, len(ivs), expected, states, kinds, sample)
}

// soakStore returns how to open the soak's durable store: a PostgreSQL
// schema of its own when ATSKIT_POSTGRES_DSN is set (as in CI), unless
// ATSKIT_SOAK_STORE=sqlite; otherwise a SQLite file in t.TempDir(). Every
// call of open opens the same database again, as a restarted process
// would. modernc.org/sqlite is pure Go and about ten times slower under
// the race detector, so `go test -race` takes minutes on SQLite.
func soakStore(t *testing.T) (open func() *sqlstore.Store, name string) {
	t.Helper()
	ctx := context.Background()
	dsn := os.Getenv("ATSKIT_POSTGRES_DSN")
	if dsn == "" || os.Getenv("ATSKIT_SOAK_STORE") == "sqlite" {
		path := filepath.Join(t.TempDir(), "atskit.db")
		return func() *sqlstore.Store {
			st, err := sqlite.Open(ctx, path)
			if err != nil {
				t.Fatalf("open store: %v", err)
			}
			return st
		}, "SQLite file"
	}
	pgdsn := pgtest.Schema(t, "soak_")
	return func() *sqlstore.Store {
		st, err := postgres.Open(ctx, pgdsn)
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		st.DB().SetMaxOpenConns(24)
		st.DB().SetMaxIdleConns(24)
		return st
	}, "PostgreSQL schema of its own"
}
