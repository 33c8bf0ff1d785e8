package lever_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/google/go-cmp/cmp"
)

// fixture is a seeded levertest account and a client for it.
type fixture struct {
	srv    *levertest.Server
	c      *lever.Client
	bot    levertest.User
	owner  levertest.User
	stages []levertest.Stage
	tagged levertest.Posting
	other  levertest.Posting
	opp    levertest.Opportunity
	reason levertest.ArchiveReason
	tpl    levertest.FeedbackTemplate
}

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func newFixture(t *testing.T, mod func(*lever.Options)) *fixture {
	t.Helper()
	srv := levertest.NewServer(levertest.WithRateLimit(0, 0))
	t.Cleanup(srv.Close)
	f := &fixture{srv: srv}
	f.bot = srv.AddUser(levertest.User{Name: "Vendor Bot", Email: "bot@vendor.test"})
	f.owner = srv.AddUser(levertest.User{Name: "Rita Recruiter", Email: "rita@acme.test"})
	f.stages = srv.AddStages("New applicant", "To be scheduled", "Scheduled", "Passed", "Failed", "Unable to schedule")
	f.tagged = srv.AddPosting(levertest.Posting{Text: "Backend Engineer", Tags: []string{"InterviewVector"}, CreatedAt: t0})
	f.other = srv.AddPosting(levertest.Posting{Text: "Designer", State: "closed", CreatedAt: t0})
	f.opp = srv.AddOpportunity(levertest.Opportunity{
		Name: "Ada Lovelace", PostingID: f.tagged.ID, StageID: f.stages[1].ID, OwnerID: f.owner.ID,
		Emails: []string{"ada@example.com"}, Phones: []string{"+44 20 7946 0000"}, Tags: []string{"referral"},
		ResumeURL: "https://files.example/ada.pdf", CreatedAt: t0, UpdatedAt: t0.Add(time.Hour),
	})
	f.reason = srv.AddArchiveReason(levertest.ArchiveReason{Text: "Failed vendor interview"})
	f.tpl = srv.AddFeedbackTemplate(levertest.FeedbackTemplate{Text: "InterviewVector feedback", Fields: []levertest.FeedbackField{
		{Text: "Score", Type: "text"}, {Text: "Verdict", Type: "text"}, {Text: "Summary", Type: "textarea"}, {Text: "Report URL", Type: "text"},
	}})
	opts := lever.Options{
		APIKey: levertest.DefaultAPIKey, BaseURL: srv.URL, PerformAs: f.bot.ID, VendorTag: "InterviewVector",
		RateLimit: -1, MaxRetries: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond,
	}
	if mod != nil {
		mod(&opts)
	}
	c, err := lever.NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	f.c = c
	return f
}

// last returns the last request the server received.
func (f *fixture) last(t *testing.T) levertest.Request {
	t.Helper()
	r, ok := f.srv.LastRequest()
	if !ok {
		t.Fatal("no request received")
	}
	return r
}

// wantRequest checks method, path, query and JSON body of a request.
func wantRequest(t *testing.T, got levertest.Request, method, path string, query url.Values, body string) {
	t.Helper()
	if got.Method != method || got.Path != path {
		t.Errorf("request = %s %s, want %s %s", got.Method, got.Path, method, path)
	}
	if query != nil {
		if d := cmp.Diff(query, got.Query); d != "" {
			t.Errorf("query mismatch (-want +got):\n%s", d)
		}
	}
	if body != "" {
		var g, w any
		if err := json.Unmarshal(got.Body, &g); err != nil {
			t.Fatalf("request body %q: %v", got.Body, err)
		}
		if err := json.Unmarshal([]byte(body), &w); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(w, g); d != "" {
			t.Errorf("body mismatch (-want +got):\n%s", d)
		}
	}
}

// wantErr checks that err matches target (errors.Is) and, when msg is
// set, carries Lever's message.
func wantErr(t *testing.T, err, target error, msg string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("err = %v, want %v", err, target)
	}
	if msg != "" {
		var ae *ats.APIError
		if !errors.As(err, &ae) || ae.Message != msg {
			t.Errorf("err = %v, want Lever message %q", err, msg)
		}
	}
}

var cmpIgnoreAt = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".At" || p.Last().String() == ".CreatedAt" }, cmp.Ignore())

// appURL is the fake's web-app root (where Lever's "urls" and resume links
// point): its API URL without the /v1 base path.
func appURL(s *levertest.Server) string { return strings.TrimSuffix(s.URL, "/v1") }
