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

// scenario walks the vendor flow for one customer on both ATSs, recording
// what it expects to find on that customer's fakes afterwards. Every
// customer's fakes are seeded in the same order, so their job, candidate
// and posting IDs are the same: only the connection tells them apart.
type scenario struct {
	tl  *timeline
	h   *host
	wk  *workabletest.Server
	lv  *levertest.Server
	cbs *callbackRecorder
	// contracts is the customer's Greenhouse and Ashby accounts.
	contracts *contractScenario

	// The customer and its two connections.
	customer       string
	cast           cast
	wkConn, lvConn string
	workable       *workable.Client
	lever          *lever.Client
	// wkToken is the customer's Workable API token (which also signs its
	// webhooks); providerToken the bearer token the vendor issued it for
	// the provider contract; callbackToken the one Workable issued for
	// callbacks.
	wkToken, providerToken, callbackToken string

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
	seenFeedback, seenFiles              map[string]int
	panelChanges                         map[string][]string // Lever opportunity → changes of its interview on the profile
	lvExpect                             []leverExpect

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

// cast names a customer's candidates: Workable's ada, alan, grace and
// Lever's katherine, dorothy, mary (the roles they play in the scenario).
type cast struct {
	ada, alan, grace, katherine, dorothy, mary [2]string // first, last
	// Greenhouse's and Ashby's: moved into the vendor's stage, and sent a
	// test through the partner contract.
	ghFlow, ghTest, abFlow, abTest [2]string
}

func full(n [2]string) string { return n[0] + " " + n[1] }

func (c cast) names() []string {
	return []string{full(c.ada), full(c.alan), full(c.grace), full(c.katherine), full(c.dorothy), full(c.mary),
		full(c.ghFlow), full(c.ghTest), full(c.abFlow), full(c.abTest)}
}

// customers are the vendor's customers in the demo: each has a Workable
// and a Lever account, with its own token, webhook secrets and provider
// tokens, and candidates of its own under the same IDs as the other's.
var customers = []struct {
	name string
	cast cast
}{
	{"acme", cast{ada: [2]string{"Ada", "Lovelace"}, alan: [2]string{"Alan", "Turing"}, grace: [2]string{"Grace", "Hopper"},
		katherine: [2]string{"Katherine", "Johnson"}, dorothy: [2]string{"Dorothy", "Vaughan"}, mary: [2]string{"Mary", "Jackson"},
		ghFlow: [2]string{"Hedy", "Lamarr"}, ghTest: [2]string{"Joan", "Clarke"}, abFlow: [2]string{"Shafi", "Goldwasser"}, abTest: [2]string{"Ron", "Rivest"}}},
	{"globex", cast{ada: [2]string{"Barbara", "Liskov"}, alan: [2]string{"Edsger", "Dijkstra"}, grace: [2]string{"Frances", "Allen"},
		katherine: [2]string{"Margaret", "Hamilton"}, dorothy: [2]string{"Radia", "Perlman"}, mary: [2]string{"Annie", "Easley"},
		ghFlow: [2]string{"Sophie", "Wilson"}, ghTest: [2]string{"Ken", "Thompson"}, abFlow: [2]string{"Whitfield", "Diffie"}, abTest: [2]string{"Adi", "Shamir"}}},
}

// demo is the host and one scenario per customer.
type demo struct {
	h         *host
	scenarios []*scenario
}

// showWrites prints what landed on every customer's fakes.
func (d *demo) showWrites() {
	for _, s := range d.scenarios {
		s.showWrites()
	}
}

// runDemo starts the host and every customer's fakes and runs the
// scenario for the customers side by side, step by step. It returns the
// demo even on error, so the summary can show what was observed.
func runDemo(ctx context.Context, tl *timeline, log *slog.Logger, store lifecycle.Store) (*demo, func(), error) {
	d := &demo{}
	closeAll := func() {
		if d.h != nil {
			_ = d.h.Close()
		}
		for _, s := range d.scenarios {
			if s.contracts != nil {
				s.contracts.Close()
			}
			s.cbs.Close()
			s.lv.Close()
			s.wk.Close()
		}
	}
	h, err := newHost(ctx, tl, log, store, d.showWrites)
	if err != nil {
		return d, closeAll, err
	}
	d.h = h
	tl.printf(sideHost, "listening on %s (webhooks, provider contract, re-trigger links for every connection)", h.URL)
	for _, c := range customers {
		s, err := newScenario(ctx, tl, h, c.name, c.cast)
		if s != nil {
			d.scenarios = append(d.scenarios, s)
		}
		if err != nil {
			return d, closeAll, err
		}
	}

	steps := []struct {
		title string
		run   func(*scenario, context.Context) error
	}{
		{"Link jobs: a pipeline with the InterviewVector stage (Workable), a tagged posting (Lever)", (*scenario).seed},
		{"Refresh positions: linked jobs appear pending", (*scenario).refresh},
		{"Configure and activate the positions", (*scenario).configure},
		{"Subscribe to webhooks", (*scenario).subscribe},
		{"Workable: a candidate goes through the InterviewVector stage", (*scenario).workableHappyPath},
		{"Workable: a candidate is moved out of the stage, the interview is cancelled", (*scenario).workableCancel},
		{"Workable calls the provider contract directly", (*scenario).providerContract},
		{"Lever: a candidate goes through \"To be scheduled\"", (*scenario).leverHappyPath},
		{"Lever: a candidate has no e-mail, is fixed and re-triggered", (*scenario).leverNeedsInfo},
		{"Lever: a scheduled candidate is moved out of the stage, the interview leaves the profile", (*scenario).leverCancel},
		{"Greenhouse and Ashby: a candidate goes through the InterviewVector stage", func(s *scenario, ctx context.Context) error { return s.contracts.webhookFlow(ctx) }},
		{"Greenhouse and Ashby send a test through their partner contracts", func(s *scenario, ctx context.Context) error { return s.contracts.partnerContracts(ctx) }},
	}
	for _, st := range steps {
		for _, s := range d.scenarios {
			tl.section(s.customer + " · " + st.title)
			if err := st.run(s, ctx); err != nil {
				return d, closeAll, fmt.Errorf("%s: step %q: %w", s.customer, st.title, err)
			}
		}
	}
	return d, closeAll, nil
}

// newScenario starts a customer's fakes and connects its two accounts.
func newScenario(ctx context.Context, tl *timeline, h *host, customer string, c cast) (*scenario, error) {
	s := &scenario{tl: tl, h: h, customer: customer, cast: c, seenNotes: map[string]int{}, exp: expectations{created: map[string]int{}},
		wkConn: customer + "-workable", lvConn: customer + "-lever",
		wkToken: customer + "-workable-token", providerToken: "iv-provider-token-" + customer, callbackToken: "workable-callback-token-" + customer}
	// The fakes run without rate limits so the demo takes seconds; their
	// webhook deliveries are asynchronous, as in production, and the
	// scenario waits for them with WaitDeliveries and WaitDeliveries.
	s.wk = workabletest.NewServer(workabletest.WithoutRateLimit(), workabletest.WithAccount(customer, strings.ToUpper(customer[:1])+customer[1:]))
	s.wk.AddToken(s.wkToken, workabletest.AllScopes()...)
	s.lv = levertest.NewServer(levertest.WithRateLimit(0, 0))
	s.cbs = newCallbackRecorder(tl, s.wkConn, s.callbackToken)
	s.lvBot = s.lv.AddUser(levertest.User{Name: "InterviewVector Bot", Email: "bot@vendor.example", AccessRole: "admin"})
	var err error
	if s.workable, err = h.connectWorkable(ctx, s.wkConn, s.wk, s.wkToken, s.providerToken, s.callbackToken); err != nil {
		return s, err
	}
	if s.lever, err = h.connectLever(ctx, s.lvConn, s.lv, s.lvBot.ID); err != nil {
		return s, err
	}
	tl.printf(s.wkConn, "fake Workable API of %s at %s", customer, s.wk.URL)
	tl.printf(s.lvConn, "fake Lever API of %s at %s", customer, s.lv.URL)
	s.contracts, err = newContractScenario(ctx, s)
	return s, err
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
		s.tl.printf(s.wkConn, "← comment on %s: %q", s.tl.who(s.wkConn, c.CandidateID), excerpt(c.Body, 96))
	}
	s.seenComments = len(cs)
	ms := s.wk.Moves()
	for _, m := range ms[s.seenMoves:] {
		s.tl.printf(s.wkConn, "← moved %s to %q", s.tl.who(s.wkConn, m.CandidateID), s.tl.stageName(s.wkConn, ats.StageRef{ID: m.Stage}))
	}
	s.seenMoves = len(ms)
	for _, o := range s.leverOpps() {
		ns := s.lv.Notes(o.ID)
		for _, n := range ns[s.seenNotes[o.ID]:] {
			s.tl.printf(s.lvConn, "← note on %s: %q", s.tl.who(s.lvConn, o.ID), excerpt(n.Value, 100))
		}
		s.seenNotes[o.ID] = len(ns)
	}
	chs := s.lv.StageChanges("")
	for _, c := range chs[s.seenChanges:] {
		if c.PerformAs != "" { // the recruiter's own moves are shown when made
			s.tl.printf(s.lvConn, "← moved %s to %q", s.tl.who(s.lvConn, c.OpportunityID), s.tl.stageName(s.lvConn, ats.StageRef{ID: c.ToStageID}))
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
	// The same shortcodes in every customer's account.
	s.wkJob = s.wk.AddJob(workabletest.Job{Shortcode: "GROOV001", Title: "Backend Engineer", Stages: stages})
	s.wk.AddJob(workabletest.Job{Shortcode: "GROOV002", Title: "Office Manager"}) // default pipeline: not linked
	for _, st := range stages {
		s.tl.stage(s.wkConn, workabletest.Slugify(st.Name), st.Name)
	}
	add := func(name, email string) workabletest.Candidate {
		c := s.wk.AddCandidate(workabletest.Candidate{JobShortcode: s.wkJob.Shortcode, Stage: "applied", Name: name, Email: email})
		s.tl.name(s.wkConn, c.ID, c.Name)
		return c
	}
	email := func(n [2]string) string { return strings.ToLower(n[0]) + "@" + s.customer + ".example" }
	s.ada = add(full(s.cast.ada), email(s.cast.ada))
	s.alan = add(full(s.cast.alan), email(s.cast.alan))
	s.grace = add(full(s.cast.grace), email(s.cast.grace))
	s.tl.printf(s.wkConn, "job %s %q, pipeline %s; candidates %s, %s, %s in Applied",
		s.wkJob.Shortcode, s.wkJob.Title, stageList(stages), s.ada.Name, s.alan.Name, s.grace.Name)

	s.lvStages = map[string]levertest.Stage{}
	for _, st := range s.lv.AddStages("New applicant", "Phone screen", "To be scheduled", "Scheduled",
		"Interview - Yes", "Interview - No", "Unable to schedule", "Offer") {
		s.lvStages[st.Text] = st
		s.tl.stage(s.lvConn, st.ID, st.Text)
	}
	s.lvPosting = s.lv.AddPosting(levertest.Posting{Text: "Data Engineer", Team: "Data"})
	s.lv.AddPosting(levertest.Posting{Text: "Office Manager"}) // untagged: not linked
	addOpp := func(name string, emails ...string) levertest.Opportunity {
		o := s.lv.AddOpportunity(levertest.Opportunity{Name: name, PostingID: s.lvPosting.ID,
			StageID: s.lvStages["New applicant"].ID, Emails: emails})
		s.tl.name(s.lvConn, o.ID, name)
		return o
	}
	s.katherine = addOpp(full(s.cast.katherine), email(s.cast.katherine))
	s.dorothy = addOpp(full(s.cast.dorothy)) // no e-mail: needs-info
	s.other = addOpp(full(s.cast.mary), email(s.cast.mary))
	if err := s.lv.SetPostingTags(s.lvPosting.ID, vendorName); err != nil {
		return err
	}
	s.tl.printf(s.lvConn, "posting %q tagged %q; opportunities %s, %s (no e-mail), %s",
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
	for _, src := range []string{s.wkConn, s.lvConn} {
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
		{lifecycle.PositionID(s.wkConn, s.wkJob.Shortcode), lifecycle.PositionConfig{
			Rounds: []lifecycle.Round{{Name: "Technical", Template: "backend-l2"}},
			// Trigger empty: the linking stage (InterviewVector) triggers.
			Stages:  lifecycle.StageMapping{Passed: "interview"},
			Require: []lifecycle.Field{lifecycle.FieldEmail},
		}},
		{lifecycle.PositionID(s.lvConn, s.lvPosting.ID), lifecycle.PositionConfig{
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
			p.Connection, p.Title, p.Config.Rounds[0].Name, s.stage(p.Connection, p.TriggerStage()), s.stage(p.Connection, m.Scheduled),
			s.stage(p.Connection, m.Passed), s.stage(p.Connection, m.Failed), s.stage(p.Connection, m.UnableToSchedule), p.Config.Require, p.Status)
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
	sub, err := s.workable.EnsureSubscription(ctx, ats.Subscription{Event: workable.EventCandidateMoved, Target: s.h.hookURL("workable", s.wkConn)})
	if err != nil {
		return err
	}
	s.tl.printf(sideHost, "%s subscription %s: %s → %s (signed with the customer's token)", s.wkConn, sub.ID, sub.Event, sub.Target)
	hook, err := s.lever.CreateWebhook(ctx, lever.Webhook{URL: s.h.hookURL("lever", s.lvConn), Event: lever.EventCandidateStageChange})
	if err != nil {
		return err
	}
	// Lever shows the signature token once the webhook exists; the host
	// keeps it (per customer) to verify deliveries.
	if err := s.h.setLeverToken(s.lvConn, hook.Configuration.SignatureToken); err != nil {
		return err
	}
	s.tl.printf(sideHost, "%s webhook %s: %s → %s (signature token stored)", s.lvConn, shortID(hook.ID), hook.Event, hook.URL)
	// Lever sends nothing for an API-created webhook until a Super Admin
	// switches its group on in the account's webhook settings.
	s.lv.SetWebhookGroup(lever.EventCandidateStageChange, true)
	s.tl.printf(s.lvConn, "Super Admin switches on the %q webhook group", "Candidate Stage Change")
	// A feedback template the vendor owns: its fields are known, so the
	// whole result fits (Lever requires one score-system field).
	tpl, err := s.lever.CreateFeedbackTemplate(ctx, lever.VendorFeedbackTemplate(vendorName+" result"))
	if err != nil {
		return err
	}
	s.tl.printf(sideHost, "%s feedback template %q created (rating, score, grade, summary, report)", s.lvConn, tpl.Text)
	// Now that the webhooks exist, the accounts pass their setup checks.
	for _, c := range []struct{ conn, kind string }{{s.wkConn, "workable"}, {s.lvConn, "lever"}} {
		conn, err := s.h.engine.Connect(ctx, lifecycle.ConnectOptions{ID: c.conn, Kind: c.kind})
		if err != nil {
			return fmt.Errorf("setup check of %s: %w", c.conn, err)
		}
		s.tl.printf(sideHost, "%s: setup checks passed, %s", c.conn, conn.State)
	}
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
	ivs, err := s.h.engine.Interviews(ctx, lifecycle.InterviewFilter{Connection: source, CandidateID: candidateID})
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
	s.tl.printf(s.wkConn, "recruiter moves %s to %q", s.ada.Name, vendorName)
	if err := s.wk.MoveCandidate(s.ada.ID, "interviewvector"); err != nil {
		return err
	}
	if err := s.settle(ctx); err != nil {
		return err
	}
	iv, err := s.vendorInterviewOf(ctx, s.wkConn, s.ada.ID)
	if err != nil {
		return err
	}
	s.exp.created[s.wkConn]++
	if err := s.advance(ctx, iv,
		iv.invited(), iv.scheduled(slotAt(2, 10)), iv.rescheduled(slotAt(3, 14)),
		iv.completed(ats.GradePassed, "82", "Solid system design; clear communication."),
	); err != nil {
		return err
	}
	s.expectNote(s.wkConn, s.ada.ID, s.ada.Name+" was invited", "Scheduling link: https://vendor.example/schedule/"+iv.Ref)
	s.expectNote(s.wkConn, s.ada.ID, "is scheduled for")
	s.expectNote(s.wkConn, s.ada.ID, "was rescheduled from", "to")
	s.expectNote(s.wkConn, s.ada.ID, "completed the Technical interview", "Verdict: passed", "Score: 82", "Report: https://vendor.example/reports/"+iv.Ref)
	s.expectMove(s.wkConn, s.ada.ID, "interview")
	s.exp.states = append(s.exp.states, expectState{s.wkConn, s.ada.ID, lifecycle.StateReported})
	return nil
}

func (s *scenario) workableCancel(ctx context.Context) error {
	s.tl.printf(s.wkConn, "recruiter moves %s to %q", s.alan.Name, vendorName)
	if err := s.wk.MoveCandidate(s.alan.ID, "interviewvector"); err != nil {
		return err
	}
	if err := s.settle(ctx); err != nil {
		return err
	}
	iv, err := s.vendorInterviewOf(ctx, s.wkConn, s.alan.ID)
	if err != nil {
		return err
	}
	s.exp.created[s.wkConn]++
	if err := s.advance(ctx, iv, iv.invited()); err != nil {
		return err
	}
	s.tl.printf(s.wkConn, "recruiter moves %s back to %q", s.alan.Name, "Phone Screen")
	if err := s.wk.MoveCandidate(s.alan.ID, "phone-screen"); err != nil {
		return err
	}
	if err := s.settle(ctx); err != nil {
		return err
	}
	s.expectNote(s.wkConn, s.alan.ID, s.alan.Name+" was invited")
	s.expectNote(s.wkConn, s.alan.ID, "was cancelled", `moved to "Phone Screen"`)
	s.exp.cancelled = append(s.exp.cancelled, expectMove{source: s.wkConn, candidateID: s.alan.ID})
	s.exp.states = append(s.exp.states, expectState{s.wkConn, s.alan.ID, lifecycle.StateCancelled})
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
		req, err := http.NewRequestWithContext(ctx, method, s.h.URL+"/provider"+path, rd)
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", "Bearer "+s.providerToken)
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
	s.tl.printf(s.wkConn, "→ GET /interview-templates: %d, templates %s", code, strings.Join(ids, ", "))

	var created struct {
		ID string `json:"interview_id"`
	}
	callbackURL := s.cbs.URL + "/spi/v3/provider/interviews/callback/" + s.grace.ID
	code, err = call(http.MethodPost, "/interviews", provider.CreateInterviewRequest{
		InterviewTemplateID: "backend-l2", JobID: s.wkJob.Shortcode, JobTitle: s.wkJob.Title, CallbackURL: callbackURL,
		Candidate: provider.Candidate{FirstName: s.cast.grace[0], LastName: s.cast.grace[1], Email: s.grace.Email},
	}, &created)
	if err != nil {
		return err
	}
	s.tl.printf(s.wkConn, "→ POST /interviews for %s: %d, interview_id %s, callback_url %s", s.grace.Name, code, created.ID, callbackURL)
	if err := s.settle(ctx); err != nil {
		return err
	}
	// The provider interview ID is the lifecycle interview's.
	iv, ok := s.h.vendor.interviewFor(created.ID)
	if !ok {
		return fmt.Errorf("the vendor did not create provider interview %s", created.ID)
	}
	s.exp.created[s.wkConn]++
	if err := s.advance(ctx, iv, iv.invited(),
		iv.completed(ats.GradeExcelled, "91", "Excellent debugging; strong compiler background.")); err != nil {
		return err
	}
	var res provider.StatusDocument
	if _, err := call(http.MethodGet, "/interviews/"+created.ID, nil, &res); err != nil {
		return err
	}
	s.tl.printf(s.wkConn, "→ GET /interviews/%s: status %s, results_url %s", created.ID, res.Status, res.ResultsURL)
	s.expectNote(s.wkConn, s.grace.ID, s.grace.Name+" was invited")
	s.expectNote(s.wkConn, s.grace.ID, "completed the Backend engineer, level 2 interview", "Verdict: excelled")
	s.exp.callbacks++
	s.exp.states = append(s.exp.states, expectState{s.wkConn, s.grace.ID, lifecycle.StateReported})
	return nil
}

func (s *scenario) leverHappyPath(ctx context.Context) error {
	k := s.katherine
	s.tl.printf(s.lvConn, "recruiter moves %s to %q", k.Name, "To be scheduled")
	if err := s.lv.MoveCandidate(k.ID, s.lvStages["To be scheduled"].ID); err != nil {
		return err
	}
	if err := s.settle(ctx); err != nil {
		return err
	}
	iv, err := s.vendorInterviewOf(ctx, s.lvConn, k.ID)
	if err != nil {
		return err
	}
	s.exp.created[s.lvConn]++
	if err := s.advance(ctx, iv,
		iv.invited(), iv.scheduled(slotAt(2, 9)), iv.rescheduled(slotAt(4, 16)),
		withReport(iv.completed(ats.GradeExcelled, "94", "Designed the pipeline end to end; great SQL."), iv.Ref),
	); err != nil {
		return err
	}
	s.lvExpect = append(s.lvExpect, leverExpect{candidateID: k.ID, panel: []string{panelCreated, panelMoved}, at: slotAt(4, 16), feedback: true, report: iv.Ref})
	s.expectNote(s.lvConn, k.ID, k.Name+" was invited", "https://vendor.example/schedule/"+iv.Ref)
	s.expectNote(s.lvConn, k.ID, "is scheduled for")
	s.expectNote(s.lvConn, k.ID, "was rescheduled")
	s.expectNote(s.lvConn, k.ID, "completed the Data engineering interview", "Verdict: excelled", "Report: https://vendor.example/reports/"+iv.Ref)
	s.expectMove(s.lvConn, k.ID, s.lvStages["Scheduled"].ID)
	s.expectMove(s.lvConn, k.ID, s.lvStages["Interview - Yes"].ID)
	s.exp.states = append(s.exp.states, expectState{s.lvConn, k.ID, lifecycle.StateReported})
	return nil
}

var retriggerLink = regexp.MustCompile(`https?://\S+/retrigger/\S+`)

func (s *scenario) leverNeedsInfo(ctx context.Context) error {
	d := s.dorothy
	s.tl.printf(s.lvConn, "recruiter moves %s to %q", d.Name, "To be scheduled")
	if err := s.lv.MoveCandidate(d.ID, s.lvStages["To be scheduled"].ID); err != nil {
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
	s.expectNote(s.lvConn, d.ID, "could not create the Data engineering interview", "missing email", link)

	// The recruiter adds the e-mail in Lever.
	if err := s.lv.UpdateOpportunity(d.ID, func(o *levertest.Opportunity) {
		o.Emails = []string{strings.ToLower(s.cast.dorothy[0]) + "@" + s.customer + ".example"}
	}); err != nil {
		return err
	}
	s.tl.printf(s.lvConn, "recruiter adds an e-mail address to %s", d.Name)

	s.tl.printf(s.lvConn, "recruiter clicks the re-trigger link %s", link)
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
	s.tl.printf(sideHost, "re-triggered %s %s: now %s", s.lvConn, d.Name, strings.TrimPrefix(strings.TrimSpace(string(body)), "interview "))
	if err := s.settle(ctx); err != nil {
		return err
	}
	iv, err := s.vendorInterviewOf(ctx, s.lvConn, d.ID)
	if err != nil {
		return err
	}
	s.exp.created[s.lvConn]++
	if err := s.advance(ctx, iv, iv.invited(), iv.scheduled(slotAt(3, 11)),
		iv.completed(ats.GradeFailed, "41", "Struggled with window functions."),
	); err != nil {
		return err
	}
	s.lvExpect = append(s.lvExpect, leverExpect{candidateID: d.ID, panel: []string{panelCreated}, at: slotAt(3, 11), feedback: true})
	s.expectNote(s.lvConn, d.ID, d.Name+" was invited")
	s.expectNote(s.lvConn, d.ID, "is scheduled for")
	s.expectNote(s.lvConn, d.ID, "completed the Data engineering interview", "Verdict: failed")
	s.expectMove(s.lvConn, d.ID, s.lvStages["Scheduled"].ID)
	s.expectMove(s.lvConn, d.ID, s.lvStages["Interview - No"].ID)
	s.exp.states = append(s.exp.states, expectState{s.lvConn, d.ID, lifecycle.StateReported})
	return nil
}

// callbackRecorder plays Workable's callback endpoint for the provider
// contract: it records every PUT of a result.
type callbackRecorder struct {
	*httptest.Server
	tl       *timeline
	side     string
	workable *workabletest.Callbacks

	mu       sync.Mutex
	received []receivedCallback
}

type receivedCallback struct {
	Path, Auth string
	Result     provider.StatusDocument
}

func newCallbackRecorder(tl *timeline, side, token string) *callbackRecorder {
	c := &callbackRecorder{tl: tl, side: side, workable: workabletest.NewCallbacks(token)}
	c.Server = httptest.NewServer(http.HandlerFunc(c.serve))
	return c
}

// serve checks each PUT as Workable would (workabletest.Callbacks: token,
// status enum, results_url when completed, 409 on a repeat) and records
// the accepted ones.
func (c *callbackRecorder) serve(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	c.workable.ServeHTTP(rec, r)
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
	puts := c.workable.Accepted(r.URL.Path)
	if rec.Code != http.StatusOK || len(puts) == 0 {
		c.tl.printf(c.side, "← callback PUT %s refused: %d %s", r.URL.Path, rec.Code, strings.TrimSpace(rec.Body.String()))
		return
	}
	var res provider.StatusDocument
	_ = json.Unmarshal(puts[len(puts)-1].Body, &res)
	c.mu.Lock()
	c.received = append(c.received, receivedCallback{Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Result: res})
	c.mu.Unlock()
	grade := ""
	if res.Interview != nil {
		grade = fmt.Sprintf(", grade %s, score %s", res.Interview.Grade, res.Interview.Score)
	}
	c.tl.printf(c.side, "← callback PUT %s: status %s%s, results_url %s", r.URL.Path, res.Status, grade, res.ResultsURL)
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
	for _, src := range []string{s.wkConn, s.lvConn} {
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

		if src == s.wkConn {
			r = row{source: src, what: "callbacks delivered", expected: s.exp.callbacks}
			for _, cb := range s.cbs.results() {
				r.observed++
				switch {
				case cb.Result.Status != provider.StatusCompleted:
					r.problems = append(r.problems, fmt.Sprintf("callback %s has status %q, want completed", cb.Path, cb.Result.Status))
				case cb.Result.ResultsURL == "":
					r.problems = append(r.problems, fmt.Sprintf("callback %s has no results_url", cb.Path))
				case cb.Auth != "Bearer "+s.callbackToken:
					r.problems = append(r.problems, fmt.Sprintf("callback %s was not authenticated with Workable's token", cb.Path))
				}
			}
			rows = append(rows, r)
		}

		if src == s.lvConn {
			rows = append(rows, s.leverProfileRows()...)
		}

		r = row{source: src, what: "final interview states"}
		for _, st := range s.exp.states {
			if st.source != src {
				continue
			}
			r.expected++
			ivs, err := s.h.engine.Interviews(ctx, lifecycle.InterviewFilter{Connection: src, CandidateID: st.candidateID})
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

	return rows
}

// crossTalk counts what reached this customer but belongs to another: a
// note on its fakes naming another customer's candidate, a vendor
// interview of its connections for another customer's candidate, a
// callback naming another customer's candidate.
func (s *scenario) crossTalk(others []string) row {
	r := row{source: s.customer, what: "cross-talk"}
	foreign := func(text string) bool {
		return slices.ContainsFunc(others, func(n string) bool { return strings.Contains(text, n) })
	}
	for _, src := range []string{s.wkConn, s.lvConn} {
		for cand, notes := range s.notesBySource(src) {
			for _, n := range notes {
				if foreign(n) {
					r.observed++
					r.problems = append(r.problems, fmt.Sprintf("a note on %s names another customer's candidate: %q", s.tl.who(src, cand), excerpt(n, 80)))
				}
			}
		}
		for _, iv := range s.h.vendor.interviewsOf(src) {
			if !slices.Contains(s.cast.names(), iv.Candidate) {
				r.observed++
				r.problems = append(r.problems, fmt.Sprintf("vendor interview %s of %s is for %s", iv.Ref, src, iv.Candidate))
			}
		}
	}
	return r
}

// summary compares every customer's expectations with what its fakes, the
// vendor and its callback endpoint saw, checks that nothing crossed from
// one customer to another, and that the outbox is empty.
func (d *demo) summary(ctx context.Context) []row {
	var rows []row
	for _, s := range d.scenarios {
		rows = append(rows, s.summary(ctx)...)
		var others []string
		for _, o := range d.scenarios {
			if o != s {
				others = append(others, o.cast.names()...)
			}
		}
		rows = append(rows, s.crossTalk(others))
		if s.contracts != nil {
			rows = append(rows, s.contracts.summary(others)...)
		}
	}
	r := row{source: "engine", what: "effects failed or pending"}
	for _, state := range []lifecycle.EffectState{lifecycle.EffectFailed, lifecycle.EffectPending} {
		effs, err := d.h.engine.Effects(ctx, lifecycle.EffectFilter{State: state})
		if err != nil {
			r.problems = append(r.problems, err.Error())
		}
		for _, e := range effs {
			r.observed++
			r.problems = append(r.problems, fmt.Sprintf("%s %s effect for %s: %s", e.State, e.Kind, d.h.tl.who(e.Connection, e.CandidateID), e.LastError))
		}
	}
	return append(rows, r)
}

// notesBySource returns the note bodies the engine posted, by candidate.
func (s *scenario) notesBySource(src string) map[string][]string {
	out := map[string][]string{}
	switch src {
	case s.wkConn:
		for _, c := range s.wk.Comments() {
			out[c.CandidateID] = append(out[c.CandidateID], c.Body)
		}
	case s.lvConn:
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
	case s.wkConn:
		for _, m := range s.wk.Moves() {
			out = append(out, expectMove{src, m.CandidateID, m.Stage})
		}
	case s.lvConn:
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
