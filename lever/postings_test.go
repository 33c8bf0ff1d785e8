package lever_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
	"github.com/atskit/atskit/lever"
	"github.com/google/go-cmp/cmp"
)

func TestListPostings(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		name      string
		opts      lever.ListPostingsOptions
		wantQuery url.Values
		wantIDs   []string
	}{
		{"all", lever.ListPostingsOptions{}, url.Values{"limit": {"100"}, "confidentiality": {"all"}}, []string{f.tagged.ID, f.other.ID}},
		{"tag", lever.ListPostingsOptions{Tag: "InterviewVector", Limit: 5}, url.Values{"limit": {"5"}, "tag": {"InterviewVector"}, "confidentiality": {"all"}}, []string{f.tagged.ID}},
		{"state", lever.ListPostingsOptions{State: lever.PostingClosed}, url.Values{"limit": {"100"}, "state": {"closed"}, "confidentiality": {"all"}}, []string{f.other.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := paging.Collect(f.c.ListPostings(context.Background(), tt.opts))
			if err != nil {
				t.Fatal(err)
			}
			wantRequest(t, f.last(t), "GET", "/postings", tt.wantQuery, "")
			var ids []string
			for _, p := range ps {
				ids = append(ids, p.ID)
			}
			if d := cmp.Diff(tt.wantIDs, ids); d != "" {
				t.Errorf("IDs (-want +got):\n%s", d)
			}
		})
	}
}

func TestGetPosting(t *testing.T) {
	f := newFixture(t, nil)
	p, err := f.c.GetPosting(context.Background(), f.tagged.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantRequest(t, f.last(t), "GET", "/postings/"+f.tagged.ID, url.Values{}, "")
	want := lever.Posting{
		ID: f.tagged.ID, Text: "Backend Engineer", State: "published", Tags: []string{"InterviewVector"},
		CreatedAt: lever.MillisOf(t0), UpdatedAt: lever.MillisOf(t0),
		URLs: map[string]string{"show": appURL(f.srv) + "/jobs/" + f.tagged.ID, "list": appURL(f.srv) + "/jobs"},
	}
	if d := cmp.Diff(want, p); d != "" {
		t.Errorf("posting (-want +got):\n%s", d)
	}

	_, err = f.c.GetPosting(context.Background(), "missing")
	wantErr(t, err, ats.ErrNotFound, "Posting not found")
}

func TestLinkedJobs(t *testing.T) {
	f := newFixture(t, nil)
	jobs, err := paging.Collect(f.c.LinkedJobs(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	// Lever's tag filter is case-sensitive; the tag is matched here.
	wantRequest(t, f.last(t), "GET", "/postings", url.Values{"limit": {"100"}, "confidentiality": {"all"}}, "")
	want := []ats.Job{{
		ID: f.tagged.ID, Title: "Backend Engineer", State: ats.JobPublished, RawState: "published",
		ExternalIDs: map[string]string{"id": f.tagged.ID}, URL: appURL(f.srv) + "/jobs/" + f.tagged.ID,
		Link: ats.JobLink{Linked: true, Marker: "InterviewVector"}, CreatedAt: t0, UpdatedAt: t0,
	}}
	if d := cmp.Diff(want, jobs); d != "" {
		t.Errorf("jobs (-want +got):\n%s", d)
	}

	noTag := newFixture(t, func(o *lever.Options) { o.VendorTag = "" })
	_, err = paging.Collect(noTag.c.LinkedJobs(context.Background()))
	wantErr(t, err, ats.ErrValidation, "")
}

func TestJobsByState(t *testing.T) {
	f := newFixture(t, nil)
	jobs, err := paging.Collect(f.c.Jobs(context.Background(), ats.ListJobsOptions{State: ats.JobClosed, PageSize: 1}))
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].ID != f.other.ID || jobs[0].State != ats.JobClosed || jobs[0].Link.Linked {
		t.Errorf("jobs = %+v, want the closed, unlinked posting", jobs)
	}
	archived, _ := paging.Collect(f.c.Jobs(context.Background(), ats.ListJobsOptions{State: ats.JobArchived}))
	if len(archived) != 0 {
		t.Errorf("archived jobs = %+v, want none", archived)
	}
}
