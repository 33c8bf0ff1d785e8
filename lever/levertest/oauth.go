package levertest

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// handleAuthorize plays the consent screen: it approves at once and
// redirects to redirect_uri with a one-time code. It checks what Lever's
// authorization server needs: a registered client, response_type=code, a
// redirect URI, and the API audience (assumed required, as for any Auth0
// API).
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	s.authz = append(s.authz, q)
	_, known := s.clients[q.Get("client_id")]
	s.mu.Unlock()
	switch {
	case !known:
		http.Error(w, "unknown client_id", http.StatusBadRequest)
		return
	case q.Get("response_type") != "code":
		http.Error(w, "response_type must be code", http.StatusBadRequest)
		return
	case q.Get("audience") != s.Audience():
		http.Error(w, "audience must be "+s.Audience(), http.StatusBadRequest)
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || redirect.Scheme == "" {
		http.Error(w, "invalid redirect_uri", http.StatusBadRequest)
		return
	}
	code := randHex(12)
	s.mu.Lock()
	s.codes[code] = &grant{clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"), scopes: strings.Fields(q.Get("scope")), expires: s.now().Add(10 * time.Minute)}
	s.mu.Unlock()
	rq := redirect.Query()
	rq.Set("code", code)
	rq.Set("state", q.Get("state"))
	redirect.RawQuery = rq.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// AuthorizeRequests returns the query of every authorize request received.
func (s *Server) AuthorizeRequests() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.authz)
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// handleToken implements the authorization_code and refresh_token grants.
// A refresh token is issued when offline_access was granted. As Lever
// documents, every refresh returns a new refresh token and the old one stops
// working (assumed at once: Lever does not document a reuse window), and a
// refresh token dies a year after it was first issued or after 90 days
// without use.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if want, known := s.clients[id]; !known || want != secret {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
		return
	}
	var g *grant
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		code := r.PostForm.Get("code")
		g = s.codes[code]
		delete(s.codes, code)
		if g == nil || g.clientID != id || !s.now().Before(g.expires) {
			oauthError(w, http.StatusForbidden, "invalid_grant", "invalid or expired authorization code")
			return
		}
		if g.redirectURI != r.PostForm.Get("redirect_uri") {
			oauthError(w, http.StatusForbidden, "invalid_grant", "redirect_uri does not match the authorize request")
			return
		}
	case "refresh_token":
		old := r.PostForm.Get("refresh_token")
		g = s.refresh[old]
		if g == nil || g.clientID != id {
			oauthError(w, http.StatusForbidden, "invalid_grant", "unknown refresh token")
			return
		}
		now := s.now()
		if !now.Before(g.issued.Add(RefreshTokenLifetime)) || !now.Before(g.used.Add(RefreshTokenIdle)) {
			delete(s.refresh, old)
			oauthError(w, http.StatusForbidden, "invalid_grant", "refresh token expired")
			return
		}
		delete(s.refresh, old)
		s.refreshes++
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
		return
	}
	resp := s.issue(g, true)
	writeJSON(w, http.StatusOK, resp)
}

// issue creates an access token (and a refresh token if newRefresh and
// offline_access was granted). Caller holds s.mu.
func (s *Server) issue(g *grant, newRefresh bool) map[string]any {
	at := "at_" + randHex(16)
	s.access[at] = &grant{clientID: g.clientID, scopes: g.scopes, expires: s.now().Add(s.tokenTTL)}
	resp := map[string]any{"access_token": at, "token_type": "Bearer", "expires_in": int(s.tokenTTL / time.Second), "scope": strings.Join(g.scopes, " ")}
	if newRefresh && slices.Contains(g.scopes, "offline_access") {
		rt := "rt_" + randHex(16)
		issued := g.issued
		if issued.IsZero() {
			issued = s.now()
		}
		s.refresh[rt] = &grant{clientID: g.clientID, scopes: g.scopes, issued: issued, used: s.now()}
		resp["refresh_token"] = rt
	}
	return resp
}

// IssueToken creates tokens for the default OAuth client with the given
// scopes, as if a customer had granted access; add "offline_access" for a
// refresh token.
func (s *Server) IssueToken(scopes ...string) (accessToken, refreshToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	resp := s.issue(&grant{clientID: DefaultClientID, scopes: scopes}, true)
	rt, _ := resp["refresh_token"].(string)
	return resp["access_token"].(string), rt
}

// Lifetimes of a refresh token: Lever's "Refresh tokens will expire after
// one year or after 90 days of inactivity". The year counts from the
// customer's grant and survives rotation.
const (
	RefreshTokenLifetime = 365 * 24 * time.Hour
	RefreshTokenIdle     = 90 * 24 * time.Hour
)

// ExpireAccessTokens makes every access token issued so far expired, as if
// their hour had passed. Refresh tokens stay valid.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.access {
		g.expires = time.Time{}
	}
}

// TokenRefreshes reports how many refresh_token grants succeeded.
func (s *Server) TokenRefreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshes
}
