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
	"github.com/atskit/atskit/lever/levertest"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/sqlstore"
	"github.com/atskit/atskit/lifecycle/sqlstore/postgres"
	"github.com/atskit/atskit/lifecycle/sqlstore/sqlite"
	"github.com/atskit/atskit/provider"
	"github.com/atskit/atskit/workable/workabletest"
)

// Soak sizes. Every stage-linked candidate gets two rounds.
const (
	soakWorkable = 550 // Workable candidates (× 2 rounds)
	soakLever    = 400 // Lever opportunities (× 2 rounds)
	soakProvider = 200 // Workable provider-contract interviews (1 round)
	// soakOutage candidates per ATS enter the vendor stage while the
	// ATS's webhooks are switched off: only Engine.Reconcile finds them.
	soakOutage = 25
	// soakRevoked candidates per ATS enter the vendor stage while both
	// ATSs refuse the account's token (revoked mid-run for
	// soakRevokeFor, then restored).
	soakRevoked   = 20
	soakRevokeFor = 3 * time.Second
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
	// soakDeadline applies without a go test -timeout; with one, the
	// soak stops soakCheckTime before it, to report what it found.
	soakDeadline   = 17 * time.Minute
	soakCheckTime  = 3 * time.Minute
	soakCallbackTk = "workable-callback-token"
)

var soakRoundNames = []string{"Technical", "Culture"}

// soakEngine is one "process": an engine and its dispatchers over the
// store; with PostgreSQL a second replica (its own connections, engine and
// dispatchers) shares the database.
type soakEngine struct {
	stores   []*sqlstore.Store
	engine   *lifecycle.Engine
	replicas []*lifecycle.Engine // engine first
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// TestChaosSoak drives thousands of interviews through the whole flow on
// both ATSs while the fakes answer a share of all calls with 5xx, 429 or a
// stall past the client's timeout, the provider callback endpoint fails
// some PUTs, and the engine is killed and restarted on its store at
// random points. Webhooks are accepted into the store's inbox
// (Engine.AcceptEvents, as hosting does) and processed by the dispatchers.
// On top: the recruiter bulk-moves everybody at once; old deliveries are
// re-posted out of order and late; both ATSs' webhooks are switched off
// while candidates enter the stage, then on again, and only
// Engine.Reconcile finds those candidates; both ATSs' account tokens are
// revoked at a random point for a while (effects park on the 401s,
// webhooks are still accepted but their candidate reads fail, candidates
// enter the stage meanwhile), then restored, and the host does what it
// does once its customer fixed the credentials (Engine.RequeueConnection
// and RequeueEvents per connection); and on PostgreSQL two replicas share
// the database, events and reports alternating between them. It
// then checks from the fakes' own records that nothing was lost and
// nothing duplicated (notes, moves, feedback forms, ratings, callbacks),
// that no invitation went to the wrong candidate, and reports ATS requests
// per completed interview.
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
	slot.inbox.Store(true)
	hs := newHookServer(t, slot, "workabletest-account-token", &leverToken)
	attempts := &attemptStats{base: http.DefaultTransport.(*http.Transport).Clone()}
	hc := &http.Client{Timeout: soakTimeout, Transport: attempts}
	ro := rigOptions{httpClient: hc, deliveryAttempts: 14, deliveryBackoff: 10 * time.Millisecond}
	wk, wkSrv := newWorkableRig(t, hs, ro)
	lv, lvSrv := newLeverRig(t, hs, &leverToken, ro)
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
	nReplicas := 1
	if strings.HasPrefix(storeName, "PostgreSQL") {
		nReplicas = 2
	}
	var cur *soakEngine
	restarts := 0
	startEngine := func() {
		t.Helper()
		runCtx, cancel := context.WithCancel(ctx)
		se := &soakEngine{cancel: cancel}
		for r := range nReplicas {
			st := openStore()
			e := lifecycle.NewEngine(st, lifecycle.Options{
				Connector:  lifecycle.NewMemoryConnector(map[string]ats.Adapter{"workable": wk.adapter, "lever": lv.adapter}),
				Vendor:     vend,
				VendorName: vendorName,
				Publisher:  publisher,
				Logger:     quietLogger(),
			})
			se.stores = append(se.stores, st)
			se.replicas = append(se.replicas, e)
			// Three dispatchers in all, as with one replica.
			perReplica := 3
			if nReplicas > 1 {
				perReplica = 2 - r
			}
			for i := range perReplica {
				d := e.Dispatcher(lifecycle.DispatcherOptions{
					Owner: fmt.Sprintf("gen%d-r%d-d%d", restarts, r, i), Lease: 15 * time.Second,
					// BatchSize = Workers: every claimed effect starts at once,
					// so no effect waits out its lease behind slow ones.
					// One connection per ATS: let all workers serve it.
					BatchSize: 48, Workers: 48, PerConnection: 48, PollInterval: 20 * time.Millisecond, MaxAttempts: 1000,
					Backoff: func(n int) time.Duration { return time.Duration(min(n, 8)) * 25 * time.Millisecond },
				})
				se.wg.Go(func() { _ = d.Run(runCtx) })
			}
		}
		se.engine = se.replicas[0]
		cur = se
		slot.Set(se.engine)
		if nReplicas > 1 {
			slot.SetReplica(se.replicas[1])
		}
	}
	// stopEngine kills the process: deliveries in flight are cut off,
	// their effects stay claimed until the lease ends.
	stopEngine := func() {
		t.Helper()
		slot.Set(nil)
		slot.SetReplica(nil)
		cur.cancel()
		cur.wg.Wait()
		for _, st := range cur.stores {
			if err := st.Close(); err != nil {
				t.Fatalf("close store: %v", err)
			}
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
			Stages:  lifecycle.StageMapping{Trigger: r.stage[stageTrigger], Passed: r.stage[stagePassed], Failed: r.stage[stageFailed]},
			Require: []lifecycle.Field{lifecycle.FieldEmail},
			Tags:    []string{"interviewvector"},
			// Lever feedback forms. Workable ratings (one activity-stream
			// look-up per retry) stalled the soak on a loaded 2-core
			// machine; TestFeedbackOnceAfterLostAnswer covers them.
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
		outage     bool // enters the stage while webhooks are off
		revoked    bool // enters the stage while the token is revoked
	}
	var cands []cand
	for i := range soakWorkable {
		cands = append(cands, cand{source: "workable", id: wk.addCandidate(t, fmt.Sprintf("Wanda W%04d", i), fmt.Sprintf("w%04d@example.com", i))})
	}
	for i := range soakLever {
		cands = append(cands, cand{source: "lever", id: lv.addCandidate(t, fmt.Sprintf("Leo L%04d", i), fmt.Sprintf("l%04d@example.com", i))})
	}
	for i := range soakProvider {
		cands = append(cands, cand{source: "workable", id: wk.addCandidate(t, fmt.Sprintf("Pia P%04d", i), fmt.Sprintf("p%04d@example.com", i)), provider: true})
	}
	for i := range soakOutage {
		cands = append(cands, cand{source: "workable", id: wk.addCandidate(t, fmt.Sprintf("Olga W%04d", i), fmt.Sprintf("ow%04d@example.com", i)), outage: true})
		cands = append(cands, cand{source: "lever", id: lv.addCandidate(t, fmt.Sprintf("Otto L%04d", i), fmt.Sprintf("ol%04d@example.com", i)), outage: true})
	}
	for i := range soakRevoked {
		cands = append(cands, cand{source: "workable", id: wk.addCandidate(t, fmt.Sprintf("Rita W%04d", i), fmt.Sprintf("rw%04d@example.com", i)), revoked: true})
		cands = append(cands, cand{source: "lever", id: lv.addCandidate(t, fmt.Sprintf("Rolf L%04d", i), fmt.Sprintf("rl%04d@example.com", i)), revoked: true})
	}
	expected := (soakWorkable+soakLever+2*soakOutage+2*soakRevoked)*soakRounds + soakProvider

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

	// The recruiter bulk-moves everybody into the vendor stage, back to
	// back; Workable calls the provider contract for the others.
	for _, c := range cands {
		if !c.provider && !c.outage && !c.revoked {
			rigs[c.source].recruiterMove(t, c.id, stageTrigger)
		}
	}
	// outage switches both ATSs' webhooks off, moves the outage
	// candidates into the stage, and switches them on again: nothing of
	// those moves reaches the engine, only Reconcile recovers them.
	var outageFrom, outageTo int // Workable's dropped deliveries
	outage := func() {
		lvSrv.SetWebhookGroup("candidateStageChange", false)
		hs.workableOff.Store(true)
		outageFrom = len(wk.deliveries())
		for _, c := range cands {
			if c.outage {
				rigs[c.source].recruiterMove(t, c.id, stageTrigger)
			}
		}
		wk.flush(t)
		lv.flush(t)
		outageTo = len(wk.deliveries())
		hs.workableOff.Store(false)
		lvSrv.SetWebhookGroup("candidateStageChange", true)
	}
	outageDone := false
	// revoke revokes both ATSs' account tokens (Workable and Lever answer
	// 401 from then on) and moves the revoked candidates into the stage:
	// their webhooks are accepted, but reading the candidate fails.
	// restore, soakRevokeFor later, adds the tokens again and does what a
	// host does once its customer fixed the credentials: requeue what
	// was parked (effects) or given up on (inbox events) per connection.
	// Early enough that both ATSs still have effects to deliver: the
	// share reported moves in large steps on SQLite, and by 80% the
	// Workable interviews can all be reported.
	revokeAt := 0.3 + 0.2*rng.Float64() // share of interviews reported
	var rv struct {
		at, restored                time.Time
		share                       float64
		parked, requeued            map[string]int // per connection
		retrying, failed, requeuedE int            // inbox events
	}
	revoke := func(share float64) {
		rv.at, rv.share = time.Now(), share
		wkSrv.RevokeToken(workabletest.DefaultAPIKey)
		lvSrv.RevokeAPIKey(levertest.DefaultAPIKey)
		for _, c := range cands {
			if c.revoked {
				rigs[c.source].recruiterMove(t, c.id, stageTrigger)
			}
		}
	}
	restore := func(e *lifecycle.Engine) {
		rv.parked, rv.requeued = map[string]int{}, map[string]int{}
		for _, conn := range []string{"workable", "lever"} {
			parked, err := e.Effects(ctx, lifecycle.EffectFilter{Connection: conn, State: lifecycle.EffectParked})
			if err != nil {
				t.Fatal(err)
			}
			rv.parked[conn] = len(parked)
			failed, err := e.InboxEvents(ctx, lifecycle.InboxFilter{Connection: conn, State: lifecycle.InboxFailed})
			if err != nil {
				t.Fatal(err)
			}
			rv.failed += len(failed)
			pending, err := e.InboxEvents(ctx, lifecycle.InboxFilter{Connection: conn, State: lifecycle.InboxPending})
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range pending {
				if ev.Attempts > 0 {
					rv.retrying++
				}
			}
		}
		wkSrv.AddToken(workabletest.DefaultAPIKey, workabletest.AllScopes()...)
		lvSrv.AddAPIKey(levertest.DefaultAPIKey)
		rv.restored = time.Now()
		for _, conn := range []string{"workable", "lever"} {
			n, err := e.RequeueConnection(ctx, conn)
			if err != nil {
				t.Fatalf("RequeueConnection(%s): %v", conn, err)
			}
			rv.requeued[conn] = n
			m, err := e.RequeueEvents(ctx, conn)
			if err != nil {
				t.Fatalf("RequeueEvents(%s): %v", conn, err)
			}
			rv.requeuedE += m
		}
	}
	reconcilePending := map[string]bool{}
	reconcileStarted, reconcileRuns, reposted := 0, 0, 0
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
	if d, ok := t.Deadline(); ok {
		deadline = d.Add(-soakCheckTime)
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var reported, progress, lastProgressed int
	lastProgress := time.Now()
	for round := 0; ; round++ {
		if progress > lastProgressed {
			lastProgressed, lastProgress = progress, time.Now()
		}
		if now := time.Now(); now.After(deadline) || now.Sub(lastProgress) > soakStallLimit {
			// Name the candidates short of interviews, with their inbox
			// events.
			if ivs, err := cur.engine.Interviews(ctx, lifecycle.InterviewFilter{}); err == nil {
				n := map[string]int{}
				for _, iv := range ivs {
					n[iv.Source+"/"+iv.CandidateID]++
				}
				inbox, _ := cur.engine.InboxEvents(ctx, lifecycle.InboxFilter{})
				for _, c := range cands {
					if want := map[bool]int{true: 1, false: soakRounds}[c.provider]; n[c.source+"/"+c.id] < want {
						t.Errorf("%s %s (outage %v, revoked %v): %d interviews, want %d", c.source, c.id, c.outage, c.revoked, n[c.source+"/"+c.id], want)
						for _, ev := range inbox {
							if ev.Event.CandidateID == c.id {
								t.Errorf("  inbox %s %s %s time=%s state=%s attempts=%d accepted=%s done=%s err=%q", ev.EventID, ev.Event.Kind, ev.Event.ToStage.ID, ev.Event.Time.Format(time.StampMilli), ev.State, ev.Attempts, ev.AcceptedAt.Format(time.StampMilli), ev.DoneAt.Format(time.StampMilli), ev.LastError)
							}
						}
					}
				}
				t.Errorf("revoked %s, restored %s", rv.at.Format(time.StampMilli), rv.restored.Format(time.StampMilli))
			}
			soakDiagnose(t, ctx, cur, expected, now.Sub(lastProgress), start, deadline)
		}
		if len(restartAt) > 0 && float64(reported) >= restartAt[0]*float64(expected) {
			restartAt = restartAt[1:]
			stopEngine()
			restarts++
			startEngine()
		}
		e := cur.engine
		if !outageDone && float64(reported) >= 0.3*float64(expected) {
			outageDone = true
			outage()
			reconcilePending["workable"], reconcilePending["lever"] = true, true
		}
		switch {
		case rv.at.IsZero() && float64(reported) >= revokeAt*float64(expected):
			revoke(float64(reported) / float64(expected))
		case !rv.at.IsZero() && rv.restored.IsZero() && time.Since(rv.at) >= soakRevokeFor:
			// The customer fixed the credentials; the host learns it on
			// one of its replicas.
			restore(cur.replicas[rng.IntN(len(cur.replicas))])
		}
		for conn := range reconcilePending {
			reconcileRuns++
			// Interrupted (a fault, the revoked token): run it again. An
			// interrupted run reports what it started before it stopped.
			res, err := cur.replicas[reconcileRuns%len(cur.replicas)].Reconcile(ctx, conn)
			reconcileStarted += res.Started
			if err == nil {
				delete(reconcilePending, conn)
			}
		}
		if round%5 == 2 && slot.Get() != nil {
			// Late and out-of-order redeliveries: a few old deliveries,
			// newest first.
			for _, r := range []*rig{wk, lv} {
				ds := r.deliveries()
				var pick []delivery
				for range min(4, len(ds)) {
					i := rng.IntN(len(ds))
					if r == wk && i >= outageFrom && i < outageTo {
						continue // never sent while the webhooks were off
					}
					pick = append(pick, ds[i])
				}
				slices.Reverse(pick)
				for _, d := range pick {
					hs.post(t, r.hookPath, d.Body, d.Header)
					reposted++
				}
			}
		}
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
		if reported == expected && len(providerPending) == 0 && len(reconcilePending) == 0 && !rv.restored.IsZero() {
			pending, err := e.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectPending})
			if err != nil {
				t.Fatal(err)
			}
			parked, err := e.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectParked})
			if err != nil {
				t.Fatal(err)
			}
			inboxPending, err := e.InboxEvents(ctx, lifecycle.InboxFilter{State: lifecycle.InboxPending})
			if err != nil {
				t.Fatal(err)
			}
			if len(pending)+len(parked)+len(inboxPending) == 0 {
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
		for w := range 8 {
			// Reports alternate between the replicas.
			re := cur.replicas[w%len(cur.replicas)]
			wg.Go(func() {
				for iv := range work {
					u, _ := next(iv)
					_, _ = re.Report(ctx, iv.ID, u) // a failure is retried next round
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
					logNoteHistory(ctx, t, cur.stores[0], got, notes)
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
		// One feedback form per round (Lever): a retry of an unknown
		// outcome looks it up first.
		if c.source != "lever" {
			continue
		}
		switch fb := r.feedback(c.id); {
		case fb < soakRounds:
			t.Errorf("%s %s: %d feedback forms or ratings, want %d", c.source, c.id, fb, soakRounds)
			lost += soakRounds - fb
		case fb > soakRounds:
			t.Errorf("%s %s: %d feedback forms or ratings, want %d", c.source, c.id, fb, soakRounds)
			feedbackRepeats += fb - soakRounds
		}
	}
	// Moves repeat only when an earlier attempt's outcome was unknown.
	for _, x := range []struct {
		kind    string
		repeats int
	}{{"move", moveRepeats + moveResends}} {
		if unknown := attempts.Uncertain(x.kind); x.repeats > unknown {
			t.Errorf("%d repeated %s writes but only %d attempts ended with an unknown outcome", x.repeats, x.kind, unknown)
		}
	}
	for _, st := range []lifecycle.EffectState{lifecycle.EffectPending, lifecycle.EffectFailed, lifecycle.EffectParked} {
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
	for _, st := range []lifecycle.InboxState{lifecycle.InboxPending, lifecycle.InboxFailed} {
		evs, err := e.InboxEvents(ctx, lifecycle.InboxFilter{State: st})
		if err != nil {
			t.Fatal(err)
		}
		for i, ev := range evs {
			if i < 10 {
				t.Errorf("inbox event %s (%s %s, candidate %s) left %s: %s", ev.ID, ev.Source, ev.EventID, ev.Event.CandidateID, st, ev.LastError)
			}
		}
		if len(evs) > 0 {
			t.Errorf("%d inbox events %s", len(evs), st)
		}
	}
	allEffects, _ := e.Effects(ctx, lifecycle.EffectFilter{})
	wkDel, lvDel := wk.deliveries(), lv.deliveries()

	calls := wk.requests() + lv.requests()
	faults := wk.faults() + lv.faults()

	// Wrong invitations: a vendor interview for anything but an expected
	// interview of a candidate the flow put in the stage.
	wrongInvites := max(vend.Total()-expected, 0)
	for _, iv := range ivs {
		if iv.State == lifecycle.StateCancelled || iv.State == lifecycle.StateUnableToSchedule {
			wrongInvites += len(vend.Created(iv.ID))
		}
	}

	// ATS requests per completed interview, against what the flow needs:
	// one request per ATS write effect (note, move, tag, feedback form or
	// rating) and one candidate read per decision (each distinct webhook
	// event the ATS fired — the recruiter's and those of our own moves —
	// and each candidate Reconcile started).
	distinct := map[string]bool{}
	for _, r := range []*rig{wk, lv} {
		for _, d := range r.deliveries() {
			distinct[r.source+string(d.Body)] = true
		}
	}
	needed := len(distinct) + reconcileStarted
	for _, ef := range allEffects {
		switch ef.Kind {
		case lifecycle.EffectNote, lifecycle.EffectMove, lifecycle.EffectTag, lifecycle.EffectFeedback:
			needed++
		}
	}
	answered := calls - faults
	report := fmt.Sprintf(`
=== chaos soak ===
interviews           %d (workable %d×%d + provider %d, lever %d×%d, outage %d×%d, revoked token %d×%d), all reported
vendor interviews    %d (create calls failed on purpose: %d)
effects delivered    %d (notes %d, stage moves %d)
ATS calls            %d, injected faults %d (%.1f%%: workable %d, lever %d)
webhook deliveries   workable %d, lever %d; re-driven by the test %d
callbacks            %d interviews, PUTs failed on purpose %d, idempotent re-sends %d
restarts             %d (store: %s, replicas %d)
conditions           bulk move of %d candidates; %d late/out-of-order re-posts (stale events ignored %d);
                     webhook outage: %d candidates, Reconcile runs %d, started %d
                     token revoked at %.0f%% for %s: %d candidates entered the stage meanwhile;
                       effects parked workable %d, lever %d; requeued workable %d, lever %d;
                       inbox events retrying %d, failed %d, requeued %d
duplicates           0 (interviews %d, notes %d, feedback forms/ratings %d, moves re-sent %d, callbacks with another result 0)
idempotent repeats   stage moves in place %d (unknown-outcome HTTP attempts: moves %d, feedback %d); identical callback re-sends %d
wrong invitations    %d
ATS requests         %d per completed interview (%d answered without an injected fault: %.2f); needed %d (writes + one read per decision): %.2f per interview; ratio %.2f (%.2f without faults)
lost                 %d
wall time            %s
seed                 %d
`, len(ivs), soakWorkable, soakRounds, soakProvider, soakLever, soakRounds, 2*soakOutage, soakRounds, 2*soakRevoked, soakRounds,
		vend.Total(), vend.failed,
		len(allEffects), notesTotal, movesTotal,
		calls, faults, 100*float64(faults)/float64(calls), wk.faults(), lv.faults(),
		len(wkDel), len(lvDel), redrives,
		soakProvider, cbs.Failed(), callbackRepeats,
		restarts, storeName, nReplicas,
		soakWorkable+soakLever, reposted, staleTotal(slot, cur),
		2*soakOutage, reconcileRuns, reconcileStarted,
		100*rv.share, rv.restored.Sub(rv.at).Round(time.Millisecond), 2*soakRevoked,
		rv.parked["workable"], rv.parked["lever"], rv.requeued["workable"], rv.requeued["lever"],
		rv.retrying, rv.failed, rv.requeuedE,
		dupInterviews, dupNotes, feedbackRepeats, moveResends,
		moveRepeats, attempts.Uncertain("move"), attempts.Uncertain("feedback"), callbackRepeats,
		wrongInvites,
		calls/len(ivs), answered, float64(answered)/float64(len(ivs)), needed, float64(needed)/float64(len(ivs)),
		float64(calls)/float64(needed), float64(answered)/float64(needed),
		lost, time.Since(start).Round(time.Millisecond), seed)
	if d := dupInterviews + dupNotes + feedbackRepeats; d > 0 {
		report = strings.Replace(report, "duplicates           0", fmt.Sprintf("duplicates           %d", d), 1)
	}
	t.Log(report)
	if testing.Verbose() {
		fmt.Print(report)
	}
	if float64(faults) < 0.10*float64(calls) {
		t.Errorf("injected faults %d of %d calls, want at least 10%%", faults, calls)
	}
	if dupInterviews+dupNotes+feedbackRepeats+lost+wrongInvites > 0 {
		t.Errorf("duplicates %d, lost %d, wrong invitations %d; want 0", dupInterviews+dupNotes+feedbackRepeats, lost, wrongInvites)
	}
	if rv.parked["workable"]+rv.parked["lever"] == 0 {
		t.Errorf("no effect was parked while the tokens were revoked (%s): the condition was not exercised", rv.restored.Sub(rv.at))
	}
	if reconcileStarted < 2*soakOutage {
		t.Errorf("Reconcile started interviews for %d candidates, want at least the %d outage candidates", reconcileStarted, 2*soakOutage)
	}
}

// staleTotal sums the stale events the running engines ignored (counted
// since the last restart).
func staleTotal(_ *engineSlot, se *soakEngine) int64 {
	var n int64
	if se != nil {
		for _, e := range se.replicas {
			n += e.StaleEvents()
		}
	}
	return n
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
func soakDiagnose(t *testing.T, ctx context.Context, se *soakEngine, expected int, idle time.Duration, start, deadline time.Time) {
	t.Helper()
	if se == nil {
		t.Fatal("soak deadline passed while the engine was down")
	}
	ivs, _ := se.engine.Interviews(ctx, lifecycle.InterviewFilter{})
	states := map[lifecycle.State]int{}
	for _, iv := range ivs {
		states[iv.State]++
	}
	kinds := map[string]int{}
	var sample []string
	for _, st := range []lifecycle.EffectState{lifecycle.EffectPending, lifecycle.EffectParked, lifecycle.EffectFailed} {
		effs, _ := se.engine.Effects(ctx, lifecycle.EffectFilter{State: st})
		for _, e := range effs {
			kinds[string(st)+" "+string(e.Kind)]++
			if len(sample) < 8 {
				sample = append(sample, fmt.Sprintf("%s %s %s %s seq=%d attempts=%d next=%s claimed=%q lease=%s err=%q",
					st, e.Kind, e.Connection, e.CandidateID, e.Seq, e.Attempts, e.NextAttemptAt.Format(time.StampMilli), e.ClaimedBy, e.LeaseUntil.Format(time.StampMilli), e.LastError))
			}
		}
	}
	for _, st := range []lifecycle.InboxState{lifecycle.InboxPending, lifecycle.InboxFailed} {
		evs, _ := se.engine.InboxEvents(ctx, lifecycle.InboxFilter{State: st})
		for _, ev := range evs {
			kinds["inbox "+string(st)]++
			if len(sample) < 12 {
				sample = append(sample, fmt.Sprintf("inbox %s %s %s attempts=%d next=%s err=%q", st, ev.Connection, ev.Event.CandidateID, ev.Attempts, ev.NextAttemptAt.Format(time.StampMilli), ev.LastError))
			}
		}
	}
	t.Fatalf("soak stopped (no interview created or moved on for %s, or %s in all) at %s: %d of %d interviews, states %v; effects and inbox events left %v; e.g.\n%s",
		idle.Round(time.Second), deadline.Sub(start).Round(time.Second), time.Now().Format(time.StampMilli), len(ivs), expected, states, kinds, strings.Join(sample, "\n"))
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

// logNoteHistory logs, for a candidate with a duplicated note, the notes
// the ATS holds and every note effect of the candidate's interviews (state,
// attempts, last error, owner), so a failed soak says how it happened.
func logNoteHistory(ctx context.Context, t *testing.T, st lifecycle.Store, ivs []lifecycle.Interview, notes []string) {
	t.Helper()
	for _, n := range notes {
		t.Logf("  note on the ATS: %.160q", n)
	}
	for _, iv := range ivs {
		effs, err := st.Effects(ctx, lifecycle.EffectFilter{InterviewID: iv.ID})
		if err != nil {
			t.Logf("  effects of %s: %v", iv.ID, err)
			continue
		}
		for _, e := range effs {
			t.Logf("  effect %s %s/%s: state %s, attempts %d, last error %.200q, created %s, done %s",
				e.ID, iv.ID, e.Kind, e.State, e.Attempts, e.LastError, e.CreatedAt.Format("15:04:05.000"), e.DoneAt.Format("15:04:05.000"))
		}
	}
}
