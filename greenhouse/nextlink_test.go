package greenhouse_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/greenhouse"
)

// TestRelativeLinkNext: a Link rel="next" target is resolved against the
// URL of the page that carried it (RFC 8288, RFC 3986), not joined under
// the base path, and a scheme-relative target to another host is refused
// before any request.
func TestRelativeLinkNext(t *testing.T) {
	cases := []struct {
		name, link string
		want       []string // request paths and queries after the first
	}{
		{"absolute path", "</v3/jobs?cursor=b>; rel=\"next\"", []string{"/v3/jobs?cursor=b"}},
		{"query only", "<?cursor=b>; rel=\"next\"", []string{"/v3/jobs?cursor=b"}},
		{"scheme-relative to another host", "<//evil.example/v3/jobs?cursor=b>; rel=\"next\"", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var got []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				if r.URL.Query().Get("cursor") == "" {
					w.Header().Set("Link", tc.link)
				} else {
					got = append(got, r.URL.RequestURI())
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`[]`))
			}))
			defer srv.Close()
			c, err := greenhouse.NewClient(greenhouse.Options{
				TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t"}),
				BaseURL:     srv.URL + "/v3", RateLimit: -1, MaxRetries: -1, UserID: "1",
			})
			if err != nil {
				t.Fatal(err)
			}
			var last error
			for _, err := range c.Jobs(context.Background(), ats.ListJobsOptions{}) {
				last = err
			}
			if (last != nil) != (tc.want == nil) {
				t.Errorf("iteration ended with %v; want an error exactly when the link is refused", last)
			}
			mu.Lock()
			defer mu.Unlock()
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("next-page requests (-want +got):\n%s", diff)
			}
		})
	}
}
