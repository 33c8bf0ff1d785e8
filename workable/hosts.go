package workable

import (
	"net/url"
	"strings"

	"github.com/atskit/atskit/internal/httpx"
)

// ownHosts is the rule for the absolute URLs (paging.next links) that may
// receive the client's credentials besides the base host.
//
// Workable's own list examples put paging.next on the www host in the
// account-scoped form, https://www.workable.com/spi/v3/accounts/<subdomain>/candidates?…,
// although the request went to https://<subdomain>.workable.com/spi/v3
// (https://workable.readme.io/reference/job-candidates-index). So a link is
// followed on any host of workable.com (or of the sandbox domain
// workablesandbox.com) when it addresses the same account: either the
// account's own subdomain under /spi/v3/, or /spi/v3/accounts/<subdomain>/
// on any host. Every other host, another account, and a scheme downgrade
// are refused.
func ownHosts(subdomain string) httpx.HostRule {
	return httpx.HostRule{
		Domains: []string{"workable.com", "workablesandbox.com"},
		SameAccount: func(base, link *url.URL) bool {
			baseHost, linkHost := httpx.CanonicalHostname(base), httpx.CanonicalHostname(link)
			if subdomain == "" || !sameDomain(baseHost, linkHost) || !plainPath(link) {
				return false
			}
			if rest, ok := strings.CutPrefix(link.Path, "/spi/v3/accounts/"); ok {
				account, _, _ := strings.Cut(rest, "/")
				return strings.EqualFold(account, subdomain)
			}
			host, _, _ := strings.Cut(linkHost, ".")
			return host == strings.ToLower(subdomain) && strings.HasPrefix(link.Path, "/spi/v3/")
		},
	}
}

// plainPath reports whether link's path has no dot segments and no escaped
// slash, so the account segment read from it is the one Workable routes
// on ("/accounts/acme/../other/" and "acme%2F..%2Fother" are refused).
func plainPath(link *url.URL) bool {
	if link.RawPath != "" && strings.Contains(strings.ToLower(link.RawPath), "%2f") {
		return false
	}
	for seg := range strings.SplitSeq(link.Path, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// sameDomain reports whether two hosts share Workable's production or
// sandbox domain, so a production token never follows a link into the
// sandbox or back: the two are different accounts, even under the same
// subdomain. Hosts compare without a trailing dot ("workablesandbox.com."
// is the sandbox).
func sameDomain(a, b string) bool {
	domain := func(h string) string {
		h = strings.ToLower(strings.TrimSuffix(h, "."))
		if h == "workablesandbox.com" || strings.HasSuffix(h, ".workablesandbox.com") {
			return "workablesandbox.com"
		}
		return "workable.com"
	}
	return domain(a) == domain(b)
}
