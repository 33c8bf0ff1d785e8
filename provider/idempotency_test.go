package provider

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// hiddenStore hides a store's concrete type, so handlers use it through
// the IdempotencyStore interface as they would a shared one.
type hiddenStore struct{ IdempotencyStore }

// TestIdempotencyCacheAllocatesNothing: remembering a new create and
// replaying a known one allocate nothing per request (entries come in
// chunks), so a busy handler's cache costs the collector no objects.
func TestIdempotencyCacheAllocatesNothing(t *testing.T) {
	c := newIdempotency(time.Hour, 1_000_000, time.Now)
	ctx := context.Background()
	cand := &Candidate{Email: "a@x.com"}
	i := 0
	newKey := testing.AllocsPerRun(5000, func() {
		i++
		k := idemKey{uint64(i), 7}
		cl, _, _, _, _ := c.begin(ctx, "acme", k, time.Hour)
		c.finish(cl, "iv_1", nil, nil)
	})
	known := c.key("acme", "interview", "1", cand, "https://x")
	cl, _, _, _, _ := c.begin(ctx, "acme", known, time.Hour)
	c.finish(cl, "iv_1", nil, nil)
	replay := testing.AllocsPerRun(1000, func() {
		if _, id, _, replayed, _ := c.begin(ctx, "acme", known, time.Hour); !replayed || id != "iv_1" {
			t.Fatalf("replay: %q %v", id, replayed)
		}
	})
	// One chunk of idemChunk entries per idemChunk new keys, and the index
	// grows now and then: well under one allocation per request.
	if newKey > 0.1 || replay != 0 {
		t.Errorf("allocations per request: new key %.3f, replay %.3f; want < 0.1 and 0", newKey, replay)
	}
}

// TestIdempotencyCacheRules covers the cache's rules through its claim
// API: failures are not remembered and the retry claims the same entry,
// the window and the per-account bound evict, forget drops one id, and
// a waiter on an entry evicted while in flight still gets the answer.
func TestIdempotencyCacheRules(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	ctx := context.Background()
	k := func(i int) idemKey { return idemKey{uint64(i), 1} }

	t.Run("failure is not remembered", func(t *testing.T) {
		c := newIdempotency(time.Hour, 10, clock)
		cl, _, _, _, _ := c.begin(ctx, "acme", k(1), time.Hour)
		c.finish(cl, "", nil, errors.New("down"))
		cl2, _, _, replayed, _ := c.begin(ctx, "acme", k(1), time.Hour)
		if cl2.e == nil || replayed {
			t.Fatal("retry after a failure did not claim the key")
		}
		c.finish(cl, "stale", nil, nil) // the failed claim cannot finish the retry's
		c.finish(cl2, "iv_2", nil, nil)
		if _, id, _, replayed, _ := c.begin(ctx, "acme", k(1), time.Hour); !replayed || id != "iv_2" {
			t.Errorf("after retry: %q replayed %v, want iv_2", id, replayed)
		}
	})
	t.Run("window and bound", func(t *testing.T) {
		c := newIdempotency(time.Hour, 3, clock)
		for i := range 2 * idemChunk {
			cl, _, _, _, _ := c.begin(ctx, "acme", k(i), time.Hour)
			c.finish(cl, fmt.Sprint("iv_", i), nil, nil)
		}
		if got := c.size("acme"); got != 3 {
			t.Errorf("%d keys kept, want the bound 3", got)
		}
		sh := c.shards["acme"]
		if len(sh.chunks) > 2 {
			t.Errorf("%d chunks held for 3 keys, want passed chunks freed", len(sh.chunks))
		}
		cl, _, _, _, _ := c.begin(ctx, "globex", k(0), time.Hour)
		c.finish(cl, "gx_1", nil, nil)
		now = now.Add(2 * time.Hour)
		c.sweepLocked(now.UnixNano())
		if len(c.shards) != 0 {
			t.Errorf("%d shards left after every key expired", len(c.shards))
		}
	})
	t.Run("forget", func(t *testing.T) {
		c := newIdempotency(time.Hour, 10, clock)
		for i, id := range []string{"as_1", "as_2"} {
			cl, _, _, _, _ := c.begin(ctx, "acme", k(i), time.Hour)
			c.finish(cl, id, nil, nil)
		}
		c.forget("globex", "as_1")
		c.forget("acme", "as_1")
		if got := c.size("acme"); got != 1 {
			t.Errorf("%d keys after forgetting one of two, want 1", got)
		}
	})
	t.Run("waiter on an entry evicted in flight", func(t *testing.T) {
		c := newIdempotency(time.Hour, 2, clock)
		waiting := make(chan struct{}, 1)
		c.onWait = func() { waiting <- struct{}{} }
		cl, _, _, _, _ := c.begin(ctx, "acme", k(1), time.Hour)
		got := make(chan string, 1)
		go func() {
			_, id, _, _, err := c.begin(ctx, "acme", k(1), time.Hour)
			if err != nil {
				id = err.Error()
			}
			got <- id
		}()
		<-waiting
		c.onWait = nil
		// Two new keys: the second finds the bound of 2 reached and evicts
		// the oldest, the in-flight entry.
		for i := 2; i <= 3; i++ {
			cl2, _, _, _, _ := c.begin(ctx, "acme", k(i), time.Hour)
			c.finish(cl2, fmt.Sprint("iv_", i), nil, nil)
		}
		if _, ok := c.shards["acme"].index[k(1)]; ok {
			t.Fatal("the in-flight entry was not evicted")
		}
		c.finish(cl, "iv_1", nil, nil)
		if id := <-got; id != "iv_1" {
			t.Errorf("waiter got %q, want iv_1", id)
		}
	})
}

// TestSharedIdempotencyHandlers: two handlers with their own memory
// sharing one store through the IdempotencyStore interface call the
// backend once for a request sent to both, also while the first is in
// flight; another tenant's request is its own; a failed create is
// released.
func TestSharedIdempotencyHandlers(t *testing.T) {
	store := hiddenStore{NewMemoryIdempotencyStore(MemoryIdempotencyStoreOptions{})}
	backend := &scriptedBackend{release: make(chan struct{}), entered: make(chan struct{}, 1)}
	ha := newTestHandler(t, backend, func(o *HandlerOptions) { o.IdempotencyStore = store })
	hb := newTestHandler(t, backend, func(o *HandlerOptions) { o.IdempotencyStore = store })
	waiting := make(chan struct{}, 1)
	hb.shared.onWait = func() { waiting <- struct{}{} }
	post := func(h *Handler, token string) (int, string) {
		w := serve(h, reqSpec{method: "POST", path: "/interviews", token: token, body: validInterview})
		return w.Code, w.Body.String()
	}
	type answer struct {
		Code int
		Body string
	}
	first := make(chan answer, 1)
	go func() { c, b := post(ha, tokenAcme); first <- answer{c, b} }()
	<-backend.entered
	second := make(chan answer, 1)
	go func() { c, b := post(hb, tokenAcme); second <- answer{c, b} }()
	<-waiting
	close(backend.release)
	a1, a2 := <-first, <-second
	if diff := cmp.Diff(answer{201, `{"interview_id":"iv_1"}`}, a1); diff != "" {
		t.Errorf("first (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(a1, a2); diff != "" {
		t.Errorf("the other handler's answer differs (-first +second):\n%s", diff)
	}
	backend.entered = nil
	if code, body := post(hb, tokenGlobex); code != 201 || body == a1.Body {
		t.Errorf("other tenant: %d %s, want a new interview", code, body)
	}
	if got := backend.calls.Load(); got != 2 {
		t.Errorf("backend called %d times, want 2 (one per tenant)", got)
	}

	backend.err = errors.New("down")
	body := `{"interview_template_id":"2","callback_url":"https://x.workable.com/cb"}`
	if w := serve(ha, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: body}); w.Code != 500 {
		t.Fatalf("failing create: %d", w.Code)
	}
	backend.err = nil
	if w := serve(hb, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: body}); w.Code != 201 {
		t.Fatalf("retry on the other handler: %d %s", w.Code, w.Body)
	}
	if got := backend.calls.Load(); got != 4 {
		t.Errorf("backend called %d times, want 4 (the failed create was released)", got)
	}
}

// TestMemoryIdempotencyStoreContract covers the interface methods of the
// memory store as a shared store's would be used.
func TestMemoryIdempotencyStoreContract(t *testing.T) {
	s := NewMemoryIdempotencyStore(MemoryIdempotencyStoreOptions{MaxKeys: 10})
	ctx := context.Background()
	t0 := time.Now()
	key := IdempotencyKey{Account: "acme", Contract: "workable/interview", Digest: digest("1", "a@x.com")}
	claim := func(token string) (IdempotencyRecord, bool) {
		rec, ok, err := s.ClaimIdempotency(ctx, IdempotencyClaim{Key: key, Token: token, Now: t0, LeaseUntil: t0.Add(time.Minute), Expires: t0.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return rec, ok
	}
	if _, ok := claim("t1"); !ok {
		t.Fatal("free key not claimed")
	}
	if rec, ok := claim("t2"); ok || rec.Done {
		t.Fatalf("second claim: %v %+v, want in flight", ok, rec)
	}
	if err := s.CompleteIdempotency(ctx, key, "t2", "x", nil); !errors.Is(err, ErrIdempotencyClaimLost) {
		t.Errorf("complete with another token: %v", err)
	}
	if err := s.ReleaseIdempotency(ctx, key, "t1"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.LookupIdempotency(ctx, key, t0); ok {
		t.Error("released key still found")
	}
	if _, ok := claim("t3"); !ok {
		t.Fatal("released key not claimed again")
	}
	if err := s.CompleteIdempotency(ctx, key, "t3", "iv_3", []byte("answer")); err != nil {
		t.Fatal(err)
	}
	rec, ok, _ := s.LookupIdempotency(ctx, key, t0)
	if diff := cmp.Diff(IdempotencyRecord{Done: true, ID: "iv_3", Answer: []byte("answer")}, rec); !ok || diff != "" {
		t.Errorf("lookup (-want +got):\n%s", diff)
	}
	other := key
	other.Account = "globex"
	if _, ok, _ := s.LookupIdempotency(ctx, other, t0); ok {
		t.Error("another tenant sees acme's record")
	}
	if err := s.ForgetIdempotency(ctx, "acme", "workable/interview", "iv_3"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.LookupIdempotency(ctx, key, t0); ok {
		t.Error("forgotten record still found")
	}
}

// TestSharedIdempotencyStoreFailure: a store that fails answers 500 and
// never calls the backend, rather than risking a duplicate invitation.
func TestSharedIdempotencyStoreFailure(t *testing.T) {
	backend := &scriptedBackend{}
	h := newTestHandler(t, backend, func(o *HandlerOptions) { o.IdempotencyStore = failingStore{} })
	w := serve(h, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: validInterview})
	if w.Code != 500 || backend.calls.Load() != 0 {
		t.Errorf("store down: %d with %d backend calls, want 500 and none", w.Code, backend.calls.Load())
	}
}

type failingStore struct{ IdempotencyStore }

func (failingStore) ClaimIdempotency(context.Context, IdempotencyClaim) (IdempotencyRecord, bool, error) {
	return IdempotencyRecord{}, false, errors.New("database unreachable")
}
