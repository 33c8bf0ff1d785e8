package provider_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/provider"
)

// TestAshbyStartSharedStore: two Ashby handlers (replicas) sharing one
// IdempotencyStore, used through the interface as a database's would be:
// a start repeated to the other replica answers the first answer and
// starts once; a cancel on one replica makes the next start on the other
// start again; another account's cancel forgets nothing.
func TestAshbyStartSharedStore(t *testing.T) {
	cases := []struct {
		name       string
		calls      []ashbyCall // alternate between replicas a and b
		wantStarts int
	}{
		{name: "repeat on the other replica", calls: []ashbyCall{
			{"key-acme", "/assessment.start", ashbyBody("app1")},
			{"key-acme", "/assessment.start", ashbyBody("app1")},
		}, wantStarts: 1},
		{name: "start after a cancel on the other replica", calls: []ashbyCall{
			{"key-acme", "/assessment.start", ashbyBody("app1")},
			{"key-acme", "/assessment.cancel", `{"assessment_id":"as-1"}`},
			{"key-acme", "/assessment.start", ashbyBody("app1")},
		}, wantStarts: 2},
		{name: "another account's cancel", calls: []ashbyCall{
			{"key-acme", "/assessment.start", ashbyBody("app1")},
			{"key-other", "/assessment.cancel", `{"assessment_id":"as-1"}`},
			{"key-acme", "/assessment.start", ashbyBody("app1")},
		}, wantStarts: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newRestartBackend()
			store := struct{ provider.IdempotencyStore }{provider.NewMemoryIdempotencyStore(provider.MemoryIdempotencyStoreOptions{})}
			replica := func() *provider.AshbyHandler {
				return must(provider.NewAshbyHandler(v, provider.AshbyHandlerOptions{
					Tokens:           provider.NewStaticTokens(map[string]provider.Account{"key-acme": "acme", "key-other": "other"}),
					Now:              func() time.Time { return fixedNow },
					IdempotencyStore: store,
				}))
			}
			hs := []*provider.AshbyHandler{replica(), replica()}
			var answers []string
			for i, c := range tc.calls {
				code, body := c.do(hs[i%2])
				if c.path == "/assessment.start" {
					if code != 200 {
						t.Fatalf("start %d: %d %s", i, code, body)
					}
					answers = append(answers, body)
				}
			}
			if v.starts != tc.wantStarts {
				t.Errorf("backend starts = %d; want %d", v.starts, tc.wantStarts)
			}
			if tc.wantStarts == 1 {
				if diff := cmp.Diff(answers[0], answers[len(answers)-1]); diff != "" {
					t.Errorf("repeated start's answer (-first +last):\n%s", diff)
				}
			}
		})
	}
}
