package lever_test

import (
	"context"
	"strings"
	"testing"

	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/google/go-cmp/cmp"
)

func statuses(t *testing.T, r *lever.SetupReport) map[string]lever.SetupStatus {
	t.Helper()
	m := map[string]lever.SetupStatus{}
	for _, c := range r.Checks {
		m[c.Name] = c.Status
		if c.Status == lever.SetupFail && c.Fix == "" {
			t.Errorf("failed check without a fix: %s", c.Name)
		}
	}
	return m
}

func TestCheckSetup(t *testing.T) {
	ctx := context.Background()
	t.Run("ready", func(t *testing.T) {
		f := newFixture(t, nil)
		f.srv.AddWebhook("https://vendor.test/hook", lever.EventCandidateStageChange)
		r, err := f.c.CheckSetup(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !r.OK() {
			t.Errorf("report not OK:\n%s", r)
		}
	})
	t.Run("nothing set up", func(t *testing.T) {
		f := newFixture(t, func(o *lever.Options) {
			o.VendorTag = "Intervue"
			o.VendorStages = []string{"To be scheduled", "Intervue - Yes"}
		})
		r, err := f.c.CheckSetup(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]lever.SetupStatus{
			"credentials": lever.SetupPass, "scopes": lever.SetupPass, "perform_as user": lever.SetupPass,
			"vendor tag": lever.SetupFail, "vendor stages": lever.SetupFail, "stage-change webhook": lever.SetupFail,
		}
		if d := cmp.Diff(want, statuses(t, r)); d != "" {
			t.Errorf("statuses (-want +got):\n%s", d)
		}
		if s := r.String(); !strings.Contains(s, `"Intervue - Yes"`) || !strings.Contains(s, "fix: In Lever") {
			t.Errorf("report:\n%s", s)
		}
	})
	t.Run("bad credentials", func(t *testing.T) {
		f := newFixture(t, func(o *lever.Options) { o.APIKey = "wrong" })
		r, err := f.c.CheckSetup(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st := statuses(t, r); st["credentials"] != lever.SetupFail || st["scopes"] != lever.SetupSkip || r.OK() {
			t.Errorf("report:\n%s", r)
		}
	})
	t.Run("missing scopes", func(t *testing.T) {
		f := newFixture(t, nil)
		at, _ := f.srv.IssueToken("users:read:admin", "postings:read:admin", "stages:read:admin")
		c, _ := lever.NewClient(lever.Options{TokenSource: staticToken(at), BaseURL: f.srv.APIURL(), RateLimit: -1, VendorTag: "InterviewVector", PerformAs: f.bot.ID})
		r, err := c.CheckSetup(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st := statuses(t, r)
		if st["scopes"] != lever.SetupFail || st["stage-change webhook"] != lever.SetupWarn || st["vendor tag"] != lever.SetupPass {
			t.Errorf("report:\n%s", r)
		}
		if !strings.Contains(r.String(), "opportunities:read:admin") {
			t.Errorf("report does not name the missing scope:\n%s", r)
		}
	})
	t.Run("OAuth grant lacks a write scope", func(t *testing.T) {
		srv := levertest.NewServer(levertest.WithRateLimit(0, 0))
		defer srv.Close()
		var scopes []string
		for _, s := range lever.VendorScopes() {
			if s != "notes:write:admin" && s != "feedback:write:admin" {
				scopes = append(scopes, s)
			}
		}
		c, _ := oauthFixture(t, srv, scopes)
		r, err := c.CheckSetup(ctx)
		if err != nil {
			t.Fatal(err)
		}
		check := r.Checks[1]
		if check.Name != "scopes" || check.Status != lever.SetupFail ||
			check.Detail != "missing permissions: notes:write:admin, feedback:write:admin" {
			t.Errorf("scopes check = %+v; want the two write scopes named\n%s", check, r)
		}
	})
	t.Run("OAuth grant complete", func(t *testing.T) {
		srv := levertest.NewServer(levertest.WithRateLimit(0, 0))
		defer srv.Close()
		c, _ := oauthFixture(t, srv, nil)
		r, err := c.CheckSetup(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st := statuses(t, r); st["scopes"] != lever.SetupPass {
			t.Errorf("report:\n%s", r)
		}
	})
}
