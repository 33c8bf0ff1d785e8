package greenhouse_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/greenhouse"
	"github.com/atskit/atskit/greenhouse/greenhousetest"
	"github.com/atskit/atskit/internal/paging"
	"golang.org/x/oauth2"
)

func TestClientCredentials(t *testing.T) {
	srv := newServer(t)
	tests := []struct {
		name     string
		id, sec  string
		sub      string
		wantUser int64
		wantErr  error
	}{
		{name: "sub acts as that user", id: greenhousetest.DefaultClientID, sec: greenhousetest.DefaultClientSecret, sub: id(srv.AdminUserID()), wantUser: srv.AdminUserID()},
		{name: "no sub acts as the service account", id: greenhousetest.DefaultClientID, sec: greenhousetest.DefaultClientSecret, wantUser: srv.ServiceAccountID()},
		{name: "unknown sub", id: greenhousetest.DefaultClientID, sec: greenhousetest.DefaultClientSecret, sub: "999999", wantErr: ats.ErrUnauthorized},
		{name: "wrong secret", id: greenhousetest.DefaultClientID, sec: "nope", wantErr: ats.ErrUnauthorized},
		{name: "partners may not use client credentials", id: greenhousetest.PartnerClientID, sec: greenhousetest.PartnerClientSecret, wantErr: ats.ErrUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, srv, func(o *greenhouse.Options) { o.ClientID, o.ClientSecret, o.UserID = tt.id, tt.sec, tt.sub })
			_, err := paging.Collect(c.Jobs(context.Background(), ats.ListJobsOptions{}))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if r, _ := srv.LastRequest(); r.UserID != tt.wantUser || r.Auth != "bearer" {
				t.Errorf("request as user %d with %q auth, want %d bearer", r.UserID, r.Auth, tt.wantUser)
			}
		})
	}
}

func TestNewClientOptions(t *testing.T) {
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "x"})
	tests := []struct {
		name string
		o    greenhouse.Options
		ok   bool
	}{
		{"client credentials", greenhouse.Options{ClientID: "a", ClientSecret: "b"}, true},
		{"token source", greenhouse.Options{TokenSource: ts}, true},
		{"none", greenhouse.Options{}, false},
		{"both", greenhouse.Options{ClientID: "a", ClientSecret: "b", TokenSource: ts}, false},
		{"secret missing", greenhouse.Options{ClientID: "a"}, false},
		{"non-numeric user", greenhouse.Options{TokenSource: ts, UserID: "rita"}, false},
		{"relative base URL", greenhouse.Options{TokenSource: ts, BaseURL: "/v3"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := greenhouse.NewClient(tt.o)
			if (err == nil) != tt.ok {
				t.Errorf("err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// authorize runs the authorization-code flow against the fake and returns
// the token from the exchange.
func authorize(t *testing.T, srv *greenhousetest.Server, ac greenhouse.AuthCodeConfig) (*oauth2.Token, string) {
	t.Helper()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(ac.AuthCodeURL("state-123"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("state") != "state-123" {
		t.Fatalf("redirect %q does not echo state", resp.Header.Get("Location"))
	}
	code := loc.Query().Get("code")
	tok, err := ac.Exchange(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return tok, code
}

func TestAuthorizationCode(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	srv := newServer(t, greenhousetest.WithClock(clock))
	ac := greenhouse.AuthCodeConfig{ClientID: greenhousetest.PartnerClientID, ClientSecret: greenhousetest.PartnerClientSecret,
		RedirectURL: "https://vendor.example/callback", AuthURL: srv.AuthURL(), TokenURL: srv.TokenURL(), Now: clock}
	tok, code := authorize(t, srv, ac)

	t.Run("expires_at is read", func(t *testing.T) {
		if want := clock().Add(time.Hour); !tok.Expiry.Equal(want) || tok.RefreshToken == "" {
			t.Errorf("Expiry = %v (want %v), refresh token %q", tok.Expiry, want, tok.RefreshToken)
		}
	})
	t.Run("a code is single-use", func(t *testing.T) {
		if _, err := ac.Exchange(context.Background(), code); err == nil {
			t.Error("second exchange of one code succeeded")
		}
	})
	t.Run("refresh rotates the refresh token", func(t *testing.T) {
		var persisted []string
		src := ac.TokenSource(context.Background(), tok)
		src.OnRefresh = func(nt *oauth2.Token) { persisted = append(persisted, nt.RefreshToken) }
		c, err := greenhouse.NewClient(greenhouse.Options{TokenSource: src, BaseURL: srv.URL, RateLimit: -1, MaxRetries: -1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := paging.Collect(c.Jobs(context.Background(), ats.ListJobsOptions{})); err != nil {
			t.Fatal(err)
		}
		now.Add(int64(time.Hour)) // the access token expired
		if _, err := paging.Collect(c.Jobs(context.Background(), ats.ListJobsOptions{})); err != nil {
			t.Fatalf("after expiry: %v", err)
		}
		if len(persisted) != 1 || persisted[0] == tok.RefreshToken {
			t.Fatalf("OnRefresh saw %q; want one new refresh token", persisted)
		}
		old := ac.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken})
		if _, err := old.Token(); err == nil {
			t.Error("the rotated-out refresh token still works")
		}
		if r, _ := srv.LastRequest(); r.UserID != srv.AdminUserID() || r.ClientID != greenhousetest.PartnerClientID {
			t.Errorf("request as %s/%d", r.ClientID, r.UserID)
		}
	})
	t.Run("revoked token is renewed once on 401", func(t *testing.T) {
		cc := greenhouse.ClientCredentials{ClientID: greenhousetest.DefaultClientID, ClientSecret: greenhousetest.DefaultClientSecret,
			TokenURL: srv.TokenURL(), Now: clock}
		src := cc.TokenSource(context.Background())
		c, err := greenhouse.NewClient(greenhouse.Options{TokenSource: src, BaseURL: srv.URL, RateLimit: -1, MaxRetries: -1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := src.Token(); err != nil {
			t.Fatal(err)
		}
		srv.RevokeTokens(greenhousetest.DefaultClientID)
		if _, err := paging.Collect(c.Jobs(context.Background(), ats.ListJobsOptions{})); err != nil {
			t.Fatalf("after revocation: %v", err)
		}
	})
}

func TestPartnerWebhookRoutes(t *testing.T) {
	srv := newServer(t)
	for _, tc := range []struct {
		client, secret string
		want           int
	}{
		{greenhousetest.DefaultClientID, "", http.StatusForbidden},
		{greenhousetest.PartnerClientID, "", http.StatusOK},
	} {
		t.Run(tc.client, func(t *testing.T) {
			tok := srv.IssueToken(tc.client, srv.AdminUserID())
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/webhooks", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("GET /webhooks as %s: %d, want %d", tc.client, resp.StatusCode, tc.want)
			}
		})
	}
}
