package lever_test

import (
	"context"
	"maps"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/google/go-cmp/cmp"
)

func TestCandidate(t *testing.T) {
	f := newFixture(t, nil)
	c, err := f.c.Candidate(context.Background(), f.opp.ID)
	if err != nil {
		t.Fatal(err)
	}
	reqs := f.srv.Requests()
	wantRequest(t, reqs[0], "GET", "/opportunities/"+f.opp.ID, url.Values{"expand": {"applications", "stage"}}, "")
	wantRequest(t, reqs[1], "GET", "/opportunities/"+f.opp.ID+"/resumes", nil, "")
	want := ats.Candidate{
		ID: f.opp.ID, ApplicationID: f.opp.ApplicationID, PersonID: f.opp.Contact, JobID: f.tagged.ID,
		Name: "Ada Lovelace", FirstName: "Ada", LastName: "Lovelace",
		Emails: []string{"ada@example.com"}, Phones: []string{"+44 20 7946 0000"},
		ResumeURL:  f.srv.URL + "/opportunities/" + f.opp.ID + "/resumes/" + f.opp.ID + "-resume/download",
		Stage:      ats.StageRef{ID: f.stages[1].ID, Name: "To be scheduled"},
		ProfileURL: appURL(f.srv) + "/candidates/" + f.opp.ID,
		Tags:       []string{"referral"}, CreatedAt: t0, UpdatedAt: t0.Add(time.Hour),
	}
	if d := cmp.Diff(want, c); d != "" {
		t.Errorf("candidate (-want +got):\n%s", d)
	}
	_, err = f.c.Candidate(context.Background(), "missing")
	wantErr(t, err, ats.ErrNotFound, "Opportunity not found")
}

func TestListOpportunitiesQuery(t *testing.T) {
	f := newFixture(t, nil)
	no := false
	since := t0.Add(30 * time.Minute)
	opts := lever.ListOpportunitiesOptions{PostingID: f.tagged.ID, StageID: f.stages[1].ID, Tag: "referral", Email: "ada@example.com", Archived: &no, UpdatedSince: since, Limit: 10}
	got, err := paging.Collect(f.c.ListOpportunities(context.Background(), opts))
	if err != nil {
		t.Fatal(err)
	}
	wantRequest(t, f.last(t), "GET", "/opportunities", url.Values{"confidentiality": {"all"},
		"expand": {"applications", "stage"}, "posting_id": {f.tagged.ID}, "stage_id": {f.stages[1].ID},
		"tag": {"referral"}, "email": {"ada@example.com"}, "archived": {"false"},
		"updated_at_start": {strconv.FormatInt(since.UnixMilli(), 10)}, "limit": {"10"},
	}, "")
	if len(got) != 1 || got[0].ID != f.opp.ID || got[0].PostingID() != f.tagged.ID || got[0].Stage.Text != "To be scheduled" {
		t.Errorf("got %+v", got)
	}
	later := opts
	later.UpdatedSince = t0.Add(2 * time.Hour)
	if got, _ := paging.Collect(f.c.ListOpportunities(context.Background(), later)); len(got) != 0 {
		t.Errorf("updated-since filter let through %d", len(got))
	}
}

// TestCandidatesPages lists 25 candidates 4 per page: every candidate
// once, 7 requests following the next tokens.
func TestCandidatesPages(t *testing.T) {
	f := newFixture(t, nil)
	for i := range 24 {
		f.srv.AddOpportunity(levertest.Opportunity{Name: "Cand " + strconv.Itoa(i), PostingID: f.tagged.ID})
	}
	f.srv.ResetRequests()
	seen := map[string]bool{}
	for c, err := range f.c.Candidates(context.Background(), ats.CandidateFilter{JobID: f.tagged.ID, PageSize: 4}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[c.ID] {
			t.Fatalf("candidate %s listed twice", c.ID)
		}
		seen[c.ID] = true
		if c.Stage.Name == "" {
			t.Errorf("candidate %s has no stage name", c.ID)
		}
	}
	if len(seen) != 25 {
		t.Errorf("listed %d candidates, want 25", len(seen))
	}
	listReqs := 0
	for _, r := range f.srv.Requests() {
		if r.Path == "/opportunities" {
			listReqs++
			if listReqs > 1 && r.Query.Get("offset") == "" {
				t.Error("a follow-up page was requested without an offset token")
			}
		}
	}
	if listReqs != 7 {
		t.Errorf("made %d list requests, want 7", listReqs)
	}
}

// TestCandidatesPagesWhileCandidatesLeaveStage lists a stage 2 per page
// while each listed candidate is moved on (what a vendor's own stage moves
// do during a Reconcile): every candidate still in the stage is listed.
// Lever's offset tokens name the last record (F15), so a page never
// shifts past candidates when earlier ones stop matching; the fake's did,
// and Reconcile missed the candidates a shift skipped.
func TestCandidatesPagesWhileCandidatesLeaveStage(t *testing.T) {
	f := newFixture(t, nil)
	stage := f.stages[1].ID
	want := map[string]bool{f.opp.ID: true}
	for i := range 9 {
		o := f.srv.AddOpportunity(levertest.Opportunity{Name: "Cand " + strconv.Itoa(i), PostingID: f.tagged.ID, StageID: stage})
		want[o.ID] = true
	}
	seen := map[string]bool{}
	for c, err := range f.c.Candidates(context.Background(), ats.CandidateFilter{JobID: f.tagged.ID, StageID: stage, PageSize: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[c.ID] {
			t.Fatalf("candidate %s listed twice", c.ID)
		}
		seen[c.ID] = true
		if err := f.srv.MoveCandidate(c.ID, f.stages[3].ID); err != nil {
			t.Fatal(err)
		}
	}
	if !maps.Equal(seen, want) {
		t.Errorf("listed %d of the %d candidates in the stage", len(seen), len(want))
	}
}

func TestMoveCandidate(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	if err := f.c.MoveCandidate(ctx, f.opp.ID, f.stages[2].ID); err != nil {
		t.Fatal(err)
	}
	wantRequest(t, f.last(t), "PUT", "/opportunities/"+f.opp.ID+"/stage", url.Values{"perform_as": {f.bot.ID}}, `{"stage":"`+f.stages[2].ID+`"}`)
	want := []levertest.StageChange{{OpportunityID: f.opp.ID, FromStageID: f.stages[1].ID, ToStageID: f.stages[2].ID, PerformAs: f.bot.ID}}
	if d := cmp.Diff(want, f.srv.StageChanges(f.opp.ID), cmpIgnoreAt); d != "" {
		t.Errorf("stage changes (-want +got):\n%s", d)
	}

	wantErr(t, f.c.MoveCandidate(ctx, f.opp.ID, "no-such-stage"), ats.ErrValidation, "Invalid stage: no-such-stage")
	wantErr(t, f.c.MoveCandidate(ctx, "missing", f.stages[2].ID), ats.ErrNotFound, "Opportunity not found")
	wantErr(t, f.c.MoveCandidate(ctx, f.opp.ID, ""), ats.ErrValidation, "")
	if err := f.c.ChangeStage(ctx, f.opp.ID, f.stages[3].ID, f.owner.ID); err != nil {
		t.Fatal(err)
	}
	if got := f.last(t).PerformAs; got != f.owner.ID {
		t.Errorf("perform_as override = %q, want %q", got, f.owner.ID)
	}
}

func TestTags(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	if err := f.c.AddTags(ctx, f.opp.ID, "InterviewVector", "referral"); err != nil {
		t.Fatal(err)
	}
	wantRequest(t, f.last(t), "POST", "/opportunities/"+f.opp.ID+"/addTags", url.Values{"perform_as": {f.bot.ID}}, `{"tags":["InterviewVector","referral"]}`)
	if err := f.c.RemoveTags(ctx, f.opp.ID, "referral", "absent"); err != nil {
		t.Fatal(err)
	}
	wantRequest(t, f.last(t), "POST", "/opportunities/"+f.opp.ID+"/removeTags", nil, `{"tags":["referral","absent"]}`)
	o, _ := f.srv.Opportunity(f.opp.ID)
	if d := cmp.Diff([]string{"InterviewVector"}, o.Tags); d != "" {
		t.Errorf("tags (-want +got):\n%s", d)
	}
	n := f.srv.RequestCount()
	if err := f.c.AddTags(ctx, f.opp.ID); err != nil || f.srv.RequestCount() != n {
		t.Errorf("AddTags with no tags: err %v, %d requests", err, f.srv.RequestCount()-n)
	}
	wantErr(t, f.c.AddTags(ctx, "missing", "x"), ats.ErrNotFound, "Opportunity not found")
}

func TestDisqualify(t *testing.T) {
	tests := []struct {
		name, reason string
		wantErr      error
	}{
		{"by name", "failed VENDOR interview", nil},
		{"by ID", "", nil}, // filled with the reason ID below
		{"unknown falls back to first non-hired", "Candidate withdrew", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			reason := tt.reason
			if reason == "" {
				reason = f.reason.ID
			}
			if err := f.c.Disqualify(context.Background(), f.opp.ID, reason); err != nil {
				t.Fatal(err)
			}
			reqs := f.srv.Requests()
			wantRequest(t, reqs[0], "GET", "/archive_reasons", nil, "")
			wantRequest(t, reqs[1], "PUT", "/opportunities/"+f.opp.ID+"/archived", url.Values{"perform_as": {f.bot.ID}}, `{"reason":"`+f.reason.ID+`"}`)
			o, _ := f.srv.Opportunity(f.opp.ID)
			if o.Archived == nil || o.Archived.ReasonID != f.reason.ID {
				t.Errorf("archived = %+v", o.Archived)
			}
			c, err := f.c.Candidate(context.Background(), f.opp.ID)
			if err != nil || !c.Disqualified {
				t.Errorf("Candidate after Disqualify = %+v, %v", c, err)
			}
		})
	}
	t.Run("no reasons", func(t *testing.T) {
		srv := levertest.NewServer(levertest.WithRateLimit(0, 0))
		defer srv.Close()
		opp := srv.AddOpportunity(levertest.Opportunity{Name: "A B"})
		c, _ := lever.NewClient(lever.Options{APIKey: levertest.DefaultAPIKey, BaseURL: srv.URL, RateLimit: -1})
		wantErr(t, c.Disqualify(context.Background(), opp.ID, "whatever"), ats.ErrValidation, "")
	})
	t.Run("bad reason ID", func(t *testing.T) {
		f := newFixture(t, nil)
		wantErr(t, f.c.Archive(context.Background(), f.opp.ID, "nope"), ats.ErrValidation, "Invalid archive reason: nope")
	})
}
