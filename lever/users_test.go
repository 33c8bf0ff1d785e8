package lever_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lever"
	"github.com/google/go-cmp/cmp"
)

func TestUserByEmail(t *testing.T) {
	f := newFixture(t, nil)
	u, err := f.c.UserByEmail(context.Background(), "rita@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	wantRequest(t, f.last(t), "GET", "/users", url.Values{"email": {"rita@acme.test"}, "limit": {"100"}}, "")
	want := lever.User{ID: f.owner.ID, Name: "Rita Recruiter", Username: "rita", Email: "rita@acme.test", AccessRole: "admin"}
	if d := cmp.Diff(want, u); d != "" {
		t.Errorf("user (-want +got):\n%s", d)
	}
	_, err = f.c.UserByEmail(context.Background(), "nobody@acme.test")
	wantErr(t, err, ats.ErrNotFound, "")
}

func TestGetUser(t *testing.T) {
	f := newFixture(t, nil)
	u, err := f.c.GetUser(context.Background(), f.bot.ID)
	if err != nil || u.Email != "bot@vendor.test" {
		t.Fatalf("GetUser = %+v, %v", u, err)
	}
	_, err = f.c.GetUser(context.Background(), "nope")
	wantErr(t, err, ats.ErrNotFound, "User not found")
}

// TestPerformAsEmail resolves the perform_as user once and reuses it.
func TestPerformAsEmail(t *testing.T) {
	f := newFixture(t, func(o *lever.Options) { o.PerformAs, o.PerformAsEmail = "", "bot@vendor.test" })
	ctx := context.Background()
	for range 2 {
		if err := f.c.MoveCandidate(ctx, f.opp.ID, f.stages[2].ID); err != nil {
			t.Fatal(err)
		}
	}
	lookups := 0
	for _, r := range f.srv.Requests() {
		if r.Path == "/users" {
			lookups++
		}
	}
	if lookups != 1 {
		t.Errorf("looked the user up %d times, want once", lookups)
	}
	if got := f.last(t).PerformAs; got != f.bot.ID {
		t.Errorf("perform_as = %q, want %q", got, f.bot.ID)
	}

	bad := newFixture(t, func(o *lever.Options) { o.PerformAs, o.PerformAsEmail = "", "ghost@vendor.test" })
	err := bad.c.MoveCandidate(ctx, bad.opp.ID, bad.stages[2].ID)
	wantErr(t, err, ats.ErrNotFound, "")
}
