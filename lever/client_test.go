package lever_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"
)

func TestNewClientValidates(t *testing.T) {
	for name, o := range map[string]lever.Options{
		"no credentials":   {},
		"both credentials": {APIKey: "k", TokenSource: lever.OAuthConfig{}.TokenSource(context.Background(), nil)},
		"bad base URL":     {APIKey: "k", BaseURL: "::not a url"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := lever.NewClient(o); err == nil {
				t.Fatal("NewClient succeeded, want error")
			}
		})
	}
}

func TestAPIKeyIsBasicAuth(t *testing.T) {
	f := newFixture(t, nil)
	if _, err := f.c.GetPosting(context.Background(), f.tagged.ID); err != nil {
		t.Fatal(err)
	}
	if got := f.last(t).Auth; got != "basic" {
		t.Errorf("auth = %q, want basic", got)
	}
}

func TestBadAPIKey(t *testing.T) {
	f := newFixture(t, func(o *lever.Options) { o.APIKey = "nope" })
	_, err := f.c.GetPosting(context.Background(), f.tagged.ID)
	wantErr(t, err, ats.ErrUnauthorized, "Invalid API key")
}

func TestPacedRate(t *testing.T) {
	tests := []struct {
		limit     rate.Limit
		burst     int
		wantLimit rate.Limit
		wantBurst int
	}{
		{0, 0, 10 * lever.PacingMargin, 19},
		{100, 20, 100 * lever.PacingMargin, 19},
		{5, 1, 5 * lever.PacingMargin, 1},
		{-1, 0, 0, 0},
	}
	for _, tt := range tests {
		l, b := lever.PacedRate(tt.limit, tt.burst)
		if l != tt.wantLimit || b != tt.wantBurst {
			t.Errorf("PacedRate(%v, %d) = %v, %d; want %v, %d", tt.limit, tt.burst, l, b, tt.wantLimit, tt.wantBurst)
		}
	}
}

// TestPacedClientNeverThrottled runs 60 requests against Lever's documented
// limit scaled up 10× (100/s, burst 20): pacing keeps the server quiet.
func TestPacedClientNeverThrottled(t *testing.T) {
	srv := levertest.NewServer(levertest.WithRateLimit(100, 20))
	defer srv.Close()
	c, err := lever.NewClient(lever.Options{APIKey: levertest.DefaultAPIKey, BaseURL: srv.URL, RateLimit: 100, Burst: 20})
	if err != nil {
		t.Fatal(err)
	}
	for range 60 {
		if _, err := c.ListStages(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.ThrottledCount(); n != 0 {
		t.Errorf("server sent %d 429s to a paced client", n)
	}
}

func TestRetriesInjectedFaults(t *testing.T) {
	srv := levertest.NewServer(levertest.WithRateLimit(0, 0), levertest.WithFaults(levertest.Faults{
		Probability: 0.5, Kinds: []levertest.FaultKind{levertest.FaultServerError, levertest.FaultRateLimit}, Seed: 7,
	}))
	defer srv.Close()
	for range 30 {
		srv.AddOpportunity(levertest.Opportunity{Name: "X Y"})
	}
	c, _ := lever.NewClient(lever.Options{APIKey: levertest.DefaultAPIKey, BaseURL: srv.URL, RateLimit: -1, MaxRetries: 8, RetryWaitMin: 1, RetryWaitMax: 2})
	n := 0
	for _, err := range c.ListOpportunities(context.Background(), lever.ListOpportunitiesOptions{Limit: 3}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 30 {
		t.Errorf("listed %d opportunities, want 30", n)
	}
	if len(srv.InjectedFaults()) == 0 {
		t.Error("no faults injected; the test proves nothing")
	}
}

// recordingTransport answers every request with an empty Lever page and
// records the URLs it was asked for.
type recordingTransport struct{ urls []string }

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.urls = append(rt.urls, r.URL.String())
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"data":[],"hasNext":false}`)), Request: r}, nil
}

// TestEndpointSelection: production by default, sandbox on request,
// BaseURL over both, always through the injected *http.Client.
func TestEndpointSelection(t *testing.T) {
	tests := []struct {
		name string
		opts lever.Options
		want string
	}{
		{"production", lever.Options{}, "https://api.lever.co/v1/stages?limit=100"},
		{"sandbox", lever.Options{Sandbox: true}, "https://api.sandbox.lever.co/v1/stages?limit=100"},
		{"base URL wins", lever.Options{Sandbox: true, BaseURL: "https://proxy.example/lever/v1"}, "https://proxy.example/lever/v1/stages?limit=100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := &recordingTransport{}
			tt.opts.APIKey, tt.opts.HTTPClient, tt.opts.RateLimit = "k", &http.Client{Transport: rt}, -1
			c, err := lever.NewClient(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.ListStages(context.Background()); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff([]string{tt.want}, rt.urls); d != "" {
				t.Errorf("requested URLs (-want +got):\n%s", d)
			}
		})
	}
}
