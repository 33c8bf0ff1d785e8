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
	"strconv"
	"strings"
	"time"

	"github.com/atskit/atskit/lifecycle"
)

// minLinkSecret is the shortest RetriggerLinks.Secret accepted: the size
// of an HMAC-SHA256 output, below which the key is the weak point.
const minLinkSecret = 32

// RetriggerLinks builds and checks re-trigger links: the links the engine
// posts in needs-info notes (lifecycle.Options.RetriggerURL) so a recruiter
// can request the interview again once the missing data was added. A link
// names its connection and interview and carries an HMAC-SHA256 signature
// over both, so a link cannot be altered to reach another customer's
// interview.
type RetriggerLinks struct {
	// BaseURL is where the Handler is mounted, e.g.
	// "https://vendor.example/atskit"; links are
	// BaseURL/retrigger/{connection}/{interview}?exp=…&sig=….
	BaseURL string
	// Secret signs links (HMAC-SHA256); at least 32 random bytes, or
	// NewHandler refuses it. Changing it invalidates links already posted.
	Secret []byte
	// TTL is how long a link stays valid after it was made; zero means
	// 30 days. A needs-info note stays on the candidate's timeline
	// forever, so its link must not.
	TTL time.Duration
	// Now is the clock; nil uses time.Now.
	Now func() time.Time
}

// ErrLinkExpired is returned by RetriggerLinks.Check for a link past its
// expiry; ErrLinkInvalid for one whose signature does not match.
var (
	ErrLinkExpired = errors.New("hosting: re-trigger link expired")
	ErrLinkInvalid = errors.New("hosting: re-trigger link not valid")
)

func (l *RetriggerLinks) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l *RetriggerLinks) sign(connection, interviewID string, exp int64) string {
	m := hmac.New(sha256.New, l.Secret)
	fmt.Fprintf(m, "%d:%s/%s@%d", len(connection), connection, interviewID, exp)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// URL returns the signed re-trigger link of an interview of a connection,
// valid for TTL. Its signature fits lifecycle.Options.RetriggerURL.
func (l *RetriggerLinks) URL(connection, interviewID string) string {
	ttl := l.TTL
	if ttl <= 0 {
		ttl = 30 * 24 * time.Hour
	}
	exp := l.now().Add(ttl).Unix()
	return fmt.Sprintf("%s/retrigger/%s/%s?exp=%d&sig=%s", strings.TrimSuffix(l.BaseURL, "/"),
		url.PathEscape(connection), url.PathEscape(interviewID), exp, l.sign(connection, interviewID, exp))
}

// Check verifies the query (exp and sig) of the link of interviewID in
// connection: ErrLinkInvalid when the signature does not match (compared
// in constant time), ErrLinkExpired when it is past its expiry.
func (l *RetriggerLinks) Check(connection, interviewID string, query url.Values) error {
	exp, err := strconv.ParseInt(query.Get("exp"), 10, 64)
	if err != nil {
		return ErrLinkInvalid
	}
	want := l.sign(connection, interviewID, exp)
	if !hmac.Equal([]byte(want), []byte(query.Get("sig"))) {
		return ErrLinkInvalid
	}
	if !l.now().Before(time.Unix(exp, 0)) {
		return ErrLinkExpired
	}
	return nil
}

// retrigger serves GET (a confirmation page: following a link must not
// change anything) and POST (Engine.Retrigger) of a signed link.
func (h *Handler) retrigger(w http.ResponseWriter, r *http.Request) {
	conn, id, q := r.PathValue("connection"), r.PathValue("interview"), r.URL.Query()
	switch err := h.opts.Links.Check(conn, id, q); {
	case errors.Is(err, ErrLinkExpired):
		http.Error(w, "this re-trigger link has expired: if the candidate still needs the interview, move them into the interview stage again", http.StatusGone)
		return
	case err != nil:
		http.Error(w, "this re-trigger link is not valid: copy the whole link from the note", http.StatusForbidden)
		return
	}
	if r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		v := url.Values{"exp": {q.Get("exp")}, "sig": {q.Get("sig")}}
		fmt.Fprintf(w, `<form method="post" action="?%s"><button>Request the interview again</button></form>`, html.EscapeString(v.Encode()))
		return
	}
	iv, err := h.opts.Engine.Retrigger(r.Context(), conn, id)
	var refused *lifecycle.RetriggerError
	switch {
	case errors.As(err, &refused):
		msg := map[lifecycle.RetriggerRefusal]string{
			lifecycle.RetriggerDisqualified:     "the candidate is disqualified, so the interview was not requested again",
			lifecycle.RetriggerLeftStage:        "the candidate is no longer in the interview stage, so the interview was not requested again",
			lifecycle.RetriggerPositionInactive: "the position is no longer active, so the interview was not requested again",
		}[refused.Reason]
		if msg == "" {
			msg = "the interview cannot be requested again"
		}
		http.Error(w, msg, http.StatusConflict)
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
