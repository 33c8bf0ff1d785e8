package workable_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
	"github.com/atskit/atskit/workable"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// TestEmptyIDsAreRefused checks that every call taking an ID refuses an
// empty one before sending anything: "/jobs/" + "" would address the job
// list, "/candidates//move" nothing at all.
func TestEmptyIDsAreRefused(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"Job", func() error { _, err := c.Job(ctx, ""); return err }},
		{"Stages", func() error { _, err := c.Stages(ctx, ""); return err }},
		{"Candidate", func() error { _, err := c.Candidate(ctx, ""); return err }},
		{"MoveCandidate", func() error { return c.MoveCandidate(ctx, "", "offer") }},
		{"AddNote", func() error { return c.AddNote(ctx, "", ats.Note{Body: "x"}) }},
		{"AttachReport", func() error { return c.AttachReport(ctx, "", ats.Attachment{URL: "https://v.example.com/r"}) }},
		{"Activities", func() error { _, err := paging.Collect(c.Activities(ctx, "")); return err }},
		{"SetTags", func() error { _, err := c.SetTags(ctx, "", []string{"x"}); return err }},
		{"AddTags", func() error { return c.AddTags(ctx, "", "x") }},
		{"RemoveTags", func() error { return c.RemoveTags(ctx, " ", "x") }},
		{"Disqualify", func() error { return c.Disqualify(ctx, "", "no") }},
		{"Revert", func() error { return c.Revert(ctx, "") }},
		{"Rate", func() error { return c.Rate(ctx, "", workable.Rating{Comment: "ok", Grade: 1}) }},
		{"SubmitFeedback", func() error { return c.SubmitFeedback(ctx, "", ats.Feedback{Grade: "passed"}) }},
		{"DeleteSubscription", func() error { return c.DeleteSubscription(ctx, "") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.ResetRequests()
			err := tc.call()
			require.ErrorIs(t, err, ats.ErrValidation)
			require.Contains(t, err.Error(), "is required")
			require.Empty(t, srv.Requests(), "nothing may be sent")
		})
	}
}

// TestJobDecoding serves job bodies the fake never sends: timestamps in
// other ISO 8601 forms are read, wrong types and empty objects are clear
// errors.
func TestJobDecoding(t *testing.T) {
	var body string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	defer api.Close()
	c, err := workable.NewClient(workable.Options{Subdomain: "acme", Token: "tok", BaseURL: api.URL + "/spi/v3", RateLimit: -1, MaxRetries: -1})
	require.NoError(t, err)
	for _, tc := range []struct {
		name, body string
		want       ats.Job
		wantErr    string
	}{
		{"offset without colon", `{"shortcode":"GROOV005","title":"Office Manager","state":"published","created_at":"2015-07-08T11:56:16+0000"}`,
			ats.Job{ID: "GROOV005", Title: "Office Manager", State: ats.JobPublished, RawState: "published",
				ExternalIDs: map[string]string{"shortcode": "GROOV005"}, CreatedAt: time.Date(2015, 7, 8, 11, 56, 16, 0, time.UTC)}, ""},
		{"wrapped, null timestamps", `{"job":{"shortcode":"GROOV005","title":"T","state":"draft","created_at":null}}`,
			ats.Job{ID: "GROOV005", Title: "T", State: ats.JobDraft, RawState: "draft", ExternalIDs: map[string]string{"shortcode": "GROOV005"}}, ""},
		{"wrong type", `{"shortcode":"GROOV005","title":5}`, ats.Job{}, "get job GROOV005: decoding the job: json: cannot unmarshal number"},
		{"empty object", `{}`, ats.Job{}, "get job GROOV005: the response has no job shortcode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body = tc.body
			got, err := c.Job(context.Background(), "GROOV005")
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			diff(t, tc.want, got)
		})
	}
}

// TestWebhookTargetsAreRedacted checks that a secret in a webhook target's
// query never reaches an error or the setup report.
func TestWebhookTargetsAreRedacted(t *testing.T) {
	const secretTarget = "https://v.example.com/hooks?key=TARGET-SECRET"
	srv := newFake(t)
	seedJob(srv, "Linked")
	c := newClient(t, srv, func(o *workable.Options) { o.WebhookURL = "https://v.example.com/mine?key=MY-SECRET" })
	ctx := context.Background()

	restore := srv.FailRequests(http.StatusInternalServerError)
	_, err := c.CreateSubscription(ctx, ats.Subscription{Event: "candidate_moved", Target: secretTarget})
	restore()
	require.ErrorContains(t, err, "subscribe https://v.example.com/hooks?… to candidate_moved: 500")
	require.NotContains(t, err.Error(), "TARGET-SECRET")

	_, err = c.EnsureSubscription(ctx, ats.Subscription{Event: "candidate_created", Target: secretTarget})
	require.NoError(t, err)
	_, err = c.EnsureSubscription(ctx, ats.Subscription{Event: "candidate_moved", Target: secretTarget})
	require.ErrorIs(t, err, ats.ErrConflict)
	require.NotContains(t, err.Error(), "TARGET-SECRET")

	rep, err := c.CheckSetup(ctx)
	require.NoError(t, err)
	chk, _ := rep.Check("webhook")
	require.Equal(t, ats.SetupFailed, chk.Status)
	require.Contains(t, chk.Detail, "candidate_created → https://v.example.com/hooks?…")
	require.NotContains(t, chk.Detail, "SECRET")
}

// TestSetupWarnsAboutWrongEvent: a subscription for the vendor's URL that
// is not for candidate_moved does not serve the vendor flow.
func TestSetupWarnsAboutWrongEvent(t *testing.T) {
	const hook = "https://v.example.com/hooks/workable"
	srv := newFake(t)
	seedJob(srv, "Linked")
	c := newClient(t, srv, func(o *workable.Options) { o.WebhookURL = hook })
	_, err := c.EnsureSubscription(context.Background(), ats.Subscription{Event: "candidate_created", Target: hook})
	require.NoError(t, err)
	rep, err := c.CheckSetup(context.Background())
	require.NoError(t, err)
	chk, _ := rep.Check("webhook")
	require.Equal(t, ats.SetupWarning, chk.Status, chk.Detail)
	require.Contains(t, chk.Detail, "is for candidate_created events, but the vendor flow follows candidate_moved")
}

// TestOAuthRefreshRefused: an expired or revoked refresh token is an
// ats.ErrUnauthorized with the OAuth error code, not a transport error,
// and no token appears in it. Nothing reaches the API.
func TestOAuthRefreshRefused(t *testing.T) {
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant", "error_description": "The refresh token is invalid or expired"})
	}))
	defer tokens.Close()
	api := newFake(t)
	cfg := workable.OAuthConfig("cid", "client-secret-value", "", nil)
	cfg.Endpoint = oauth2.Endpoint{TokenURL: tokens.URL + "/oauth/token", AuthStyle: oauth2.AuthStyleInParams}
	expired := &oauth2.Token{AccessToken: "old-access-token", RefreshToken: "old-refresh-token", Expiry: time.Now().Add(-time.Hour)}
	ctx := context.Background()
	c, err := workable.NewClient(workable.Options{Subdomain: api.Subdomain(), Token: "", BaseURL: api.URL, RateLimit: -1, TokenSource: cfg.TokenSource(ctx, expired)})
	require.NoError(t, err)

	_, err = c.Candidate(ctx, "108d1748")
	require.ErrorIs(t, err, ats.ErrUnauthorized)
	var ae *ats.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "invalid_grant", ae.Code)
	require.Contains(t, ae.Message, "The refresh token is invalid or expired")
	for _, s := range []string{"old-access-token", "old-refresh-token", "client-secret-value"} {
		require.NotContains(t, err.Error(), s)
	}
	require.Zero(t, api.RequestCount())
}
