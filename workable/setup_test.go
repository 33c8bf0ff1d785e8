package workable_test

import (
	"context"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
	"github.com/stretchr/testify/require"
)

func TestCheckSetup(t *testing.T) {
	const hook = "https://v.example.com/hooks/workable"
	type want map[string]ats.SetupStatus
	for _, tc := range []struct {
		name   string
		token  string
		scopes []string
		seed   func(srv *workabletest.Server, c *workable.Client)
		opts   func(*workable.Options)
		want   want
		wantOK bool
		// wantMessage is a substring of the named check's message.
		wantCheck, wantMessage string
	}{
		{name: "all good", scopes: []string{"r_jobs", "r_candidates", "w_candidates"},
			seed: func(srv *workabletest.Server, c *workable.Client) {
				seedJob(srv, "Linked")
				_, err := c.EnsureSubscription(context.Background(), ats.Subscription{Event: "candidate_moved", Target: hook})
				require.NoError(t, err)
			},
			want:   want{"token": ats.SetupOK, "scope r_jobs": ats.SetupOK, "scope r_candidates": ats.SetupOK, "scope w_candidates": ats.SetupOK, "acting member": ats.SetupOK, "vendor stage": ats.SetupOK, "webhook": ats.SetupOK},
			wantOK: true, wantCheck: "webhook", wantMessage: "Workable sends candidate_moved events to " + hook},
		{name: "invalid token", token: "revoked",
			want:      want{"token": ats.SetupFailed, "scope r_jobs": ats.SetupSkipped, "webhook": ats.SetupSkipped},
			wantCheck: "token", wantMessage: "Settings → Integrations → Apps"},
		{name: "read-only token", scopes: []string{"r_jobs", "r_candidates"},
			seed:      func(srv *workabletest.Server, _ *workable.Client) { seedJob(srv, "Linked") },
			want:      want{"token": ats.SetupOK, "scope w_candidates": ats.SetupFailed, "vendor stage": ats.SetupOK, "webhook": ats.SetupFailed},
			wantCheck: "scope w_candidates", wantMessage: "scope w_candidates missing"},
		{name: "no candidate scope", scopes: []string{"r_jobs", "w_candidates"},
			want: want{"scope r_candidates": ats.SetupFailed, "scope w_candidates": ats.SetupOK, "webhook": ats.SetupSkipped, "vendor stage": ats.SetupFailed}},
		{name: "no jobs scope", scopes: []string{"r_candidates", "w_candidates"},
			opts: func(o *workable.Options) { o.MemberID, o.ActingMemberEmail = "", "rita@example.com" },
			want: want{"token": ats.SetupOK, "scope r_jobs": ats.SetupFailed, "acting member": ats.SetupFailed, "vendor stage": ats.SetupSkipped}},
		{name: "no vendor stage", scopes: workabletest.AllScopes(),
			seed:      func(srv *workabletest.Server, _ *workable.Client) { seedJob(srv, "Plain", "Applied", "Interview") },
			want:      want{"vendor stage": ats.SetupFailed, "webhook": ats.SetupFailed},
			wantCheck: "vendor stage", wantMessage: `No job has a stage named "InterviewVector": add it to a pipeline in Settings → Recruiting → Workflow`},
		{name: "unknown member email", scopes: workabletest.AllScopes(),
			opts: func(o *workable.Options) { o.MemberID, o.ActingMemberEmail = "", "ghost@example.com" },
			want: want{"acting member": ats.SetupFailed}, wantCheck: "acting member", wantMessage: "ghost@example.com"},
		{name: "no webhook URL", scopes: workabletest.AllScopes(),
			seed: func(srv *workabletest.Server, _ *workable.Client) { seedJob(srv, "Linked") },
			opts: func(o *workable.Options) { o.WebhookURL = "" },
			want: want{"webhook": ats.SetupWarning}, wantOK: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFake(t)
			token := tc.token
			if token == "" {
				token = "setup-token"
				srv.AddToken(token, tc.scopes...)
			}
			o := &workable.Options{BaseURL: srv.URL, RateLimit: -1, MaxRetries: -1, MemberID: srv.DefaultMemberID(), WebhookURL: hook, VendorStage: "InterviewVector"}
			if tc.opts != nil {
				tc.opts(o)
			}
			o.Subdomain, o.Token = srv.Subdomain(), token
			c, err := workable.NewClient(*o)
			require.NoError(t, err)
			if tc.seed != nil {
				tc.seed(srv, newClient(t, srv, nil))
			}
			rep, err := c.CheckSetup(context.Background())
			require.NoError(t, err)
			require.Len(t, rep.Checks, 7)
			for name, st := range tc.want {
				chk, ok := rep.Check(name)
				require.True(t, ok, name)
				require.Equal(t, st, chk.Status, "%s: %s", name, chk.Detail)
				require.NotEmpty(t, chk.Detail)
			}
			require.Equal(t, tc.wantOK, rep.OK(), "%+v", rep.Checks)
			if tc.wantCheck != "" {
				chk, _ := rep.Check(tc.wantCheck)
				require.Contains(t, chk.Detail, tc.wantMessage)
			}
		})
	}
}

// TestCheckSetupPartnerToken: a partner token may not read GET /members
// (documented for account and user tokens only). CheckSetup must say to
// configure the member ID rather than let the first write fail, and flag
// the undocumented webhook signing key.
func TestCheckSetupPartnerToken(t *testing.T) {
	const partner, clientID = "partner-token", "partner-uid"
	for _, tc := range []struct {
		name        string
		fake        []workabletest.Option
		memberID    bool
		email       string
		wantStatus  ats.SetupStatus
		wantMessage string
	}{
		{"member ID configured", nil, true, "", ats.SetupOK, "attributed to member"},
		{"neither ID nor email", nil, false, "", ats.SetupFailed, "set Options.MemberID"},
		{"email, members refused", nil, false, "rita@example.com", ats.SetupFailed, "set Options.MemberID"},
		{"email, members allowed", []workabletest.Option{workabletest.WithPartnerMembers()}, false, "rita@example.com", ats.SetupWarning, "set Options.MemberID = "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFake(t, tc.fake...)
			srv.AddPartnerToken(partner, clientID, workabletest.AllScopes()...)
			seedJob(srv, "Linked")
			o := &workable.Options{BaseURL: srv.URL, ClientID: clientID, RateLimit: -1, MaxRetries: -1, ActingMemberEmail: tc.email}
			if tc.memberID {
				o.MemberID = srv.DefaultMemberID()
			}
			o.Subdomain, o.Token = srv.Subdomain(), partner
			c, err := workable.NewClient(*o)
			require.NoError(t, err)
			rep, err := c.CheckSetup(context.Background())
			require.NoError(t, err)
			chk, ok := rep.Check("acting member")
			require.True(t, ok)
			require.Equal(t, tc.wantStatus, chk.Status, chk.Detail)
			require.Contains(t, chk.Detail, tc.wantMessage)
			key, ok := rep.Check("webhook signing key")
			require.True(t, ok, "partner tokens get a signing-key check")
			require.Equal(t, ats.SetupWarning, key.Status)
		})
	}
	t.Run("write without member ID says what to do", func(t *testing.T) {
		srv := newFake(t)
		srv.AddPartnerToken(partner, clientID, workabletest.AllScopes()...)
		job := seedJob(srv, "Linked")
		cand := srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: "Ada Lovelace"})
		c, err := workable.NewClient(workable.Options{Subdomain: srv.Subdomain(), Token: partner, BaseURL: srv.URL, ClientID: clientID, RateLimit: -1, MaxRetries: -1, ActingMemberEmail: "rita@example.com"})
		require.NoError(t, err)
		err = c.AddNote(context.Background(), cand.ID, ats.Note{Body: "hi"})
		require.ErrorIs(t, err, ats.ErrForbidden)
		require.Contains(t, err.Error(), "set Options.MemberID")
	})
}

// TestCheckSetupSubscriptionExpiry: valid_until near (within 30 days) is a
// warning, past is a failure.
func TestCheckSetupSubscriptionExpiry(t *testing.T) {
	const hook = "https://v.example.com/hooks/workable"
	for _, tc := range []struct {
		name  string
		after time.Duration // client clock ahead of the subscription's creation
		want  ats.SetupStatus
		msg   string
	}{
		{"fresh", 24 * time.Hour, ats.SetupOK, "Workable sends"},
		{"expires within 30 days", 350 * 24 * time.Hour, ats.SetupWarning, "renew it soon"},
		{"expired", 400 * 24 * time.Hour, ats.SetupFailed, "expired on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFake(t)
			seedJob(srv, "Linked")
			_, err := newClient(t, srv, nil).EnsureSubscription(context.Background(), ats.Subscription{Event: "candidate_moved", Target: hook})
			require.NoError(t, err)
			now := time.Now().Add(tc.after)
			c := newClient(t, srv, func(o *workable.Options) { o.WebhookURL, o.Now = hook, func() time.Time { return now } })
			rep, err := c.CheckSetup(context.Background())
			require.NoError(t, err)
			chk, _ := rep.Check("webhook")
			require.Equal(t, tc.want, chk.Status, chk.Detail)
			require.Contains(t, chk.Detail, tc.msg)
		})
	}
}
