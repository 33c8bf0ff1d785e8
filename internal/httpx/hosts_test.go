package httpx

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

func TestHostRuleCheck(t *testing.T) {
	base, _ := url.Parse("https://acme.workable.com/spi/v3")
	sameAccount := func(base, link *url.URL) bool {
		return strings.HasPrefix(link.Path, "/spi/v3/accounts/acme/") ||
			strings.EqualFold(link.Hostname(), "acme.workable.com")
	}
	rule := HostRule{Domains: []string{"workable.com"}, SameAccount: sameAccount}
	tests := []struct {
		name string
		rule HostRule
		link string
		ok   bool
	}{
		{"base host", HostRule{}, "https://acme.workable.com/spi/v3/jobs?since_id=2", true},
		{"base host, case differs", HostRule{}, "https://ACME.workable.com/spi/v3/jobs", true},
		{"zero rule refuses www", HostRule{}, "https://www.workable.com/spi/v3/accounts/acme/jobs", false},
		{"www, same account", rule, "https://www.workable.com/spi/v3/accounts/acme/candidates?since_id=2", true},
		{"www, other account", rule, "https://www.workable.com/spi/v3/accounts/evil/candidates", false},
		{"other subdomain, no account path", rule, "https://evil.workable.com/spi/v3/candidates", false},
		{"lookalike domain", rule, "https://www.workable.com.evil.example/spi/v3/accounts/acme/x", false},
		{"suffix without dot", rule, "https://evilworkable.com/spi/v3/accounts/acme/x", false},
		{"scheme downgrade", rule, "http://www.workable.com/spi/v3/accounts/acme/x", false},
		{"user info", rule, "https://u:p@www.workable.com/spi/v3/accounts/acme/x", false},
		{"other port", rule, "https://www.workable.com:8443/spi/v3/accounts/acme/x", false},
		{"foreign host", rule, "https://evil.example/spi/v3/accounts/acme/x", false},
		{"nil SameAccount accepts any own host", HostRule{Domains: []string{".workable.com"}}, "https://www.workable.com/x", true},
		{"base host with a trailing dot", HostRule{}, "https://acme.workable.com./spi/v3/jobs", true},
		{"base host with the default port", HostRule{}, "https://acme.workable.com:443/spi/v3/jobs", true},
		{"www with the default port", rule, "https://www.workable.com:443/spi/v3/accounts/acme/x", true},
		{"http default port is not https's", HostRule{}, "https://acme.workable.com:80/spi/v3/jobs", false},
		{"trailing dot on a lookalike", rule, "https://www.workable.com.evil.example./spi/v3/accounts/acme/x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			link, err := url.Parse(tt.link)
			if err != nil {
				t.Fatal(err)
			}
			err = tt.rule.Check(base, link)
			if (err == nil) != tt.ok {
				t.Fatalf("Check(%s) = %v, want ok=%v", tt.link, err, tt.ok)
			}
			if err != nil && strings.Contains(err.Error(), "since_id") {
				t.Errorf("error %q leaks the link's query", err)
			}
		})
	}
}

// TestDoRefusesForeignLinkBeforeSending checks that Config.Hosts is what Do
// consults: a refused link never reaches the network.
func TestDoRefusesForeignLinkBeforeSending(t *testing.T) {
	s := &script{statuses: []int{200}, body: `{}`}
	c := newClient(t, s, func(cfg *Config) { cfg.Hosts = HostRule{Domains: []string{"example.org"}} })
	_, err := c.Do(context.Background(), &Request{Op: "next page", Path: "http://evil.example/x"}, nil)
	if err == nil || !strings.Contains(err.Error(), "refusing to send credentials") {
		t.Fatalf("Do = %v, want a refusal", err)
	}
	if n := s.n.Load(); n != 0 {
		t.Errorf("server received %d requests, want 0", n)
	}
}
