package workable

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
	"golang.org/x/oauth2"
)

// OAuth scopes the vendor flow needs (https://help.workable.com/hc/en-us/articles/115015785428-Generating-revoking-access-tokens-for-Workable-s-API).
const (
	ScopeReadJobs        = "r_jobs"
	ScopeReadCandidates  = "r_candidates"
	ScopeWriteCandidates = "w_candidates"
)

// Endpoint returns Workable's OAuth 2.0 endpoint; SandboxEndpoint its
// sandbox. The URLs come from Toggl Hire's open-source client, not from
// Workable's stored docs (https://workable.readme.io/page/oauth; not documented). Client credentials are
// sent as form parameters. They are functions, not variables, so that no
// caller can change them for every other user of the package.
func Endpoint() oauth2.Endpoint {
	return oauth2.Endpoint{
		AuthURL:   "https://www.workable.com/oauth/authorize",
		TokenURL:  "https://www.workable.com/oauth/token",
		AuthStyle: oauth2.AuthStyleInParams,
	}
}

// SandboxEndpoint returns the OAuth 2.0 endpoint of Workable's sandbox
// (host workablesandbox.com, seen only in Toggl Hire's client).
func SandboxEndpoint() oauth2.Endpoint {
	return oauth2.Endpoint{
		AuthURL:   "https://www.workablesandbox.com/oauth/authorize",
		TokenURL:  "https://www.workablesandbox.com/oauth/token",
		AuthStyle: oauth2.AuthStyleInParams,
	}
}

// OAuthConfig returns the OAuth 2.0 configuration for a Workable partner
// app. Scopes default to r_jobs, r_candidates and w_candidates. Use
// AuthCodeURL for the consent link (it adds Workable's resource=user),
// cfg.Exchange for the code, and cfg.TokenSource(ctx, tok) as
// Options.TokenSource: it refreshes the access token with the
// refresh_token Workable always returns (each refresh returns a new pair;
// persist it from the token source if you need it across restarts).
func OAuthConfig(clientID, secret, redirectURL string, scopes []string) *oauth2.Config {
	if len(scopes) == 0 {
		scopes = []string{ScopeReadJobs, ScopeReadCandidates, ScopeWriteCandidates}
	}
	return &oauth2.Config{ClientID: clientID, ClientSecret: secret, RedirectURL: redirectURL, Scopes: scopes, Endpoint: Endpoint()}
}

// SandboxOAuthConfig is OAuthConfig against Workable's sandbox.
func SandboxOAuthConfig(clientID, secret, redirectURL string, scopes []string) *oauth2.Config {
	cfg := OAuthConfig(clientID, secret, redirectURL, scopes)
	cfg.Endpoint = SandboxEndpoint()
	return cfg
}

// AuthCodeURL returns the consent page URL for state, with the
// resource=user parameter Workable's authorize endpoint expects.
func AuthCodeURL(cfg *oauth2.Config, state string, opts ...oauth2.AuthCodeOption) string {
	return cfg.AuthCodeURL(state, append([]oauth2.AuthCodeOption{oauth2.SetAuthURLParam("resource", "user")}, opts...)...)
}

// tokenError turns a failure of the OAuth token source into an error a
// caller can act on: a refusal by the token endpoint (an expired or revoked
// refresh token, a wrong client secret) is an *ats.APIError matching
// ats.ErrUnauthorized, carrying the OAuth error code and description but
// never the response body or any token.
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil || re.Response.StatusCode >= 500 {
		return fmt.Errorf("refreshing the OAuth access token: %w", err)
	}
	msg := "the OAuth token endpoint refused to refresh the access token; the user must authorize the app again"
	if re.ErrorDescription != "" {
		msg = re.ErrorDescription + ": " + msg
	}
	return &ats.APIError{ATS: "workable", Op: "refresh OAuth token", StatusCode: http.StatusUnauthorized, Code: re.ErrorCode, Message: msg}
}

// Exchange trades an authorization code for a token pair.
func Exchange(ctx context.Context, cfg *oauth2.Config, code string) (*oauth2.Token, error) {
	tok, err := cfg.Exchange(ctx, code)
	if err != nil {
		return nil, errfmt.Errorf("workable: oauth exchange: %w", err)
	}
	return tok, nil
}

// Refresh obtains a new token pair from tok's refresh token.
func Refresh(ctx context.Context, cfg *oauth2.Config, tok *oauth2.Token) (*oauth2.Token, error) {
	expired := *tok
	expired.AccessToken = "" // force a refresh
	t, err := cfg.TokenSource(ctx, &expired).Token()
	if err != nil {
		return nil, errfmt.Errorf("workable: oauth refresh: %w", err)
	}
	return t, nil
}

// Revoke revokes a token pair: POST {token host}/oauth/revoke with the
// refresh token as form data and the access token as bearer
// (https://workable.readme.io/page/oauth; the revoke call is known from
// third-party clients). hc may be nil.
func Revoke(ctx context.Context, hc *http.Client, cfg *oauth2.Config, tok *oauth2.Token) error {
	if hc == nil {
		hc = http.DefaultClient
	}
	revokeURL := strings.TrimSuffix(cfg.Endpoint.TokenURL, "/token") + "/revoke"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, revokeURL,
		strings.NewReader(url.Values{"refresh_token": {tok.RefreshToken}}.Encode()))
	if err != nil {
		return errfmt.Errorf("workable: oauth revoke: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := hc.Do(req)
	if err != nil {
		return errfmt.Errorf("workable: oauth revoke: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("workable: oauth revoke: %s", resp.Status)
	}
	return nil
}
