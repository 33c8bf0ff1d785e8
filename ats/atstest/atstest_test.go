package atstest_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/ats/atstest"
	"github.com/atskit/atskit/examples/custom-adapter/memats"
)

// recorder is an atstest.Tester that records failures instead of failing
// the enclosing test, so a test can assert that the suite rejects a broken
// adapter and which check caught it.
type recorder struct {
	testing.TB // the real test: Cleanup, Logf, TempDir…
	name       string
	mu         *sync.Mutex
	failures   map[string][]string
	failed     bool
}

func newRecorder(t *testing.T) *recorder {
	return &recorder{TB: t, mu: &sync.Mutex{}, failures: map[string][]string{}}
}

func (r *recorder) record(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
	r.failures[r.name] = append(r.failures[r.name], msg)
}

func (r *recorder) Helper()                        {}
func (r *recorder) Name() string                   { return r.name }
func (r *recorder) Fail()                          { r.record("Fail") }
func (r *recorder) Failed() bool                   { return r.failed }
func (r *recorder) FailNow()                       { r.record("FailNow"); runtime.Goexit() }
func (r *recorder) Error(args ...any)              { r.record(fmt.Sprint(args...)) }
func (r *recorder) Errorf(format string, a ...any) { r.record(fmt.Sprintf(format, a...)) }
func (r *recorder) Fatal(args ...any)              { r.record(fmt.Sprint(args...)); runtime.Goexit() }
func (r *recorder) Fatalf(format string, a ...any) {
	r.record(fmt.Sprintf(format, a...))
	runtime.Goexit()
}
func (r *recorder) Log(args ...any)                 {}
func (r *recorder) Logf(format string, args ...any) {}

func (r *recorder) Run(name string, f func(atstest.Tester)) bool {
	child := &recorder{TB: r.TB, name: strings.TrimPrefix(r.name+"/"+name, "/"), mu: r.mu, failures: r.failures}
	done := make(chan struct{})
	go func() { // Fatal ends only this goroutine, as in package testing
		defer close(done)
		f(child)
	}()
	<-done
	if child.failed {
		r.mu.Lock()
		r.failed = true
		r.mu.Unlock()
	}
	return !child.failed
}

func (r *recorder) failedChecks() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for name := range r.failures {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// broken wraps the working memats adapter, overriding one behaviour.
type broken struct {
	ats.Adapter
	jobs      func(ctx context.Context, o ats.ListJobsOptions) iter.Seq2[ats.Job, error]
	candidate func(ctx context.Context, id string) (ats.Candidate, error)
	move      func(ctx context.Context, id, stage string) error
	note      func(ctx context.Context, id string, n ats.Note) error
}

func (b broken) Jobs(ctx context.Context, o ats.ListJobsOptions) iter.Seq2[ats.Job, error] {
	if b.jobs != nil {
		return b.jobs(ctx, o)
	}
	return b.Adapter.Jobs(ctx, o)
}
func (b broken) Candidate(ctx context.Context, id string) (ats.Candidate, error) {
	if b.candidate != nil {
		return b.candidate(ctx, id)
	}
	return b.Adapter.Candidate(ctx, id)
}
func (b broken) MoveCandidate(ctx context.Context, id, stage string) error {
	if b.move != nil {
		return b.move(ctx, id, stage)
	}
	return b.Adapter.MoveCandidate(ctx, id, stage)
}
func (b broken) AddNote(ctx context.Context, id string, n ats.Note) error {
	if b.note != nil {
		return b.note(ctx, id, n)
	}
	return b.Adapter.AddNote(ctx, id, n)
}

// brokenBackend serves a broken adapter over the working memats service.
type brokenBackend struct {
	*memats.Backend
	adapter  func(good ats.Adapter) ats.Adapter
	badCreds bool // BadCredentials returns a working adapter
	webhooks func(w *atstest.Webhooks)
}

func (b brokenBackend) Adapter() ats.Adapter {
	if b.adapter == nil {
		return b.Backend.Adapter()
	}
	return b.adapter(b.Backend.Adapter())
}

func (b brokenBackend) BadCredentials() ats.Adapter {
	if b.badCreds {
		return b.Backend.Adapter()
	}
	return b.Backend.BadCredentials()
}

func (b brokenBackend) Webhooks() *atstest.Webhooks {
	w := b.Backend.Webhooks()
	if b.webhooks != nil {
		b.webhooks(w)
	}
	return w
}

type acceptAll struct{}

// sameID wraps a working verifier but gives every event one ID.
type sameID struct{ ats.WebhookVerifier }

func (v sameID) VerifyWebhook(body []byte, h http.Header) ([]ats.Event, error) {
	evs, err := v.WebhookVerifier.VerifyWebhook(body, h)
	for i := range evs {
		evs[i].ID = "always-the-same"
	}
	return evs, err
}

func (acceptAll) VerifyWebhook(body []byte, h http.Header) ([]ats.Event, error) {
	return []ats.Event{{ID: "x", Source: "broken", Kind: ats.EventStageChanged, CandidateID: "cand0001", Raw: body}}, nil
}

func TestRunPassesWorkingAdapter(t *testing.T) {
	rec := newRecorder(t)
	atstest.RunWith(rec, memats.NewBackend())
	if got := rec.failedChecks(); len(got) != 0 {
		t.Fatalf("the suite failed a working adapter: %v", rec.failures)
	}
}

func TestRunCatchesBrokenAdapters(t *testing.T) {
	tests := []struct {
		name    string
		backend func(b *memats.Backend) atstest.Backend
		want    string // the check that must fail
	}{
		{
			name: "pagination repeats the first page",
			backend: func(b *memats.Backend) atstest.Backend {
				return brokenBackend{Backend: b, adapter: func(good ats.Adapter) ats.Adapter {
					return broken{Adapter: good, jobs: func(ctx context.Context, o ats.ListJobsOptions) iter.Seq2[ats.Job, error] {
						return func(yield func(ats.Job, error) bool) {
							for range 2 { // a cursor bug: the first pages come back twice
								for j, err := range good.Jobs(ctx, o) {
									if !yield(j, err) {
										return
									}
								}
							}
						}
					}}
				}}
			},
			want: "JobsPagination",
		},
		{
			name: "404 is not ats.ErrNotFound",
			backend: func(b *memats.Backend) atstest.Backend {
				return brokenBackend{Backend: b, adapter: func(good ats.Adapter) ats.Adapter {
					return broken{Adapter: good, candidate: func(ctx context.Context, id string) (ats.Candidate, error) {
						c, err := good.Candidate(ctx, id)
						if errors.Is(err, ats.ErrNotFound) {
							return c, errors.New("candidate not found")
						}
						return c, err
					}}
				}}
			},
			want: "ErrorNotFound",
		},
		{
			name: "429 is not ats.ErrRateLimited",
			backend: func(b *memats.Backend) atstest.Backend {
				return brokenBackend{Backend: b, adapter: func(good ats.Adapter) ats.Adapter {
					return broken{Adapter: good, candidate: func(ctx context.Context, id string) (ats.Candidate, error) {
						c, err := good.Candidate(ctx, id)
						if errors.Is(err, ats.ErrRateLimited) {
							return c, fmt.Errorf("HTTP 429")
						}
						return c, err
					}}
				}}
			},
			want: "ErrorRateLimited",
		},
		{
			name: "bad credentials are accepted",
			backend: func(b *memats.Backend) atstest.Backend {
				return brokenBackend{Backend: b, badCreds: true}
			},
			want: "ErrorUnauthorized",
		},
		{
			name: "move is a silent no-op",
			backend: func(b *memats.Backend) atstest.Backend {
				return brokenBackend{Backend: b, adapter: func(good ats.Adapter) ats.Adapter {
					return broken{Adapter: good, move: func(context.Context, string, string) error { return nil }}
				}}
			},
			want: "MoveCandidate",
		},
		{
			name: "stage name is not resolved",
			backend: func(b *memats.Backend) atstest.Backend {
				return brokenBackend{Backend: b, adapter: func(good ats.Adapter) ats.Adapter {
					return broken{Adapter: good, candidate: func(ctx context.Context, id string) (ats.Candidate, error) {
						c, err := good.Candidate(ctx, id)
						c.Stage.Name = ""
						return c, err
					}}
				}}
			},
			want: "Candidate",
		},
		{
			name: "notes are dropped",
			backend: func(b *memats.Backend) atstest.Backend {
				return brokenBackend{Backend: b, adapter: func(good ats.Adapter) ats.Adapter {
					return broken{Adapter: good, note: func(context.Context, string, ats.Note) error { return nil }}
				}}
			},
			want: "AddNote",
		},
		{
			name: "notes are sent twice",
			backend: func(b *memats.Backend) atstest.Backend {
				return brokenBackend{Backend: b, adapter: func(good ats.Adapter) ats.Adapter {
					return broken{Adapter: good, note: func(ctx context.Context, id string, n ats.Note) error {
						_ = good.AddNote(ctx, id, n) // a retried non-idempotent write
						return good.AddNote(ctx, id, n)
					}}
				}}
			},
			want: "AddNote",
		},
		{
			name: "context is ignored",
			backend: func(b *memats.Backend) atstest.Backend {
				return brokenBackend{Backend: b, adapter: func(good ats.Adapter) ats.Adapter {
					return broken{Adapter: good, note: func(_ context.Context, id string, n ats.Note) error {
						return good.AddNote(context.Background(), id, n)
					}}
				}}
			},
			want: "ContextCancelled",
		},
		{
			name: "iterator keeps yielding after the consumer stopped",
			backend: func(b *memats.Backend) atstest.Backend {
				return brokenBackend{Backend: b, adapter: func(good ats.Adapter) ats.Adapter {
					return broken{Adapter: good, jobs: func(ctx context.Context, o ats.ListJobsOptions) iter.Seq2[ats.Job, error] {
						return func(yield func(ats.Job, error) bool) {
							for j, err := range good.Jobs(ctx, o) {
								yield(j, err) // the bug: the result of yield is ignored
							}
						}
					}}
				}}
			},
			want: "EarlyStop",
		},
		{
			name: "verifier gives every event the same ID",
			backend: func(b *memats.Backend) atstest.Backend {
				return brokenBackend{Backend: b, webhooks: func(w *atstest.Webhooks) { w.Verifier = sameID{w.Verifier} }}
			},
			want: "Webhooks/DistinctIDs",
		},
		{
			name: "verifier accepts any signature",
			backend: func(b *memats.Backend) atstest.Backend {
				return brokenBackend{Backend: b, webhooks: func(w *atstest.Webhooks) { w.Verifier = acceptAll{} }}
			},
			want: "Webhooks/WrongSecret",
		},
		{
			name: "verifier ignores the delivery time",
			backend: func(b *memats.Backend) atstest.Backend {
				return brokenBackend{Backend: b, webhooks: func(w *atstest.Webhooks) {
					w.Verifier = memats.Verifier{Secrets: []string{w.Secret}, MaxAge: 1 << 62}
				}}
			},
			want: "Webhooks/Expired",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder(t)
			atstest.RunWith(rec, tt.backend(memats.NewBackend()))
			got := rec.failedChecks()
			if !slices.Contains(got, tt.want) {
				t.Fatalf("the suite did not fail check %q for a broken adapter; failed checks: %v", tt.want, got)
			}
			t.Logf("failed checks: %v", got)
		})
	}
}
