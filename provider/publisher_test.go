package provider

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/stretchr/testify/require"
)

const callbackToken = "wk-callback-token-secret"

// callbackServer is a fake Workable results endpoint answering with the
// scripted statuses in turn (the last one repeats) and recording requests.
type callbackServer struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	body     string
	got      []recordedRequest
	received chan struct{} // one value per request, never blocks
}

type recordedRequest struct {
	Method, Path, Authorization, ContentType string
	Body                                     string
}

func newCallbackServer(t *testing.T, statuses ...int) *callbackServer {
	cs := &callbackServer{statuses: statuses, received: make(chan struct{}, 64)}
	cs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		cs.mu.Lock()
		cs.got = append(cs.got, recordedRequest{r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), string(b)})
		status := http.StatusOK
		if len(cs.statuses) > 0 {
			status = cs.statuses[0]
			if len(cs.statuses) > 1 {
				cs.statuses = cs.statuses[1:]
			}
		}
		body := cs.body
		cs.mu.Unlock()
		select {
		case cs.received <- struct{}{}:
		default:
		}
		if status == http.StatusTemporaryRedirect {
			w.Header().Set("Location", "http://169.254.169.254/latest/meta-data")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(cs.Close)
	return cs
}

func (cs *callbackServer) requests() []recordedRequest {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return append([]recordedRequest(nil), cs.got...)
}

// testPublisher talks to httptest servers: loopback and http allowed, fast
// retries.
func testPublisher(mod ...func(*PublisherOptions)) *Publisher {
	opts := PublisherOptions{
		AllowLoopback: true, AllowInsecureHTTP: true,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond,
		MaxRetries: 3, Logger: quietLogger(),
	}
	for _, m := range mod {
		m(&opts)
	}
	return NewPublisher(opts)
}

var completedResult = StatusDocument{
	Status: StatusCompleted, ResultsURL: "https://acme.com/interviews/2044922",
	Interview:   &InterviewResult{Score: "78", Grade: ats.GradeExcelled, Details: map[string]any{"behavior": map[string]any{"Influence": 97}}},
	Attachments: []ats.Attachment{{Description: "Interview Report", URL: "https://acme.com/r.pdf"}},
}

func TestPublishDelivers(t *testing.T) {
	cs := newCallbackServer(t, http.StatusOK)
	d, err := testPublisher().Publish(context.Background(), cs.URL+"/interviews/8823119", callbackToken, completedResult)
	require.NoError(t, err)
	require.Equal(t, Delivery{Attempts: 1, StatusCode: 200}, d)
	got := cs.requests()
	require.Len(t, got, 1)
	require.Equal(t, "PUT", got[0].Method)
	require.Equal(t, "/interviews/8823119", got[0].Path)
	require.Equal(t, "Bearer "+callbackToken, got[0].Authorization)
	require.Equal(t, "application/json", got[0].ContentType)
	require.JSONEq(t, `{"status":"completed","results_url":"https://acme.com/interviews/2044922","grade":"excelled","interview":{"score":"78","grade":"excelled","details":{"behavior":{"Influence":97}}},"attachments":[{"description":"Interview Report","url":"https://acme.com/r.pdf"}]}`, got[0].Body)
}

// TestPublishDeclinedWireValue: a declined interview goes out as
// "rejected" (the contract's four-status list and the one public
// implementation), whichever spelling the caller used; the other reading
// is one option away.
func TestPublishDeclinedWireValue(t *testing.T) {
	for _, tt := range []struct {
		name   string
		option Status
		in     Status
		want   string
	}{
		{"declined sent as rejected by default", "", StatusDeclined, `{"status":"rejected"}`},
		{"rejected sent as rejected by default", "", StatusRejected, `{"status":"rejected"}`},
		{"option declined", StatusDeclined, StatusRejected, `{"status":"declined"}`},
		{"option does not touch expired", StatusDeclined, StatusExpired, `{"status":"expired"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cs := newCallbackServer(t, http.StatusNoContent)
			_, err := testPublisher(func(o *PublisherOptions) { o.DeclinedStatus = tt.option }).Publish(context.Background(), cs.URL, callbackToken, StatusDocument{Status: tt.in})
			require.NoError(t, err)
			require.JSONEq(t, tt.want, cs.requests()[0].Body)
		})
	}
}

func TestPublishRetries(t *testing.T) {
	tests := []struct {
		name      string
		statuses  []int
		attempts  int
		final     int
		wantErr   bool
		permanent bool
	}{
		{"5xx then 200", []int{500, 502, 200}, 3, 200, false, false},
		{"429 retried", []int{429, 200}, 2, 200, false, false},
		{"408 retried", []int{408, 201}, 2, 201, false, false},
		{"422 stops", []int{422, 200}, 1, 422, true, true},
		{"401 stops", []int{401}, 1, 401, true, true},
		{"404 stops", []int{404}, 1, 404, true, true},
		{"501 stops", []int{501}, 1, 501, true, true},
		{"redirect not followed", []int{307}, 1, 307, true, true},
		{"503 exhausts retries", []int{503}, 4, 503, true, false},
		{"429 exhausts retries", []int{429}, 4, 429, true, false},
		// Workable's "Entity is already updated": the result is there.
		{"409 counts as delivered", []int{409}, 1, 409, false, false},
		{"lost 200 then 409", []int{503, 409}, 2, 409, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := newCallbackServer(t, tt.statuses...)
			d, err := testPublisher().Publish(context.Background(), cs.URL+"/cb", callbackToken, completedResult)
			require.Equal(t, Delivery{Attempts: tt.attempts, StatusCode: tt.final, AlreadyUpdated: tt.final == 409}, d)
			require.Len(t, cs.requests(), tt.attempts)
			if !tt.wantErr {
				require.NoError(t, err)
				return
			}
			var pe *PublishError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, tt.permanent, pe.Permanent())
			require.Equal(t, tt.final, pe.StatusCode)
			require.Equal(t, tt.attempts, pe.Attempts)
			require.NotContains(t, err.Error(), callbackToken)
		})
	}
}

func TestPublishNoRetries(t *testing.T) {
	cs := newCallbackServer(t, 503, 200)
	d, err := testPublisher(func(o *PublisherOptions) { o.MaxRetries = -1 }).Publish(context.Background(), cs.URL, callbackToken, completedResult)
	require.Error(t, err)
	require.Equal(t, 1, d.Attempts)
}

func TestPublishErrorRedactsTokenAndQuery(t *testing.T) {
	cs := newCallbackServer(t, 400)
	cs.body = `{"status":400,"message":"bad token Bearer ` + callbackToken + `"}`
	_, err := testPublisher().Publish(context.Background(), cs.URL+"/cb?sig=abc", callbackToken, completedResult)
	var pe *PublishError
	require.ErrorAs(t, err, &pe)
	require.NotContains(t, err.Error(), callbackToken)
	require.NotContains(t, err.Error(), "sig=abc")
	require.Contains(t, pe.Body, "[REDACTED]")
	require.Equal(t, 400, pe.StatusCode)
}

func TestPublishValidationRefusal(t *testing.T) {
	cs := newCallbackServer(t)
	tests := []struct {
		name  string
		r     StatusDocument
		field string
	}{
		{"missing results_url", StatusDocument{Status: StatusCompleted}, "results_url"},
		{"unknown grade", StatusDocument{Status: StatusCompleted, ResultsURL: "https://a.com", Interview: &InterviewResult{Grade: "A+"}}, "interview.grade"},
		{"deep details", completed(map[string]any{"a": map[string]any{"b": map[string]any{"c": 1}}}), "interview.details.a.b"},
		{"array details", completed(map[string]any{"a": []int{1}}), "interview.details.a"},
		{"bad date", completed(map[string]any{"taken": "12/03/2024"}), "interview.details.taken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := testPublisher().Publish(context.Background(), cs.URL, callbackToken, tt.r)
			require.Equal(t, 0, d.Attempts)
			var pe *PublishError
			require.ErrorAs(t, err, &pe)
			require.True(t, pe.Permanent())
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tt.field, ve.Field)
		})
	}
	require.Empty(t, cs.requests())
}

func TestPublishContextCanceled(t *testing.T) {
	cs := newCallbackServer(t, 503)
	ctx, cancel := context.WithCancel(context.Background())
	p := testPublisher(func(o *PublisherOptions) {
		o.RetryWaitMin, o.RetryWaitMax = time.Hour, time.Hour
	})
	done := make(chan error, 1)
	go func() {
		_, err := p.Publish(ctx, cs.URL, callbackToken, completedResult)
		done <- err
	}()
	// Cancel once the first attempt has been answered.
	<-cs.received
	cancel()
	err := <-done
	var pe *PublishError
	require.ErrorAs(t, err, &pe)
	require.False(t, pe.Permanent())
	require.ErrorIs(t, err, context.Canceled)
}

// fakeResolver answers from a script of answers per call (the last repeats).
type fakeResolver struct {
	mu      sync.Mutex
	answers map[string][][]netip.Addr
	calls   int
}

func (f *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	a, ok := f.answers[host]
	if !ok || len(a) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	ans := a[0]
	if len(a) > 1 {
		f.answers[host] = a[1:]
	}
	return ans, nil
}

func addrs(s ...string) []netip.Addr {
	out := make([]netip.Addr, len(s))
	for i, a := range s {
		out[i] = netip.MustParseAddr(a)
	}
	return out
}

// recordingDialer records what the guard let through and fails the dial.
type recordingDialer struct {
	mu    sync.Mutex
	addrs []string
}

func (d *recordingDialer) dial(_ context.Context, _, addr string) (net.Conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.addrs = append(d.addrs, addr)
	return nil, errors.New("test dialer: connection refused")
}

func (d *recordingDialer) dialed() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.addrs...)
}

func TestPublishSSRFRefusals(t *testing.T) {
	tests := []struct {
		name     string
		url      string
		resolves []string // what hooks.workable.com resolves to
	}{
		{"loopback v4", "https://127.0.0.1/cb", nil},
		{"loopback v6", "https://[::1]/cb", nil},
		{"private 10/8", "https://10.0.0.5/cb", nil},
		{"metadata v4", "https://169.254.169.254/latest/meta-data", nil},
		{"metadata v6", "https://[fd00:ec2::254]/latest", nil},
		{"unspecified", "https://0.0.0.0/cb", nil},
		{"http scheme", "http://hooks.workable.com/cb", []string{"93.184.216.34"}},
		{"ftp scheme", "ftp://hooks.workable.com/cb", []string{"93.184.216.34"}},
		{"host not allow-listed", "https://evil.example.com/cb", []string{"93.184.216.34"}},
		{"suffix lookalike", "https://notworkable.com/cb", []string{"93.184.216.34"}},
		{"allow-list as subdomain", "https://workable.com.evil.example/cb", []string{"93.184.216.34"}},
		{"public ip literal not allow-listed", "https://93.184.216.34/cb", nil},
		{"name resolves to private", "https://hooks.workable.com/cb", []string{"10.1.2.3"}},
		{"name resolves to loopback", "https://hooks.workable.com/cb", []string{"127.0.0.1"}},
		{"name resolves to CGNAT", "https://hooks.workable.com/cb", []string{"100.64.1.1"}},
		{"name resolves to link-local", "https://hooks.workable.com/cb", []string{"169.254.169.254"}},
		{"name resolves to mapped loopback", "https://hooks.workable.com/cb", []string{"::ffff:127.0.0.1"}},
		{"name resolves to NAT64 private", "https://hooks.workable.com/cb", []string{"64:ff9b::a00:1"}},
		{"name resolves to multicast", "https://hooks.workable.com/cb", []string{"224.0.0.1"}},
		{"one of several is private", "https://hooks.workable.com/cb", []string{"93.184.216.34", "192.168.1.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := &fakeResolver{answers: map[string][][]netip.Addr{}}
			if tt.resolves != nil {
				host, _ := url.Parse(tt.url)
				res.answers[host.Hostname()] = [][]netip.Addr{addrs(tt.resolves...)}
			}
			dialer := &recordingDialer{}
			p := NewPublisher(PublisherOptions{
				Resolver: res, DialContext: dialer.dial, Logger: quietLogger(),
				RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond,
			})
			d, err := p.Publish(context.Background(), tt.url, callbackToken, completedResult)
			var pe *PublishError
			require.ErrorAs(t, err, &pe)
			require.ErrorIs(t, err, ErrUnsafeCallback, err.Error())
			require.True(t, pe.Permanent())
			require.LessOrEqual(t, d.Attempts, 1, "refusals are not retried")
			require.Empty(t, dialer.dialed(), "nothing may be dialled")
			require.NotContains(t, err.Error(), callbackToken)
		})
	}
}

// TestPublishDNSRebinding: the name resolves to a public address for the
// first connection and to a private one for the next; the second is refused
// at dial time and the refusal is final.
func TestPublishDNSRebinding(t *testing.T) {
	res := &fakeResolver{answers: map[string][][]netip.Addr{
		"hooks.workable.com": {addrs("93.184.216.34"), addrs("10.0.0.1")},
	}}
	dialer := &recordingDialer{}
	p := NewPublisher(PublisherOptions{
		Resolver: res, DialContext: dialer.dial, Logger: quietLogger(),
		RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond, MaxRetries: 5,
	})
	d, err := p.Publish(context.Background(), "https://hooks.workable.com/interviews/1", callbackToken, completedResult)
	require.ErrorIs(t, err, ErrUnsafeCallback)
	var pe *PublishError
	require.ErrorAs(t, err, &pe)
	require.True(t, pe.Permanent())
	require.Equal(t, 2, d.Attempts)
	require.Equal(t, []string{"93.184.216.34:443"}, dialer.dialed(), "only the public address was dialled")
	require.Equal(t, 2, res.calls, "the name is resolved at dial time, every time")
}

// TestPublishThroughGuard delivers through the real dialer to a name the
// injected resolver maps to the loopback test server.
func TestPublishThroughGuard(t *testing.T) {
	cs := newCallbackServer(t, 200)
	u, _ := url.Parse(cs.URL)
	res := &fakeResolver{answers: map[string][][]netip.Addr{"hooks.workable.com": {addrs("127.0.0.1")}}}
	p := testPublisher(func(o *PublisherOptions) { o.Resolver = res })
	d, err := p.Publish(context.Background(), "http://hooks.workable.com:"+u.Port()+"/cb", callbackToken, StatusDocument{Status: StatusExpired})
	require.NoError(t, err)
	require.Equal(t, 200, d.StatusCode)
	require.Len(t, cs.requests(), 1)

	// Without AllowLoopback the same resolution is refused.
	p = testPublisher(func(o *PublisherOptions) { o.Resolver = res; o.AllowLoopback = false })
	_, err = p.Publish(context.Background(), "http://hooks.workable.com:"+u.Port()+"/cb", callbackToken, StatusDocument{Status: StatusExpired})
	require.ErrorIs(t, err, ErrUnsafeCallback)
	require.Len(t, cs.requests(), 1)
}

func TestPublishCustomHTTPClient(t *testing.T) {
	cs := newCallbackServer(t, 200)
	// An *http.Transport is cloned and guarded.
	p := testPublisher(func(o *PublisherOptions) {
		o.HTTPClient = &http.Client{Transport: &http.Transport{}}
		o.AllowLoopback = false
		o.AllowedHostSuffixes = []string{"*"}
	})
	_, err := p.Publish(context.Background(), cs.URL, callbackToken, StatusDocument{Status: StatusExpired})
	require.ErrorIs(t, err, ErrUnsafeCallback)
	require.Empty(t, cs.requests())
}

func TestControlFunc(t *testing.T) {
	g := &guard{}
	require.Error(t, g.control("tcp4", "127.0.0.1:443", nil))
	require.Error(t, g.control("tcp6", "[fd00:ec2::254]:80", nil))
	require.NoError(t, g.control("tcp4", "93.184.216.34:443", nil))
	require.Error(t, g.control("tcp4", "garbage", nil))
	g.allowLoopback = true
	require.NoError(t, g.control("tcp4", "127.0.0.1:443", nil))
}

func TestCheckAddr(t *testing.T) {
	blocked := []string{"127.0.0.1", "::1", "10.1.1.1", "172.16.0.1", "192.168.0.1", "169.254.169.254", "fe80::1",
		"100.64.0.1", "100.100.100.200", "0.0.0.0", "::", "224.0.0.1", "ff02::1", "fd00:ec2::254", "fc00::1",
		"255.255.255.255", "::ffff:10.0.0.1", "2002:a00:1::", "198.18.0.1", "192.0.0.170",
		"::7f00:1", "::a00:1", "::ffff:0:7f00:1", "64:ff9b:1::a00:1", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
		"2001:db8::1", "192.0.2.1", "198.51.100.1", "203.0.113.1", "168.63.129.16", "fe80::1%eth0", "64:ff9b::7f00:1"}
	for _, a := range blocked {
		require.Error(t, checkAddr(netip.MustParseAddr(a), false), a)
	}
	for _, a := range []string{"93.184.216.34", "8.8.8.8", "2606:4700::1111", "64:ff9b::808:808"} {
		require.NoError(t, checkAddr(netip.MustParseAddr(a), false), a)
	}
}

func TestPublishErrorMessage(t *testing.T) {
	err := &PublishError{URL: "https://x.workable.com/cb", StatusCode: 422, Attempts: 1, Body: "nope", permanent: true}
	require.Equal(t, `provider: publish result to https://x.workable.com/cb: 422 Unprocessable Entity: "nope" (after 1 attempt(s))`, err.Error())
}
