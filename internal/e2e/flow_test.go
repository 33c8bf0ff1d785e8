package e2e

import (
	"context"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/memstore"
	"github.com/atskit/atskit/workable/workabletest"
)

// flow is one ATS set up for the end-to-end flow tests: the rig, an
// engine over a memstore with the host's vendor, and a dispatcher.
type flow struct {
	t      *testing.T
	ctx    context.Context
	rig    *rig
	hs     *hookServer
	slot   *engineSlot
	wk     *workabletest.Server // the Workable fake, when source is workable
	vendor *vendor
	engine *lifecycle.Engine
	disp   *lifecycle.Dispatcher
}

// flowConfig is the position configuration of the flow tests.
func flowConfig(r *rig) lifecycle.PositionConfig {
	return lifecycle.PositionConfig{
		Rounds: []lifecycle.Round{{Name: "Technical", Template: "tpl-tech"}},
		Stages: lifecycle.StageMapping{
			Trigger:   r.stage[stageTrigger],
			Scheduled: r.stage[stageScheduled],
			Passed:    r.stage[stagePassed],
			Failed:    r.stage[stageFailed],
		},
		Require:  []lifecycle.Field{lifecycle.FieldEmail},
		Tags:     []string{"interviewvector"},
		Feedback: true,
	}
}

func retriggerURL(_, id string) string { return "https://vendor.example/retrigger/" + id }

// newFlow starts the fake for source, the webhook endpoint and the engine,
// and configures and activates the linked job.
func newFlow(t *testing.T, source string) *flow {
	t.Helper()
	return newFlowWith(t, source, rigOptions{sync: true, scheduledStage: true})
}

// newFlowWith is newFlow with rig options o.
func newFlowWith(t *testing.T, source string, o rigOptions) *flow {
	t.Helper()
	f := &flow{t: t, ctx: context.Background(), vendor: newVendor()}
	slot := &engineSlot{}
	var leverToken atomic.Pointer[string]
	f.hs = newHookServer(t, slot, "workabletest-account-token", &leverToken)
	switch source {
	case "workable":
		f.rig, f.wk = newWorkableRig(t, f.hs, o)
	case "lever":
		f.rig, _ = newLeverRig(t, f.hs, &leverToken, o)
	}
	f.engine = lifecycle.NewEngine(memstore.New(), lifecycle.Options{
		Connector:    lifecycle.NewMemoryConnector(map[string]ats.Adapter{source: f.rig.adapter}),
		Vendor:       f.vendor,
		VendorName:   vendorName,
		RetriggerURL: retriggerURL,
		Logger:       quietLogger(),
	})
	slot.Set(f.engine)
	f.slot = slot
	f.disp = f.engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "flow"})
	f.rig.configure(t, f.ctx, f.engine, flowConfig(f.rig))
	return f
}

// settle delivers every webhook the fake has queued and every due effect,
// until both are quiet (effects cause stage moves, which cause webhooks).
func (f *flow) settle() {
	f.t.Helper()
	for range 10 {
		f.rig.flush(f.t)
		n, err := f.disp.Drain(f.ctx)
		if err != nil {
			f.t.Fatalf("Drain: %v", err)
		}
		if n == 0 {
			return
		}
	}
	f.t.Fatal("effects kept coming after 10 rounds")
}

// only returns the candidate's single interview.
func (f *flow) only(cand string) lifecycle.Interview {
	f.t.Helper()
	ivs, err := f.engine.Interviews(f.ctx, lifecycle.InterviewFilter{Source: f.rig.source, CandidateID: cand})
	if err != nil {
		f.t.Fatal(err)
	}
	if len(ivs) != 1 {
		f.t.Fatalf("candidate %s has %d interviews, want 1", cand, len(ivs))
	}
	return ivs[0]
}

func (f *flow) report(id string, u lifecycle.Update) {
	f.t.Helper()
	if _, err := f.engine.Report(f.ctx, id, u); err != nil {
		f.t.Fatalf("Report %s: %v", u.Kind, err)
	}
	f.settle()
}

// wantNotes compares a candidate's notes, markers stripped, with want, and
// checks each carries the dispatcher's idempotency marker.
func (f *flow) wantNotes(cand string, want ...string) {
	f.t.Helper()
	var got []string
	for _, n := range f.rig.notes(cand) {
		if stripMarker(n) == n {
			f.t.Errorf("note without idempotency marker: %q", n)
		}
		got = append(got, stripMarker(n))
	}
	if !slices.Equal(got, want) {
		f.t.Errorf("notes on %s:\n got %q\nwant %q", cand, got, want)
	}
}

// noEffectsLeft fails if an outbox effect is pending or failed.
func (f *flow) noEffectsLeft() {
	f.t.Helper()
	for _, st := range []lifecycle.EffectState{lifecycle.EffectPending, lifecycle.EffectFailed} {
		effs, err := f.engine.Effects(f.ctx, lifecycle.EffectFilter{State: st})
		if err != nil {
			f.t.Fatal(err)
		}
		for _, e := range effs {
			f.t.Errorf("effect %s (%s) is %s: %s", e.ID, e.Kind, st, e.LastError)
		}
	}
}

// TestFlow runs the vendor flow end to end on each ATS: a linked job is
// configured, a recruiter moves candidates into the vendor's stage, signed
// webhooks reach the real handlers, the engine requests interviews from
// the vendor, the vendor's updates come back as notes, stage moves, tags
// and feedback on the fake ATS; missing data is asked for and re-triggered;
// moving a candidate out cancels the interview.
func TestFlow(t *testing.T) {
	at := time.Date(2025, 6, 10, 14, 0, 0, 0, time.UTC)
	tests := []struct {
		source string
		// cancelDetail is how the cancellation note names the move: a
		// Workable delivery carries the stage's name; Lever's data is not
		// signed, so the engine re-reads the opportunity and names its
		// stage too.
		cancelDetail string
	}{
		{"workable", `the candidate was moved to "Applied"`},
		{"lever", `the candidate was moved to "Applied"`},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			f := newFlow(t, tt.source)
			r := f.rig

			// The happy path.
			ada := r.addCandidate(t, "Ada Lovelace", "ada@example.com")
			r.recruiterMove(t, ada, stageTrigger)
			f.settle()
			iv := f.only(ada)
			if iv.State != lifecycle.StateRequested || iv.RoundName != "Technical" || iv.JobID != r.jobID {
				t.Fatalf("interview after the move = %+v, want requested Technical for job %s", iv, r.jobID)
			}
			if got := f.vendor.Created(iv.ID); len(got) != 1 {
				t.Fatalf("vendor interviews for %s = %v, want 1", iv.ID, got)
			}
			if req, _ := f.vendor.Request(iv.ID); req.Template != "tpl-tech" || req.Candidate.Email() != "ada@example.com" || req.JobTitle != "Backend Engineer" {
				t.Errorf("vendor request = %+v", req)
			}
			if !slices.Contains(r.tags(ada), "interviewvector") {
				t.Errorf("tags of %s = %q, want interviewvector", ada, r.tags(ada))
			}
			f.report(iv.ID, lifecycle.Update{ID: "u1", Kind: lifecycle.UpdateInvited, Link: "https://iv.example/s/ada"})
			f.report(iv.ID, lifecycle.Update{ID: "u2", Kind: lifecycle.UpdateScheduled, At: at})
			f.report(iv.ID, lifecycle.Update{ID: "u3", Kind: lifecycle.UpdateCompleted, Result: &ats.Result{
				Score: "87", Grade: ats.GradePassed, Summary: "Strong systems design.", ReportURL: "https://iv.example/r/ada"}})
			// A vendor redelivery changes nothing.
			f.report(iv.ID, lifecycle.Update{ID: "u3", Kind: lifecycle.UpdateCompleted, Result: &ats.Result{Grade: ats.GradeFailed}})

			f.wantNotes(ada,
				"InterviewVector: Ada Lovelace was invited to the Technical interview. Scheduling link: https://iv.example/s/ada",
				"InterviewVector: the Technical interview with Ada Lovelace is scheduled for Tue, 10 Jun 2025 14:00 UTC.",
				"InterviewVector: Ada Lovelace completed the Technical interview. Verdict: passed. Score: 87.\nStrong systems design.\nReport: https://iv.example/r/ada",
			)
			if got, want := r.moves(ada), []string{r.stage[stageScheduled], r.stage[stagePassed]}; !slices.Equal(got, want) {
				t.Errorf("moves of %s = %q, want %q", ada, got, want)
			}
			if got := r.stageOf(ada); got != r.stage[stagePassed] {
				t.Errorf("stage of %s = %q, want %q", ada, got, r.stage[stagePassed])
			}
			if got := r.feedback(ada); got != 1 {
				t.Errorf("feedback forms for %s = %d, want 1", ada, got)
			}
			if got := f.only(ada); got.State != lifecycle.StateReported || got.Result == nil || got.Result.Score != "87" {
				t.Errorf("interview at the end = %s %+v, want reported with score 87", got.State, got.Result)
			}

			// Missing email: needs-info, then fixed and re-triggered.
			bob := r.addCandidate(t, "Bob Byte", "")
			r.recruiterMove(t, bob, stageTrigger)
			f.settle()
			biv := f.only(bob)
			if biv.State != lifecycle.StateNeedsInfo || !slices.Equal(biv.Missing, []lifecycle.Field{lifecycle.FieldEmail}) {
				t.Fatalf("interview of a candidate without email = %s missing %v, want needs_info missing email", biv.State, biv.Missing)
			}
			f.wantNotes(bob, "InterviewVector: could not create the Technical interview for Bob Byte: missing email. "+
				"Add the missing information, then re-trigger: "+retriggerURL(biv.Connection, biv.ID))
			if got := f.vendor.Created(biv.ID); len(got) != 0 {
				t.Fatalf("vendor interviews before the fix = %v, want none", got)
			}
			r.fixes.addEmail(bob, "bob@example.com")
			if got, err := f.engine.Retrigger(f.ctx, biv.Connection, biv.ID); err != nil || got.State != lifecycle.StateRequested {
				t.Fatalf("Retrigger = %s, %v; want requested", got.State, err)
			}
			f.settle()
			if got := f.vendor.Created(biv.ID); len(got) != 1 {
				t.Fatalf("vendor interviews after the re-trigger = %v, want 1", got)
			}
			f.report(biv.ID, lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://iv.example/s/bob"})
			if got := r.notes(bob); len(got) != 2 || noteKind(got[1]) != lifecycle.NoteInvited {
				t.Errorf("notes of %s after the re-trigger = %q, want needs-info then invited", bob, got)
			}

			// Moved out of the stage: cancelled, with a note and a vendor
			// cancellation.
			cat := r.addCandidate(t, "Cat Coder", "cat@example.com")
			r.recruiterMove(t, cat, stageTrigger)
			f.settle()
			civ := f.only(cat)
			f.report(civ.ID, lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://iv.example/s/cat"})
			r.recruiterMove(t, cat, stageApplied)
			f.settle()
			if got := f.only(cat); got.State != lifecycle.StateCancelled {
				t.Fatalf("interview after moving out = %s, want cancelled", got.State)
			}
			f.wantNotes(cat,
				"InterviewVector: Cat Coder was invited to the Technical interview. Scheduling link: https://iv.example/s/cat",
				"InterviewVector: the Technical interview with Cat Coder was cancelled: "+tt.cancelDetail+".")
			if ref := f.vendor.Created(civ.ID); len(ref) != 1 || f.vendor.Cancels(ref[0]) != 1 {
				t.Errorf("vendor interviews of %s = %v, cancelled %d times; want one, cancelled once", cat, ref, f.vendor.Cancels(ref[0]))
			}
			if got := r.moves(cat); len(got) != 0 {
				t.Errorf("the vendor moved %s to %q, want no moves", cat, got)
			}

			// Exact totals from the fake and the vendor.
			if got := f.vendor.Total(); got != 3 {
				t.Errorf("vendor interviews = %d, want 3", got)
			}
			all, err := f.engine.Interviews(f.ctx, lifecycle.InterviewFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 3 {
				t.Errorf("interviews = %d, want 3", len(all))
			}
			for cand, n := range map[string]int{ada: 3, bob: 2, cat: 2} {
				if got := len(r.notes(cand)); got != n {
					t.Errorf("notes on %s = %d, want %d", cand, got, n)
				}
			}
			f.noEffectsLeft()
		})
	}
}

// TestWebhookSecurity checks, on each ATS, that a delivery signed with the
// wrong secret is refused with 401 and changes nothing, and that a
// redelivered (validly signed) delivery is accepted with 200 and changes
// nothing either.
func TestWebhookSecurity(t *testing.T) {
	for _, source := range []string{"workable", "lever"} {
		t.Run(source, func(t *testing.T) {
			f := newFlow(t, source)
			r := f.rig
			ada := r.addCandidate(t, "Ada Lovelace", "ada@example.com")
			eve := r.addCandidate(t, "Eve Forger", "eve@example.com")
			r.recruiterMove(t, ada, stageTrigger)
			f.settle()
			iv := f.only(ada)
			f.report(iv.ID, lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://iv.example/s/ada"})

			type snapshot struct {
				interviews, vendor, adaNotes, eveNotes, deliveries int
			}
			snap := func() snapshot {
				all, err := f.engine.Interviews(f.ctx, lifecycle.InterviewFilter{})
				if err != nil {
					t.Fatal(err)
				}
				return snapshot{len(all), f.vendor.Total(), len(r.notes(ada)), len(r.notes(eve)), len(r.deliveries())}
			}
			before := snap()
			if before != (snapshot{1, 1, 1, 0, before.deliveries}) {
				t.Fatalf("before = %+v", before)
			}

			// Forged: eve was never moved, but the forged delivery says so.
			forged := r.forge(eve)
			if got := f.hs.post(t, r.hookPath, forged.Body, forged.Header); got != http.StatusUnauthorized {
				t.Errorf("forged delivery answered %d, want 401", got)
			}
			f.settle()
			if after := snap(); after != before {
				t.Errorf("forged delivery changed state: %+v -> %+v", before, after)
			}

			// Redelivered: every delivery so far, again, byte for byte.
			ds := r.deliveries()
			if len(ds) == 0 {
				t.Fatal("no deliveries recorded")
			}
			for _, d := range ds {
				if !d.Delivered {
					t.Errorf("delivery was not accepted: %s", d.Body)
				}
				if got := f.hs.post(t, r.hookPath, d.Body, d.Header); got != http.StatusOK {
					t.Errorf("redelivery answered %d, want 200", got)
				}
			}
			f.settle()
			if after := snap(); after != before {
				t.Errorf("redelivery changed state: %+v -> %+v", before, after)
			}
			if got := f.only(ada); got.State != lifecycle.StateInvited {
				t.Errorf("interview after redelivery = %s, want invited", got.State)
			}
			f.noEffectsLeft()
		})
	}
}
