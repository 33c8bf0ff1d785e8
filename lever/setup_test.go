package lever_test

import (
	"context"
	"github.com/atskit/atskit/ats"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/google/go-cmp/cmp"
)

func statuses(t *testing.T, r *lever.SetupReport) map[string]ats.SetupStatus {
	t.Helper()
	m := map[string]ats.SetupStatus{}
	for _, c := range r.Checks {
		m[c.Name] = c.Status
		if c.Status == ats.SetupFailed && c.Fix == "" {
			t.Errorf("failed check without a fix: %s", c.Name)
		}
	}
	return m
}

func TestCheckSetup(t *testing.T) {
	ctx := context.Background()
	t.Run("ready", func(t *testing.T) {
		f := newFixture(t, func(o *lever.Options) {
			o.WebhookSecrets = []string{"the webhook's token"}
			o.LastWebhook = func() time.Time { return t0 }
		})
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
		want := map[string]ats.SetupStatus{
			"credentials": ats.SetupOK, "scopes": ats.SetupOK, "perform_as user": ats.SetupOK,
			"vendor tag": ats.SetupFailed, "vendor stages": ats.SetupFailed, "stage-change webhook": ats.SetupFailed,
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
		if st := statuses(t, r); st["credentials"] != ats.SetupFailed || st["scopes"] != ats.SetupSkipped || r.OK() {
			t.Errorf("report:\n%s", r)
		}
	})
	t.Run("missing scopes", func(t *testing.T) {
		f := newFixture(t, nil)
		at, _ := f.srv.IssueToken("users:read:admin", "postings:read:admin", "stages:read:admin")
		c, _ := lever.NewClient(lever.Options{TokenSource: staticToken(at), BaseURL: f.srv.URL, RateLimit: -1, VendorTag: "InterviewVector", PerformAs: f.bot.ID})
		r, err := c.CheckSetup(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st := statuses(t, r)
		if st["scopes"] != ats.SetupFailed || st["stage-change webhook"] != ats.SetupWarning || st["vendor tag"] != ats.SetupOK {
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
		if check.Name != "scopes" || check.Status != ats.SetupFailed ||
			check.Detail != "missing permissions: notes:write:admin, feedback:write:admin (needed for notes, feedback forms)" {
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
		if st := statuses(t, r); st["scopes"] != ats.SetupOK {
			t.Errorf("report:\n%s", r)
		}
	})
}

// TestCheckSetupReportsWhatCustomersGetWrong: a webhook nobody switched
// on, a signature token the host does not hold, a grant without the scopes
// panels, feedback, files and confidential data need, and a vendor tag typed
// in another case.
func TestCheckSetupReportsWhatCustomersGetWrong(t *testing.T) {
	ctx := context.Background()
	check := func(r *lever.SetupReport, name string) lever.SetupCheck {
		for _, c := range r.Checks {
			if c.Name == name {
				return c
			}
		}
		return lever.SetupCheck{}
	}
	tests := []struct {
		name   string
		opts   func(*lever.Options)
		seed   func(f *fixture)
		check  string
		status ats.SetupStatus
		detail string
	}{
		{"webhook not switched on", func(o *lever.Options) { o.WebhookSecrets = []string{"tok"} }, nil,
			"stage-change webhook", ats.SetupWarning, "no delivery has been verified yet; Lever sends nothing until a Super Admin switches the webhook group on"},
		{"signature token unknown", func(o *lever.Options) { o.LastWebhook = func() time.Time { return t0 } }, nil,
			"stage-change webhook", ats.SetupFailed, "its signature token is not configured"},
		{"vendor tag in another case", nil, func(f *fixture) {
			f.srv.SetPostingTags(f.tagged.ID, "interviewvector")
		}, "vendor tag", ats.SetupWarning, `is tagged "interviewvector", not "InterviewVector"`},
		{"no perform_as user", func(o *lever.Options) { o.PerformAs = "" }, nil,
			"perform_as user", ats.SetupFailed, "Lever refuses feedback, panels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.opts)
			f.srv.AddWebhook("https://vendor.test/hook", lever.EventCandidateStageChange)
			if tt.seed != nil {
				tt.seed(f)
			}
			r, err := f.c.CheckSetup(ctx)
			if err != nil {
				t.Fatal(err)
			}
			c := check(r, tt.check)
			if c.Status != tt.status || !strings.Contains(c.Detail, tt.detail) || c.Fix == "" {
				t.Errorf("%s = %+v\n%s", tt.check, c, r)
			}
		})
	}
	t.Run("grant without panels, files, feedback and confidential access", func(t *testing.T) {
		f := newFixture(t, nil)
		drop := []string{"panels:write:admin", "interviews:write:admin", "files:write:admin", "feedback:write:admin", "confidential:access:admin"}
		var scopes []string
		for _, s := range lever.VendorScopes() {
			if !slices.Contains(drop, s) {
				scopes = append(scopes, s)
			}
		}
		srv := f.srv
		c, _ := oauthFixture(t, srv, scopes)
		r, err := c.CheckSetup(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sc := check(r, "scopes")
		for _, want := range append(drop, "the interview on the candidate's profile", "uploading the report", "feedback forms", "confidential postings and candidates") {
			if !strings.Contains(sc.Detail, want) {
				t.Errorf("scopes check lacks %q: %s", want, sc.Detail)
			}
		}
		// Listings still work without confidential access.
		if st := statuses(t, r); st["vendor tag"] == ats.SetupWarning && strings.Contains(check(r, "vendor tag").Detail, "could not list") {
			t.Errorf("vendor tag check could not list postings:\n%s", r)
		}
	})
}
