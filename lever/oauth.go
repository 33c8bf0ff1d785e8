package lever

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
	"golang.org/x/oauth2"
)

// OAuth endpoints and audiences, as Lever documents them for production
// (https://hire.lever.co/developer/documentation#authentication) and for
// the sandbox (https://hire.sandbox.lever.co/developer/documentation):
// Lever's authorization server is an Auth0 tenant and the API is named by
// an audience parameter (with its trailing slash). The sandbox token URL is
// not on the sandbox page; it is the tenant's /oauth/token, as integrations
// that call the sandbox use.
const (
	AuthURL            = "https://auth.lever.co/authorize"
	TokenURL           = "https://auth.lever.co/oauth/token"
	Audience           = "https://api.lever.co/v1/"
	SandboxAuthURL     = "https://sandbox-lever.auth0.com/authorize"
	SandboxTokenURL    = "https://sandbox-lever.auth0.com/oauth/token"
	SandboxAudience    = "https://api.sandbox.lever.co/v1/"
	ScopeOfflineAccess = "offline_access"
)

// VendorScopes returns the scopes an interview vendor's flow needs
// (https://hire.lever.co/developer/documentation#scopes): read postings,
// stages, users, opportunities, archive reasons, notes and feedback
// templates; download resumes (resumes:read:admin); see confidential
// postings and opportunities (confidential:access:admin); move, tag,
// archive and annotate opportunities; submit feedback; put the interview on
// the profile (panels:write:admin, interviews:write:admin); upload the
// report (files:write:admin); create a vendor-owned feedback template
// (feedback_templates:write:admin); manage webhooks; and offline_access
// for a refresh token. That is 20 scopes, the most a Lever app may hold.
// Each call returns a fresh slice.
func VendorScopes() []string { return slices.Clone(vendorScopes) }

// vendorScopes is never modified; VendorScopes hands out copies.
var vendorScopes = []string{
	"postings:read:admin",
	"stages:read:admin",
	"users:read:admin",
	"opportunities:read:admin",
	"opportunities:write:admin",
	"archive_reasons:read:admin",
	"notes:read:admin",
	"notes:write:admin",
	"feedback:write:admin",
	"feedback_templates:read:admin",
	"feedback_templates:write:admin",
	"resumes:read:admin",
	"confidential:access:admin",
	"panels:write:admin",
	"interviews:write:admin",
	"files:write:admin",
	"tags:read:admin",
	"webhooks:read:admin",
	"webhooks:write:admin",
	ScopeOfflineAccess,
}

// OAuthConfig configures Lever's OAuth 2.0 authorization-code flow for a
// partner integration ("Grant Access" in a vendor's UI).
//
//	oc := lever.OAuthConfig{ClientID: id, ClientSecret: secret, RedirectURL: cb}
//	http.Redirect(w, r, oc.AuthCodeURL(state), http.StatusFound)
//	// … in the callback:
//	tok, err := oc.Exchange(ctx, r.FormValue("code"))
//	client, err := lever.NewClient(lever.Options{TokenSource: oc.TokenSource(ctx, tok)})
type OAuthConfig struct {
	ClientID     string
	ClientSecret string
	RedirectURL  string
	// Scopes requested; nil uses VendorScopes(). offline_access is added
	// when missing, since a sync needs a refresh token.
	Scopes []string
	// Sandbox selects Lever's sandbox authorization server and audience.
	Sandbox bool
	// AuthURL, TokenURL and Audience override the endpoints (tests, e.g. a
	// levertest server's AuthURL(), TokenURL() and Audience()).
	AuthURL, TokenURL, Audience string
}

// Config returns the equivalent golang.org/x/oauth2 configuration.
func (o OAuthConfig) Config() *oauth2.Config {
	authURL, tokenURL := AuthURL, TokenURL
	if o.Sandbox {
		authURL, tokenURL = SandboxAuthURL, SandboxTokenURL
	}
	if o.AuthURL != "" {
		authURL = o.AuthURL
	}
	if o.TokenURL != "" {
		tokenURL = o.TokenURL
	}
	scopes := o.Scopes
	if scopes == nil {
		scopes = VendorScopes()
	}
	hasOffline := false
	for _, s := range scopes {
		hasOffline = hasOffline || s == ScopeOfflineAccess
	}
	if !hasOffline {
		scopes = append(append([]string(nil), scopes...), ScopeOfflineAccess)
	}
	return &oauth2.Config{
		ClientID:     o.ClientID,
		ClientSecret: o.ClientSecret,
		RedirectURL:  o.RedirectURL,
		Scopes:       scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL:   authURL,
			TokenURL:  tokenURL,
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
}

// audience returns the API audience the authorize request names.
func (o OAuthConfig) audience() string {
	switch {
	case o.Audience != "":
		return o.Audience
	case o.Sandbox:
		return SandboxAudience
	}
	return Audience
}

// AuthCodeURL returns the URL to send the customer's admin to. It carries
// response_type=code, the scopes, state and the API audience Lever
// requires, and nothing Lever does not document
// (https://hire.lever.co/developer/documentation#authentication).
func (o OAuthConfig) AuthCodeURL(state string, opts ...oauth2.AuthCodeOption) string {
	opts = append([]oauth2.AuthCodeOption{
		oauth2.SetAuthURLParam("audience", o.audience()),
	}, opts...)
	return o.Config().AuthCodeURL(state, opts...)
}

// Exchange trades the authorization code from the redirect for a token
// (with a refresh token when offline_access was granted). The HTTP client
// can be set with context.WithValue(ctx, oauth2.HTTPClient, hc).
func (o OAuthConfig) Exchange(ctx context.Context, code string, opts ...oauth2.AuthCodeOption) (*oauth2.Token, error) {
	tok, err := o.Config().Exchange(ctx, code, opts...)
	if err != nil {
		return nil, errfmt.Errorf("lever: exchanging authorization code: %w", err)
	}
	return tok, nil
}

// TokenSource returns a source that hands out tok until it expires and then
// refreshes it with the refresh token. ctx is used for the refresh requests
// (and may carry oauth2.HTTPClient); it must outlive the source.
func (o OAuthConfig) TokenSource(ctx context.Context, tok *oauth2.Token) *TokenSource {
	conf := o.Config()
	ts := &TokenSource{tok: tok}
	ts.refresh = func(rt string) (*oauth2.Token, error) {
		// A token without an access token is invalid, so the oauth2
		// package refreshes it straight away.
		return conf.TokenSource(ctx, &oauth2.Token{RefreshToken: rt}).Token()
	}
	return ts
}

// TokenSource is a refreshing OAuth token source that the Client can
// invalidate when Lever refuses an access token before its stated expiry
// (revoked, clock skew). It is safe for concurrent use.
type TokenSource struct {
	mu      sync.Mutex
	tok     *oauth2.Token
	refresh func(refreshToken string) (*oauth2.Token, error)
	// OnRefresh, when set, is called with every new token (under the
	// source's lock) so the caller can persist it. Set it: Lever rotates
	// the refresh token on every refresh and the previous one stops
	// working, so a host that restarts with the token it stored at the
	// grant can no longer refresh. A refresh token also dies a year after
	// the grant, or after 90 days unused; the customer must then grant
	// access again.
	OnRefresh func(*oauth2.Token)
}

// Token returns a valid token, refreshing it when it has expired.
func (s *TokenSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok.Valid() {
		return s.tok, nil
	}
	if s.tok == nil || s.tok.RefreshToken == "" {
		return nil, fmt.Errorf("lever: access token expired and no refresh token (request the %s scope)", ScopeOfflineAccess)
	}
	nt, err := s.refresh(s.tok.RefreshToken)
	if err != nil {
		return nil, refreshError(err)
	}
	if nt.RefreshToken == "" {
		nt.RefreshToken = s.tok.RefreshToken
	}
	s.tok = nt
	if s.OnRefresh != nil {
		s.OnRefresh(nt)
	}
	return nt, nil
}

// Invalidate marks accessToken as refused, so the next Token call
// refreshes. It does nothing when the source already moved on to another
// token (another goroutine refreshed first).
func (s *TokenSource) Invalidate(accessToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil && (accessToken == "" || s.tok.AccessToken == accessToken) {
		t := *s.tok
		t.AccessToken = ""
		s.tok = &t
	}
}

// refreshError explains a failed refresh. A refresh token or client Lever's
// authorization server refuses (invalid_grant, invalid_client,
// unauthorized_client, or a 401/403) is refused credentials: the error
// wraps ats.ErrUnauthorized, so callers stop retrying and ask for the
// stored token to be fixed or access to be granted again. Other failures
// (network, 5xx) are returned as they are.
func refreshError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		refused := re.ErrorCode == "invalid_grant" || re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client"
		if re.Response != nil && (re.Response.StatusCode == http.StatusUnauthorized || re.Response.StatusCode == http.StatusForbidden) {
			refused = true
		}
		if refused {
			code := re.ErrorCode
			if code == "" && re.Response != nil {
				code = re.Response.Status
			}
			return fmt.Errorf("lever: the refresh token was refused (%s): Lever rotates refresh tokens on every refresh, so the new one must be stored (TokenSource.OnRefresh), and expires them a year after the grant or after 90 days unused, after which the customer must grant access again: %w", code, ats.ErrUnauthorized)
		}
	}
	return fmt.Errorf("lever: refreshing access token: %w", err)
}
