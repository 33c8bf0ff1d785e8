package workable_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

func TestOAuthConfig(t *testing.T) {
	cfg := workable.OAuthConfig("cid", "secret", "https://v.example.com/cb", nil)
	require.Equal(t, []string{"r_jobs", "r_candidates", "w_candidates"}, cfg.Scopes)
	require.Equal(t, workable.Endpoint(), cfg.Endpoint)
	u, err := url.Parse(workable.AuthCodeURL(cfg, "st"))
	require.NoError(t, err)
	require.Equal(t, "www.workable.com", u.Host)
	require.Equal(t, "/oauth/authorize", u.Path)
	diff(t, url.Values{"client_id": {"cid"}, "redirect_uri": {"https://v.example.com/cb"}, "resource": {"user"},
		"response_type": {"code"}, "scope": {"r_jobs r_candidates w_candidates"}, "state": {"st"}}, u.Query())
	sb := workable.SandboxOAuthConfig("cid", "secret", "https://v.example.com/cb", []string{"r_jobs"})
	require.Equal(t, "https://www.workablesandbox.com/oauth/token", sb.Endpoint.TokenURL)
	require.Equal(t, []string{"r_jobs"}, sb.Scopes)
}

// tokenServer fakes Workable's /oauth/token and /oauth/revoke.
func tokenServer(t *testing.T) (*httptest.Server, *[]url.Values) {
	var mu sync.Mutex
	var forms []url.Values
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, r.ParseForm())
		mu.Lock()
		forms = append(forms, r.PostForm)
		n++
		i := n
		mu.Unlock()
		if r.URL.Path == "/oauth/revoke" {
			require.Equal(t, "Bearer access-2", r.Header.Get("Authorization"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "access-" + string(rune('0'+i)), "token_type": "bearer",
			"expires_in": 7200, "refresh_token": "refresh-" + string(rune('0'+i)), "scope": "r_jobs", "created_at": 1700000000})
	}))
	t.Cleanup(srv.Close)
	return srv, &forms
}

func TestOAuthFlow(t *testing.T) {
	ts, forms := tokenServer(t)
	cfg := workable.OAuthConfig("cid", "sec", "https://v.example.com/cb", nil)
	cfg.Endpoint = oauth2.Endpoint{AuthURL: ts.URL + "/oauth/authorize", TokenURL: ts.URL + "/oauth/token", AuthStyle: oauth2.AuthStyleInParams}
	ctx := context.Background()

	tok, err := workable.Exchange(ctx, cfg, "the-code")
	require.NoError(t, err)
	require.Equal(t, "access-1", tok.AccessToken)
	diff(t, url.Values{"grant_type": {"authorization_code"}, "code": {"the-code"}, "client_id": {"cid"},
		"client_secret": {"sec"}, "redirect_uri": {"https://v.example.com/cb"}}, (*forms)[0])

	tok2, err := workable.Refresh(ctx, cfg, tok)
	require.NoError(t, err)
	require.Equal(t, "access-2", tok2.AccessToken)
	require.Equal(t, "refresh-2", tok2.RefreshToken)
	diff(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"refresh-1"}, "client_id": {"cid"}, "client_secret": {"sec"}}, (*forms)[1])

	require.NoError(t, workable.Revoke(ctx, nil, cfg, tok2))
	diff(t, url.Values{"refresh_token": {"refresh-2"}}, (*forms)[2])
}

func TestOAuthClientRefreshes(t *testing.T) {
	ts, _ := tokenServer(t)
	api := newFake(t)
	api.AddToken("access-1", workabletest.AllScopes()...)
	cfg := workable.OAuthConfig("cid", "sec", "", nil)
	cfg.Endpoint = oauth2.Endpoint{TokenURL: ts.URL + "/oauth/token", AuthStyle: oauth2.AuthStyleInParams}
	expired := &oauth2.Token{AccessToken: "access-0", RefreshToken: "refresh-0", Expiry: time.Now().Add(-time.Hour)}
	ctx := context.Background()
	// The token source refreshes the expired token before the first call.
	c, err := workable.NewClient(workable.Options{Subdomain: api.Subdomain(), Token: "", BaseURL: api.URL, RateLimit: -1, TokenSource: cfg.TokenSource(ctx, expired)})
	require.NoError(t, err)
	require.Equal(t, workable.OAuthToken, c.TokenKind())
	_, err = c.Stages(ctx, "X")
	require.ErrorIs(t, err, ats.ErrNotFound, "authenticated, job unknown")
	require.Equal(t, "Bearer access-1", lastRequest(t, api).Header.Get("Authorization"))
}
