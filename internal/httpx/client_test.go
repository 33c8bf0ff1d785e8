package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"golang.org/x/time/rate"
)

const secret = "s3cr3t-token-value"

// script answers the n-th request (0-based) with statuses[n] (the last one
// repeats) and records what it received.
type script struct {
	statuses []int
	header   http.Header // added to every response
	body     string
	n        atomic.Int32
	auths    []string
	keys     []string
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := int(s.n.Add(1)) - 1
	s.auths = append(s.auths, r.Header.Get("Authorization"))
	s.keys = append(s.keys, r.Header.Get("Idempotency-Key"))
	st := s.statuses[min(i, len(s.statuses)-1)]
	for k, vs := range s.header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(st)
	if st >= 400 {
		fmt.Fprintf(w, `{"error":"failure %d"}`, st)
		return
	}
	io.WriteString(w, s.body)
}

func newClient(t *testing.T, h http.Handler, mod func(*Config)) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tokens := 0
	cfg := Config{
		ATS:          "testats",
		BaseURL:      srv.URL + "/v1",
		MaxRetries:   3,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
		Authorize: func(r *http.Request) error {
			tokens++
			r.Header.Set("Authorization", fmt.Sprintf("Bearer %s-%d", secret, tokens))
			return nil
		},
		DecodeError: func(_ *http.Response, body []byte, e *ats.APIError) {
			var v struct{ Error string }
			if json.Unmarshal(body, &v) == nil {
				e.Message = v.Error
			}
		},
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRetryPolicy(t *testing.T) {
	tests := []struct {
		name         string
		req          Request
		statuses     []int
		wantAttempts int32
		wantStatus   int // 0: success
	}{
		{"GET retried on 503", Request{Method: "GET"}, []int{503, 502, 200}, 3, 0},
		{"GET retried on 408", Request{Method: "GET"}, []int{408, 200}, 2, 0},
		{"PUT retried on 500", Request{Method: "PUT", Body: map[string]int{"a": 1}}, []int{500, 200}, 2, 0},
		{"GET gives up after MaxRetries", Request{Method: "GET"}, []int{500}, 4, 500},
		{"GET not retried on 404", Request{Method: "GET"}, []int{404}, 1, 404},
		{"GET not retried on 501", Request{Method: "GET"}, []int{501}, 1, 501},
		{"POST not retried on 500", Request{Method: "POST", Body: map[string]int{"a": 1}}, []int{500, 200}, 1, 500},
		{"POST retried on 429", Request{Method: "POST", Body: map[string]int{"a": 1}}, []int{429, 200}, 2, 0},
		{"POST with idempotency key retried on 500", Request{Method: "POST", IdempotencyKey: "k1"}, []int{500, 200}, 2, 0},
		{"POST marked idempotent retried on 503", Request{Method: "POST", Idempotent: true}, []int{503, 200}, 2, 0},
		{"PATCH not retried on 502", Request{Method: "PATCH"}, []int{502}, 1, 502},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &script{statuses: tt.statuses, body: `{"ok":true}`}
			c := newClient(t, s, nil)
			tt.req.Op, tt.req.Path = "test op", "/things"
			var out struct{ OK bool }
			_, err := c.Do(context.Background(), &tt.req, &out)
			if got := s.n.Load(); got != tt.wantAttempts {
				t.Errorf("attempts = %d, want %d", got, tt.wantAttempts)
			}
			if tt.wantStatus == 0 {
				if err != nil || !out.OK {
					t.Fatalf("Do = %v (out %+v), want success", err, out)
				}
				return
			}
			var ae *ats.APIError
			if !errors.As(err, &ae) || ae.StatusCode != tt.wantStatus {
				t.Fatalf("Do error = %v, want *ats.APIError with status %d", err, tt.wantStatus)
			}
			if ae.Message != fmt.Sprintf("failure %d", tt.wantStatus) || ae.ATS != "testats" || ae.Op != "test op" {
				t.Errorf("APIError = %+v", ae)
			}
		})
	}
}

func TestCredentialsPerAttempt(t *testing.T) {
	s := &script{statuses: []int{503, 200}, body: `{}`}
	c := newClient(t, s, nil)
	if _, err := c.Do(context.Background(), &Request{Op: "get", Path: "/x"}, nil); err != nil {
		t.Fatal(err)
	}
	// A refreshed credential must be used by the retry.
	if len(s.auths) != 2 || s.auths[0] == s.auths[1] {
		t.Errorf("Authorization per attempt = %q, want a fresh value per attempt", s.auths)
	}
}

func TestAuthorizeFailureNotRetried(t *testing.T) {
	s := &script{statuses: []int{200}}
	c := newClient(t, s, func(cfg *Config) {
		cfg.Authorize = func(*http.Request) error { return errors.New("refresh token revoked") }
	})
	_, err := c.Do(context.Background(), &Request{Op: "get", Path: "/x"}, nil)
	if err == nil || !strings.Contains(err.Error(), "refresh token revoked") {
		t.Fatalf("Do = %v, want the authorisation failure", err)
	}
	if n := s.n.Load(); n != 0 {
		t.Errorf("the server received %d requests without credentials", n)
	}
}

func TestIdempotencyKeyHeader(t *testing.T) {
	s := &script{statuses: []int{500, 201}}
	c := newClient(t, s, nil)
	if _, err := c.Do(context.Background(), &Request{Op: "create", Method: "POST", Path: "/x", IdempotencyKey: "abc"}, nil); err != nil {
		t.Fatal(err)
	}
	if len(s.keys) != 2 || s.keys[0] != "abc" || s.keys[1] != "abc" {
		t.Errorf("Idempotency-Key per attempt = %q", s.keys)
	}
}

func TestRateLimitError(t *testing.T) {
	s := &script{statuses: []int{429}, header: http.Header{"Retry-After": {"0"}}}
	c := newClient(t, s, func(cfg *Config) { cfg.MaxRetries = 1 })
	_, err := c.Do(context.Background(), &Request{Op: "list", Path: "/x"}, nil)
	var rl *ats.RateLimitError
	if !errors.As(err, &rl) || !errors.Is(err, ats.ErrRateLimited) {
		t.Fatalf("Do = %v, want *ats.RateLimitError", err)
	}
	if s.n.Load() != 2 {
		t.Errorf("attempts = %d, want 2", s.n.Load())
	}
	if c.Pacer().ThrottledCount() != 2 {
		t.Errorf("ThrottledCount = %d, want 2", c.Pacer().ThrottledCount())
	}
}

func TestRetryAfterFromServerBudget(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	s := &script{statuses: []int{429}, header: http.Header{"X-Reset": {fmt.Sprint(now.Unix() + 7)}}}
	c := newClient(t, s, func(cfg *Config) {
		cfg.MaxRetries = -1
		cfg.Now = func() time.Time { return now }
		cfg.ServerBudget = func(h http.Header, _ time.Time) (int, time.Time, bool) {
			var secs int64
			if _, err := fmt.Sscan(h.Get("X-Reset"), &secs); err != nil {
				return 0, time.Time{}, false
			}
			return 0, time.Unix(secs, 0), true
		}
	})
	_, err := c.Do(context.Background(), &Request{Op: "list", Path: "/x"}, nil)
	if d, ok := ats.RetryAfter(err); !ok || d != 7*time.Second {
		t.Fatalf("RetryAfter = %v, %v; want 7s from the reset header", d, ok)
	}
}

func TestServerBudgetPausesClient(t *testing.T) {
	s := &script{statuses: []int{200}, body: `{}`}
	c := newClient(t, s, func(cfg *Config) {
		cfg.ServerBudget = func(http.Header, time.Time) (int, time.Time, bool) {
			return 0, time.Now().Add(time.Hour), true // budget spent for a long time
		}
	})
	if _, err := c.Do(context.Background(), &Request{Op: "first", Path: "/x"}, nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := c.Do(ctx, &Request{Op: "second", Path: "/x"}, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Do = %v, want to wait for the server's reset until the deadline", err)
	}
	if n := s.n.Load(); n != 1 {
		t.Errorf("server received %d requests; the paused client sent one anyway", n)
	}
}

func TestValidationError(t *testing.T) {
	s := &script{statuses: []int{422}}
	c := newClient(t, s, nil)
	_, err := c.Do(context.Background(), &Request{Op: "move", Method: "POST", Path: "/x"}, nil)
	var ve *ats.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, ats.ErrValidation) {
		t.Fatalf("Do = %v, want *ats.ValidationError", err)
	}
	if !strings.Contains(err.Error(), "failure 422") {
		t.Errorf("error %q lost the ATS's message", err)
	}
}

func TestResponseSizeCap(t *testing.T) {
	s := &script{statuses: []int{200}, body: `{"data":"` + strings.Repeat("x", 2048) + `"}`}
	c := newClient(t, s, func(cfg *Config) { cfg.MaxResponseBytes = 1024 })
	_, err := c.Do(context.Background(), &Request{Op: "big", Path: "/x"}, nil)
	if err == nil || !strings.Contains(err.Error(), "exceeds 1024 bytes") {
		t.Fatalf("Do = %v, want a size-cap error", err)
	}
}

func TestAbsoluteURLs(t *testing.T) {
	s := &script{statuses: []int{200}, body: `{}`}
	c := newClient(t, s, nil)
	next := c.BaseURL() + "/things?since_id=42"
	if _, err := c.Do(context.Background(), &Request{Op: "next page", Path: next}, nil); err != nil {
		t.Fatalf("same-host next URL: %v", err)
	}
	_, err := c.Do(context.Background(), &Request{Op: "next page", Path: "https://evil.example/steal"}, nil)
	if err == nil || !strings.Contains(err.Error(), "refusing to send credentials") {
		t.Fatalf("other-host URL: %v, want a refusal", err)
	}
	if n := s.n.Load(); n != 1 {
		t.Errorf("server received %d requests, want 1", n)
	}
}

func TestQueryAndBody(t *testing.T) {
	var gotQuery, gotBody, gotType string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotQuery = r.URL.RawQuery
		b, _ := io.ReadAll(r.Body)
		gotBody, gotType = string(b), r.Header.Get("Content-Type")
		w.WriteHeader(201)
	})
	c := newClient(t, h, nil)
	_, err := c.Do(context.Background(), &Request{Op: "create", Method: "POST", Path: "/x?a=1", Query: map[string][]string{"b": {"2"}}, Body: map[string]string{"k": "v"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if gotQuery != "a=1&b=2" || gotBody != `{"k":"v"}` || gotType != "application/json" {
		t.Errorf("server got query %q body %q type %q", gotQuery, gotBody, gotType)
	}
}

func TestContextCancelled(t *testing.T) {
	s := &script{statuses: []int{200}}
	c := newClient(t, s, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Do(ctx, &Request{Op: "get", Path: "/x"}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Do = %v, want context.Canceled", err)
	}
	if s.n.Load() != 0 {
		t.Error("a request was sent with a cancelled context")
	}
}

func TestNoSecretsInLogsOrErrors(t *testing.T) {
	var logs bytes.Buffer
	s := &script{statuses: []int{401}}
	c := newClient(t, s, func(cfg *Config) {
		cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	_, err := c.Do(context.Background(), &Request{Op: "get", Path: "/x"}, nil)
	if !errors.Is(err, ats.ErrUnauthorized) {
		t.Fatalf("Do = %v, want ErrUnauthorized", err)
	}
	if logs.Len() == 0 {
		t.Fatal("no log record written")
	}
	for _, out := range []string{logs.String(), err.Error()} {
		if strings.Contains(out, secret) {
			t.Errorf("output contains the credential: %s", out)
		}
	}
}

func TestPacerSpacesRequests(t *testing.T) {
	// A fake clock would not drive rate.Limiter's timers, so measure the
	// reservation delays the limiter hands out instead of wall time.
	p := NewPacer(rate.Limit(10), 1, nil)
	var delays []time.Duration
	now := time.Now()
	for range 5 {
		r := p.lim.ReserveN(now, 1)
		delays = append(delays, r.DelayFrom(now))
	}
	for i, d := range delays {
		want := time.Duration(i) * 100 * time.Millisecond
		if d < want-time.Millisecond || d > want+time.Millisecond {
			t.Errorf("request %d delayed %v, want %v", i, d, want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"5", 5 * time.Second, true},
		{"0.5", 500 * time.Millisecond, true},
		{now.Add(9 * time.Second).Format(http.TimeFormat), 9 * time.Second, true},
		{"soon", 0, false},
		{"-3", 0, false},
		// Overflow: these used to wrap time.Duration into negative values.
		{"1e12", MaxRetryAfter, true},
		{"1e400", MaxRetryAfter, true},
		{"Inf", MaxRetryAfter, true},
		{"NaN", 0, false},
		{"-Inf", 0, false},
		{"86400", MaxRetryAfter, true},
		{now.AddDate(300, 0, 0).Format(http.TimeFormat), MaxRetryAfter, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSlidingWindow(t *testing.T) {
	const n, window = 5, time.Second
	p := NewWindowPacer(n, window, nil)
	t0 := time.Unix(1_700_000_000, 0)
	var starts []time.Time
	// 23 requests arriving faster than the limit, with a stall after the
	// eighth: the window must never hold more than n starts, and lost time
	// is recovered (the next n go as soon as the window allows).
	now := t0
	for i := range 23 {
		at := p.win.reserve(now)
		if at.Before(now) {
			t.Fatalf("request %d booked at %v, before it asked (%v)", i, at, now)
		}
		starts = append(starts, at)
		now = at.Add(time.Millisecond)
		if i == 7 {
			now = now.Add(3 * window) // a stall: the budget refills, no catch-up beyond n
		}
	}
	for i := range starts {
		in := 0
		for _, s := range starts {
			if !s.Before(starts[i]) && s.Before(starts[i].Add(window)) {
				in++
			}
		}
		if in > n {
			t.Fatalf("%d requests start within %v of request %d, limit %d", in, window, i, n)
		}
	}
	// Steady state: after the stall, requests 8..22 (15 of them) take
	// exactly two more windows beyond the first burst of n.
	if got := starts[22].Sub(starts[8]); got > 2*window+10*time.Millisecond {
		t.Errorf("15 requests after a stall took %v; the window should allow them in %v", got, 2*window)
	}
}

func TestWindowPacerWaits(t *testing.T) {
	c := newClient(t, &script{statuses: []int{200}, body: `{}`}, func(cfg *Config) {
		cfg.WindowLimit, cfg.Window = 2, time.Hour
	})
	for range 2 {
		if _, err := c.Do(context.Background(), &Request{Op: "get", Path: "/x"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := c.Do(ctx, &Request{Op: "third", Path: "/x"}, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third request within the window: %v, want it held until the deadline", err)
	}
}
