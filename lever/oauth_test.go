package lever_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
)

type staticToken string

func (s staticToken) Token() (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: string(s), TokenType: "Bearer"}, nil
}

func TestAuthCodeURL(t *testing.T) {
	tests := []struct {
		name string
		oc   lever.OAuthConfig
		host string
		aud  string
	}{
		{"production", lever.OAuthConfig{ClientID: "cid", RedirectURL: "https://v.example/cb"}, "auth.lever.co", lever.Audience},
		{"sandbox", lever.OAuthConfig{ClientID: "cid", RedirectURL: "https://v.example/cb", Sandbox: true}, "sandbox-lever.auth0.com", lever.SandboxAudience},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.oc.AuthCodeURL("st"))
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			want := url.Values{
				"client_id": {"cid"}, "redirect_uri": {"https://v.example/cb"}, "response_type": {"code"},
				"state": {"st"}, "audience": {tt.aud},
				"scope": {strings.Join(lever.VendorScopes(), " ")},
			}
			if u.Host != tt.host || u.Path != "/authorize" {
				t.Errorf("URL = %s", u)
			}
			if d := cmp.Diff(want, q); d != "" {
				t.Errorf("query (-want +got):\n%s", d)
			}
		})
	}
	if s := (lever.OAuthConfig{Scopes: []string{"postings:read:admin"}}).Config().Scopes; !strings.Contains(strings.Join(s, " "), "offline_access") {
		t.Errorf("scopes %v lack offline_access", s)
	}
}

// oauthFixture runs the authorization-code flow against the fake and
// returns a client using the resulting refreshing token source.
func oauthFixture(t *testing.T, srv *levertest.Server, scopes []string) (*lever.Client, *lever.TokenSource) {
	t.Helper()
	oc := lever.OAuthConfig{
		ClientID: levertest.DefaultClientID, ClientSecret: levertest.DefaultClientSecret, RedirectURL: "http://vendor.test/cb",
		AuthURL: srv.AuthURL(), TokenURL: srv.TokenURL(), Audience: srv.Audience(), Scopes: scopes,
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(oc.AuthCodeURL("s1"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc.Query().Get("state") != "s1" {
		t.Fatalf("redirect %s lost the state", loc)
	}
	ctx := context.Background()
	tok, err := oc.Exchange(ctx, loc.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oc.Exchange(ctx, loc.Query().Get("code")); err == nil {
		t.Error("a code was accepted twice")
	}
	ts := oc.TokenSource(ctx, tok)
	c, err := lever.NewClient(lever.Options{TokenSource: ts, BaseURL: srv.URL, RateLimit: -1, MaxRetries: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c, ts
}

// TestTokenExpiresMidSync: the access token dies server-side between two
// pages; the client refreshes it and fetches the same page again, so the
// sync sees every opportunity exactly once.
func TestTokenExpiresMidSync(t *testing.T) {
	srv := levertest.NewServer(levertest.WithRateLimit(0, 0))
	defer srv.Close()
	for i := range 10 {
		srv.AddOpportunity(levertest.Opportunity{Name: "Cand " + string(rune('A'+i))})
	}
	c, ts := oauthFixture(t, srv, nil)
	refreshed := 0
	ts.OnRefresh = func(*oauth2.Token) { refreshed++ }
	seen := map[string]int{}
	n := 0
	for o, err := range c.ListOpportunities(context.Background(), lever.ListOpportunitiesOptions{Limit: 3}) {
		if err != nil {
			t.Fatal(err)
		}
		seen[o.ID]++
		n++
		if n == 4 { // mid-sync, on the second page
			srv.ExpireAccessTokens()
		}
	}
	if n != 10 || len(seen) != 10 {
		t.Errorf("synced %d opportunities (%d distinct), want 10", n, len(seen))
	}
	if srv.TokenRefreshes() != 1 || refreshed != 1 {
		t.Errorf("refreshes: server %d, source %d; want 1", srv.TokenRefreshes(), refreshed)
	}
	var statuses []string
	for _, r := range srv.Requests() {
		statuses = append(statuses, r.Query.Get("offset"))
	}
	// Five list requests: pages 1–4 plus the repeat of the refused page.
	if len(statuses) != 5 || statuses[2] != statuses[3] {
		t.Errorf("offsets requested: %q; want the refused page repeated", statuses)
	}
}

// TestShortLivedTokenRefreshedBeforeUse: a token inside oauth2's early
// expiry window is refreshed before the request is sent.
func TestShortLivedTokenRefreshedBeforeUse(t *testing.T) {
	srv := levertest.NewServer(levertest.WithRateLimit(0, 0), levertest.WithTokenTTL(5*time.Second))
	defer srv.Close()
	c, _ := oauthFixture(t, srv, nil)
	if _, err := c.ListStages(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Tokens shorter-lived than oauth2's 10 s early-expiry window are
	// refreshed on every use; what matters is that no request was refused.
	if srv.TokenRefreshes() < 1 || srv.RequestCount() != 1 {
		t.Errorf("refreshes = %d, API requests = %d; want ≥1 and 1", srv.TokenRefreshes(), srv.RequestCount())
	}
}

func TestMissingScopeIsForbidden(t *testing.T) {
	srv := levertest.NewServer(levertest.WithRateLimit(0, 0))
	defer srv.Close()
	c, _ := oauthFixture(t, srv, []string{"postings:read:admin"})
	if _, err := c.ListStages(context.Background()); !strings.Contains(err.Error(), "stages:read:admin") {
		t.Errorf("err = %v, want the missing scope named", err)
	}
	_, err := c.ListStages(context.Background())
	wantErr(t, err, ats.ErrForbidden, "Insufficient scope: this request requires stages:read:admin")
}

func TestRevokedRefreshTokenFails(t *testing.T) {
	srv := levertest.NewServer(levertest.WithRateLimit(0, 0))
	defer srv.Close()
	at, _ := srv.IssueToken("stages:read:admin") // no offline_access: no refresh token
	oc := lever.OAuthConfig{ClientID: levertest.DefaultClientID, ClientSecret: levertest.DefaultClientSecret, TokenURL: srv.TokenURL()}
	ts := oc.TokenSource(context.Background(), &oauth2.Token{AccessToken: at, Expiry: time.Now().Add(time.Hour)})
	c, _ := lever.NewClient(lever.Options{TokenSource: ts, BaseURL: srv.URL, RateLimit: -1})
	srv.ExpireAccessTokens()
	_, err := c.ListStages(context.Background())
	wantErr(t, err, ats.ErrUnauthorized, "Access token expired")
}

// TestRefreshTokenRotation: Lever returns a new refresh token on every
// refresh and the old one stops working; OnRefresh hands the new one to
// the host, which must store it. A refresh token idle for 90 days, or a
// year old, is refused.
func TestRefreshTokenRotation(t *testing.T) {
	clock := time.Now()
	srv := levertest.NewServer(levertest.WithRateLimit(0, 0), levertest.WithClock(func() time.Time { return clock }))
	defer srv.Close()
	at, rt := srv.IssueToken("stages:read:admin", "offline_access")
	oc := lever.OAuthConfig{ClientID: levertest.DefaultClientID, ClientSecret: levertest.DefaultClientSecret, TokenURL: srv.TokenURL()}
	source := func(refresh string) *lever.TokenSource {
		return oc.TokenSource(context.Background(), &oauth2.Token{AccessToken: at, RefreshToken: refresh, Expiry: time.Now().Add(-time.Minute)})
	}
	list := func(ts *lever.TokenSource) error {
		c, err := lever.NewClient(lever.Options{TokenSource: ts, BaseURL: srv.URL, RateLimit: -1, MaxRetries: -1})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ListStages(context.Background())
		return err
	}
	var stored string
	ts := source(rt)
	ts.OnRefresh = func(tok *oauth2.Token) { stored = tok.RefreshToken }
	if err := list(ts); err != nil {
		t.Fatal(err)
	}
	if stored == "" || stored == rt {
		t.Fatalf("OnRefresh stored %q; want a new refresh token, not %q", stored, rt)
	}
	tests := []struct {
		name    string
		refresh string
		advance time.Duration
		wantErr string
	}{
		{"host restarted with the token from the grant", rt, 0, "invalid_grant"},
		{"host restarted with the rotated token", stored, 0, ""},
		{"rotated token unused for 91 days", "", 91 * 24 * time.Hour, "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock = clock.Add(tt.advance)
			ts := source(cmpOr(tt.refresh, stored))
			ts.OnRefresh = func(tok *oauth2.Token) { stored = tok.RefreshToken }
			err := list(ts)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
			// A refused refresh token is refused credentials: the host
			// must store the rotated token or ask the customer to grant
			// access again, and lifecycle parks the connection's work.
			if tt.wantErr != "" && !errors.Is(err, ats.ErrUnauthorized) {
				t.Errorf("err = %v, want ats.ErrUnauthorized", err)
			}
			if tt.wantErr != "" && err != nil && !strings.Contains(err.Error(), "OnRefresh") {
				t.Errorf("err = %v does not say to store the rotated refresh token", err)
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
