package workabletest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/atskit/atskit/workable/workabletest"
	"github.com/stretchr/testify/require"
)

// collect follows paging.next from path and returns the IDs of every item
// under key and the number of pages.
func collect(t *testing.T, srv *workabletest.Server, path, key string) (ids []string, pages int) {
	t.Helper()
	next := srv.URL + path
	for next != "" {
		require.Less(t, pages, 50, "paging.next does not terminate")
		u, err := url.Parse(next)
		require.NoError(t, err)
		resp, body := get(t, srv, u.Path[len("/spi/v3"):]+"?"+u.RawQuery, workabletest.DefaultAPIKey)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%v", body)
		pages++
		for _, it := range body[key].([]any) {
			ids = append(ids, it.(map[string]any)["id"].(string))
		}
		next = ""
		if p, ok := body["paging"].(map[string]any); ok {
			next = p["next"].(string)
			require.Contains(t, next, "since_id=", "next is a full URL carrying since_id")
		}
	}
	return ids, pages
}

// TestPaginationWithSeededIDs checks limit/since_id/paging.next when seeded
// items carry IDs of their own choosing (as in Workable's examples), not
// the fake's hex sequence.
func TestPaginationWithSeededIDs(t *testing.T) {
	srv := workabletest.NewServer(workabletest.WithoutRateLimit())
	defer srv.Close()
	job := srv.AddJob(workabletest.Job{ID: "61884e2", Shortcode: "GROOV005", Title: "Office Manager"})
	srv.AddJob(workabletest.Job{ID: "job-two", Title: "Second"})
	want := []string{"108d1748", "ce4da98", "cand-3", "3fc9a80f", "0001"}
	for _, id := range want {
		srv.AddCandidate(workabletest.Candidate{ID: id, JobShortcode: job.Shortcode, Name: "A B"})
	}
	ids, pages := collect(t, srv, "/candidates?limit=2&shortcode=GROOV005", "candidates")
	require.Equal(t, want, ids)
	require.Equal(t, 3, pages)

	jobs, pages := collect(t, srv, "/jobs?limit=1", "jobs")
	require.Equal(t, []string{"61884e2", "job-two"}, jobs)
	require.Equal(t, 2, pages)

	// since_id names the first item of the page (ID ≥ given).
	ids, _ = collect(t, srv, "/candidates?since_id=cand-3", "candidates")
	require.Equal(t, want[2:], ids)

	srv.AddMember(workabletest.Member{ID: "mem-b", Name: "B", Email: "b@example.com"})
	srv.AddMember(workabletest.Member{ID: "mem-c", Name: "C", Email: "c@example.com"})
	members, pages := collect(t, srv, "/members?limit=2", "members")
	require.Equal(t, []string{srv.DefaultMemberID(), "mem-b", "mem-c"}, members)
	require.Equal(t, 2, pages)
}

func TestListErrors(t *testing.T) {
	srv := workabletest.NewServer(workabletest.WithoutRateLimit())
	defer srv.Close()
	job := srv.AddJob(workabletest.Job{Title: "J"})
	srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: "A B"})
	for _, tc := range []struct {
		path      string
		status    int
		wantError string
	}{
		{"/candidates?limit=0", 422, `limit must be a positive integer, got "0"`},
		{"/candidates?limit=ten", 422, `limit must be a positive integer, got "ten"`},
		{"/candidates?since_id=not-an-id", 422, `since_id "not-an-id" is invalid`},
		{"/jobs?since_id=zz", 422, `since_id "zz" is invalid`},
		{"/jobs?state=open", 422, "state is invalid"},
		{"/candidates?updated_after=yesterday", 422, `invalid timestamp "yesterday"`},
		{"/candidates?shortcode=NOPE", 404, "Not found"},
		{"/candidates/ffffffff", 404, "Not found"},
		{"/jobs/NOPE/stages", 404, "Not found"},
		{"/no/such/endpoint", 404, "Not found"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := get(t, srv, tc.path, workabletest.DefaultAPIKey)
			require.Equal(t, tc.status, resp.StatusCode)
			require.Equal(t, tc.wantError, body["error"])
		})
	}

	// limit above 100 is capped at Workable's maximum.
	for range 120 {
		srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: "A B"})
	}
	_, body := get(t, srv, "/candidates?limit=500", workabletest.DefaultAPIKey)
	require.Len(t, body["candidates"], 100)
	_, body = get(t, srv, "/candidates", workabletest.DefaultAPIKey)
	require.Len(t, body["candidates"], 50, "default limit")
}
