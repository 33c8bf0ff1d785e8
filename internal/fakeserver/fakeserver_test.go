package fakeserver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLog(t *testing.T) {
	var l Log[string]
	l.Record("a")
	l.Count()
	l.SetRecording(false)
	l.Record("b")
	l.SetRecording(true)
	l.Record("c")
	l.Throttle()
	last, ok := l.Last()
	type state struct {
		Requests         []string
		Last             string
		HasLast          bool
		Count, Throttled int
	}
	got := state{l.Requests(), last, ok, l.RequestCount(), l.ThrottledCount()}
	want := state{[]string{"a", "c"}, "c", true, 4, 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("before Reset (-want +got):\n%s", diff)
	}
	l.Reset()
	last, ok = l.Last()
	got = state{l.Requests(), last, ok, l.RequestCount(), l.ThrottledCount()}
	if diff := cmp.Diff(state{}, got); diff != "" {
		t.Errorf("after Reset (-want +got):\n%s", diff)
	}
}

type kind string

var kinds = []kind{"5xx", "429", "stall"}

func TestInjector(t *testing.T) {
	draws := func(f Faults[kind], n int) []kind {
		in := NewInjector(kinds, time.Second)
		in.Set(f)
		var out []kind
		for range n {
			out = append(out, in.Next().Fault)
		}
		return out
	}
	t.Run("same seed, same faults", func(t *testing.T) {
		f := Faults[kind]{Probability: 0.5, Seed: 7}
		a, b := draws(f, 100), draws(f, 100)
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("(-first +second):\n%s", diff)
		}
		hit := map[kind]int{}
		for _, k := range a {
			hit[k]++
		}
		if hit[""] == 0 || hit["5xx"] == 0 || hit["429"] == 0 || hit["stall"] == 0 {
			t.Errorf("at probability 0.5 over 100 requests every outcome should occur: %v", hit)
		}
	})
	t.Run("probability 1 with one kind", func(t *testing.T) {
		got := draws(Faults[kind]{Probability: 1, Kinds: []kind{"429"}}, 3)
		if diff := cmp.Diff([]kind{"429", "429", "429"}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("zero Faults injects nothing", func(t *testing.T) {
		got := draws(Faults[kind]{}, 3)
		if diff := cmp.Diff([]kind{"", "", ""}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("defaults, counts and FailRequests", func(t *testing.T) {
		in := NewInjector(kinds, 3*time.Second)
		in.Set(Faults[kind]{Probability: 1, Kinds: []kind{"stall"}})
		restore := in.FailRequests(http.StatusBadGateway)
		failed := in.Next()
		restore()
		stalled := in.Next()
		want := []Draw[kind]{{Fail: http.StatusBadGateway, Stall: 3 * time.Second}, {Fault: "stall", Stall: 3 * time.Second}}
		if diff := cmp.Diff(want, []Draw[kind]{failed, stalled}); diff != "" {
			t.Errorf("draws (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(map[kind]int{"stall": 1}, in.Injected()); diff != "" {
			t.Errorf("Injected (-want +got):\n%s", diff)
		}
		in.ResetCounts()
		if diff := cmp.Diff(map[kind]int{}, in.Injected()); diff != "" {
			t.Errorf("Injected after ResetCounts (-want +got):\n%s", diff)
		}
	})
}

func TestStall(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	closed := make(chan struct{})
	close(closed)
	cases := []struct {
		name    string
		ctx     context.Context
		closing chan struct{}
		d       time.Duration
		want    StallResult
	}{
		{"served", context.Background(), make(chan struct{}), time.Nanosecond, StallServed},
		{"request canceled", canceled, make(chan struct{}), time.Hour, StallCanceled},
		{"server closing", context.Background(), closed, time.Hour, StallClosed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Stall(tc.ctx, tc.closing, tc.d); got != tc.want {
				t.Errorf("Stall = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPending(t *testing.T) {
	var p Pending
	if err := p.Wait(context.Background()); err != nil {
		t.Fatalf("Wait with nothing pending: %v", err)
	}
	p.Add()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Wait(ctx); err != context.Canceled {
		t.Errorf("Wait with a delivery pending and ctx done = %v, want context.Canceled", err)
	}
	done := make(chan error)
	go func() { done <- p.Wait(context.Background()) }()
	p.Done()
	if err := <-done; err != nil {
		t.Errorf("Wait after Done: %v", err)
	}
}

func TestRetry(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name      string
		ctx       context.Context
		gaps      int
		succeedAt int // -1: never
		want      []int
	}{
		{"all attempts fail", context.Background(), 3, -1, []int{0, 1, 2, 3}},
		{"second attempt succeeds", context.Background(), 3, 1, []int{0, 1}},
		{"no gaps, one attempt", context.Background(), 0, -1, []int{0}},
		{"closing: no retry", canceled, 3, -1, []int{0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []int
			Retry(tc.ctx, make([]time.Duration, tc.gaps), func(n int) bool {
				got = append(got, n)
				return n == tc.succeedAt
			})
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("attempts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPost(t *testing.T) {
	var gotHeader, gotBody string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotHeader = r.Header.Get("X-Signature")
		b := make([]byte, 16)
		n, _ := r.Body.Read(b)
		gotBody = string(b[:n])
		w.WriteHeader(http.StatusAccepted)
	}))
	defer ts.Close()
	status, err := Post(context.Background(), ts.Client(), ts.URL, []byte("hello"), http.Header{"X-Signature": {"sig"}})
	if err != nil || status != http.StatusAccepted || gotHeader != "sig" || gotBody != "hello" {
		t.Errorf("Post = %d, %v; receiver saw header %q body %q", status, err, gotHeader, gotBody)
	}
	if status, err := Post(context.Background(), ts.Client(), "http://\x00", nil, nil); status != 0 || err == nil {
		t.Errorf("Post to a bad URL = %d, %v; want 0 and an error", status, err)
	}
}

func TestGaps(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		name string
		got  []time.Duration
		want []time.Duration
	}{
		{"doubling", DoublingGaps(5*ms, 4), []time.Duration{5 * ms, 10 * ms, 20 * ms, 40 * ms}},
		{"exponential", ExponentialGaps(ms, 4), []time.Duration{ms, 3 * ms, 7 * ms, 15 * ms}},
		{"negative count", DoublingGaps(ms, -1), []time.Duration{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDrawAnswer(t *testing.T) {
	closed := make(chan struct{})
	close(closed)
	open := make(chan struct{})
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	type answer struct {
		Answered bool
		Status   int
		Msg      string
	}
	cases := []struct {
		name    string
		draw    Draw[kind]
		ctx     context.Context
		closing chan struct{}
		want    answer
	}{
		{"nothing", Draw[kind]{}, context.Background(), open, answer{}},
		{"FailRequests", Draw[kind]{Fail: 502}, context.Background(), open, answer{true, 502, "injected failure"}},
		{"server error", Draw[kind]{Fault: KindServerError}, context.Background(), open, answer{true, 503, "injected fault"}},
		{"rate limit", Draw[kind]{Fault: KindRateLimit}, context.Background(), open, answer{true, 429, "injected fault: rate limit exceeded"}},
		{"stall served", Draw[kind]{Fault: KindStall, Stall: time.Nanosecond}, context.Background(), open, answer{}},
		{"stall, server closing", Draw[kind]{Fault: KindStall, Stall: time.Hour}, context.Background(), closed, answer{true, 503, "server closed while stalled"}},
		{"stall, request gone", Draw[kind]{Fault: KindStall, Stall: time.Hour}, canceled, open, answer{Answered: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequestWithContext(tc.ctx, http.MethodGet, "/", nil)
			var got answer
			got.Answered = tc.draw.Answer(r, tc.closing, func(status int, msg string) { got.Status, got.Msg = status, msg })
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
