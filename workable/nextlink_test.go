package workable_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/workable"
)

// linkRT answers the first jobs page with paging.next = next and every
// later page with no next link, recording each request's URL and whether it
// carried the token.
type linkRT struct {
	mu   sync.Mutex
	next string
	hits []string
}

func (rt *linkRT) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	hit := r.URL.String()
	if r.Header.Get("Authorization") != "" {
		hit += " (token)"
	}
	rt.hits = append(rt.hits, hit)
	body := `{"jobs":[{"shortcode":"J1","title":"t","state":"published"}],"paging":{"next":` + fmt.Sprintf("%q", rt.next) + `}}`
	if len(rt.hits) > 1 {
		body = `{"jobs":[]}`
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// TestNextLinkResolution: paging.next is resolved against the URL of the
// page that carried it (RFC 3986) and then passes the host rule; hosts
// compare without a trailing dot and with :443 equal to no port; a
// production token never follows a link into the sandbox domain.
func TestNextLinkResolution(t *testing.T) {
	const first = "https://acme.workable.com/spi/v3/jobs?limit=100 (token)"
	cases := []struct {
		name, next string
		want       string // second request, "" when the link is refused
	}{
		{"absolute-path reference keeps the page's host", "/spi/v3/accounts/acme/jobs?since_id=2", "https://acme.workable.com/spi/v3/accounts/acme/jobs?since_id=2 (token)"},
		{"query-only reference keeps the page's path", "?since_id=2", "https://acme.workable.com/spi/v3/jobs?since_id=2 (token)"},
		{"scheme-relative to www, same account", "//www.workable.com/spi/v3/accounts/acme/jobs?since_id=2", "https://www.workable.com/spi/v3/accounts/acme/jobs?since_id=2 (token)"},
		{"scheme-relative to another host", "//evil.io/spi/v3/jobs", ""},
		{"upper-case scheme to another host", "HTTPS://evil.io/spi/v3/jobs", ""},
		{"upper-case scheme to www", "HTTPS://WWW.WORKABLE.COM/spi/v3/accounts/acme/jobs", "https://WWW.WORKABLE.COM/spi/v3/accounts/acme/jobs (token)"},
		{"explicit default port", "https://www.workable.com:443/spi/v3/accounts/acme/jobs", "https://www.workable.com:443/spi/v3/accounts/acme/jobs (token)"},
		{"other port", "https://www.workable.com:8443/spi/v3/accounts/acme/jobs", ""},
		{"trailing dot on www", "https://www.workable.com./spi/v3/accounts/acme/jobs", "https://www.workable.com./spi/v3/accounts/acme/jobs (token)"},
		{"trailing dot into the sandbox (www)", "https://www.workablesandbox.com./spi/v3/accounts/acme/jobs", ""},
		{"trailing dot into the sandbox (subdomain)", "https://acme.workablesandbox.com./spi/v3/jobs", ""},
		{"sandbox without a dot", "https://acme.workablesandbox.com/spi/v3/jobs", ""},
		{"dot segments into another account", "https://www.workable.com/spi/v3/accounts/acme/../other/jobs", ""},
		{"escaped slashes", "https://www.workable.com/spi/v3/accounts/acme%2F..%2Fother/jobs", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rt := &linkRT{next: tc.next}
			c, err := workable.NewClient(workable.Options{Subdomain: "acme", Token: "tok", HTTPClient: &http.Client{Transport: rt}, MaxRetries: -1})
			if err != nil {
				t.Fatal(err)
			}
			var last error
			for _, err := range c.Jobs(context.Background(), ats.ListJobsOptions{}) {
				if err != nil {
					last = err
				}
			}
			want := []string{first}
			if tc.want != "" {
				want = append(want, tc.want)
			}
			rt.mu.Lock()
			defer rt.mu.Unlock()
			if diff := cmp.Diff(want, rt.hits); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if (last == nil) != (tc.want != "") {
				t.Errorf("iteration ended with %v; want an error exactly when the link is refused", last)
			}
		})
	}
}
