package lever_test

import (
	"context"
	"strings"
	"testing"

	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/google/go-cmp/cmp"
)

func statuses(r *lever.SetupReport) map[string]lever.SetupStatus {
	m := map[string]lever.SetupStatus{}
	for _, c := range r.Checks {
		m[c.Name] = c.Status
		if c.Status == lever.SetupFail && c.Fix == "" {
			panic("failed check without a fix: " + c.Name)
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
		if d := cmp.Diff(want, statuses(r)); d != "" {
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
		if st := statuses(r); st["credentials"] != lever.SetupFail || st["scopes"] != lever.SetupSkip || r.OK() {
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
		st := statuses(r)
		if st["scopes"] != lever.SetupFail || st["stage-change webhook"] != lever.SetupWarn || st["vendor tag"] != lever.SetupPass {
			t.Errorf("report:\n%s", r)
		}
		if !strings.Contains(r.String(), "opportunities:read:admin") {
			t.Errorf("report does not name the missing scope:\n%s", r)
		}
	})
	var _ = levertest.DefaultAPIKey
}
