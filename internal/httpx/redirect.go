package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/atskit/atskit/internal/safehttp"
)

// ErrForeignHost is returned (wrapped) when a request would carry the
// adapter's credentials to a host other than the API's: a redirect to
// another scheme or host, or an absolute URL naming one. Test with
// errors.Is.
var ErrForeignHost = errors.New("httpx: refusing to send credentials to another host")

// sameOrigin reports whether u has the scheme and host (including port) of
// base. Host comparison is case-insensitive, as DNS is.
func sameOrigin(u, base *url.URL) bool {
	return strings.EqualFold(u.Scheme, base.Scheme) && strings.EqualFold(u.Host, base.Host)
}

// checkRedirect refuses every redirect that leaves the API's origin and
// otherwise defers to the caller's policy (or net/http's default of at
// most 10 redirects). Credentials are added per attempt by pacedTransport,
// so without this a 3xx to any host would receive them; net/http's own
// stripping of Authorization on cross-domain redirects does not apply to
// headers a transport adds.
func checkRedirect(base *url.URL, next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if !sameOrigin(req.URL, base) {
			return fmt.Errorf("%w: redirect to %s://%s (client is for %s://%s)", ErrForeignHost, req.URL.Scheme, boundString(req.URL.Host, 100), base.Scheme, base.Host)
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
}

// redactedURL is u without its query, fragment or user information, and
// bounded in length: query strings carry search terms such as a
// candidate's e-mail address.
func redactedURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	s := r.String()
	if u.RawQuery != "" {
		s += "?…"
	}
	return boundString(s, 200)
}

// redactError replaces the URL in a *url.Error (what net/http returns for
// transport failures) with its redacted form, keeping the cause so
// errors.Is and errors.As still see it.
func redactError(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	u, perr := url.Parse(ue.URL)
	redacted := "(unparseable URL)"
	if perr == nil {
		redacted = redactedURL(u)
	}
	if ue == err {
		return &url.Error{Op: ue.Op, URL: redacted, Err: ue.Err}
	}
	// A wrapped *url.Error: keep the chain, replace the message.
	return &redactedErr{msg: strings.ReplaceAll(err.Error(), ue.URL, redacted), err: err}
}

type redactedErr struct {
	msg string
	err error
}

func (e *redactedErr) Error() string { return e.msg }
func (e *redactedErr) Unwrap() error { return e.err }

// boundString is safehttp.Bound.
func boundString(s string, n int) string { return safehttp.Bound(s, n) }
