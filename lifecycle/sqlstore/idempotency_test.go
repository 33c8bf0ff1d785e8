package sqlstore_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/lifecycle/sqlstore"
	"github.com/atskit/atskit/provider"
)

const (
	idemInterviewBody = `{"interview_template_id":"1","job_id":"6789","job_title":"Operations Manager",` +
		`"callback_url":"https://groove-tech.workable.com/interviews/8823119",` +
		`"candidate":{"first_name":"Lakita","last_name":"Marrero","phone":"(785)991-6256","email":"lakita@example.com"}}`
	idemSendTestBody = `{"partner_test_id":"12345","candidate":{"first_name":"Harry","last_name":"Potter",` +
		`"email":"hpotter@hogwarts.edu"},"sent_by":"recruiter@hogwarts.edu",` +
		`"url":"https://app.greenhouse.io/integrations/testing_partners/take_home_tests/12345"}`
)

// idemStores opens each dialect's store; PostgreSQL only when
// ATSKIT_POSTGRES_DSN is set.
var idemStores = map[string]func(testing.TB) *sqlstore.Store{
	"sqlite":   newSQLite,
	"postgres": func(t testing.TB) *sqlstore.Store { postgresDSN(t); return newPostgres(t) },
}

// replicaBackend is one replica's backend: its own MemoryBackend, ids
// prefixed with the replica's name (so an id tells which replica created
// it), and a call counter shared by all replicas. If block is set, a
// create signals entered and waits for release.
type replicaBackend struct {
	*provider.MemoryBackend
	name    string
	calls   *atomic.Int32
	fail    *atomic.Bool
	block   bool
	entered chan struct{}
	release chan struct{}
}

func (b *replicaBackend) create(id string, err error) (string, error) {
	b.calls.Add(1)
	if b.block {
		b.entered <- struct{}{}
		<-b.release
	}
	if b.fail != nil && b.fail.Load() {
		return "", errors.New("backend unavailable")
	}
	if err != nil {
		return "", err
	}
	return b.name + "-" + id, nil
}

func (b *replicaBackend) CreateInterview(ctx context.Context, a provider.Account, req provider.CreateInterviewRequest) (string, error) {
	return b.create(b.MemoryBackend.CreateInterview(ctx, a, req))
}

func (b *replicaBackend) CreateAssessment(ctx context.Context, a provider.Account, req provider.CreateAssessmentRequest) (string, error) {
	return b.create(b.MemoryBackend.CreateAssessment(ctx, a, req))
}

func newReplicaBackend(name string, calls *atomic.Int32) *replicaBackend {
	return &replicaBackend{
		MemoryBackend: provider.NewMemoryBackend(provider.MemoryBackendOptions{Tests: []provider.Test{{ID: provider.NumberID(12345), Name: "Test"}}}),
		name:          name, calls: calls,
	}
}

var idemTokens = provider.NewStaticTokens(map[string]provider.Account{"tok-acme": "acme", "tok-globex": "globex"})

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// inFlightSignal wraps a store and reports each claim that found the key
// held by a request in flight, so a test knows a replica is waiting.
type inFlightSignal struct {
	provider.IdempotencyStore
	waiting chan struct{}
}

func (s inFlightSignal) ClaimIdempotency(ctx context.Context, c provider.IdempotencyClaim) (provider.IdempotencyRecord, bool, error) {
	rec, claimed, err := s.IdempotencyStore.ClaimIdempotency(ctx, c)
	if err == nil && !claimed && !rec.Done {
		select {
		case s.waiting <- struct{}{}:
		default:
		}
	}
	return rec, claimed, err
}

type idemCall struct {
	path, token, body string
	basic             bool
}

func (c idemCall) serve(h http.Handler) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, c.path, strings.NewReader(c.body))
	r.Header.Set("Content-Type", "application/json")
	if c.basic {
		r.SetBasicAuth(c.token, "")
	} else {
		r.Header.Set("Authorization", "Bearer "+c.token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestProviderIdempotencyAcrossReplicas: two replicas, each with its own
// handler memory and backend, share one store; a request repeated to the
// other replica — after the first finished, or while it is in flight —
// gets the first replica's id, and the backend is called once. Other
// tenants, expired records and failed creates call the backend again.
func TestProviderIdempotencyAcrossReplicas(t *testing.T) {
	for dialect, open := range idemStores {
		t.Run(dialect, func(t *testing.T) {
			workable := func(b *replicaBackend, store provider.IdempotencyStore, now func() time.Time) http.Handler {
				return must(provider.NewHandler(b, provider.HandlerOptions{Tokens: idemTokens, Logger: quiet(), IdempotencyStore: store, IdempotencyWindow: time.Hour, Now: now}))
			}
			greenhouse := func(b *replicaBackend, store provider.IdempotencyStore, now func() time.Time) http.Handler {
				return must(provider.NewGreenhouseHandler(provider.GreenhouseFromAssessments(b), provider.GreenhouseHandlerOptions{Tokens: idemTokens, Logger: quiet(), IdempotencyStore: store, IdempotencyWindow: time.Hour, Now: now}))
			}
			create := idemCall{path: "/interviews", token: "tok-acme", body: idemInterviewBody}
			sendTest := idemCall{path: "/send_test", token: "tok-acme", body: idemSendTestBody, basic: true}
			tests := []struct {
				name     string
				handler  func(*replicaBackend, provider.IdempotencyStore, func() time.Time) http.Handler
				first    idemCall
				second   idemCall
				advance  time.Duration // between the two requests
				failOnce bool          // the first create fails
				wantCode int
				// wantSame: the second answer is the first's (one backend call).
				wantSame bool
			}{
				{name: "create repeated on the other replica", handler: workable, first: create, second: create, wantCode: 201, wantSame: true},
				{name: "create within the window", handler: workable, first: create, second: create, advance: 59 * time.Minute, wantCode: 201, wantSame: true},
				{name: "create after the window", handler: workable, first: create, second: create, advance: 61 * time.Minute, wantCode: 201},
				{name: "create by another tenant", handler: workable, first: create, second: idemCall{path: "/interviews", token: "tok-globex", body: idemInterviewBody}, wantCode: 201},
				{name: "create retried after a failure", handler: workable, first: create, second: create, failOnce: true, wantCode: 201},
				{name: "send_test repeated on the other replica", handler: greenhouse, first: sendTest, second: sendTest, wantCode: 200, wantSame: true},
				{name: "send_test by another tenant", handler: greenhouse, first: sendTest, second: idemCall{path: "/send_test", token: "tok-globex", body: idemSendTestBody, basic: true}, wantCode: 200},
				{name: "send_test after the window", handler: greenhouse, first: sendTest, second: sendTest, advance: 2 * time.Hour, wantCode: 200},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					store := open(t)
					var mu sync.Mutex
					now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
					clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
					var calls atomic.Int32
					a, b := newReplicaBackend("a", &calls), newReplicaBackend("b", &calls)
					var fail atomic.Bool
					fail.Store(tc.failOnce)
					a.fail = &fail
					ha, hb := tc.handler(a, store, clock), tc.handler(b, store, clock)

					w1 := tc.first.serve(ha)
					if tc.failOnce {
						if w1.Code != 500 {
							t.Fatalf("failing create answered %d, want 500", w1.Code)
						}
						fail.Store(false)
					} else if w1.Code != tc.wantCode {
						t.Fatalf("first: %d %s", w1.Code, w1.Body)
					}
					mu.Lock()
					now = now.Add(tc.advance)
					mu.Unlock()
					w2 := tc.second.serve(hb)
					if w2.Code != tc.wantCode {
						t.Fatalf("second: %d %s", w2.Code, w2.Body)
					}
					wantCalls := int32(2)
					if tc.wantSame {
						wantCalls = 1
						if diff := cmp.Diff(w1.Body.String(), w2.Body.String()); diff != "" {
							t.Errorf("second answer differs from the first (-first +second):\n%s", diff)
						}
					} else if w1.Body.String() == w2.Body.String() {
						t.Errorf("second answer %s repeats the first", w2.Body)
					}
					if got := calls.Load(); got != wantCalls {
						t.Errorf("backend called %d times, want %d", got, wantCalls)
					}
				})
			}
		})
	}
}

// TestProviderIdempotencyConcurrentReplicas: while replica a's create is in
// the backend, replica b receives the same request, waits for a, and
// answers a's id; the backend is called once.
func TestProviderIdempotencyConcurrentReplicas(t *testing.T) {
	for dialect, open := range idemStores {
		t.Run(dialect, func(t *testing.T) {
			store := open(t)
			var calls atomic.Int32
			a, b := newReplicaBackend("a", &calls), newReplicaBackend("b", &calls)
			a.block, a.entered, a.release = true, make(chan struct{}, 1), make(chan struct{})
			waiting := make(chan struct{}, 1)
			shared := inFlightSignal{store, waiting}
			ha := must(provider.NewHandler(a, provider.HandlerOptions{Tokens: idemTokens, Logger: quiet(), IdempotencyStore: shared}))
			hb := must(provider.NewHandler(b, provider.HandlerOptions{Tokens: idemTokens, Logger: quiet(), IdempotencyStore: shared}))
			call := idemCall{path: "/interviews", token: "tok-acme", body: idemInterviewBody}

			first := make(chan *httptest.ResponseRecorder, 1)
			go func() { first <- call.serve(ha) }()
			<-a.entered
			second := make(chan *httptest.ResponseRecorder, 1)
			go func() { second <- call.serve(hb) }()
			<-waiting // b found a's claim in flight
			close(a.release)
			w1, w2 := <-first, <-second
			if w1.Code != 201 || w2.Code != 201 {
				t.Fatalf("answers %d %s and %d %s, want 201", w1.Code, w1.Body, w2.Code, w2.Body)
			}
			if diff := cmp.Diff(`{"interview_id":"a-iv_1"}`, w2.Body.String()); diff != "" {
				t.Errorf("replica b's answer (-want +got):\n%s", diff)
			}
			if got := calls.Load(); got != 1 {
				t.Errorf("backend called %d times, want 1", got)
			}
		})
	}
}

// TestIdempotencyStoreClaims covers the store's claim rules directly:
// one claim of a free key wins, a claim whose lease ran out is taken over
// and can then no longer complete, a released claim frees the key, and
// expired or forgotten records are gone.
func TestIdempotencyStoreClaims(t *testing.T) {
	for dialect, open := range idemStores {
		t.Run(dialect, func(t *testing.T) {
			s := open(t)
			ctx := context.Background()
			t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
			key := provider.IdempotencyKey{Account: "acme", Contract: "workable/interview", Digest: [32]byte{1, 2, 3}}
			claim := func(token string, at time.Time) (provider.IdempotencyRecord, bool) {
				t.Helper()
				rec, ok, err := s.ClaimIdempotency(ctx, provider.IdempotencyClaim{Key: key, Token: token, Now: at, LeaseUntil: at.Add(time.Minute), Expires: at.Add(time.Hour)})
				if err != nil {
					t.Fatal(err)
				}
				return rec, ok
			}
			if _, ok := claim("t1", t0); !ok {
				t.Fatal("first claim of a free key failed")
			}
			if rec, ok := claim("t2", t0.Add(30*time.Second)); ok || rec.Done {
				t.Fatalf("claim during t1's lease: claimed %v, record %+v; want in flight", ok, rec)
			}
			if _, ok := claim("t3", t0.Add(2*time.Minute)); !ok {
				t.Fatal("claim after t1's lease ran out did not take over")
			}
			if err := s.CompleteIdempotency(ctx, key, "t1", "iv_1", nil); !errors.Is(err, provider.ErrIdempotencyClaimLost) {
				t.Errorf("t1 completing after the takeover: %v, want ErrIdempotencyClaimLost", err)
			}
			if err := s.CompleteIdempotency(ctx, key, "t3", "iv_3", []byte(`{"id":"iv_3"}`)); err != nil {
				t.Fatal(err)
			}
			rec, ok := claim("t4", t0.Add(10*time.Minute))
			if diff := cmp.Diff(provider.IdempotencyRecord{Done: true, ID: "iv_3", Answer: []byte(`{"id":"iv_3"}`)}, rec); ok || diff != "" {
				t.Errorf("claim of a done key: claimed %v, record (-want +got):\n%s", ok, diff)
			}
			if _, ok, _ := s.LookupIdempotency(ctx, key, t0.Add(63*time.Minute)); ok { // t3 claimed at 2 min for an hour
				t.Error("record found after it expired")
			}
			if err := s.ForgetIdempotency(ctx, "globex", "workable/interview", "iv_3"); err != nil {
				t.Fatal(err)
			}
			if _, ok, _ := s.LookupIdempotency(ctx, key, t0.Add(11*time.Minute)); !ok {
				t.Error("another tenant's forget dropped acme's record")
			}
			if err := s.ForgetIdempotency(ctx, "acme", "workable/interview", "iv_3"); err != nil {
				t.Fatal(err)
			}
			if _, ok := claim("t5", t0.Add(12*time.Minute)); !ok {
				t.Fatal("claim after forget failed")
			}
			if err := s.ReleaseIdempotency(ctx, key, "t5"); err != nil {
				t.Fatal(err)
			}
			if _, ok := claim("t6", t0.Add(12*time.Minute)); !ok {
				t.Fatal("claim after release failed")
			}
		})
	}
}

// TestIdempotencyStoreOneWinner: of many concurrent claims of one free
// key, exactly one succeeds.
func TestIdempotencyStoreOneWinner(t *testing.T) {
	for dialect, open := range idemStores {
		t.Run(dialect, func(t *testing.T) {
			s := open(t)
			now := time.Now()
			key := provider.IdempotencyKey{Account: "acme", Contract: "greenhouse/send_test", Digest: [32]byte{9}}
			const n = 8
			var wins atomic.Int32
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					_, ok, err := s.ClaimIdempotency(context.Background(), provider.IdempotencyClaim{Key: key, Token: string(rune('a' + i)), Now: now, LeaseUntil: now.Add(time.Minute), Expires: now.Add(time.Hour)})
					if err != nil {
						t.Error(err)
					}
					if ok {
						wins.Add(1)
					}
				})
			}
			wg.Wait()
			if got := wins.Load(); got != 1 {
				t.Errorf("%d of %d concurrent claims won, want 1", got, n)
			}
		})
	}
}

// must returns v, or panics with err: for constructors whose error the
// test's own input rules out.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
