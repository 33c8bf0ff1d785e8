package workable_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
	"github.com/google/go-cmp/cmp"
)

// hostRouter sends every connection to the fake, whatever the host, and
// records the hosts requests were made for — as if DNS pointed
// acme.workable.com and www.workable.com at it.
type hostRouter struct {
	mu    sync.Mutex
	hosts []string
	rt    http.RoundTripper
}

func (h *hostRouter) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.hosts = append(h.hosts, r.URL.Host)
	h.mu.Unlock()
	return h.rt.RoundTrip(r)
}

func (h *hostRouter) seen() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.hosts...)
}

// routedClient returns a client whose base URL is the production form
// http://acme.workable.com/spi/v3, with every host dialled to srv.
func routedClient(t *testing.T, srv *workabletest.Server, subdomain string) (*workable.Client, *hostRouter) {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	addr := u.Host
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	t.Cleanup(tr.CloseIdleConnections)
	router := &hostRouter{rt: tr}
	c, err := workable.NewClient(workable.Options{Subdomain: subdomain, Token: workabletest.DefaultAPIKey,
		BaseURL: "http://" + subdomain + ".workable.com/spi/v3", HTTPClient: &http.Client{Transport: router},
		MemberID: srv.DefaultMemberID(), RateLimit: -1, MaxRetries: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, router
}

// TestPagingFollowsWWWNextLinks replays Workable's documented list shape:
// the request goes to <subdomain>.workable.com, paging.next points at
// www.workable.com/spi/v3/accounts/<subdomain>/… Every listing must follow
// it to the last page.
func TestPagingFollowsWWWNextLinks(t *testing.T) {
	srv := newFake(t, workabletest.WithNextLinkHost("www.workable.com"))
	job := seedJob(srv, "Engineer")
	var wantCands []string
	for _, n := range []string{"Ada Lovelace", "Alan Turing", "Grace Hopper"} {
		wantCands = append(wantCands, srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: n, Email: strings.ToLower(strings.Fields(n)[0]) + "@example.com"}).ID)
	}
	seedJob(srv, "Designer")
	c, router := routedClient(t, srv, "acme")
	ctx := context.Background()

	t.Run("jobs", func(t *testing.T) {
		jobs, err := paging.Collect(c.Jobs(ctx, ats.ListJobsOptions{PageSize: 1}))
		if err != nil {
			t.Fatalf("Jobs: %v", err)
		}
		if len(jobs) != 2 {
			t.Errorf("got %d jobs, want 2", len(jobs))
		}
	})
	t.Run("candidates", func(t *testing.T) {
		cands, err := paging.Collect(c.Candidates(ctx, ats.CandidateFilter{JobID: job.Shortcode, PageSize: 1}))
		if err != nil {
			t.Fatalf("Candidates: %v", err)
		}
		var ids []string
		for _, cd := range cands {
			ids = append(ids, cd.ID)
		}
		if d := cmp.Diff(wantCands, ids); d != "" {
			t.Errorf("candidates (-want +got):\n%s", d)
		}
	})
	t.Run("activities", func(t *testing.T) {
		for i := range 60 { // more than one page of 50
			if err := c.AddNote(ctx, wantCands[0], ats.Note{Body: "note " + string(rune('a'+i%26))}); err != nil {
				t.Fatal(err)
			}
		}
		acts, err := paging.Collect(c.Activities(ctx, wantCands[0]))
		if err != nil {
			t.Fatalf("Activities: %v", err)
		}
		if len(acts) < 60 {
			t.Errorf("got %d activities, want ≥ 60", len(acts))
		}
	})
	var www bool
	for _, h := range router.seen() {
		switch h {
		case "www.workable.com":
			www = true
		case "acme.workable.com":
		default:
			t.Errorf("request sent to unexpected host %q", h)
		}
	}
	if !www {
		t.Error("no request followed a next link on www.workable.com")
	}
}

// TestPagingRefusesForeignNextLinks: a next link outside Workable, or on
// Workable for another account, is refused before anything is sent.
func TestPagingRefusesForeignNextLinks(t *testing.T) {
	for _, tc := range []struct {
		name, nextHost, account string
	}{
		{"other domain", "evil.example", "acme"},
		{"lookalike domain", "www.workable.com.evil.example", "acme"},
		{"other account on www", "www.workable.com", "globex"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFake(t, workabletest.WithNextLinkHost(tc.nextHost), workabletest.WithAccount(tc.account, "X"))
			seedJob(srv, "A")
			seedJob(srv, "B")
			c, router := routedClient(t, srv, "acme")
			_, err := paging.Collect(c.Jobs(context.Background(), ats.ListJobsOptions{PageSize: 1}))
			if err == nil || !strings.Contains(err.Error(), "refusing to send credentials") {
				t.Fatalf("Jobs = %v, want a refusal", err)
			}
			if d := cmp.Diff([]string{"acme.workable.com"}, router.seen()); d != "" {
				t.Errorf("hosts contacted (-want +got):\n%s", d)
			}
		})
	}
}
