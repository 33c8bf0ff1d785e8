package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/provider"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
)

// scenario walks the vendor flow on both ATSs, recording what it expects
// to find on the fakes afterwards.
type scenario struct {
	tl  *timeline
	h   *host
	wk  *workabletest.Server
	lv  *levertest.Server
	cbs *callbackRecorder

	// Seeded data.
	wkJob                     workabletest.Job
	ada, alan, grace          workabletest.Candidate
	lvStages                  map[string]levertest.Stage // by name
	lvPosting                 levertest.Posting
	katherine, dorothy, other levertest.Opportunity
	lvBot                     levertest.User

	// ATS writes already shown on the timeline.
	mu                                   sync.Mutex
	seenComments, seenMoves, seenChanges int
	seenNotes                            map[string]int
	seenPanels                           map[string]string // Lever opportunity → interview on the profile
	seenFeedback                         map[string]int

	exp expectations
}

// expectations are the effects every step promises; the summary checks
// them against the fakes' inspection helpers.
type expectations struct {
	notes     []expectNote
	moves     []expectMove
	created   map[string]int
	cancelled []expectMove // stage unused
	callbacks int
	states    []expectState
}

type expectNote struct {
	source, candidateID string
	words               []string
}

type expectMove struct {
	source, candidateID, stageID string
}

type expectState struct {
	source, candidateID string
	state               lifecycle.State
}

func (s *scenario) expectNote(source, cand string, words ...string) {
	s.exp.notes = append(s.exp.notes, expectNote{source, cand, words})
}

func (s *scenario) expectMove(source, cand, stageID string) {
	s.exp.moves = append(s.exp.moves, expectMove{source, cand, stageID})
}

// runScenario starts the fakes and the host and runs every step. It returns
// the scenario even on error, so the summary can show what was observed.
func runScenario(ctx context.Context, tl *timeline, log *slog.Logger, store lifecycle.Store) (*scenario, func(), error) {
	s := &scenario{tl: tl, seenNotes: map[string]int{}, exp: expectations{created: map[string]int{}}}
	// The fakes run without rate limits so the demo takes seconds; their
	// webhook deliveries are asynchronous, as in production, and the
	// scenario waits for them with WaitDeliveries and FlushWebhooks.
	s.wk = workabletest.NewServer(workabletest.WithoutRateLimit())
	s.lv = levertest.NewServer(levertest.WithRateLimit(0, 0))
	s.cbs = newCallbackRecorder(tl)
	closeAll := func() {
		if s.h != nil {
			_ = s.h.Close()
		}
		s.cbs.Close()
		s.lv.Close()
		s.wk.Close()
	}
	s.lvBot = s.lv.AddUser(levertest.User{Name: "InterviewVector Bot", Email: "bot@vendor.example", AccessRole: "admin"})
	h, err := newHost(ctx, tl, log, store, s.wk, s.lv, s.lvBot.ID, s.showWrites)
	if err != nil {
		return s, closeAll, err
	}
	s.h = h
	tl.printf(sideHost, "listening on %s (webhooks, provider contract, re-trigger links)", h.URL)
	tl.printf(sideWorkable, "fake Workable API at %s", s.wk.BaseURL())
	tl.printf(sideLever, "fake Lever API at %s", s.lv.APIURL())

	steps := []struct {
		title string
		run   func(context.Context) error
	}{
		{"Link jobs: a pipeline with the InterviewVector stage (Workable), a tagged posting (Lever)", s.seed},
		{"Refresh positions: linked jobs appear pending", s.refresh},
		{"Configure and activate the positions", s.configure},
		{"Subscribe to webhooks", s.subscribe},
		{"Workable: Ada goes through the InterviewVector stage", s.workableHappyPath},
		{"Workable: Alan is moved out of the stage, his interview is cancelled", s.workableCancel},
		{"Workable calls the provider contract directly", s.providerContract},
		{"Lever: Katherine goes through \"To be scheduled\"", s.leverHappyPath},
		{"Lever: Dorothy has no e-mail, is fixed and re-triggered", s.leverNeedsInfo},
	}
	for _, st := range steps {
		tl.section(st.title)
		if err := st.run(ctx); err != nil {
			return s, closeAll, fmt.Errorf("step %q: %w", st.title, err)
		}
	}
	return s, closeAll, nil
}

// settle waits for webhooks and the outbox, then shows what landed on the
// fakes.
func (s *scenario) settle(ctx context.Context) error {
	err := s.h.settle(ctx)
	s.showWrites()
	return err
}

// showWrites prints the notes, comments and stage moves the engine made on
// the fakes since the last call.
func (s *scenario) showWrites() {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.wk.Comments()
	for _, c := range cs[s.seenComments:] {
		s.tl.printf(sideWorkable, "← comment on %s: %q", s.tl.who("workable", c.CandidateID), excerpt(c.Body, 96))
	}
	s.seenComments = len(cs)
	ms := s.wk.Moves()
	for _, m := range ms[s.seenMoves:] {
		s.tl.printf(sideWorkable, "← moved %s to %q", s.tl.who("workable", m.CandidateID), s.tl.stageName("workable", ats.StageRef{ID: m.Stage}))
	}
	s.seenMoves = len(ms)
	for _, o := range s.leverOpps() {
		ns := s.lv.Notes(o.ID)
		for _, n := range ns[s.seenNotes[o.ID]:] {
			s.tl.printf(sideLever, "← note on %s: %q", s.tl.who("lever", o.ID), excerpt(n.Value, 100))
		}
		s.seenNotes[o.ID] = len(ns)
	}
	chs := s.lv.StageChanges("")
	for _, c := range chs[s.seenChanges:] {
		if c.PerformAs != "" { // the recruiter's own moves are shown when made
			s.tl.printf(sideLever, "← moved %s to %q", s.tl.who("lever", c.OpportunityID), s.tl.stageName("lever", ats.StageRef{ID: c.ToStageID}))
		}
	}
	s.seenChanges = len(chs)
	s.showLeverProfile()
}

func (s *scenario) leverOpps() []levertest.Opportunity {
	return []levertest.Opportunity{s.katherine, s.dorothy, s.other}
}

// seed fills the fakes: on Workable a job whose pipeline contains the
// vendor's stage (that is the link) and one without; on Lever a posting the
// recruiter tags with the vendor's tag.
func (s *scenario) seed(ctx context.Context) error {
	stages := workabletest.StagesNamed("Sourced", "Applied", "Phone Screen", vendorName, "Interview", "Offer", "Hired")
	s.wkJob = s.wk.AddJob(workabletest.Job{Title: "Backend Engineer", Stages: stages})
	s.wk.AddJob(workabletest.Job{Title: "Office Manager"}) // default pipeline: not linked
	for _, st := range stages {
		s.tl.stage("workable", workabletest.Slugify(st.Name), st.Name)
	}
	add := func(name, email string) workabletest.Candidate {
		c := s.wk.AddCandidate(workabletest.Candidate{JobShortcode: s.wkJob.Shortcode, Stage: "applied", Name: name, Email: email})
		s.tl.name("workable", c.ID, c.Name)
		return c
	}
	s.ada = add("Ada Lovelace", "ada@example.com")
	s.alan = add("Alan Turing", "alan@example.com")
	s.grace = add("Grace Hopper", "grace@example.com")
	s.tl.printf(sideWorkable, "job %s %q, pipeline %s; candidates %s, %s, %s in Applied",
		s.wkJob.Shortcode, s.wkJob.Title, stageList(stages), s.ada.Name, s.alan.Name, s.grace.Name)

	s.lvStages = map[string]levertest.Stage{}
	for _, st := range s.lv.AddStages("New applicant", "Phone screen", "To be scheduled", "Scheduled",
		"Interview - Yes", "Interview - No", "Unable to schedule", "Offer") {
		s.lvStages[st.Text] = st
		s.tl.stage("lever", st.ID, st.Text)
	}
	s.lvPosting = s.lv.AddPosting(levertest.Posting{Text: "Data Engineer", Team: "Data"})
	s.lv.AddPosting(levertest.Posting{Text: "Office Manager"}) // untagged: not linked
	addOpp := func(name string, emails ...string) levertest.Opportunity {
		o := s.lv.AddOpportunity(levertest.Opportunity{Name: name, PostingID: s.lvPosting.ID,
			StageID: s.lvStages["New applicant"].ID, Emails: emails})
		s.tl.name("lever", o.ID, name)
		return o
	}
	s.katherine = addOpp("Katherine Johnson", "katherine@example.com")
	s.dorothy = addOpp("Dorothy Vaughan") // no e-mail: needs-info
	s.other = addOpp("Mary Jackson", "mary@example.com")
	if err := s.lv.SetPostingTags(s.lvPosting.ID, vendorName); err != nil {
		return err
	}
	s.tl.printf(sideLever, "posting %q tagged %q; opportunities %s, %s (no e-mail), %s",
		s.lvPosting.Text, vendorName, s.katherine.Name, s.dorothy.Name, s.other.Name)
	return nil
}

func stageList(stages []workabletest.Stage) string {
	names := make([]string, len(stages))
	for i, st := range stages {
		names[i] = st.Name
	}
	return strings.Join(names, " → ")
}

// refresh lists the linked jobs of both ATSs as pending positions.
func (s *scenario) refresh(ctx context.Context) error {
	for _, src := range []string{"workable", "lever"} {
		ps, err := s.h.engine.RefreshPositions(ctx, src)
		if err != nil {
			return err
		}
		if len(ps) != 1 || ps[0].Status != lifecycle.PositionPending {
			return fmt.Errorf("%s: want one pending position, got %d", src, len(ps))
		}
		for _, p := range ps {
			s.tl.printf(sideHost, "refreshed %s positions: %s %q %s (linked by %q)", src, shortID(p.JobID), p.Title, p.Status, p.Link.Marker)
		}
	}
	return nil
}

// configure sets rounds, the stage mapping and the required data once per
// position and activates it.
func (s *scenario) configure(ctx context.Context) error {
	cfgs := []struct {
		id  string
		cfg lifecycle.PositionConfig
	}{
		{lifecycle.PositionID("workable", s.wkJob.Shortcode), lifecycle.PositionConfig{
			Rounds: []lifecycle.Round{{Name: "Technical", Template: "backend-l2"}},
			// Trigger empty: the linking stage (InterviewVector) triggers.
			Stages:  lifecycle.StageMapping{Passed: "interview"},
			Require: []lifecycle.Field{lifecycle.FieldEmail},
		}},
		{lifecycle.PositionID("lever", s.lvPosting.ID), lifecycle.PositionConfig{
			Feedback: true, // a scorecard on the vendor-owned template, under the interview on the profile
			Rounds:   []lifecycle.Round{{Name: "Data engineering", Template: "data-l2"}},
			Stages: lifecycle.StageMapping{
				Trigger:          s.lvStages["To be scheduled"].ID,
				Scheduled:        s.lvStages["Scheduled"].ID,
				Passed:           s.lvStages["Interview - Yes"].ID,
				Failed:           s.lvStages["Interview - No"].ID,
				UnableToSchedule: s.lvStages["Unable to schedule"].ID,
			},
			Require: []lifecycle.Field{lifecycle.FieldEmail},
		}},
	}
	for _, c := range cfgs {
		if _, err := s.h.engine.ConfigurePosition(ctx, c.id, c.cfg); err != nil {
			return err
		}
		p, err := s.h.engine.ActivatePosition(ctx, c.id)
		if err != nil {
			return err
		}
		m := p.Config.Stages
		s.tl.printf(sideHost, "configured %s %q: round %q, trigger %q, scheduled %q, passed %q, failed %q, unable %q, requires %v → %s",
			p.Source, p.Title, p.Config.Rounds[0].Name, s.stage(p.Source, p.TriggerStage()), s.stage(p.Source, m.Scheduled),
			s.stage(p.Source, m.Passed), s.stage(p.Source, m.Failed), s.stage(p.Source, m.UnableToSchedule), p.Config.Require, p.Status)
	}
	return nil
}

func (s *scenario) stage(source, id string) string {
	if id == "" {
		return "-"
	}
	return s.tl.stageName(source, ats.StageRef{ID: id})
}

// subscribe registers the host's webhook endpoints with both ATSs.
func (s *scenario) subscribe(ctx context.Context) error {
	sub, err := s.h.workable.EnsureSubscription(ctx, ats.Subscription{Event: workable.EventCandidateMoved, Target: s.h.URL + "/hooks/workable"})
	if err != nil {
		return err
	}
	s.tl.printf(sideHost, "workable subscription %s: %s → %s", sub.ID, sub.Event, sub.Target)
	hook, err := s.h.lever.CreateWebhook(ctx, lever.Webhook{URL: s.h.URL + "/hooks/lever", Event: lever.EventCandidateStageChange})
	if err != nil {
		return err
	}
	// Lever shows the signature token once the webhook exists; the host
	// keeps it (per customer) to verify deliveries.
	s.h.leverHooks.set(hook.Configuration.SignatureToken)
	s.tl.printf(sideHost, "lever webhook %s: %s → %s (signature token stored)", shortID(hook.ID), hook.Event, hook.URL)
	// Lever sends nothing for an API-created webhook until a Super Admin
	// switches its group on in the account's webhook settings.
	s.lv.SetWebhookGroup(lever.EventCandidateStageChange, true)
	s.tl.printf(sideLever, "Super Admin switches on the %q webhook group", "Candidate Stage Change")
	// A feedback template the vendor owns: its fields are known, so the
	// whole result fits (Lever requires one score-system field).
	tpl, err := s.h.lever.CreateFeedbackTemplate(ctx, lever.VendorFeedbackTemplate(vendorName+" result"))
	if err != nil {
		return err
	}
	s.tl.printf(sideHost, "lever feedback template %q created (rating, score, grade, summary, report)", tpl.Text)
	return nil
}

// advance reports the vendor's updates for an interview one by one,
// settling after each.
func (s *scenario) advance(ctx context.Context, iv vendorInterview, updates ...lifecycle.Update) error {
	for _, u := range updates {
		if err := s.h.report(ctx, iv, u); err != nil {
			return err
		}
		if err := s.settle(ctx); err != nil {
			return err
		}
	}
	return nil
}

// vendorInterviewOf finds the vendor's interview for a candidate.
func (s *scenario) vendorInterviewOf(ctx context.Context, source, candidateID string) (vendorInterview, error) {
	ivs, err := s.h.engine.Interviews(ctx, lifecycle.InterviewFilter{Source: source, CandidateID: candidateID})
	if err != nil {
		return vendorInterview{}, err
	}
	for _, iv := range slices.Backward(ivs) {
		if v, ok := s.h.vendor.interviewFor(iv.ID); ok {
			return v, nil
		}
	}
	return vendorInterview{}, fmt.Errorf("no vendor interview for %s candidate %s (interviews: %d)", source, candidateID, len(ivs))
}

func slotAt(days, hour int) time.Time {
	d := time.Now().UTC().AddDate(0, 0, days)
	return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, time.UTC)
}

func (s *scenario) workableHappyPath(ctx context.Context) error {
	s.tl.printf(sideWorkable, "recruiter moves %s to %q", s.ada.Name, vendorName)
	if err := s.wk.MoveCandidate(s.ada.ID, "interviewvector"); err != nil {
		return err
	}
	if err := s.settle(ctx); err != nil {
		return err
	}
	iv, err := s.vendorInterviewOf(ctx, "workable", s.ada.ID)
	if err != nil {
		return err
	}
	s.exp.created["workable"]++
	if err := s.advance(ctx, iv,
		iv.invited(), iv.scheduled(slotAt(2, 10)), iv.rescheduled(slotAt(3, 14)),
		iv.completed(lifecycle.GradePassed, "82", "Solid system design; clear communication."),
	); err != nil {
		return err
	}
	s.expectNote("workable", s.ada.ID, "Ada Lovelace was invited", "Scheduling link: https://vendor.example/schedule/"+iv.Ref)
	s.expectNote("workable", s.ada.ID, "is scheduled for")
	s.expectNote("workable", s.ada.ID, "was rescheduled from", "to")
	s.expectNote("workable", s.ada.ID, "completed the Technical interview", "Verdict: passed", "Score: 82", "Report: https://vendor.example/reports/"+iv.Ref)
	s.expectMove("workable", s.ada.ID, "interview")
	s.exp.states = append(s.exp.states, expectState{"workable", s.ada.ID, lifecycle.StateReported})
	return nil
}

func (s *scenario) workableCancel(ctx context.Context) error {
	s.tl.printf(sideWorkable, "recruiter moves %s to %q", s.alan.Name, vendorName)
	if err := s.wk.MoveCandidate(s.alan.ID, "interviewvector"); err != nil {
		return err
	}
	if err := s.settle(ctx); err != nil {
		return err
	}
	iv, err := s.vendorInterviewOf(ctx, "workable", s.alan.ID)
	if err != nil {
		return err
	}
	s.exp.created["workable"]++
	if err := s.advance(ctx, iv, iv.invited()); err != nil {
		return err
	}
	s.tl.printf(sideWorkable, "recruiter moves %s back to %q", s.alan.Name, "Phone Screen")
	if err := s.wk.MoveCandidate(s.alan.ID, "phone-screen"); err != nil {
		return err
	}
	if err := s.settle(ctx); err != nil {
		return err
	}
	s.expectNote("workable", s.alan.ID, "Alan Turing was invited")
	s.expectNote("workable", s.alan.ID, "was cancelled", `moved to "Phone Screen"`)
	s.exp.cancelled = append(s.exp.cancelled, expectMove{source: "workable", candidateID: s.alan.ID})
	s.exp.states = append(s.exp.states, expectState{"workable", s.alan.ID, lifecycle.StateCancelled})
	return nil
}

// providerContract plays Workable calling the vendor: list templates,
// request an interview with a callback URL, and receive the result there.
func (s *scenario) providerContract(ctx context.Context) error {
	call := func(method, path string, body any, out any) (int, error) {
		var rd io.Reader
		if body != nil {
			b, err := json.Marshal(body)
			if err != nil {
				return 0, err
			}
			rd = bytes.NewReader(b)
		}
		req, err := http.NewRequestWithContext(ctx, method, s.h.URL+"/workable/provider"+path, rd)
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", "Bearer "+providerToken)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 {
			return resp.StatusCode, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, b)
		}
		return resp.StatusCode, json.Unmarshal(b, out)
	}

	var list struct {
		Templates []provider.InterviewTemplate `json:"interview_templates"`
	}
	code, err := call(http.MethodGet, "/interview-templates", nil, &list)
	if err != nil {
		return err
	}
	ids := make([]string, len(list.Templates))
	for i, t := range list.Templates {
		ids[i] = t.ID
	}
	s.tl.printf(sideWorkable, "→ GET /interview-templates: %d, templates %s", code, strings.Join(ids, ", "))

	var created struct {
		ID string `json:"interview_id"`
	}
	callbackURL := s.cbs.URL + "/spi/v3/provider/interviews/callback/" + s.grace.ID
	code, err = call(http.MethodPost, "/interviews", provider.CreateInterviewRequest{
		InterviewTemplateID: "backend-l2", JobID: s.wkJob.Shortcode, JobTitle: s.wkJob.Title, CallbackURL: callbackURL,
		Candidate: provider.Candidate{FirstName: "Grace", LastName: "Hopper", Email: s.grace.Email},
	}, &created)
	if err != nil {
		return err
	}
	s.tl.printf(sideWorkable, "→ POST /interviews for %s: %d, interview_id %s, callback_url %s", s.grace.Name, code, created.ID, callbackURL)
	if err := s.settle(ctx); err != nil {
		return err
	}
	ivID, ok := s.h.backend.interviewID(created.ID)
	if !ok {
		return fmt.Errorf("provider interview %s unknown to the backend", created.ID)
	}
	iv, ok := s.h.vendor.interviewFor(ivID)
	if !ok {
		return fmt.Errorf("the vendor did not create provider interview %s", created.ID)
	}
	s.exp.created["workable"]++
	if err := s.advance(ctx, iv, iv.invited(),
		iv.completed(lifecycle.GradeExcelled, "91", "Excellent debugging; strong compiler background.")); err != nil {
		return err
	}
	var res provider.Result
	if _, err := call(http.MethodGet, "/interviews/"+created.ID, nil, &res); err != nil {
		return err
	}
	s.tl.printf(sideWorkable, "→ GET /interviews/%s: status %s, results_url %s", created.ID, res.Status, res.ResultsURL)
	s.expectNote("workable", s.grace.ID, "Grace Hopper was invited")
	s.expectNote("workable", s.grace.ID, "completed the Backend engineer, level 2 interview", "Verdict: excelled")
	s.exp.callbacks++
	s.exp.states = append(s.exp.states, expectState{"workable", s.grace.ID, lifecycle.StateReported})
	return nil
}

func (s *scenario) leverHappyPath(ctx context.Context) error {
	k := s.katherine
	s.tl.printf(sideLever, "recruiter moves %s to %q", k.Name, "To be scheduled")
	if err := s.lv.MoveOpportunity(k.ID, s.lvStages["To be scheduled"].ID); err != nil {
		return err
	}
	if err := s.settle(ctx); err != nil {
		return err
	}
	iv, err := s.vendorInterviewOf(ctx, "lever", k.ID)
	if err != nil {
		return err
	}
	s.exp.created["lever"]++
	if err := s.advance(ctx, iv,
		iv.invited(), iv.scheduled(slotAt(2, 9)), iv.rescheduled(slotAt(4, 16)),
		iv.completed(lifecycle.GradeExcelled, "94", "Designed the pipeline end to end; great SQL."),
	); err != nil {
		return err
	}
	s.expectNote("lever", k.ID, "Katherine Johnson was invited", "https://vendor.example/schedule/"+iv.Ref)
	s.expectNote("lever", k.ID, "is scheduled for")
	s.expectNote("lever", k.ID, "was rescheduled")
	s.expectNote("lever", k.ID, "completed the Data engineering interview", "Verdict: excelled", "Report: https://vendor.example/reports/"+iv.Ref)
	s.expectMove("lever", k.ID, s.lvStages["Scheduled"].ID)
	s.expectMove("lever", k.ID, s.lvStages["Interview - Yes"].ID)
	s.exp.states = append(s.exp.states, expectState{"lever", k.ID, lifecycle.StateReported})
	return nil
}

var retriggerLink = regexp.MustCompile(`https?://\S+/retrigger/[A-Za-z0-9_]+`)

func (s *scenario) leverNeedsInfo(ctx context.Context) error {
	d := s.dorothy
	s.tl.printf(sideLever, "recruiter moves %s to %q", d.Name, "To be scheduled")
	if err := s.lv.MoveOpportunity(d.ID, s.lvStages["To be scheduled"].ID); err != nil {
		return err
	}
	if err := s.settle(ctx); err != nil {
		return err
	}
	notes := s.lv.Notes(d.ID)
	if len(notes) == 0 {
		return fmt.Errorf("no needs-info note on %s", d.Name)
	}
	link := retriggerLink.FindString(notes[len(notes)-1].Value)
	if link == "" {
		return fmt.Errorf("the needs-info note on %s has no re-trigger link: %q", d.Name, notes[len(notes)-1].Value)
	}
	s.expectNote("lever", d.ID, "could not create the Data engineering interview", "missing email", link)

	// The recruiter adds the e-mail in Lever.
	if err := s.lv.UpdateOpportunity(d.ID, func(o *levertest.Opportunity) {
		o.Emails = []string{"dorothy@example.com"}
	}); err != nil {
		return err
	}
	s.tl.printf(sideLever, "recruiter adds dorothy@example.com to %s", d.Name)

	s.tl.printf(sideLever, "recruiter clicks the re-trigger link %s", link)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, link, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("re-trigger: %s: %s", resp.Status, body)
	}
	if err := s.settle(ctx); err != nil {
		return err
	}
	iv, err := s.vendorInterviewOf(ctx, "lever", d.ID)
	if err != nil {
		return err
	}
	s.exp.created["lever"]++
	if err := s.advance(ctx, iv, iv.invited(), iv.scheduled(slotAt(3, 11)),
		iv.completed(lifecycle.GradeFailed, "41", "Struggled with window functions."),
	); err != nil {
		return err
	}
	s.expectNote("lever", d.ID, "Dorothy Vaughan was invited")
	s.expectNote("lever", d.ID, "is scheduled for")
	s.expectNote("lever", d.ID, "completed the Data engineering interview", "Verdict: failed")
	s.expectMove("lever", d.ID, s.lvStages["Scheduled"].ID)
	s.expectMove("lever", d.ID, s.lvStages["Interview - No"].ID)
	s.exp.states = append(s.exp.states, expectState{"lever", d.ID, lifecycle.StateReported})
	return nil
}

// callbackRecorder plays Workable's callback endpoint for the provider
// contract: it records every PUT of a result.
type callbackRecorder struct {
	*httptest.Server
	tl *timeline

	mu       sync.Mutex
	received []receivedCallback
}

type receivedCallback struct {
	Path, Auth string
	Result     provider.Result
}

func newCallbackRecorder(tl *timeline) *callbackRecorder {
	c := &callbackRecorder{tl: tl}
	c.Server = httptest.NewServer(http.HandlerFunc(c.serve))
	return c
}

func (c *callbackRecorder) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPut {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var res provider.Result
	if err := json.NewDecoder(r.Body).Decode(&res); err != nil {
		http.Error(w, "invalid JSON", http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	c.received = append(c.received, receivedCallback{Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Result: res})
	c.mu.Unlock()
	grade := ""
	if res.Interview != nil {
		grade = fmt.Sprintf(", grade %s, score %s", res.Interview.Grade, res.Interview.Score)
	}
	c.tl.printf(sideWorkable, "← callback PUT %s: status %s%s, results_url %s", r.URL.Path, res.Status, grade, res.ResultsURL)
	w.WriteHeader(http.StatusOK)
}

func (c *callbackRecorder) results() []receivedCallback {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.received)
}

// row is one line of the summary table.
type row struct {
	source, what       string
	expected, observed int
	// problems lists expected effects that were not found.
	problems []string
}

func (r row) ok() bool { return r.expected == r.observed && len(r.problems) == 0 }

// summary compares the expectations with what the fakes, the vendor and
// the callback endpoint saw.
func (s *scenario) summary(ctx context.Context) []row {
	var rows []row
	for _, src := range []string{"workable", "lever"} {
		rows = append(rows, row{source: src, what: "interviews created", expected: s.exp.created[src], observed: s.h.vendor.created(src)})

		notes := s.notesBySource(src)
		r := row{source: src, what: "notes posted"}
		for _, n := range s.exp.notes {
			if n.source != src {
				continue
			}
			r.expected++
			if !slices.ContainsFunc(notes[n.candidateID], func(body string) bool { return containsAll(body, n.words) }) {
				r.problems = append(r.problems, fmt.Sprintf("no note on %s containing %q", s.tl.who(src, n.candidateID), n.words))
			}
		}
		for _, ns := range notes {
			r.observed += len(ns)
		}
		rows = append(rows, r)

		moves := s.movesBySource(src)
		r = row{source: src, what: "stage moves", observed: len(moves)}
		for _, m := range s.exp.moves {
			if m.source != src {
				continue
			}
			r.expected++
			if !slices.Contains(moves, m) {
				r.problems = append(r.problems, fmt.Sprintf("%s was not moved to %q", s.tl.who(src, m.candidateID), s.stage(src, m.stageID)))
			}
		}
		rows = append(rows, r)

		cancels := s.h.vendor.cancellations(src)
		r = row{source: src, what: "vendor cancellations", observed: len(cancels)}
		for _, c := range s.exp.cancelled {
			if c.source != src {
				continue
			}
			r.expected++
			if !slices.ContainsFunc(cancels, func(v vendorInterview) bool { return v.CandidateID == c.candidateID }) {
				r.problems = append(r.problems, fmt.Sprintf("the interview of %s was not cancelled with the vendor", s.tl.who(src, c.candidateID)))
			}
		}
		rows = append(rows, r)

		if src == "workable" {
			r = row{source: src, what: "callbacks delivered", expected: s.exp.callbacks}
			for _, cb := range s.cbs.results() {
				r.observed++
				switch {
				case cb.Result.Status != provider.StatusCompleted:
					r.problems = append(r.problems, fmt.Sprintf("callback %s has status %q, want completed", cb.Path, cb.Result.Status))
				case cb.Result.ResultsURL == "":
					r.problems = append(r.problems, fmt.Sprintf("callback %s has no results_url", cb.Path))
				case cb.Auth != "Bearer "+workableCallbackToken:
					r.problems = append(r.problems, fmt.Sprintf("callback %s was not authenticated with Workable's token", cb.Path))
				}
			}
			rows = append(rows, r)
		}

		r = row{source: src, what: "final interview states"}
		for _, st := range s.exp.states {
			if st.source != src {
				continue
			}
			r.expected++
			ivs, err := s.h.engine.Interviews(ctx, lifecycle.InterviewFilter{Source: src, CandidateID: st.candidateID})
			switch {
			case err != nil:
				r.problems = append(r.problems, err.Error())
			case len(ivs) != 1 || ivs[0].State != st.state:
				got := make([]string, len(ivs))
				for i, iv := range ivs {
					got[i] = string(iv.State)
				}
				r.problems = append(r.problems, fmt.Sprintf("%s: interviews %v, want one %s", s.tl.who(src, st.candidateID), got, st.state))
			default:
				r.observed++
			}
		}
		rows = append(rows, r)
	}

	r := row{source: "engine", what: "effects failed or pending"}
	for _, state := range []lifecycle.EffectState{lifecycle.EffectFailed, lifecycle.EffectPending} {
		effs, err := s.h.engine.Effects(ctx, lifecycle.EffectFilter{State: state})
		if err != nil {
			r.problems = append(r.problems, err.Error())
		}
		for _, e := range effs {
			r.observed++
			r.problems = append(r.problems, fmt.Sprintf("%s %s effect for %s: %s", e.State, e.Kind, s.tl.who(e.Source, e.CandidateID), e.LastError))
		}
	}
	return append(rows, r)
}

// notesBySource returns the note bodies the engine posted, by candidate.
func (s *scenario) notesBySource(src string) map[string][]string {
	out := map[string][]string{}
	switch src {
	case "workable":
		for _, c := range s.wk.Comments() {
			out[c.CandidateID] = append(out[c.CandidateID], c.Body)
		}
	case "lever":
		for _, o := range s.leverOpps() {
			for _, n := range s.lv.Notes(o.ID) {
				out[o.ID] = append(out[o.ID], n.Value)
			}
		}
	}
	return out
}

// movesBySource returns the stage moves the engine made (not the
// recruiter's).
func (s *scenario) movesBySource(src string) []expectMove {
	var out []expectMove
	switch src {
	case "workable":
		for _, m := range s.wk.Moves() {
			out = append(out, expectMove{src, m.CandidateID, m.Stage})
		}
	case "lever":
		for _, c := range s.lv.StageChanges("") {
			if c.PerformAs == s.lvBot.ID {
				out = append(out, expectMove{src, c.OpportunityID, c.ToStageID})
			}
		}
	}
	return out
}

func containsAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}
