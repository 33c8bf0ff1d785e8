package lever_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/google/go-cmp/cmp"
)

// jobIDs collects the IDs of a job listing.
func jobIDs(t *testing.T, seq func(func(ats.Job, error) bool)) []string {
	t.Helper()
	var ids []string
	for j, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	slices.Sort(ids)
	return ids
}

// TestPostingsAsLeverListsThem: confidential postings need
// confidentiality=all; a published posting only on the internal channel is
// missing from a published listing without distributionChannel; Lever's tag
// filter is case-sensitive while the vendor tag is matched
// case-insensitively.
func TestPostingsAsLeverListsThem(t *testing.T) {
	f := newFixture(t, nil)
	conf := f.srv.AddPosting(levertest.Posting{Text: "Secret project", Tags: []string{"InterviewVector"}, Confidential: true})
	internal := f.srv.AddPosting(levertest.Posting{Text: "Internal move", DistributionChannels: []string{"internal"}})
	lower := f.srv.AddPosting(levertest.Posting{Text: "Typed by hand", Tags: []string{" interviewvector"}})
	ctx := context.Background()

	t.Run("LinkedJobs", func(t *testing.T) {
		want := []string{f.tagged.ID, conf.ID, lower.ID}
		slices.Sort(want)
		if d := cmp.Diff(want, jobIDs(t, f.c.LinkedJobs(ctx))); d != "" {
			t.Errorf("linked jobs (-want +got):\n%s", d)
		}
	})
	t.Run("published", func(t *testing.T) {
		got := jobIDs(t, f.c.Jobs(ctx, ats.ListJobsOptions{State: ats.JobPublished}))
		for _, id := range []string{internal.ID, conf.ID, f.tagged.ID} {
			if !slices.Contains(got, id) {
				t.Errorf("published listing lacks %s: %v", id, got)
			}
		}
	})
	t.Run("the fake hides them as Lever does", func(t *testing.T) {
		for _, tt := range []struct {
			query string
			not   string
		}{
			{"state=published", internal.ID},
			{"", conf.ID},
			{"tag=InterviewVector", lower.ID},
		} {
			req, _ := http.NewRequest("GET", f.srv.URL+"/postings?"+tt.query, nil)
			req.SetBasicAuth(levertest.DefaultAPIKey, "")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), tt.not) {
				t.Errorf("GET /postings?%s lists %s", tt.query, tt.not)
			}
		}
	})
}

// TestConfidentialOpportunities: listings ask for confidential records,
// which an OAuth grant sees only with confidential:access:admin.
func TestConfidentialOpportunities(t *testing.T) {
	f := newFixture(t, nil)
	conf := f.srv.AddOpportunity(levertest.Opportunity{Name: "Hidden Person", PostingID: f.tagged.ID, Confidential: true})
	ids := func(c *lever.Client) ([]string, error) {
		var out []string
		for o, err := range c.ListOpportunities(context.Background(), lever.ListOpportunitiesOptions{}) {
			if err != nil {
				return out, err
			}
			out = append(out, o.ID)
		}
		return out, nil
	}
	got, err := ids(f.c)
	if err != nil || !slices.Contains(got, conf.ID) {
		t.Errorf("API key: %v, %v; want the confidential opportunity", got, err)
	}
	scopes := slices.DeleteFunc(lever.VendorScopes(), func(s string) bool { return s == "confidential:access:admin" })
	at, _ := f.srv.IssueToken(scopes...)
	// Lever answers confidentiality=all with an access error; the client
	// then lists the non-confidential records, and keeps doing so.
	noConf, _ := lever.NewClient(lever.Options{TokenSource: staticToken(at), BaseURL: f.srv.URL, RateLimit: -1})
	for i := range 2 {
		f.srv.ResetRequests()
		got, err := ids(noConf)
		if err != nil || slices.Contains(got, conf.ID) || len(got) == 0 {
			t.Errorf("without confidential access, listing %d: %v, %v", i, got, err)
		}
		var asked []string
		for _, r := range f.srv.Requests() {
			asked = append(asked, r.Query.Get("confidentiality"))
		}
		want := []string{"all", ""}
		if i == 1 {
			want = []string{""}
		}
		if d := cmp.Diff(want, asked); d != "" {
			t.Errorf("listing %d: confidentiality asked (-want +got):\n%s", i, d)
		}
	}
	skip, _ := lever.NewClient(lever.Options{TokenSource: staticToken(at), BaseURL: f.srv.URL, RateLimit: -1, SkipConfidential: true})
	f.srv.ResetRequests()
	if got, err := ids(skip); err != nil || slices.Contains(got, conf.ID) || len(got) == 0 || len(f.srv.Requests()) != 1 {
		t.Errorf("SkipConfidential: %v, %v, %d requests", got, err, len(f.srv.Requests()))
	}
}

// TestDisqualifyActiveReasonsOnly: an inactive reason is never chosen, by
// name or as the fallback.
func TestDisqualifyActiveReasonsOnly(t *testing.T) {
	srv := levertest.NewServer(levertest.WithRateLimit(0, 0))
	defer srv.Close()
	opp := srv.AddOpportunity(levertest.Opportunity{Name: "A B"})
	srv.AddArchiveReason(levertest.ArchiveReason{Text: "Position filled", Status: "inactive"})
	active := srv.AddArchiveReason(levertest.ArchiveReason{Text: "Underqualified"})
	c, _ := lever.NewClient(lever.Options{APIKey: levertest.DefaultAPIKey, BaseURL: srv.URL, RateLimit: -1})
	for _, reason := range []string{"failed assessment", "Position filled"} {
		t.Run(reason, func(t *testing.T) {
			if err := c.Disqualify(context.Background(), opp.ID, reason); err != nil {
				t.Fatal(err)
			}
			o, _ := srv.Opportunity(opp.ID)
			if o.Archived == nil || o.Archived.ReasonID != active.ID {
				t.Errorf("archived with %+v, want the active reason %s", o.Archived, active.ID)
			}
		})
	}
}

// TestResumeDownload: ResumeURL is the API download route, which
// DownloadResume fetches with the client's credentials; the web-app link
// Lever lists as downloadUrl is not used.
func TestResumeDownload(t *testing.T) {
	f := newFixture(t, nil)
	cand, err := f.c.Candidate(context.Background(), f.opp.ID)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(cand.ResumeURL)
	if err != nil || !strings.HasPrefix(cand.ResumeURL, f.srv.URL+"/") || !strings.HasSuffix(u.Path, "/download") {
		t.Fatalf("ResumeURL = %q, want the API download route", cand.ResumeURL)
	}
	rid := strings.Split(u.Path, "/")[5]
	body, ctype, err := f.c.DownloadResume(context.Background(), f.opp.ID, rid)
	if err != nil || string(body) != string(levertest.ResumeBody()) || ctype != "application/pdf" {
		t.Errorf("DownloadResume = %q, %q, %v", body, ctype, err)
	}
	// Under OAuth the route needs resumes:read:admin.
	scopes := slices.DeleteFunc(lever.VendorScopes(), func(s string) bool { return s == "resumes:read:admin" })
	at, _ := f.srv.IssueToken(scopes...)
	c, _ := lever.NewClient(lever.Options{TokenSource: staticToken(at), BaseURL: f.srv.URL, RateLimit: -1})
	if _, _, err := c.DownloadResume(context.Background(), f.opp.ID, rid); err == nil || !strings.Contains(err.Error(), "resumes:read:admin") {
		t.Errorf("without resumes:read:admin: %v", err)
	}
}

// TestOffsetTokensLikeLever: the fake's next tokens are percent-encoded
// JSON as Lever's are, and the client sends them back unchanged (encoded
// once more in the query string).
func TestOffsetTokensLikeLever(t *testing.T) {
	f := newFixture(t, nil)
	for range 3 {
		f.srv.AddOpportunity(levertest.Opportunity{Name: "More People"})
	}
	got, err := paging.Collect(f.c.ListOpportunities(context.Background(), lever.ListOpportunitiesOptions{Limit: 2}))
	if err != nil || len(got) != 4 {
		t.Fatalf("listed %d, %v; want 4", len(got), err)
	}
	reqs := f.srv.Requests()
	off := reqs[1].Query.Get("offset")
	// Query is decoded once: the token arrives exactly as Lever issued it
	// only if the client encoded it again.
	if !strings.HasPrefix(off, "%5B") {
		t.Errorf("second page offset = %q, want the percent-encoded JSON token as issued", off)
	}
}

// TestReadableStageIDs: Lever's built-in stages have readable IDs such as
// "lead-new" (recorded sandbox data), not UUIDs; the client lists them,
// reads an opportunity in one, moves a candidate into one and maps a
// stage-change delivery naming them, treating the IDs as opaque strings.
func TestReadableStageIDs(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	lead := f.srv.AddStageWithID("lead-new", "New lead")
	applicant := f.srv.AddStageWithID("applicant-new", "New applicant")
	o := f.srv.AddOpportunity(levertest.Opportunity{Name: "Grace Hopper", PostingID: f.tagged.ID, StageID: lead.ID, Emails: []string{"grace@example.com"}})

	stages, err := f.c.ListStages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(stages, func(s lever.Stage) bool { return s.ID == "lead-new" && s.Text == "New lead" }) {
		t.Errorf("ListStages = %+v, lacks lead-new", stages)
	}
	c, err := f.c.Candidate(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(ats.StageRef{ID: "lead-new", Name: "New lead"}, c.Stage); d != "" {
		t.Errorf("candidate stage (-want +got):\n%s", d)
	}
	if err := f.c.MoveCandidate(ctx, o.ID, applicant.ID); err != nil {
		t.Fatal(err)
	}
	got := f.srv.StageChanges(o.ID)
	if len(got) != 1 || got[0].FromStageID != "lead-new" || got[0].ToStageID != "applicant-new" {
		t.Errorf("stage changes = %+v", got)
	}
}

// TestOpportunityArchiveForms: an opportunity is archived in either form
// Lever sends — the archived object of recorded responses or the
// top-level archivedAt/archiveReason of the documented example — and not
// archived when both are null.
func TestOpportunityArchiveForms(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		want       bool
	}{
		{"archived object", `{"id":"o1","archived":{"reason":"r1","archivedAt":1750233409740}}`, true},
		{"archived object, reason only", `{"id":"o1","archived":{"reason":"r1"}}`, true},
		{"documented top-level fields", `{"id":"o1","archivedAt":1407460080000,"archiveReason":"r1"}`, true},
		{"top-level time quoted", `{"id":"o1","archivedAt":"1407460080000","archiveReason":null}`, true},
		{"expanded reason only", `{"id":"o1","archiveReason":{"id":"r1","text":"Underqualified"}}`, true},
		{"not archived, object form", `{"id":"o1","archived":null}`, false},
		{"not archived, documented form", `{"id":"o1","archivedAt":null,"archiveReason":null}`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var o lever.Opportunity
			if err := json.Unmarshal([]byte(tt.body), &o); err != nil {
				t.Fatal(err)
			}
			if got := o.IsArchived(); got != tt.want {
				t.Errorf("IsArchived = %v, want %v", got, tt.want)
			}
		})
	}
}
