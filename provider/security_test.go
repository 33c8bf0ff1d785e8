package provider

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/atskit/atskit/internal/safehttp/safehttptest"
	"github.com/google/go-cmp/cmp"
)

// TestAnonymousCallerLearnsNothing: without a valid token every request
// gets the same 401, so an anonymous caller cannot tell which paths,
// methods or contracts the deployment serves.
func TestAnonymousCallerLearnsNothing(t *testing.T) {
	interviewsOnly := newTestHandler(t, interviewOnly{newMemory()})
	tests := []struct {
		name string
		spec reqSpec
	}{
		{"unknown path", reqSpec{method: "GET", path: "/nope"}},
		{"unknown path, bad token", reqSpec{method: "GET", path: "/nope", token: "guess"}},
		{"wrong method on a collection", reqSpec{method: "GET", path: "/interviews"}},
		{"wrong method on a resource", reqSpec{method: "DELETE", path: "/interviews/iv_1", token: "guess"}},
		{"contract not served", reqSpec{method: "GET", path: "/tests"}},
		{"served path", reqSpec{method: "GET", path: "/interview-templates"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(interviewsOnly, tt.spec)
			got := []any{w.Code, w.Header().Get("Allow"), w.Header().Get("WWW-Authenticate")}
			want := []any{http.StatusUnauthorized, "", `Bearer realm="provider"`}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// interviewOnly hides MemoryBackend's assessment methods.
type interviewOnly struct{ InterviewBackend }

func TestIdempotencyPerTenant(t *testing.T) {
	h := newTestHandler(t, newMemory(), func(o *HandlerOptions) { o.IdempotencyMaxKeys = 3 })
	post := func(token, email string) string {
		t.Helper()
		w := serve(h, reqSpec{method: "POST", path: "/interviews", token: token, body: strings.Replace(validInterview, "lakita@example.com", email, 1)})
		if w.Code != http.StatusCreated {
			t.Fatalf("POST = %d %s", w.Code, w.Body)
		}
		return w.Body.String()
	}
	first := post(tokenAcme, "a@x.com")
	// Another tenant floods creates, far beyond the bound.
	for i := range 50 {
		post(tokenGlobex, strings.Repeat("z", i)+"@y.com")
	}
	if again := post(tokenAcme, "a@x.com"); again != first {
		t.Errorf("acme's retry created a second invitation (%s, then %s): another tenant evicted its entry", first, again)
	}
	if n := h.idem.size("globex"); n > 3 {
		t.Errorf("globex holds %d keys, want at most 3", n)
	}
}

func TestIdempotencyWindowCannotOverflow(t *testing.T) {
	h := newTestHandler(t, newMemory(), func(o *HandlerOptions) { o.IdempotencyWindow = time.Duration(math.MaxInt64) })
	var ids []string
	for range 2 {
		w := serve(h, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: validInterview})
		ids = append(ids, w.Body.String())
	}
	if ids[0] != ids[1] {
		t.Errorf("a very long window overflowed into an expired one: ids %q", ids)
	}
}

func TestSlowBodyBoundedByDeadline(t *testing.T) {
	h := newTestHandler(t, newMemory(), func(o *HandlerOptions) { o.ReadTimeout = 300 * time.Millisecond })
	// No server timeouts: the handler alone bounds the connection.
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	attack := safehttptest.Trickle{Conns: 100, Method: "POST", Path: "/interviews",
		Header:    http.Header{"Authorization": {"Bearer " + tokenAcme}, "Content-Type": {"application/json"}},
		BodyBytes: 4096, Every: 20 * time.Millisecond, GiveUp: 5 * time.Second}
	out, err := attack.Run(context.Background(), srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[int]int{}
	held := 0
	for _, o := range out {
		statuses[o.Status]++
		if o.Held {
			held++
		}
	}
	if held > 0 {
		t.Errorf("%d of %d trickling connections still held after %v", held, attack.Conns, attack.GiveUp)
	}
	if diff := cmp.Diff(map[int]int{http.StatusRequestTimeout: attack.Conns}, statuses); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
}
