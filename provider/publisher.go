package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/atskit/atskit/internal/safehttp"
	"github.com/hashicorp/go-retryablehttp"
)

// Defaults for PublisherOptions.
const (
	DefaultMaxRetries   = 4
	DefaultRetryWaitMin = 1 * time.Second
	DefaultRetryWaitMax = 30 * time.Second
	DefaultTimeout      = 30 * time.Second
)

// DefaultAllowedHostSuffixes returns the callback allow-list used when
// PublisherOptions.AllowedHostSuffixes is empty: Workable's production
// domain and its partner sandbox, workablesandbox.com (where partner QA
// callbacks point; seen in Toggl Hire's Workable client). It returns a new
// slice on each call, so no code in the process can widen the default
// allow-list of every publisher.
func DefaultAllowedHostSuffixes() []string { return []string{"workable.com", "workablesandbox.com"} }

// PublisherOptions configures a Publisher. The zero value is ready for
// production: https callbacks to *.workable.com on public addresses, 4
// retries with backoff between 1s and 30s, 30s per attempt.
type PublisherOptions struct {
	// HTTPClient is the client to send with. Its Transport must be nil or
	// an *http.Transport: Publisher uses a clone whose dialers are replaced
	// by the SSRF guard and whose Proxy is removed (a proxy would resolve
	// the name itself). Any other RoundTripper cannot be guarded, so
	// NewPublisher refuses it unless UnguardedTransport is set; to add
	// tracing or metrics, use WrapTransport instead. Redirects are never
	// followed.
	HTTPClient *http.Client
	// WrapTransport, if set, wraps the guarded transport (for tracing,
	// metrics or logging). The wrapper must send every request through
	// the RoundTripper it is given, so every connection is still dialled
	// through the SSRF guard.
	WrapTransport func(http.RoundTripper) http.RoundTripper
	// UnguardedTransport accepts an HTTPClient whose Transport is not an
	// *http.Transport, used as is: the Publisher then checks the URL and
	// resolves the host once before sending, but cannot stop DNS
	// rebinding between that check and the transport's own connection.
	// Set it only when the transport enforces an egress policy of its own
	// (for example it dials through a proxy that refuses private
	// addresses).
	UnguardedTransport bool
	// MaxRetries is the number of retries after the first attempt.
	// Default 4; negative means no retry.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the exponential backoff between
	// attempts; a Retry-After header is honoured up to RetryWaitMax.
	RetryWaitMin, RetryWaitMax time.Duration
	// AllowedHostSuffixes lists the hosts callbacks may go to: a host
	// matches a suffix when it equals it or ends with "." + suffix. A
	// single "*" allows any host (the address checks still apply). Default
	// DefaultAllowedHostSuffixes().
	AllowedHostSuffixes []string
	// AllowLoopback permits loopback addresses, and loopback hosts
	// (127.0.0.1, ::1, localhost) regardless of AllowedHostSuffixes. For
	// tests against httptest servers; never in production.
	AllowLoopback bool
	// AllowInsecureHTTP permits http callback URLs. For tests only.
	AllowInsecureHTTP bool
	// Logger receives one record per delivery. Tokens are never logged.
	// Default slog.Default().
	Logger *slog.Logger
	// Timeout limits each attempt. Default 30s.
	Timeout time.Duration
	// Resolver resolves callback hosts at dial time. Default
	// net.DefaultResolver.
	Resolver Resolver
	// DialContext connects to an address the guard has checked (an IP and
	// port, never a name). Default a net.Dialer that checks the address
	// once more just before connecting.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// DeclinedStatus is the status sent for StatusDeclined and
	// StatusRejected results. Default DefaultDeclinedStatus ("rejected");
	// set StatusDeclined for the contract's other reading.
	DeclinedStatus Status
}

// Publisher reports interview and assessment results to Workable: it PUTs a
// StatusDocument to the callback_url Workable sent when creating the invitation,
// authenticated with the token Workable issued for the integration. It is
// safe for concurrent use.
type Publisher struct {
	client *retryablehttp.Client
	guard  *guard
	log    *slog.Logger
	// guarded reports whether the dial-time guard is installed.
	guarded  bool
	declined Status
}

// NewPublisher returns a Publisher configured by opts. It panics if
// opts.HTTPClient has a Transport that is not an *http.Transport and
// opts.UnguardedTransport is false: callbacks carry Workable's token, and
// a transport the SSRF guard cannot dial for would deliver it wherever DNS
// points at connect time.
func NewPublisher(opts PublisherOptions) *Publisher {
	if opts.RetryWaitMin <= 0 {
		opts.RetryWaitMin = DefaultRetryWaitMin
	}
	if opts.RetryWaitMax <= 0 {
		opts.RetryWaitMax = DefaultRetryWaitMax
	}
	if opts.RetryWaitMax < opts.RetryWaitMin {
		opts.RetryWaitMax = opts.RetryWaitMin
	}
	switch {
	case opts.MaxRetries == 0:
		opts.MaxRetries = DefaultMaxRetries
	case opts.MaxRetries < 0:
		opts.MaxRetries = 0
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if len(opts.AllowedHostSuffixes) == 0 {
		opts.AllowedHostSuffixes = DefaultAllowedHostSuffixes()
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Resolver == nil {
		opts.Resolver = net.DefaultResolver
	}
	if opts.DeclinedStatus == "" {
		opts.DeclinedStatus = DefaultDeclinedStatus
	}
	g := &guard{
		suffixes:      append([]string(nil), opts.AllowedHostSuffixes...),
		allowLoopback: opts.AllowLoopback,
		allowHTTP:     opts.AllowInsecureHTTP,
		resolver:      opts.Resolver,
		dial:          opts.DialContext,
	}
	if g.dial == nil {
		d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: g.control}
		g.dial = d.DialContext
	}

	var hc http.Client
	if opts.HTTPClient != nil {
		hc = *opts.HTTPClient
	}
	p := &Publisher{guard: g, log: opts.Logger, declined: opts.DeclinedStatus}
	switch t := hc.Transport.(type) {
	case nil:
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.Proxy = nil
		tr.DialContext = g.dialContext
		hc.Transport = tr
		p.guarded = true
	case *http.Transport:
		tr := t.Clone()
		tr.Proxy = nil
		tr.DialContext = g.dialContext
		// Every other dialer would bypass DialContext (DialTLS and Dial
		// are deprecated but still honoured by net/http).
		tr.DialTLSContext = nil
		tr.DialTLS = nil
		tr.Dial = nil
		hc.Transport = tr
		p.guarded = true
	default:
		if !opts.UnguardedTransport {
			panic(fmt.Sprintf("provider: NewPublisher: HTTPClient.Transport is a %T, which the SSRF guard cannot dial for; "+
				"pass an *http.Transport and wrap it with PublisherOptions.WrapTransport, "+
				"or set PublisherOptions.UnguardedTransport if the transport enforces its own egress policy", t))
		}
	}
	if opts.WrapTransport != nil {
		hc.Transport = opts.WrapTransport(hc.Transport)
	}
	hc.Timeout = opts.Timeout
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	maxWait := opts.RetryWaitMax
	p.client = &retryablehttp.Client{
		HTTPClient:   &hc,
		Logger:       nil,
		RetryWaitMin: opts.RetryWaitMin,
		RetryWaitMax: opts.RetryWaitMax,
		RetryMax:     opts.MaxRetries,
		CheckRetry:   checkRetry,
		Backoff: func(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
			return minDuration(retryablehttp.DefaultBackoff(lo, hi, attempt, resp), maxWait)
		},
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, _ int) {
			if n, ok := req.Context().Value(attemptsKey{}).(*int); ok {
				*n++
			}
		},
	}
	return p
}

func minDuration(a, b time.Duration) time.Duration {
	if a < b {
		return a
	}
	return b
}

type attemptsKey struct{}

// checkRetry retries connection errors, 408, 429 and 5xx other than 501,
// and stops on everything else, including refusals by the SSRF guard.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		if errors.Is(err, ErrUnsafeCallback) {
			return false, err
		}
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
	return retryableStatus(resp.StatusCode), nil
}

func retryableStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests ||
		(code >= 500 && code != http.StatusNotImplemented)
}

// Delivery describes how a Publish went.
type Delivery struct {
	// Attempts is the number of HTTP requests sent (0 when the result or
	// the URL was refused before sending).
	Attempts int
	// StatusCode is the status of the last response, 0 if none.
	StatusCode int
	// AlreadyUpdated reports that Workable answered 409 "Entity is already
	// updated": an earlier attempt (whose response was lost) or an earlier
	// Publish already landed, so the result counts as delivered.
	AlreadyUpdated bool
}

// PublishError is the error Publish returns when Workable did not accept
// the result. It never contains the token.
type PublishError struct {
	// URL is the callback URL without its query and user info.
	URL string
	// StatusCode is the status of the last response, 0 if none.
	StatusCode int
	// Attempts is the number of requests sent.
	Attempts int
	// Body is the start of the last response body, if any.
	Body string
	// Err is the cause: a *ValidationError, an error wrapping
	// ErrUnsafeCallback, a transport error, or nil for an HTTP status.
	Err error

	permanent bool
}

// Error implements error.
func (e *PublishError) Error() string {
	var b strings.Builder
	b.WriteString("provider: publish result to ")
	b.WriteString(e.URL)
	b.WriteString(": ")
	switch {
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	default:
		fmt.Fprintf(&b, "%d %s", e.StatusCode, http.StatusText(e.StatusCode))
		if e.Body != "" {
			fmt.Fprintf(&b, ": %q", e.Body)
		}
	}
	if e.Attempts > 0 {
		fmt.Fprintf(&b, " (after %d attempt(s))", e.Attempts)
	}
	return b.String()
}

// Unwrap returns e.Err.
func (e *PublishError) Unwrap() error { return e.Err }

// Permanent reports whether sending the same result again later cannot
// help: the result failed validation, the callback URL was refused, or
// Workable answered with a 4xx other than 408, 409 and 429 (or a 3xx or
// 501). A 409 is not an error at all: see Delivery.AlreadyUpdated.
// Transient failures (network errors, 408, 429, 5xx after all retries,
// context cancellation) are not permanent.
func (e *PublishError) Permanent() bool { return e.permanent }

const maxErrorBody = 512

// Publish validates r, then PUTs it to callbackURL with "Authorization:
// Bearer "+token. It returns a Delivery describing the outcome (attempts,
// final HTTP status) and a non-nil error when the result was not accepted.
// The error is a *PublishError whose Permanent() reports whether retrying
// later can help (validation, SSRF refusal, 4xx other than 408/409/429 are
// permanent).
//
// Delivery is at least once: Workable may receive the same result more than
// once if a response is lost. Workable documents 409 "Entity is already
// updated" among the contract's errors
// (https://workable.readme.io/page/video-interview-providers), so a repeated
// PUT may be answered 409; since that means the result is already there, a
// 409 counts as delivered (nil error, Delivery.AlreadyUpdated set).
//
// r goes out in its wire form (StatusDocument.Wire): StatusDeclined and
// StatusRejected as PublisherOptions.DeclinedStatus, the grade at both
// levels, and an Assessment's results under both "assessment" and
// "interview".
func (p *Publisher) Publish(ctx context.Context, callbackURL, token string, r StatusDocument) (Delivery, error) {
	var d Delivery
	u, err := url.Parse(callbackURL)
	if err != nil {
		return d, &PublishError{URL: "(unparsable URL)", Err: &unsafeError{"unparsable URL"}, permanent: true}
	}
	safeURL := redactURL(u)
	fail := func(pe *PublishError) (Delivery, error) {
		pe.URL, pe.Attempts, pe.StatusCode = safeURL, d.Attempts, d.StatusCode
		if pe.Body != "" && token != "" {
			pe.Body = strings.ReplaceAll(pe.Body, token, "[REDACTED]")
		}
		p.log.WarnContext(ctx, "provider: result not delivered", "url", safeURL, "status", string(r.Status), "attempts", d.Attempts, "http_status", d.StatusCode, "permanent", pe.permanent, "error", pe.Error())
		return d, pe
	}
	if err := r.Validate(); err != nil {
		return fail(&PublishError{Err: err, permanent: true})
	}
	if err := p.guard.checkURL(u); err != nil {
		return fail(&PublishError{Err: err, permanent: true})
	}
	if !p.guarded {
		if err := p.precheck(ctx, u); err != nil {
			return fail(&PublishError{Err: err, permanent: true})
		}
	}
	r = r.Wire(p.declined, false)
	body, err := json.Marshal(r)
	if err != nil {
		return fail(&PublishError{Err: fmt.Errorf("encoding result: %w", err), permanent: true})
	}

	ctx = context.WithValue(ctx, attemptsKey{}, &d.Attempts)
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPut, u.String(), body)
	if err != nil {
		return fail(&PublishError{Err: errors.New("building request failed"), permanent: true})
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")

	resp, err := p.client.Do(req)
	if resp != nil {
		d.StatusCode = resp.StatusCode
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if err == nil && resp.StatusCode >= 200 && resp.StatusCode < 300 {
			p.log.InfoContext(ctx, "provider: result delivered", "url", safeURL, "status", string(r.Status), "attempts", d.Attempts, "http_status", d.StatusCode)
			return d, nil
		}
		if err == nil && resp.StatusCode == http.StatusConflict {
			d.AlreadyUpdated = true
			p.log.InfoContext(ctx, "provider: result already delivered (409)", "url", safeURL, "status", string(r.Status), "attempts", d.Attempts, "http_status", d.StatusCode)
			return d, nil
		}
		if err == nil {
			return fail(&PublishError{Body: strings.TrimSpace(string(snippet)), permanent: !retryableStatus(resp.StatusCode)})
		}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // url.Error repeats the full URL, query included
	}
	return fail(&PublishError{Err: err, permanent: errors.Is(err, ErrUnsafeCallback)})
}

// precheck resolves the callback host when the dial-time guard cannot be
// installed (a custom RoundTripper), as a best effort.
func (p *Publisher) precheck(ctx context.Context, u *url.URL) error {
	host := u.Hostname()
	if _, err := netip.ParseAddr(host); err == nil {
		return nil // checked by checkURL
	}
	ips, err := p.guard.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil // let the transport report it
	}
	for _, ip := range ips {
		if err := checkAddr(ip, p.guard.allowLoopback); err != nil {
			return err
		}
	}
	return nil
}

// redactURL returns u without user info, query and fragment, cut to 200
// bytes: it goes into log records and errors, and the URL is chosen by
// whoever created the invitation.
func redactURL(u *url.URL) string {
	c := *u
	c.User, c.RawQuery, c.ForceQuery, c.Fragment, c.RawFragment = nil, "", false, "", ""
	return safehttp.Bound(c.String(), 200)
}
