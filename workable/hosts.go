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
			if subdomain == "" || !sameDomain(base.Hostname(), link.Hostname()) {
				return false
			}
			if rest, ok := strings.CutPrefix(link.Path, "/spi/v3/accounts/"); ok {
				account, _, _ := strings.Cut(rest, "/")
				return strings.EqualFold(account, subdomain)
			}
			host, _, _ := strings.Cut(strings.ToLower(link.Hostname()), ".")
			return host == strings.ToLower(subdomain) && strings.HasPrefix(link.Path, "/spi/v3/")
		},
	}
}

// sameDomain reports whether two hosts share Workable's production or
// sandbox domain, so a production token never follows a link into the
// sandbox or back.
func sameDomain(a, b string) bool {
	domain := func(h string) string {
		h = strings.ToLower(h)
		if h == "workablesandbox.com" || strings.HasSuffix(h, ".workablesandbox.com") {
			return "workablesandbox.com"
		}
		return "workable.com"
	}
	return domain(a) == domain(b)
}
