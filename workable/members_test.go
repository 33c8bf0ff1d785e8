package workable_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
	"github.com/stretchr/testify/require"
)

func TestMembers(t *testing.T) {
	srv := newFake(t)
	for i := range 120 {
		srv.AddMember(workabletest.Member{Name: fmt.Sprint("M", i), Email: fmt.Sprintf("m%d@example.com", i), Roles: []string{"ats.simple"}})
	}
	gone := srv.AddMember(workabletest.Member{Name: "Gone", Email: "gone@example.com", Inactive: true})
	c := newClient(t, srv, nil)
	ctx := context.Background()

	all, err := paging.Collect(c.Members(ctx, workable.MemberFilter{}))
	require.NoError(t, err)
	require.Len(t, all, 121, "active members over two pages")
	diff(t, workable.Member{ID: srv.DefaultMemberID(), Name: "Rita Recruiter", Email: "rita@example.com", Roles: []string{"ats.admin"}, Active: true}, all[0])

	inactive, err := paging.Collect(c.Members(ctx, workable.MemberFilter{Status: "inactive"}))
	require.NoError(t, err)
	wantRequest(t, lastRequest(t, srv), "GET", "/members", url.Values{"limit": {"50"}, "status": {"inactive"}}, nil)
	diff(t, []workable.Member{{ID: gone.ID, Name: "Gone", Email: "gone@example.com", Active: false}}, inactive)

	m, err := c.MemberByEmail(ctx, "M7@example.com")
	require.NoError(t, err)
	require.Equal(t, "M7", m.Name)
	wantRequest(t, lastRequest(t, srv), "GET", "/members", url.Values{"limit": {"50"}, "email": {"M7@example.com"}}, nil)

	_, err = c.MemberByEmail(ctx, "gone@example.com")
	require.ErrorIs(t, err, ats.ErrNotFound)

	srv.AddToken("no-jobs", "r_candidates")
	bad, err := workable.NewClient(workable.Options{Subdomain: srv.Subdomain(), Token: "no-jobs", BaseURL: srv.URL, RateLimit: -1, ActingMemberEmail: "rita@example.com"})
	require.NoError(t, err)
	_, err = bad.ActingMemberID(ctx)
	require.ErrorIs(t, err, ats.ErrForbidden)
}
