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
//
// Hosts compare as DNS names: case-insensitively and without a trailing
// dot ("acme.workable.com." is acme.workable.com), and an explicit default
// port equals none ("https://h:443" is https://h), as RFC 3986 section
// 6.2.3 normalises them.
func (h HostRule) Check(base, link *url.URL) error {
	baseHost, basePort := canonicalHost(base)
	linkHost, linkPort := canonicalHost(link)
	if link.Scheme == base.Scheme && linkHost == baseHost && linkPort == basePort && link.User == nil {
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
	case linkPort != basePort:
		return refuse("port differs")
	case !h.ownsHost(linkHost):
		return refuse("host is not the ATS's own")
	case h.SameAccount != nil && !h.SameAccount(base, link):
		return refuse("link addresses another account")
	}
	return nil
}

// canonicalHost returns u's host in lower case without a trailing dot, and
// its port, empty when it is the scheme's default.
func canonicalHost(u *url.URL) (host, port string) {
	host = strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	port = u.Port()
	if port == "443" && strings.EqualFold(u.Scheme, "https") || port == "80" && strings.EqualFold(u.Scheme, "http") {
		port = ""
	}
	return host, port
}

// CanonicalHostname returns u's host name as HostRule compares it: lower
// case, without a trailing dot.
func CanonicalHostname(u *url.URL) string {
	host, _ := canonicalHost(u)
	return host
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
