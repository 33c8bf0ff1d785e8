package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/atskit/atskit/ashby"
	"github.com/atskit/atskit/ashby/ashbytest"
	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/greenhouse"
	"github.com/atskit/atskit/greenhouse/greenhousetest"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/provider"
)

// The customers' Greenhouse and Ashby accounts: each runs the
// webhook-driven flow through its adapter (a recruiter moves a candidate
// into the vendor's interview-plan stage; the result comes back as notes
// and a stage move) and sends one test through the ATS's partner contract
// (Greenhouse's Assessment Partner API, Ashby's Assessments Partner API),
// served by hosting from one backend and answered through the publisher.

// contractVendor is the vendor's side of the Greenhouse and Ashby partner
// contracts: the tests every customer can pick, and each connection's
// publishing key.
type contractVendor struct {
	mu   sync.Mutex
	keys map[string]string // connection → key
}

// Offerings implements hosting.ContractVendor.
func (*contractVendor) Offerings(context.Context, string, lifecycle.CallbackKind) ([]provider.Offering, error) {
	return []provider.Offering{{ID: "go-l2", Name: "Go, level 2", Description: "90 minutes, take-home"}}, nil
}

// ContractKey implements hosting.ContractVendor.
func (v *contractVendor) ContractKey(_ context.Context, conn string, _ lifecycle.CallbackKind) (string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	k, ok := v.keys[conn]
	if !ok {
		return "", fmt.Errorf("no publishing key for connection %q", conn)
	}
	return k, nil
}

func (v *contractVendor) set(conn, key string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.keys[conn] = key
}

// demoPublisher publishes every contract's results. In production every
// Ashby account is at api.ashbyhq.com and one AshbyPublisher serves them
// all; here each customer has its own fake, so the Ashby publisher is
// chosen by the connection the dispatcher names.
type demoPublisher struct {
	lifecycle.ContractPublisher
	mu    sync.Mutex
	ashby map[string]*provider.AshbyPublisher
}

// PublishResult implements lifecycle.CallbackPublisher.
func (p *demoPublisher) PublishResult(ctx context.Context, cb lifecycle.Callback, r lifecycle.CallbackResult) error {
	cp := p.ContractPublisher
	if cb.Kind == lifecycle.CallbackAshby {
		_, conn, _ := lifecycle.CallbackInterview(ctx)
		p.mu.Lock()
		cp.Ashby = p.ashby[conn]
		p.mu.Unlock()
	}
	return cp.PublishResult(ctx, cb, r)
}

// contractScenario is one customer's Greenhouse and Ashby accounts.
type contractScenario struct {
	s              *scenario
	gh             *greenhousetest.Server
	ab             *ashbytest.Server
	ghConn, abConn string
	ghKey, abKey   string // the partner keys the vendor issued the customer

	ghStage map[string]int64
	abStage map[string]string
	// The webhook-driven candidate and the one sent a test, per ATS.
	ghFlow, ghTest greenhousetest.Candidate
	abFlow, abTest ashbytest.Application
	abPeople       map[string]string // application → person
	ghPartnerID    string
	abAssessmentID string
}

// newContractScenario starts the customer's Greenhouse and Ashby fakes and
// connects them.
func newContractScenario(ctx context.Context, s *scenario) (*contractScenario, error) {
	h := s.h
	c := &contractScenario{s: s, ghConn: s.customer + "-greenhouse", abConn: s.customer + "-ashby",
		ghKey: "iv-greenhouse-key-" + s.customer, abKey: "iv-ashby-key-" + s.customer,
		ghStage: map[string]int64{}, abStage: map[string]string{}, abPeople: map[string]string{}}
	c.gh = greenhousetest.NewServer(greenhousetest.WithRateLimit(0, 0))
	c.ab = ashbytest.NewServer(ashbytest.WithRateLimit(1000, 100))

	job := c.gh.AddJob(greenhousetest.Job{Name: "Platform Engineer", Stages: []greenhousetest.Stage{
		{Name: "Application Review"}, {Name: vendorName}, {Name: "Take Home Test", SchedulingType: "take_home_test"}, {Name: "Offer"}}})
	for _, st := range job.Stages {
		c.ghStage[st.Name] = st.ID
		s.tl.stage(c.ghConn, strconv.FormatInt(st.ID, 10), st.Name)
	}
	email := func(first string) string { return strings.ToLower(first) + "@" + s.customer + ".example" }
	addGH := func(n [2]string, stage string) greenhousetest.Candidate {
		cand := c.gh.AddCandidate(greenhousetest.Candidate{JobID: job.ID, StageID: c.ghStage[stage], FirstName: n[0], LastName: n[1], Emails: []string{email(n[0])}})
		s.tl.name(c.ghConn, strconv.FormatInt(cand.ApplicationID, 10), full(n))
		return cand
	}
	c.ghFlow, c.ghTest = addGH(s.cast.ghFlow, "Application Review"), addGH(s.cast.ghTest, "Take Home Test")
	gc, err := greenhouse.NewClient(greenhouse.Options{ClientID: greenhousetest.DefaultClientID, ClientSecret: greenhousetest.DefaultClientSecret,
		UserID: strconv.FormatInt(c.gh.AdminUserID(), 10), TokenURL: c.gh.TokenURL(), BaseURL: c.gh.URL,
		VendorStage: vendorName, RateLimit: -1, Logger: h.log, HTTPClient: h.hc})
	if err != nil {
		return c, err
	}
	h.conns.Set(c.ghConn, gc)
	secret := "greenhouse-webhook-secret-" + s.customer
	h.hooks.Set("greenhouse", c.ghConn, greenhouse.WebhookVerifier{Secrets: []string{secret}, Replay: h.replay, Connection: c.ghConn})
	h.ghKeys.Add(c.ghKey, provider.Account(c.ghConn))
	h.cv.set(c.ghConn, c.ghKey)
	if err := h.connect(ctx, c.ghConn, "greenhouse"); err != nil {
		return c, err
	}
	c.gh.AddWebhook(greenhousetest.Webhook{Name: vendorName, URL: h.hookURL("greenhouse", c.ghConn), Event: "candidate_stage_change", Secret: secret})

	ajob := c.ab.AddJob(ashbytest.Job{Title: "Security Engineer", Stages: []ashbytest.Stage{
		{Title: "Applied"}, {Title: vendorName}, {Title: "Passed"}, {Title: "Failed"}}})
	for _, st := range ajob.Stages {
		c.abStage[st.Title] = st.ID
		s.tl.stage(c.abConn, st.ID, st.Title)
	}
	addAB := func(n [2]string) ashbytest.Application {
		p := c.ab.AddCandidate(ashbytest.Candidate{Name: full(n), Emails: []string{email(n[0])}})
		app := c.ab.AddApplication(ashbytest.Application{CandidateID: p.ID, JobID: ajob.ID})
		c.abPeople[app.ID] = p.ID
		s.tl.name(c.abConn, app.ID, full(n))
		return app
	}
	c.abFlow, c.abTest = addAB(s.cast.abFlow), addAB(s.cast.abTest)
	ac, err := ashby.NewClient(ashby.Options{APIKey: ashbytest.DefaultAPIKey, BaseURL: c.ab.URL, VendorStage: vendorName,
		WebhookSecret: "ashby-webhook-secret-" + s.customer, RateLimit: -1, Logger: h.log, HTTPClient: h.hc})
	if err != nil {
		return c, err
	}
	h.conns.Set(c.abConn, ac)
	h.hooks.Set("ashby", c.abConn, ashby.WebhookVerifier{Secrets: []string{"ashby-webhook-secret-" + s.customer}, Replay: h.replay, Connection: c.abConn})
	h.abKeys.Add(c.abKey, provider.Account(c.abConn))
	h.cv.set(c.abConn, ashbytest.DefaultAPIKey) // assessment.update uses the customer's Ashby key
	h.setAshbyPublisher(c.abConn, c.ab.URL)
	if err := h.connect(ctx, c.abConn, "ashby"); err != nil {
		return c, err
	}
	if _, err := ac.EnsureSubscription(ctx, ats.Subscription{Event: ashby.EventCandidateStageChange, Target: h.hookURL("ashby", c.abConn)}); err != nil {
		return c, err
	}
	h.mu.Lock()
	h.ghFake, h.abFake = append(h.ghFake, c.gh), append(h.abFake, c.ab)
	h.mu.Unlock()
	s.tl.printf(c.ghConn, "fake Greenhouse of %s at %s: job %q, %s in Application Review, %s in Take Home Test", s.customer, c.gh.URL, job.Name,
		full(s.cast.ghFlow), full(s.cast.ghTest))
	s.tl.printf(c.abConn, "fake Ashby of %s at %s: job %q, %s and %s in Applied", s.customer, c.ab.URL, ajob.Title, full(s.cast.abFlow), full(s.cast.abTest))
	return c, nil
}

func (c *contractScenario) Close() {
	c.gh.Close()
	c.ab.Close()
}

// webhookFlow links, configures and activates both jobs, then a recruiter
// moves a candidate into the vendor's stage on each ATS and the vendor
// completes the interview.
func (c *contractScenario) webhookFlow(ctx context.Context) error {
	s := c.s
	for _, x := range []struct {
		conn           string
		trigger, pass  string
		move           func() error
		candidate, who string
	}{
		{c.ghConn, strconv.FormatInt(c.ghStage[vendorName], 10), strconv.FormatInt(c.ghStage["Offer"], 10),
			func() error { return c.gh.MoveCandidate(c.ghFlow.ApplicationID, c.ghStage[vendorName]) },
			strconv.FormatInt(c.ghFlow.ApplicationID, 10), full(s.cast.ghFlow)},
		{c.abConn, c.abStage[vendorName], c.abStage["Passed"],
			func() error { return c.ab.MoveCandidate(c.abFlow.ID, c.abStage[vendorName]) },
			c.abFlow.ID, full(s.cast.abFlow)},
	} {
		ps, err := s.h.engine.RefreshPositions(ctx, x.conn)
		if err != nil {
			return err
		}
		if len(ps) != 1 {
			return fmt.Errorf("%s: want one linked job, got %d", x.conn, len(ps))
		}
		if _, err := s.h.engine.ConfigurePosition(ctx, ps[0].ID, lifecycle.PositionConfig{
			Rounds: []lifecycle.Round{{Name: "Systems", Template: "systems-l2"}},
			Stages: lifecycle.StageMapping{Trigger: x.trigger, Passed: x.pass}, Require: []lifecycle.Field{lifecycle.FieldEmail},
		}); err != nil {
			return err
		}
		if _, err := s.h.engine.ActivatePosition(ctx, ps[0].ID); err != nil {
			return err
		}
		s.tl.printf(sideHost, "%s position %q active, round %q, passed → %q", x.conn, ps[0].Title, "Systems", s.stage(x.conn, x.pass))
		s.tl.printf(x.conn, "recruiter moves %s to %q", x.who, vendorName)
		if err := x.move(); err != nil {
			return err
		}
		if err := s.settle(ctx); err != nil {
			return err
		}
		iv, err := s.vendorInterviewOf(ctx, x.conn, x.candidate)
		if err != nil {
			return err
		}
		s.exp.created[x.conn]++
		if err := s.advance(ctx, iv, iv.invited(), iv.completed(ats.GradePassed, "88", "Clear threat model.")); err != nil {
			return err
		}
		s.exp.states = append(s.exp.states, expectState{x.conn, x.candidate, lifecycle.StateReported})
	}
	return nil
}

// partnerContracts plays Greenhouse sending a test and Ashby starting an
// assessment through the partner contracts; the vendor completes each and
// the result reaches the ATS: a PATCH after which Greenhouse reads
// test_status (and the report attached through Harvest), an
// assessment.update on Ashby.
func (c *contractScenario) partnerContracts(ctx context.Context) error {
	s, h := c.s, c.s.h
	p, err := c.gh.NewPartner(greenhousetest.PartnerConfig{Key: c.ghKey,
		ListTestsURL: h.URL + "/greenhouse/list_tests", SendTestURL: h.URL + "/greenhouse/send_test",
		TestStatusURL: h.URL + "/greenhouse/test_status", ResponseErrorURL: h.URL + "/greenhouse/response_error"})
	if err != nil {
		return err
	}
	if c.ghPartnerID, err = p.SendTest(ctx, c.ghTest.ApplicationID, "go-l2", "recruiter@"+s.customer+".example"); err != nil {
		return err
	}
	s.tl.printf(c.ghConn, "recruiter sends test %q to %s: partner_interview_id %s", "go-l2", full(s.cast.ghTest), c.ghPartnerID)
	c.nameDetached(ctx, c.ghConn, c.ghPartnerID, full(s.cast.ghTest))
	ap := c.ab.Partner(h.URL+"/ashby", c.abKey)
	out, err := ap.StartAssessment(ctx, c.abTest.ID, "go-l2", nil)
	if err != nil {
		return err
	}
	c.abAssessmentID = out.AssessmentID
	s.tl.printf(c.abConn, "recruiter starts assessment %q for %s: assessment_id %s, first update applied: %t", "go-l2", full(s.cast.abTest), out.AssessmentID, out.Updated)
	c.nameDetached(ctx, c.abConn, c.abAssessmentID, full(s.cast.abTest))
	if err := s.settle(ctx); err != nil {
		return err
	}
	for _, x := range []struct{ conn, id string }{{c.ghConn, c.ghPartnerID}, {c.abConn, c.abAssessmentID}} {
		v, ok := h.vendor.interviewFor(x.id)
		if !ok {
			return fmt.Errorf("%s: the vendor has no interview for %s", x.conn, x.id)
		}
		s.exp.created[x.conn]++
		u := v.completed(ats.GradeExcelled, "93", "Idiomatic, well tested.")
		u.Result.Attachments = []ats.Attachment{{Description: "Report", URL: "https://vendor.example/reports/" + v.Ref + ".pdf"}}
		if err := s.advance(ctx, v, u); err != nil {
			return err
		}
	}
	if err := c.gh.WaitDeliveries(ctx); err != nil { // Greenhouse reads test_status after the PATCH
		return err
	}
	for _, th := range c.gh.TakeHomeTests() {
		if th.PartnerInterviewID == c.ghPartnerID && th.Score != nil {
			s.tl.printf(c.ghConn, "← PATCH %d time(s), then test_status: %s, score %g, profile %s", th.Patches, th.Status, *th.Score, th.ProfileURL)
		}
	}
	for _, a := range c.gh.Attachments(c.ghTest.ApplicationID) {
		if a.Type == "take_home_test" {
			s.tl.printf(c.ghConn, "← report attached through Harvest to %s: %s (%s)", full(s.cast.ghTest), a.Filename, a.Type)
		}
	}
	if a, ok := c.ab.Assessment(c.abAssessmentID); ok && a.Result != nil {
		s.tl.printf(c.abConn, "← assessment.update: %v, result %v (%s), %d update(s)", a.Status.Value, a.Result.Value, a.Result.Type, a.Updates)
	}
	return nil
}

// summary checks each account's own records: the webhook-driven
// candidate's notes and move, the partner test's status in the ATS, and
// that nothing names another customer's candidates.
func (c *contractScenario) summary(others []string) []row {
	s := c.s
	var rows []row
	ghNotes, abNotes := c.gh.Notes(c.ghFlow.ID), c.ab.Notes(c.abPeople[c.abFlow.ID])
	r := row{source: c.ghConn, what: "interviews created", expected: s.exp.created[c.ghConn], observed: s.h.vendor.created(c.ghConn)}
	rows = append(rows, r)
	r = row{source: c.ghConn, what: "notes posted", expected: 2, observed: len(ghNotes)}
	if len(ghNotes) == 0 || !strings.Contains(ghNotes[len(ghNotes)-1].Body, "Verdict: passed") {
		r.problems = append(r.problems, "no completed note on "+full(s.cast.ghFlow))
	}
	rows = append(rows, r)
	r = row{source: c.ghConn, what: "stage moves"}
	for _, m := range c.gh.Moves() {
		if m.UserID != 0 {
			r.observed++
		}
	}
	r.expected = 1
	if a, _ := c.gh.Application(c.ghFlow.ApplicationID); a.StageID != c.ghStage["Offer"] {
		r.problems = append(r.problems, full(s.cast.ghFlow)+" is not in Offer")
	}
	rows = append(rows, r)
	r = row{source: c.ghConn, what: "partner tests complete", expected: 1}
	for _, th := range c.gh.TakeHomeTests() {
		if th.PartnerInterviewID == c.ghPartnerID && th.Status == provider.GreenhouseStatusComplete && th.Score != nil && *th.Score == 93 && th.Patches > 0 {
			r.observed++
		}
	}
	rows = append(rows, r)
	r = row{source: c.ghConn, what: "reports attached", expected: 1}
	for _, a := range c.gh.Attachments(c.ghTest.ApplicationID) {
		if a.Type == "take_home_test" {
			r.observed++
		}
	}
	rows = append(rows, r, c.finalStates(c.ghConn))

	rows = append(rows, row{source: c.abConn, what: "interviews created", expected: s.exp.created[c.abConn], observed: s.h.vendor.created(c.abConn)})
	r = row{source: c.abConn, what: "notes posted", expected: 2, observed: len(abNotes)}
	if len(abNotes) == 0 || !strings.Contains(abNotes[len(abNotes)-1].Content, "Verdict: passed") {
		r.problems = append(r.problems, "no completed note on "+full(s.cast.abFlow))
	}
	rows = append(rows, r)
	r = row{source: c.abConn, what: "stage moves", expected: 1}
	if a, _ := c.ab.Application(c.abFlow.ID); a.StageID == c.abStage["Passed"] {
		r.observed++
	}
	rows = append(rows, r)
	r = row{source: c.abConn, what: "partner assessments complete", expected: 1}
	if a, ok := c.ab.Assessment(c.abAssessmentID); ok && a.Complete() && a.Result.Value == 93.0 {
		r.observed++
	}
	rows = append(rows, r, c.finalStates(c.abConn))

	r = row{source: s.customer + "-contracts", what: "cross-talk"}
	var texts []string
	for _, n := range ghNotes {
		texts = append(texts, n.Body)
	}
	for _, n := range abNotes {
		texts = append(texts, n.Content)
	}
	for _, conn := range []string{c.ghConn, c.abConn} {
		for _, iv := range s.h.vendor.interviewsOf(conn) {
			texts = append(texts, iv.Candidate)
		}
	}
	for _, t := range texts {
		for _, o := range others {
			if strings.Contains(t, o) {
				r.observed++
				r.problems = append(r.problems, fmt.Sprintf("%s names another customer's %s", excerpt(t, 60), o))
			}
		}
	}
	return append(rows, r)
}

// finalStates checks the webhook-driven interview of a connection ended
// reported.
func (c *contractScenario) finalStates(conn string) row {
	s := c.s
	r := row{source: conn, what: "final interview states"}
	for _, st := range s.exp.states {
		if st.source != conn {
			continue
		}
		r.expected++
		if ivs, err := s.h.engine.Interviews(context.Background(), lifecycle.InterviewFilter{Connection: conn, CandidateID: st.candidateID}); err == nil && len(ivs) == 1 && ivs[0].State == st.state {
			r.observed++
		} else {
			r.problems = append(r.problems, fmt.Sprintf("%s: not %s", s.tl.who(conn, st.candidateID), st.state))
		}
	}
	return r
}

// nameDetached names a partner-contract interview's candidate on the
// timeline: such an interview is keyed by its callback, not by an ATS
// candidate.
func (c *contractScenario) nameDetached(ctx context.Context, conn, id, name string) {
	if iv, err := c.s.h.engine.Interview(ctx, id); err == nil {
		c.s.tl.name(conn, iv.CandidateID, name)
	}
}
