package lever_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"golang.org/x/oauth2"
)

// TestNoSecretsInLogsOrErrors drives every path that logs or fails with a
// credential in play (OAuth refresh mid-sync, a refused API key, a refused
// token, a forged and a stale webhook) with debug logging on, and checks
// that no API key, access or refresh token, client secret or webhook
// signature token appears in a log record or an error string.
func TestNoSecretsInLogsOrErrors(t *testing.T) {
	const apiKey = "lever-api-key-SECRET-1"
	const clientSecret = "client-secret-SECRET-2"
	const sigSecret = "signature-token-SECRET-3"
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx := context.Background()
	var errs []error
	secrets := []string{apiKey, clientSecret, sigSecret}

	srv := levertest.NewServer(levertest.WithRateLimit(0, 0))
	defer srv.Close()
	srv.AddAPIKey(apiKey)
	srv.AddOAuthClient("cid", clientSecret)
	for range 6 {
		srv.AddOpportunity(levertest.Opportunity{Name: "X Y"})
	}

	// OAuth: exchange, then refresh when the token dies mid-sync.
	oc := lever.OAuthConfig{ClientID: "cid", ClientSecret: clientSecret, RedirectURL: "http://vendor.test/cb",
		AuthURL: srv.AuthURL(), TokenURL: srv.TokenURL(), Audience: srv.Audience()}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(oc.AuthCodeURL("s"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	tok, err := oc.Exchange(ctx, loc.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, tok.AccessToken, tok.RefreshToken)
	ts := oc.TokenSource(ctx, tok)
	ts.OnRefresh = func(nt *oauth2.Token) { secrets = append(secrets, nt.AccessToken) }
	oc2, _ := lever.NewClient(lever.Options{TokenSource: ts, BaseURL: srv.URL, RateLimit: -1, Logger: logger})
	n := 0
	for _, err := range oc2.ListOpportunities(ctx, lever.ListOpportunitiesOptions{Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 3 {
			srv.ExpireAccessTokens()
		}
	}
	if srv.TokenRefreshes() != 1 {
		t.Fatalf("refreshes = %d; the refresh path was not exercised", srv.TokenRefreshes())
	}
	// A refused token with nothing to refresh it.
	srv.ExpireAccessTokens()
	dead := lever.OAuthConfig{ClientID: "cid", ClientSecret: clientSecret, TokenURL: srv.TokenURL()}.
		TokenSource(ctx, &oauth2.Token{AccessToken: tok.AccessToken, RefreshToken: "rt-unknown-SECRET-4", Expiry: time.Now().Add(time.Hour)})
	secrets = append(secrets, "rt-unknown-SECRET-4")
	c3, _ := lever.NewClient(lever.Options{TokenSource: dead, BaseURL: srv.URL, RateLimit: -1, Logger: logger})
	_, err = c3.GetPosting(ctx, "p")
	errs = append(errs, err)

	// API key: accepted, then a wrong one, and CheckSetup's report.
	good, _ := lever.NewClient(lever.Options{APIKey: apiKey, BaseURL: srv.URL, RateLimit: -1, Logger: logger})
	_, err = good.GetPosting(ctx, "missing")
	errs = append(errs, err)
	bad, _ := lever.NewClient(lever.Options{APIKey: apiKey + "-wrong", BaseURL: srv.URL, RateLimit: -1, Logger: logger})
	_, err = bad.GetPosting(ctx, "p")
	errs = append(errs, err)
	report, err := bad.CheckSetup(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// Webhooks: forged and stale deliveries through the handler.
	v := lever.WebhookVerifier{Secrets: []string{sigSecret}}
	h := lever.WebhookHandler(v, func(context.Context, []ats.Event) error { return nil }, lever.WebhookHandlerOptions{Logger: logger})
	for _, body := range [][]byte{
		levertest.SignPayload("forged", "e1", lever.EventCandidateStageChange, time.Now(), map[string]any{"opportunityId": "o", "toStageId": "s"}),
		levertest.SignPayload(sigSecret, "e2", lever.EventCandidateStageChange, time.Now().Add(-time.Hour), map[string]any{"opportunityId": "o", "toStageId": "s"}),
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/hook", bytes.NewReader(body)))
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("webhook status = %d, want 401", rec.Code)
		}
		_, err := v.VerifyWebhook(body, nil)
		errs = append(errs, err)
	}

	var texts []string
	for _, err := range errs {
		if err == nil {
			t.Fatal("an error path did not fail")
		}
		texts = append(texts, err.Error())
	}
	texts = append(texts, logs.String(), report.String())
	if !strings.Contains(logs.String(), "refreshed token") {
		t.Errorf("the refresh was not logged; logs:\n%s", logs.String())
	}
	for _, s := range secrets {
		for _, text := range texts {
			if s != "" && strings.Contains(text, s) {
				t.Errorf("secret %.12s… appears in %q", s, text)
			}
		}
	}
}

// TestVendorScopesCoverTheClient: a client authorised with the default
// scopes can call every read the vendor flow makes, notes included.
func TestVendorScopesCoverTheClient(t *testing.T) {
	srv := levertest.NewServer(levertest.WithRateLimit(0, 0))
	defer srv.Close()
	o := srv.AddOpportunity(levertest.Opportunity{Name: "A B"})
	c, _ := oauthFixture(t, srv, nil)
	ctx := context.Background()
	if _, err := c.Notes(ctx, o.ID); err != nil {
		t.Errorf("Notes: %v", err)
	}
	if _, err := c.ListArchiveReasons(ctx); err != nil {
		t.Errorf("ListArchiveReasons: %v", err)
	}
	if _, err := paging.Collect(c.ListFeedbackTemplates(ctx)); err != nil {
		t.Errorf("ListFeedbackTemplates: %v", err)
	}
	if _, err := paging.Collect(c.ListWebhooks(ctx)); err != nil {
		t.Errorf("ListWebhooks: %v", err)
	}
	if _, err := c.Candidate(ctx, o.ID); err != nil {
		t.Errorf("Candidate: %v", err)
	}
}
