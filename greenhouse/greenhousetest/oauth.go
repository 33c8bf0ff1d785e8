package greenhousetest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// CodeTTL is how long an authorization code is valid (documented: one
// minute). RefreshTTL is the lifetime of a refresh token (24 hours).
const (
	CodeTTL    = time.Minute
	RefreshTTL = 24 * time.Hour
)

type oauthClient struct {
	secret  string
	partner bool
	scopes  map[string]bool
}

type grant struct {
	clientID    string
	userID      int64
	scopes      map[string]bool
	redirectURI string
	expires     time.Time
	refresh     string // the refresh token issued with an access token
}

// AddClient registers an OAuth client. partner clients may use only the
// authorization-code grant; others only client credentials ("The Client
// Credentials Flow is not available for Greenhouse partners").
func (s *Server) AddClient(id, secret string, partner bool, scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[id] = &oauthClient{secret: secret, partner: partner, scopes: setOf(scopes)}
}

// SetClientScopes replaces a client's scopes. Removed scopes take effect
// at once, even for tokens already issued; added scopes reach only tokens
// issued later.
func (s *Server) SetClientScopes(id string, scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.clients[id]; c != nil {
		c.scopes = setOf(scopes)
	}
}

// RevokeTokens invalidates every access and refresh token of a client.
func (s *Server) RevokeTokens(clientID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range []map[string]*grant{s.access, s.refresh, s.codes} {
		for k, g := range m {
			if g.clientID == clientID {
				delete(m, k)
			}
		}
	}
}

// IssueToken returns an access token for a client acting as user, as the
// client-credentials grant would, for tests that do not exercise OAuth.
func (s *Server) IssueToken(clientID string, userID int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clients[clientID]
	if c == nil {
		return ""
	}
	tok := "ght_" + randHex(16)
	s.access[tok] = &grant{clientID: clientID, userID: userID, scopes: clone(c.scopes), expires: s.cfg.now().Add(s.cfg.tokenTTL)}
	return tok
}

func clone(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (s *Server) authenticate(r *http.Request) (*grant, int, string) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return nil, http.StatusUnauthorized, "Missing bearer token"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.access[tok]
	if g == nil {
		return nil, http.StatusUnauthorized, "Invalid access token"
	}
	if !s.cfg.now().Before(g.expires) {
		return nil, http.StatusUnauthorized, "Access token expired"
	}
	return g, 0, ""
}

func tokenError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// handleToken serves POST /token: client credentials (with optional sub),
// authorization_code and refresh_token, client authenticated with HTTP
// Basic. The body is {access_token, token_type, expires_at (ISO 8601)}
// plus refresh_token for the code grant — the fields two independent
// clients read; Greenhouse's prose does not list them.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "the body must be form-encoded")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clients[id]
	if !ok || c == nil || c.secret != secret {
		tokenError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	now := s.cfg.now()
	var g *grant
	switch r.PostForm.Get("grant_type") {
	case "client_credentials":
		if c.partner {
			tokenError(w, http.StatusBadRequest, "unauthorized_client", "the client credentials flow is not available for Greenhouse partners")
			return
		}
		uid := s.st.serviceAccount
		if sub := r.PostForm.Get("sub"); sub != "" {
			n, err := strconv.ParseInt(sub, 10, 64)
			if err != nil || s.st.users[n] == nil || s.st.users[n].Deactivated {
				// The status for an unknown sub is not documented; 400.
				tokenError(w, http.StatusBadRequest, "invalid_request", "sub is not an active user of this organization")
				return
			}
			uid = n
		}
		g = &grant{clientID: id, userID: uid, scopes: clone(c.scopes)}
	case "authorization_code":
		code := s.codes[r.PostForm.Get("code")]
		delete(s.codes, r.PostForm.Get("code")) // single use
		if code == nil || code.clientID != id || !now.Before(code.expires) || code.redirectURI != r.PostForm.Get("redirect_uri") {
			tokenError(w, http.StatusBadRequest, "invalid_grant", "the authorization code is invalid, expired, used or for another redirect_uri")
			return
		}
		g = &grant{clientID: id, userID: code.userID, scopes: code.scopes}
	case "refresh_token":
		rt := r.PostForm.Get("refresh_token")
		old := s.refresh[rt]
		delete(s.refresh, rt) // rotation: the old refresh token stops working
		if old == nil || old.clientID != id || !now.Before(old.expires) {
			tokenError(w, http.StatusBadRequest, "invalid_grant", "the refresh token is invalid or expired")
			return
		}
		g = &grant{clientID: id, userID: old.userID, scopes: old.scopes}
	default:
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be client_credentials, authorization_code or refresh_token")
		return
	}
	g.expires = now.Add(s.cfg.tokenTTL)
	tok := "ght_" + randHex(16)
	s.access[tok] = g
	body := map[string]any{"access_token": tok, "token_type": "Bearer", "expires_at": g.expires.UTC().Format(time.RFC3339Nano)}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		rt := "ghr_" + randHex(16)
		s.refresh[rt] = &grant{clientID: id, userID: g.userID, scopes: g.scopes, expires: now.Add(RefreshTTL)}
		body["refresh_token"] = rt
	}
	writeJSON(w, http.StatusOK, body)
}

// handleAuthorize serves GET /authorize: it stands for the customer's
// user consenting (as AdminUserID) and redirects to redirect_uri with a
// one-minute code and the state echoed.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	c := s.clients[q.Get("client_id")]
	s.mu.Unlock()
	if c == nil || q.Get("response_type") != "code" || q.Get("redirect_uri") == "" {
		writeError(w, http.StatusBadRequest, "client_id, response_type=code and redirect_uri are required")
		return
	}
	target, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || target.Scheme == "" {
		writeError(w, http.StatusBadRequest, "redirect_uri is not an absolute URL")
		return
	}
	scopes := map[string]bool{}
	for sc := range strings.FieldsSeq(q.Get("scope")) {
		if c.scopes[sc] {
			scopes[sc] = true
		}
	}
	code := "ghc_" + randHex(12)
	s.mu.Lock()
	s.codes[code] = &grant{clientID: q.Get("client_id"), userID: s.st.adminID, scopes: scopes, redirectURI: q.Get("redirect_uri"), expires: s.cfg.now().Add(CodeTTL)}
	s.mu.Unlock()
	tq := target.Query()
	tq.Set("code", code)
	if st := q.Get("state"); st != "" {
		tq.Set("state", st)
	}
	target.RawQuery = tq.Encode()
	http.Redirect(w, r, target.String(), http.StatusFound)
}
