package greenhouse

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/atskit/atskit/internal/errfmt"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// OAuth endpoints of Harvest v3
// (https://harvestdocs.greenhouse.io/docs/harvest-partner-oauth).
const (
	AuthURL  = "https://auth.greenhouse.io/authorize"
	TokenURL = "https://auth.greenhouse.io/token"
)

// AccessTokenLifetime is the documented lifetime of an access token; it is
// assumed when a token response states no expiry.
const AccessTokenLifetime = time.Hour

// expiryMargin renews a token this long before it expires, so a request
// never leaves with a token that dies in flight.
const expiryMargin = time.Minute

// VendorScopes returns the Harvest scopes an interview or assessment
// vendor's flow uses (a fresh slice on every call).
func VendorScopes() []string {
	return []string{
		"harvest:jobs:list", "harvest:job_interview_stages:list", "harvest:job_interviews:list",
		"harvest:applications:list", "harvest:application_stages:list", "harvest:applications:move",
		"harvest:applications:reject", "harvest:applications:unreject", "harvest:rejection_reasons:list",
		"harvest:candidates:list", "harvest:attachments:list", "harvest:attachments:create",
		"harvest:notes:create", "harvest:notes:list", "harvest:candidate_tags:list", "harvest:candidate_tags:create",
		"harvest:applied_candidate_tags:list", "harvest:applied_candidate_tags:create", "harvest:applied_candidate_tags:destroy",
		"harvest:interviews:list", "harvest:interviews:create", "harvest:interviews:update", "harvest:interviews:destroy",
		"harvest:users:list", "harvest:user_emails:list",
	}
}

// ClientCredentials is the client-credentials grant of a customer's own
// Harvest V3 (OAuth) credentials: HTTP Basic client_id:client_secret,
// grant_type=client_credentials and sub=<user ID>
// (https://harvestdocs.greenhouse.io/docs/authentication). Greenhouse
// refuses this grant to partners, who use AuthCodeConfig.
type ClientCredentials struct {
	ClientID, ClientSecret string
	// UserID is the sub: the Greenhouse user the token acts as. Empty
	// uses the credential's service account.
	UserID string
	// TokenURL overrides TokenURL (tests).
	TokenURL string
	// HTTPClient performs token requests; nil uses http.DefaultClient.
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// TokenSource returns a source that fetches a token on first use and
// again shortly before it expires. ctx is used for the token requests and
// must outlive the source.
func (cc ClientCredentials) TokenSource(ctx context.Context) *TokenSource {
	conf := &clientcredentials.Config{
		ClientID: cc.ClientID, ClientSecret: cc.ClientSecret,
		TokenURL: orDefault(cc.TokenURL, TokenURL), AuthStyle: oauth2.AuthStyleInHeader,
	}
	if cc.UserID != "" {
		conf.EndpointParams = map[string][]string{"sub": {cc.UserID}}
	}
	ctx = withHTTPClient(ctx, cc.HTTPClient)
	return newTokenSource(nil, cc.Now, func(string) (*oauth2.Token, error) { return conf.Token(ctx) })
}

// AuthCodeConfig is the authorization-code grant for Greenhouse partners
// (https://harvestdocs.greenhouse.io/docs/harvest-partner-oauth).
// Authorization codes live one minute, access tokens one hour, refresh
// tokens 24 hours; each refresh returns a new refresh token and retires
// the old one, so persist it (TokenSource.OnRefresh).
//
//	ac := greenhouse.AuthCodeConfig{ClientID: id, ClientSecret: secret, RedirectURL: cb}
//	http.Redirect(w, r, ac.AuthCodeURL(state), http.StatusFound)
//	// in the callback:
//	tok, err := ac.Exchange(ctx, r.FormValue("code"))
//	c, err := greenhouse.NewClient(greenhouse.Options{TokenSource: ac.TokenSource(ctx, tok)})
type AuthCodeConfig struct {
	ClientID, ClientSecret string
	RedirectURL            string
	// Scopes to request; nil uses VendorScopes().
	Scopes []string
	// AuthURL and TokenURL override the endpoints (tests).
	AuthURL, TokenURL string
	// HTTPClient performs token requests; nil uses http.DefaultClient.
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Config returns the equivalent golang.org/x/oauth2 configuration.
func (ac AuthCodeConfig) Config() *oauth2.Config {
	scopes := ac.Scopes
	if scopes == nil {
		scopes = VendorScopes()
	}
	return &oauth2.Config{
		ClientID: ac.ClientID, ClientSecret: ac.ClientSecret, RedirectURL: ac.RedirectURL, Scopes: scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL: orDefault(ac.AuthURL, AuthURL), TokenURL: orDefault(ac.TokenURL, TokenURL),
			AuthStyle: oauth2.AuthStyleInHeader,
		},
	}
}

// AuthCodeURL returns the URL to send the customer's user to; it carries
// response_type=code, client_id, redirect_uri, the space-separated scopes
// and state.
func (ac AuthCodeConfig) AuthCodeURL(state string, opts ...oauth2.AuthCodeOption) string {
	return ac.Config().AuthCodeURL(state, opts...)
}

// Exchange trades the authorization code (valid for one minute) for a
// token with a refresh token.
func (ac AuthCodeConfig) Exchange(ctx context.Context, code string, opts ...oauth2.AuthCodeOption) (*oauth2.Token, error) {
	tok, err := ac.Config().Exchange(withHTTPClient(ctx, ac.HTTPClient), code, opts...)
	if err != nil {
		return nil, errfmt.Errorf("greenhouse: exchanging authorization code: %w", err)
	}
	fixExpiry(tok, nowFunc(ac.Now)())
	return tok, nil
}

// TokenSource returns a source that hands out tok until shortly before it
// expires and then refreshes it. ctx is used for refresh requests and must
// outlive the source.
func (ac AuthCodeConfig) TokenSource(ctx context.Context, tok *oauth2.Token) *TokenSource {
	conf := ac.Config()
	ctx = withHTTPClient(ctx, ac.HTTPClient)
	return newTokenSource(tok, ac.Now, func(rt string) (*oauth2.Token, error) {
		if rt == "" {
			return nil, errors.New("access token expired and there is no refresh token; the customer must authorize again")
		}
		// A token without an access token is invalid, so the oauth2
		// package refreshes it at once.
		return conf.TokenSource(ctx, &oauth2.Token{RefreshToken: rt}).Token()
	})
}

// TokenSource is a renewing OAuth token source that a Client can
// invalidate when Greenhouse refuses a token before its stated expiry
// (revoked, scopes changed). It reads Greenhouse's expires_at (ISO 8601)
// as well as the standard expires_in. It is safe for concurrent use.
type TokenSource struct {
	mu    sync.Mutex
	tok   *oauth2.Token
	now   func() time.Time
	fetch func(refreshToken string) (*oauth2.Token, error)
	// OnRefresh, when set, is called with every new token (under the
	// source's lock), so the caller can persist the rotated refresh token.
	OnRefresh func(*oauth2.Token)
}

func newTokenSource(tok *oauth2.Token, now func() time.Time, fetch func(string) (*oauth2.Token, error)) *TokenSource {
	return &TokenSource{tok: tok, now: nowFunc(now), fetch: fetch}
}

// Token returns a valid token, fetching or refreshing one when needed.
func (s *TokenSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.tok != nil && s.tok.AccessToken != "" && (s.tok.Expiry.IsZero() || now.Add(expiryMargin).Before(s.tok.Expiry)) {
		return s.tok, nil
	}
	rt := ""
	if s.tok != nil {
		rt = s.tok.RefreshToken
	}
	nt, err := s.fetch(rt)
	if err != nil {
		return nil, errfmt.Errorf("greenhouse: obtaining access token: %w", err)
	}
	fixExpiry(nt, now)
	if nt.RefreshToken == "" {
		nt.RefreshToken = rt
	}
	s.tok = nt
	if s.OnRefresh != nil {
		s.OnRefresh(nt)
	}
	return nt, nil
}

// Invalidate marks accessToken as refused, so the next Token call renews
// it. It does nothing when the source already holds another token.
func (s *TokenSource) Invalidate(accessToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil && (accessToken == "" || s.tok.AccessToken == accessToken) {
		t := *s.tok
		t.AccessToken = ""
		s.tok = &t
	}
}

// fixExpiry sets tok.Expiry from Greenhouse's expires_at when the oauth2
// package found no expires_in. Greenhouse's token response is not
// documented in prose; two independent clients read expires_at (ISO
// 8601). With neither, the documented one-hour lifetime is assumed.
func fixExpiry(tok *oauth2.Token, now time.Time) {
	if tok == nil || !tok.Expiry.IsZero() {
		return
	}
	switch v := tok.Extra("expires_at").(type) {
	case string:
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			tok.Expiry = t
			return
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			tok.Expiry = time.Unix(n, 0)
			return
		}
	case float64:
		if v > 0 && v < 1e11 {
			tok.Expiry = time.Unix(int64(v), 0)
			return
		}
	}
	tok.Expiry = now.Add(AccessTokenLifetime)
}

func withHTTPClient(ctx context.Context, hc *http.Client) context.Context {
	if hc == nil {
		return ctx
	}
	return context.WithValue(ctx, oauth2.HTTPClient, hc)
}

func nowFunc(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
