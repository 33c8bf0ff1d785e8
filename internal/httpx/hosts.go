package httpx

import (
	"fmt"
	"net/url"
	"strings"
)

// HostRule declares which absolute URLs — typically the next-page links an
// ATS puts in its list responses — belong to the same ATS account as the
// client's base URL and may therefore receive its credentials.
//
// A link on the base URL's own scheme and host is always the ATS's. Any
// other link is accepted only when its scheme equals the base URL's, it
// carries no user info, its host is one of Domains or a subdomain of one,
// and SameAccount (when set) agrees. Everything else is refused, so a
// tampered or unexpected link can never carry a token off the ATS.
//
// The zero HostRule accepts the base host only.
type HostRule struct {
	// Domains are the domains the ATS owns, e.g. "workable.com", which
	// matches workable.com and every *.workable.com host. Matching is
	// case-insensitive and requires the port to equal the base URL's.
	Domains []string
	// SameAccount reports whether link addresses the same account as base
	// (for example by its subdomain or an /accounts/<id>/ path segment).
	// Nil accepts any link on Domains.
	SameAccount func(base, link *url.URL) bool
}

// Check returns nil when link may receive the credentials of a client
// whose API root is base, and otherwise an error wrapping ErrForeignHost
// that names the refused host (never the link's query, which may carry
// secrets).
func (h HostRule) Check(base, link *url.URL) error {
	if link.Scheme == base.Scheme && strings.EqualFold(link.Host, base.Host) && link.User == nil {
		return nil
	}
	refuse := func(why string) error {
		return fmt.Errorf("%w: %s://%s (client is for %s://%s): %s",
			ErrForeignHost, link.Scheme, boundString(link.Host, 100), base.Scheme, base.Host, why)
	}
	switch {
	case link.Scheme != base.Scheme:
		return refuse("scheme differs")
	case link.User != nil:
		return refuse("link carries user info")
	case link.Port() != base.Port():
		return refuse("port differs")
	case !h.ownsHost(link.Hostname()):
		return refuse("host is not the ATS's own")
	case h.SameAccount != nil && !h.SameAccount(base, link):
		return refuse("link addresses another account")
	}
	return nil
}

func (h HostRule) ownsHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, d := range h.Domains {
		d = strings.ToLower(strings.Trim(d, "."))
		if d == "" {
			continue
		}
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}
