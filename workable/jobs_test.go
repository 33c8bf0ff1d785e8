package workable_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/require"
)

// wantRequest checks a request the fake received.
// lastRequest returns the fake's most recent request, failing the test
// when it received none.
func lastRequest(t *testing.T, srv *workabletest.Server) workabletest.Request {
	t.Helper()
	r, ok := srv.LastRequest()
	if !ok {
		t.Fatal("the fake received no request")
	}
	return r
}

func wantRequest(t *testing.T, got workabletest.Request, method, path string, query url.Values, body map[string]any) {
	t.Helper()
	require.Equal(t, method, got.Method, "method")
	require.Equal(t, path, got.Path, "path")
	if query != nil {
		diff(t, query, got.Query)
	}
	if body != nil {
		var gb map[string]any
		require.NoError(t, json.Unmarshal(got.Body, &gb), "body %s", got.Body)
		diff(t, body, gb)
	}
}

func TestJobs(t *testing.T) {
	srv := newFake(t)
	var all []string
	for i, st := range []string{"published", "draft", "closed", "archived", "published"} {
		j := srv.AddJob(workabletest.Job{Title: "Job " + string(rune('A'+i)), State: st})
		all = append(all, j.Shortcode)
	}
	c := newClient(t, srv, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		opts      ats.ListJobsOptions
		wantIDs   []string
		wantQuery url.Values
		wantErr   error
	}{
		{"all in pages of 2", ats.ListJobsOptions{PageSize: 2}, all, url.Values{"limit": {"2"}}, nil},
		{"published", ats.ListJobsOptions{State: ats.JobPublished}, []string{all[0], all[4]}, url.Values{"limit": {"100"}, "state": {"published"}}, nil},
		{"internal is closed", ats.ListJobsOptions{State: ats.JobInternal}, []string{all[2]}, url.Values{"limit": {"100"}, "state": {"closed"}}, nil},
		{"page size capped", ats.ListJobsOptions{PageSize: 500, State: ats.JobDraft}, []string{all[1]}, url.Values{"limit": {"100"}, "state": {"draft"}}, nil},
		{"closed has no equivalent", ats.ListJobsOptions{State: ats.JobClosed}, nil, nil, ats.ErrValidation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.ResetRequests()
			jobs, err := paging.Collect(c.Jobs(ctx, tc.opts))
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				require.Empty(t, srv.Requests(), "nothing may be sent")
				return
			}
			require.NoError(t, err)
			var ids []string
			for _, j := range jobs {
				ids = append(ids, j.ID)
			}
			diff(t, tc.wantIDs, ids)
			reqs := srv.Requests()
			wantRequest(t, reqs[0], "GET", "/jobs", tc.wantQuery, nil)
			if tc.opts.PageSize == 2 {
				require.Len(t, reqs, 3, "three pages")
				require.Equal(t, "2", reqs[1].Query.Get("limit"), "next link keeps the filters")
				require.NotEmpty(t, reqs[1].Query.Get("since_id"))
			}
		})
	}
}

func TestJob(t *testing.T) {
	srv := newFake(t)
	j := srv.AddJob(workabletest.Job{Title: "Office Manager", State: "closed"})
	c := newClient(t, srv, nil)
	got, err := c.Job(context.Background(), j.Shortcode)
	require.NoError(t, err)
	wantRequest(t, lastRequest(t, srv), "GET", "/jobs/"+j.Shortcode, nil, nil)
	diff(t, ats.Job{
		ID: j.Shortcode, Title: "Office Manager", State: ats.JobInternal, RawState: "closed",
		ExternalIDs: map[string]string{"id": j.ID, "shortcode": j.Shortcode},
		CreatedAt:   j.CreatedAt,
	}, got, cmpopts.IgnoreFields(ats.Job{}, "URL"))

	_, err = c.Job(context.Background(), "MISSING")
	require.ErrorIs(t, err, ats.ErrNotFound)
	require.Contains(t, err.Error(), "get job MISSING: 404 Not Found: Not found")
}

func TestStages(t *testing.T) {
	srv := newFake(t)
	j := seedJob(srv, "Engineer", "Sourced", "Phone Screen", "InterviewVector", "Hired")
	c := newClient(t, srv, nil)
	got, err := c.Stages(context.Background(), j.Shortcode)
	require.NoError(t, err)
	wantRequest(t, lastRequest(t, srv), "GET", "/jobs/"+j.Shortcode+"/stages", nil, nil)
	diff(t, []ats.Stage{
		{ID: "sourced", Name: "Sourced", Kind: ats.StageSourced, Position: 0},
		{ID: "phone-screen", Name: "Phone Screen", Kind: ats.StagePhoneScreen, Position: 1},
		{ID: "interviewvector", Name: "InterviewVector", Kind: ats.StageInterview, Position: 2},
		{ID: "hired", Name: "Hired", Kind: ats.StageHired, Position: 3},
	}, got)
	_, err = c.Stages(context.Background(), "NOPE")
	require.ErrorIs(t, err, ats.ErrNotFound)
}

func TestLinkedJobs(t *testing.T) {
	srv := newFake(t)
	linked := seedJob(srv, "Linked", "Applied", "interviewVECTOR", "Offer")
	seedJob(srv, "Not linked", "Applied", "Interview", "Offer")
	custom := srv.AddJob(workabletest.Job{Title: "Custom slug", Stages: []workabletest.Stage{{Slug: "iv-round", Name: "InterviewVector"}}})
	c := newClient(t, srv, nil)
	got, err := paging.Collect(c.LinkedJobs(context.Background()))
	require.NoError(t, err)
	require.Len(t, got, 2)
	diff(t, ats.JobLink{Linked: true, Marker: "interviewVECTOR", StageID: "interviewvector"}, got[0].Link)
	require.Equal(t, linked.Shortcode, got[0].ID)
	diff(t, ats.JobLink{Linked: true, Marker: "InterviewVector", StageID: "iv-round"}, got[1].Link)
	require.Equal(t, custom.Shortcode, got[1].ID)

	other := newClient(t, srv, func(o *workable.Options) { o.VendorStage = "Offer" })
	got, err = paging.Collect(other.LinkedJobs(context.Background()))
	require.NoError(t, err)
	require.Len(t, got, 2)

	srv.AddToken("no-jobs", "r_candidates")
	bad, err := workable.NewClient(workable.Options{Subdomain: srv.Subdomain(), Token: "no-jobs", BaseURL: srv.URL, RateLimit: -1})
	require.NoError(t, err)
	_, err = paging.Collect(bad.LinkedJobs(context.Background()))
	require.ErrorIs(t, err, ats.ErrForbidden)
}
