package provider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// tracingTransport stands for a host's instrumentation wrapper.
type tracingTransport struct {
	next  http.RoundTripper
	calls atomic.Int32
}

func (t *tracingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.calls.Add(1)
	return t.next.RoundTrip(r)
}

// TestPublisherRefusesUnguardableTransport: a transport the guard cannot
// dial for is refused at construction, unless the documented opt-out is set.
func TestPublisherRefusesUnguardableTransport(t *testing.T) {
	wrapped := &http.Client{Transport: &tracingTransport{next: http.DefaultTransport}}
	tests := []struct {
		name      string
		opts      PublisherOptions
		wantPanic bool
	}{
		{"wrapped default transport", PublisherOptions{HTTPClient: wrapped}, true},
		{"opted out", PublisherOptions{HTTPClient: wrapped, UnguardedTransport: true}, false},
		{"plain *http.Transport", PublisherOptions{HTTPClient: &http.Client{Transport: &http.Transport{}}}, false},
		{"nil transport, wrapped by WrapTransport", PublisherOptions{WrapTransport: func(rt http.RoundTripper) http.RoundTripper { return &tracingTransport{next: rt} }}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var msg string
			func() {
				defer func() {
					if p := recover(); p != nil {
						msg = fmt.Sprint(p)
					}
				}()
				NewPublisher(tt.opts)
			}()
			if got := msg != ""; got != tt.wantPanic {
				t.Fatalf("NewPublisher panicked = %v (%q), want %v", got, msg, tt.wantPanic)
			}
			if tt.wantPanic && !strings.Contains(msg, "WrapTransport") {
				t.Errorf("panic %q does not say what to do instead", msg)
			}
		})
	}
}

// TestPublishWrappedTransportRebinding: with a tracing wrapper installed
// through WrapTransport, every connection is still dialled through the
// guard, so a name that rebinds to a private address after the first
// connection is refused at dial time.
func TestPublishWrappedTransportRebinding(t *testing.T) {
	res := &fakeResolver{answers: map[string][][]netip.Addr{
		"hooks.workable.com": {addrs("93.184.216.34"), addrs("10.0.0.1")},
	}}
	dialer := &recordingDialer{}
	var tracer *tracingTransport
	p := NewPublisher(PublisherOptions{
		Resolver: res, DialContext: dialer.dial, Logger: quietLogger(),
		RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond, MaxRetries: 5,
		WrapTransport: func(rt http.RoundTripper) http.RoundTripper { tracer = &tracingTransport{next: rt}; return tracer },
	})
	d, err := p.Publish(context.Background(), "https://hooks.workable.com/interviews/1", callbackToken, completedResult)
	if !errors.Is(err, ErrUnsafeCallback) {
		t.Fatalf("Publish = %v, want ErrUnsafeCallback", err)
	}
	got := []any{d.Attempts, int(tracer.calls.Load()), dialer.dialed()}
	want := []any{2, 2, []string{"93.184.216.34:443"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attempts, traced requests, dialled addresses (-want +got):\n%s", diff)
	}
}

// TestPublishWrappedTransportDelivers: the wrapper sees the request and the
// delivery goes through the guarded dialer (which maps the name to the
// loopback test server only when loopback is allowed).
func TestPublishWrappedTransportDelivers(t *testing.T) {
	cs := newCallbackServer(t, 200)
	u, _ := url.Parse(cs.URL)
	for _, allow := range []bool{true, false} {
		t.Run(fmt.Sprintf("AllowLoopback=%v", allow), func(t *testing.T) {
			res := &fakeResolver{answers: map[string][][]netip.Addr{"hooks.workable.com": {addrs("127.0.0.1")}}}
			tracer := &tracingTransport{}
			p := testPublisher(func(o *PublisherOptions) {
				o.Resolver, o.AllowLoopback = res, allow
				o.WrapTransport = func(rt http.RoundTripper) http.RoundTripper { tracer.next = rt; return tracer }
			})
			before := len(cs.requests())
			_, err := p.Publish(context.Background(), "http://hooks.workable.com:"+u.Port()+"/cb", callbackToken, StatusDocument{Status: StatusExpired})
			delivered := len(cs.requests()) - before
			if allow {
				if err != nil || delivered != 1 || tracer.calls.Load() == 0 {
					t.Errorf("Publish = %v, delivered %d, traced %d; want one traced delivery", err, delivered, tracer.calls.Load())
				}
				return
			}
			if !errors.Is(err, ErrUnsafeCallback) || delivered != 0 {
				t.Errorf("Publish = %v, delivered %d; want a refusal and nothing delivered", err, delivered)
			}
		})
	}
}

// TestPublishDeprecatedDialersCannotBypassGuard: an *http.Transport with the
// deprecated DialTLS or Dial set would otherwise dial around the guard.
func TestPublishDeprecatedDialersCannotBypassGuard(t *testing.T) {
	var bypassed atomic.Int32
	bypass := func(string, string) (net.Conn, error) {
		bypassed.Add(1)
		return nil, errors.New("bypass dialer reached")
	}
	tests := []struct {
		name string
		tr   *http.Transport
	}{
		{"DialTLS", &http.Transport{DialTLS: bypass}},
		{"Dial", &http.Transport{Dial: bypass}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bypassed.Store(0)
			res := &fakeResolver{answers: map[string][][]netip.Addr{"hooks.workable.com": {addrs("10.0.0.1")}}}
			p := NewPublisher(PublisherOptions{HTTPClient: &http.Client{Transport: tt.tr}, Resolver: res,
				Logger: quietLogger(), MaxRetries: -1})
			_, err := p.Publish(context.Background(), "https://hooks.workable.com/cb", callbackToken, completedResult)
			if !errors.Is(err, ErrUnsafeCallback) || bypassed.Load() != 0 {
				t.Errorf("Publish = %v with the bypass dialer called %d times; want a refusal by the guard", err, bypassed.Load())
			}
		})
	}
}

func TestPublishLogsBoundedURL(t *testing.T) {
	var logs strings.Builder
	p := NewPublisher(PublisherOptions{Logger: slogTo(&logs), MaxRetries: -1})
	long := "https://hooks.workable.com/" + strings.Repeat("a", 100_000) + "?email=jane@example.com"
	_, err := p.Publish(context.Background(), long, callbackToken, StatusDocument{Status: "nonsense"})
	if err == nil {
		t.Fatal("Publish accepted an invalid result")
	}
	for name, out := range map[string]string{"log": logs.String(), "error": err.Error()} {
		if len(out) > 1024 || strings.Contains(out, "jane@") {
			t.Errorf("%s is %d bytes or carries the query: %.300s", name, len(out), out)
		}
	}
}

func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
