package hosting

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"

	"github.com/atskit/atskit/lifecycle"
)

// RetriggerLinks builds and checks re-trigger links: the links the engine
// posts in needs-info notes (lifecycle.Options.RetriggerURL) so a recruiter
// can request the interview again once the missing data was added. A link
// names its connection and interview and carries an HMAC-SHA256 signature
// over both, so a link cannot be altered to reach another customer's
// interview.
type RetriggerLinks struct {
	// BaseURL is where the Handler is mounted, e.g.
	// "https://vendor.example/atskit"; links are
	// BaseURL/retrigger/{connection}/{interview}?sig=….
	BaseURL string
	// Secret signs links; at least 32 random bytes. Changing it
	// invalidates links already posted.
	Secret []byte
}

func (l *RetriggerLinks) sign(connection, interviewID string) string {
	m := hmac.New(sha256.New, l.Secret)
	fmt.Fprintf(m, "%d:%s/%s", len(connection), connection, interviewID)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// URL returns the signed re-trigger link of an interview of a connection.
// Its signature fits lifecycle.Options.RetriggerURL.
func (l *RetriggerLinks) URL(connection, interviewID string) string {
	return fmt.Sprintf("%s/retrigger/%s/%s?sig=%s", strings.TrimSuffix(l.BaseURL, "/"),
		url.PathEscape(connection), url.PathEscape(interviewID), l.sign(connection, interviewID))
}

// Valid reports whether sig is the signature of the link of interviewID in
// connection, in constant time.
func (l *RetriggerLinks) Valid(connection, interviewID, sig string) bool {
	want := l.sign(connection, interviewID)
	return hmac.Equal([]byte(want), []byte(sig))
}

// retrigger serves GET (a confirmation page: following a link must not
// change anything) and POST (Engine.Retrigger) of a signed link.
func (h *Handler) retrigger(w http.ResponseWriter, r *http.Request) {
	conn, id, sig := r.PathValue("connection"), r.PathValue("interview"), r.URL.Query().Get("sig")
	if !h.opts.Links.Valid(conn, id, sig) {
		http.Error(w, "this re-trigger link is not valid: copy the whole link from the note", http.StatusForbidden)
		return
	}
	if r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<form method="post" action="?sig=%s"><button>Request the interview again</button></form>`, html.EscapeString(url.QueryEscape(sig)))
		return
	}
	iv, err := h.opts.Engine.Retrigger(r.Context(), conn, id)
	switch {
	case errors.Is(err, lifecycle.ErrNotFound):
		http.Error(w, "no such interview", http.StatusNotFound)
	case errors.Is(err, lifecycle.ErrIllegalTransition):
		http.Error(w, "the interview cannot be requested again in its current state", http.StatusConflict)
	case errors.Is(err, lifecycle.ErrConnectionDisabled), errors.Is(err, lifecycle.ErrConnectionRemoved):
		http.Error(w, "the integration is switched off for this account", http.StatusConflict)
	case err != nil:
		h.log.ErrorContext(r.Context(), "hosting: re-trigger", "connection", logID(conn), "interview", logID(id), "err", err)
		http.Error(w, "re-trigger failed, try again later", http.StatusInternalServerError)
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "interview %s\n", iv.State)
	}
}
