package ashby_test

import (
	"errors"
	"testing"

	"github.com/atskit/atskit/ashby"
	"github.com/atskit/atskit/ashby/ashbytest"
	"github.com/atskit/atskit/internal/paging"
	"github.com/google/go-cmp/cmp"
)

func appIDs(t *testing.T, c *ashby.Client, o ashby.ListApplicationsOptions) ([]string, error) {
	t.Helper()
	var ids []string
	for a, err := range c.ListApplications(ctx(t), o) {
		if err != nil {
			return ids, err
		}
		ids = append(ids, a.ID)
	}
	return ids, nil
}

// TestIncrementalSync walks a full sync, stores its token, changes one
// application and checks the incremental sync returns only that one.
func TestIncrementalSync(t *testing.T) {
	f := newFixture(t, nil, ashbytest.WithPageCap(2))
	want := []string{f.app.ID}
	for range 4 {
		p := f.srv.AddCandidate(ashbytest.Candidate{Name: "More"})
		want = append(want, f.srv.AddApplication(ashbytest.Application{CandidateID: p.ID, JobID: f.job.ID}).ID)
	}
	var token string
	f.srv.ResetRequests()
	// Limit 50 is capped to the fake's 2, so five items take three pages.
	got, err := appIDs(t, f.c, ashby.ListApplicationsOptions{ListOptions: ashby.ListOptions{Limit: 50, OnSyncToken: func(s string) { token = s }}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("full sync (-want +got):\n%s", diff)
	}
	if n := f.srv.RequestCount(); n != 3 {
		t.Errorf("full sync took %d requests, want 3 pages", n)
	}
	if token == "" {
		t.Fatal("no sync token after the last page")
	}
	if err := f.srv.MoveCandidate(want[3], f.stage("Vendor Interview")); err != nil {
		t.Fatal(err)
	}
	got, err = appIDs(t, f.c, ashby.ListApplicationsOptions{ListOptions: ashby.ListOptions{SyncToken: token}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{want[3]}, got); diff != "" {
		t.Errorf("incremental sync (-want +got):\n%s", diff)
	}
}

func TestPagingErrors(t *testing.T) {
	cases := []struct {
		name  string
		opts  []ashbytest.Option
		setup func(f *fixture, token string)
		mid   func(f *fixture) // runs after the first page
	}{
		{"expired token", nil, func(f *fixture, _ string) { f.srv.ExpireSyncTokens() }, nil},
		{"too many changes", []ashbytest.Option{ashbytest.WithIncrementalLimit(1)}, func(f *fixture, _ string) {
			for _, id := range []string{f.app.ID} {
				f.srv.MoveCandidate(id, f.stage("Offer"))
			}
			p := f.srv.AddCandidate(ashbytest.Candidate{Name: "New"})
			f.srv.AddApplication(ashbytest.Application{CandidateID: p.ID, JobID: f.job.ID})
		}, nil},
		{"expired cursor", []ashbytest.Option{ashbytest.WithPageCap(1)}, nil, func(f *fixture) { f.srv.ExpireCursors() }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil, tc.opts...)
			p := f.srv.AddCandidate(ashbytest.Candidate{Name: "Second"})
			f.srv.AddApplication(ashbytest.Application{CandidateID: p.ID, JobID: f.job.ID})
			var token string
			o := ashby.ListApplicationsOptions{ListOptions: ashby.ListOptions{OnSyncToken: func(s string) { token = s }}}
			if tc.mid != nil {
				var err error
				n := 0
				for _, e := range f.c.ListApplications(ctx(t), o) {
					if e != nil {
						err = e
						break
					}
					if n++; n == 1 {
						tc.mid(f)
					}
				}
				if !errors.Is(err, ashby.ErrResyncRequired) {
					t.Fatalf("listing across an expired cursor: %v; want ErrResyncRequired", err)
				}
				return
			}
			if _, err := paging.Collect(f.c.ListApplications(ctx(t), o)); err != nil || token == "" {
				t.Fatalf("full sync: %v, token %q", err, token)
			}
			tc.setup(f, token)
			_, err := appIDs(t, f.c, ashby.ListApplicationsOptions{ListOptions: ashby.ListOptions{SyncToken: token}})
			if !errors.Is(err, ashby.ErrResyncRequired) {
				t.Fatalf("incremental sync: %v; want ErrResyncRequired", err)
			}
		})
	}
}
