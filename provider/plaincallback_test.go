package provider

import (
	"net/url"
	"testing"
)

// plainCallbackAgrees reports whether plainCallbackURL's acceptance of s
// implies url.Parse's: every URL the fast path accepts must parse, with
// the same scheme check and a host, so validateCallback's rules stay
// url.Parse's.
func plainCallbackAgrees(s string) bool {
	if !plainCallbackURL(s) {
		return true
	}
	u, err := url.Parse(s)
	return err == nil && u.Host != "" && (u.Scheme == "https" || u.Scheme == "http")
}

func TestPlainCallbackURL(t *testing.T) {
	tests := []struct {
		url   string
		plain bool
	}{
		{"https://groove-tech.workable.com/interviews/8823119", true},
		{"http://example.com", true},
		{"https://example.com/a/b;c=d/e@f:g~h_i.j!k$l&m'n(o)p*q+r,s", true},
		{"https://", false},
		{"https:///path", false},
		{"https://user@host/", false},
		{"https://host:443/", false},
		{"https://[::1]/", false},
		{"https://host/a%2Fb", false},
		{"https://host/a?b=c", false},
		{"https://host/a#b", false},
		{"https://host/a b", false},
		{"https://host/a\x7f", false},
		{"https://ho%73t/", false},
		{"HTTPS://host/", false},
		{"ftp://host/", false},
		{"https://hóst/", false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			if got := plainCallbackURL(tt.url); got != tt.plain {
				t.Errorf("plainCallbackURL(%q) = %v, want %v", tt.url, got, tt.plain)
			}
			if !plainCallbackAgrees(tt.url) {
				t.Errorf("plainCallbackURL accepts %q, which url.Parse refuses or validateCallback would not accept", tt.url)
			}
		})
	}
}

func FuzzPlainCallbackURL(f *testing.F) {
	for _, s := range []string{"https://a.example/b", "http://x", "https://a/%zz", "https://a:b@c/", "https://a/b?c#d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !plainCallbackAgrees(s) {
			t.Errorf("plainCallbackURL accepts %q, which url.Parse refuses or validateCallback would not accept", s)
		}
	})
}
