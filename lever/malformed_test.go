package lever_test

import (
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/atskit/atskit/internal/paging"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
)

// TestMalformedResponses: a 2xx answer that is not what Lever documents is
// an error naming the call and what was wrong, never a silent zero value;
// items of pages already read are still delivered before the error.
func TestMalformedResponses(t *testing.T) {
	const good = `{"data":[{"id":"p1","text":"Backend Engineer"}],"hasNext":true,"next":"n1"}`
	tests := []struct {
		name    string
		page2   string // the second page of GET /postings, and GET /postings/p1
		wantErr string
	}{
		{"malformed JSON", `{"data":[`, "decoding 200 response"},
		{"wrong type", `{"data":[{"id":5}],"hasNext":false}`, "decoding 200 response"},
		{"wrong envelope type", `{"data":{"id":"p2"},"hasNext":false}`, "decoding 200 response"},
		{"missing data", `{"hasNext":false}`, `response has no "data" field`},
		{"null data", `{"data":null,"hasNext":false}`, `response has no "data" field`},
		{"hasNext without next", `{"data":[],"hasNext":true}`, "hasNext without a next token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// GET /postings/p1 answers the bad page reshaped as a single
			// resource.
			single := strings.Replace(strings.Replace(tt.page2, `[{"id":5}]`, `{"id":5}`, 1), `"data":[`, `"data":{`, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if r.URL.Path == "/v1/postings/p1" {
					io.WriteString(w, single)
					return
				}
				if r.URL.Path == "/v1/postings" && r.URL.Query().Get("offset") == "" {
					io.WriteString(w, good)
					return
				}
				io.WriteString(w, tt.page2)
			}))
			defer srv.Close()
			c, err := lever.NewClient(lever.Options{APIKey: "k", BaseURL: srv.URL + "/v1", RateLimit: -1})
			if err != nil {
				t.Fatal(err)
			}
			got, err := paging.Collect(c.ListPostings(context.Background(), lever.ListPostingsOptions{}))
			if err == nil || !strings.Contains(err.Error(), "lever: list postings") || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ListPostings err = %v, want one naming the call and %q", err, tt.wantErr)
			}
			if len(got) != 1 || got[0].ID != "p1" {
				t.Errorf("items before the bad page = %+v, want p1", got)
			}
			if tt.name == "hasNext without next" || tt.name == "wrong envelope type" {
				return // single-resource reads have no such shape
			}
			p, err := c.GetPosting(context.Background(), "p1")
			if err == nil || !strings.Contains(err.Error(), "lever: get posting p1") {
				t.Errorf("GetPosting(%s) = %+v, %v; want an error naming the call", single, p, err)
			}
		})
	}
}

// TestListsStream: a listing fetches pages as the caller consumes them, so
// memory is bounded by one page and stopping early costs no more requests.
func TestListsStream(t *testing.T) {
	f := newFixture(t, nil)
	for range 30 {
		f.srv.AddOpportunity(levertest.Opportunity{Name: "X Y"})
	}
	f.srv.ResetRequests()
	n := 0
	for _, err := range f.c.ListOpportunities(context.Background(), lever.ListOpportunitiesOptions{Limit: 5}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if got := f.srv.RequestCount(); got != (n+4)/5 {
			t.Fatalf("after %d items the client made %d requests, want %d (one per page reached)", n, got, (n+4)/5)
		}
		if n == 7 {
			break
		}
	}
	if got := f.srv.RequestCount(); got != 2 {
		t.Errorf("stopping after 7 items made %d requests, want 2", got)
	}
}

// TestStalledRequestHonoursContext: a request the fake stalls returns when
// the caller's context ends, with an error saying so.
func TestStalledRequestHonoursContext(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.SetFaults(levertest.Faults{Probability: 1, Kinds: []levertest.FaultKind{levertest.FaultStall}, Stall: time.Hour, Seed: 3})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := f.c.GetPosting(ctx, f.tagged.ID)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "lever: get posting") {
		t.Fatalf("err = %v, want the deadline, naming the call", err)
	}
	if got := f.srv.InjectedFaults(); !maps.Equal(got, map[levertest.FaultKind]int{levertest.FaultStall: 1}) {
		t.Errorf("injected faults = %v, want the one stall", got)
	}
}
