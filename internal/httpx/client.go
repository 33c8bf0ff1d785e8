// Package httpx is the HTTP client the atskit adapters share. It wraps
// go-retryablehttp with the policies an ATS integration needs:
//
//   - idempotent calls (GET, HEAD, PUT, DELETE, OPTIONS) are retried on
//     transport errors, 408, 429 and 5xx with jittered exponential backoff;
//   - non-idempotent writes (POST, PATCH) are retried only on 429 (the ATS
//     refused them before doing anything) unless the request carries an
//     idempotency guard (Request.Idempotent or Request.IdempotencyKey);
//   - 429s wait for Retry-After or the ATS's own reset header;
//   - every attempt is paced by a token bucket set to the ATS's documented
//     limit, and the client stops when the server says its budget is spent,
//     so a well-behaved sync never receives a 429;
//   - responses are capped in size, errors decode into the ats typed errors,
//     and logs never contain credentials.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"
)

// DefaultMaxResponseBytes caps a response body when Config leaves it zero.
const DefaultMaxResponseBytes = 16 << 20

// Config configures a Client. Only BaseURL is required.
type Config struct {
	// ATS names the service in errors and logs, e.g. "workable".
	ATS string
	// BaseURL is the API root, e.g. "https://acme.workable.com/spi/v3".
	BaseURL string
	// HTTPClient performs each attempt. Its Timeout, if set, bounds each
	// attempt. Nil uses a client with a 30 s timeout. The client's
	// Transport is wrapped, never modified.
	HTTPClient *http.Client
	// Authorize adds credentials to each attempt.
	Authorize func(*http.Request) error
	// Limit and Burst configure token-bucket pacing; a zero Limit
	// disables it.
	Limit rate.Limit
	Burst int
	// WindowLimit and Window configure sliding-window pacing instead: at
	// most WindowLimit requests start in any Window-long interval (see
	// NewWindowPacer). Used when both are set; Limit and Burst are then
	// ignored.
	WindowLimit int
	Window      time.Duration
	// Pacer, when non-nil, is used instead of one built from Limit, Burst,
	// WindowLimit and Window, so that several clients of one ATS account
	// (say, one per acting user) share the account's budget.
	Pacer *Pacer
	// MaxRetries is the number of retries after the first attempt.
	// Negative disables retries; zero means 4.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the backoff (default 200 ms, 30 s).
	RetryWaitMin, RetryWaitMax time.Duration
	// MaxResponseBytes caps response bodies (default 16 MiB).
	MaxResponseBytes int64
	// UserAgent is sent on every request.
	UserAgent string
	// Logger receives one debug record per attempt; nil discards.
	Logger *slog.Logger
	// DecodeError fills Code, Message and RequestID of an error response.
	// The client fills ATS, Op and StatusCode.
	DecodeError func(resp *http.Response, body []byte, e *ats.APIError)
	// ServerBudget reads the server's rate-limit headers. When it reports
	// no requests remaining, the client waits until reset before the next
	// attempt.
	ServerBudget func(h http.Header, now time.Time) (remaining int, reset time.Time, ok bool)
	// Now returns the current time; nil uses time.Now.
	Now func() time.Time
	// Hosts declares which absolute URLs other than the base host (next-page
	// links) belong to the ATS account; see HostRule. Zero: base host only.
	Hosts HostRule
}

// Client performs API calls for an adapter. It is safe for concurrent use.
type Client struct {
	cfg   Config
	base  *url.URL
	rc    *retryablehttp.Client
	pacer *Pacer
	log   *slog.Logger
}

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("Options.BaseURL %q is not an absolute URL: give scheme, host and the API's base path, e.g. \"https://api.example.com/v1\"", cfg.BaseURL)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if cfg.RetryWaitMin <= 0 {
		cfg.RetryWaitMin = 200 * time.Millisecond
	}
	if cfg.RetryWaitMax <= 0 {
		cfg.RetryWaitMax = 30 * time.Second
	}
	switch {
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = 4
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(discardHandler{})
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	pacer := NewPacer(cfg.Limit, cfg.Burst, cfg.Now)
	if cfg.WindowLimit > 0 && cfg.Window > 0 {
		pacer = NewWindowPacer(cfg.WindowLimit, cfg.Window, cfg.Now)
	}
	if cfg.Pacer != nil {
		pacer = cfg.Pacer
	}
	inner := *hc // shallow copy: never mutate the caller's client
	inner.Transport = &pacedTransport{base: hc.Transport, origin: base, hosts: cfg.Hosts, pacer: pacer, authorize: cfg.Authorize, budget: cfg.ServerBudget, now: cfg.Now}
	inner.CheckRedirect = checkRedirect(base, hc.CheckRedirect)

	c := &Client{cfg: cfg, base: base, pacer: pacer, log: log}
	c.rc = &retryablehttp.Client{
		HTTPClient:   &inner,
		Logger:       nil,
		RetryWaitMin: cfg.RetryWaitMin,
		RetryWaitMax: cfg.RetryWaitMax,
		RetryMax:     cfg.MaxRetries,
		CheckRetry:   checkRetry,
		Backoff:      c.backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	return c, nil
}

// Pacer returns the client's pacer, so adapters sharing one budget (one
// token used by several clients) can share it.
func (c *Client) Pacer() *Pacer { return c.pacer }

// BaseURL returns the API root the client was built with.
func (c *Client) BaseURL() string { return c.base.String() }

// Request describes one API call.
type Request struct {
	// Op describes the call for errors and logs, e.g. "move candidate 3fc9".
	Op string
	// Method is the HTTP method; empty means GET.
	Method string
	// Path is relative to the base URL ("/jobs"), or an absolute URL on the
	// same scheme and host, or on a host Config.Hosts declares the ATS's (a
	// next-page link). Other hosts are refused so
	// credentials never leave the ATS.
	Path  string
	Query url.Values
	// Body is sent as JSON, unless it is a url.Values (sent as a form) or
	// []byte (sent as is with ContentType).
	Body        any
	ContentType string
	Header      http.Header
	// Idempotent marks a POST or PATCH as safe to retry (repeating it
	// cannot duplicate an effect, e.g. "move to stage X").
	Idempotent bool
	// IdempotencyKey is sent as the Idempotency-Key header and makes a
	// POST or PATCH retryable.
	IdempotencyKey string
}

// Response is what Do reports about a successful call.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// URL is the URL that was requested; links in the answer (a next
	// page) are relative to it (see ResolveLink).
	URL *url.URL
}

// ResolveLink resolves link, a URI reference found in this answer (a
// paging.next or Link rel="next" target), against the URL of the page that
// carried it, as RFC 3986 section 5 defines: "/spi/v3/…" keeps the page's
// scheme and host, "//host/…" its scheme, "?page=2" its path. It returns ""
// for an empty link. The result is absolute, so Client.Do applies the
// HostRule to it before sending any credentials.
func (r *Response) ResolveLink(link string) (string, error) {
	link = strings.TrimSpace(link)
	if link == "" {
		return "", nil
	}
	ref, err := url.Parse(link)
	if err != nil {
		return "", fmt.Errorf("httpx: next-page link %s is not a URL reference: %w", describeLink(link), ErrInvalidLink)
	}
	if r.URL == nil {
		if !ref.IsAbs() {
			return "", fmt.Errorf("httpx: relative next-page link %s with no page URL to resolve it against: %w", describeLink(link), ErrInvalidLink)
		}
		return ref.String(), nil
	}
	return r.URL.ResolveReference(ref).String(), nil
}

// ErrInvalidLink is wrapped by ResolveLink's errors: the ATS sent a
// next-page link that is not a URL reference.
var ErrInvalidLink = errors.New("invalid link")

// describeLink names a link for an error: without its query (which may
// carry filters or personal data) and at most 100 bytes.
func describeLink(link string) string {
	if i := strings.IndexAny(link, "?#"); i >= 0 {
		link = link[:i] + "?…"
	}
	return fmt.Sprintf("%q", boundString(link, 100))
}

type retryKey struct{}

// Do performs r and decodes a 2xx JSON body into out (if out is non-nil and
// the body is not empty). A non-2xx answer is returned as an error from the
// ats package: *ats.RateLimitError for 429, *ats.ValidationError for 400 and
// 422, *ats.APIError otherwise.
func (c *Client) Do(ctx context.Context, r *Request, out any) (*Response, error) {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	u, err := c.resolve(r.Path, r.Query)
	if err != nil {
		return nil, c.opErr(r, err)
	}
	body, ctype, err := encodeBody(r.Body, r.ContentType)
	if err != nil {
		return nil, c.opErr(r, err)
	}
	retryable := isIdempotent(method) || r.Idempotent || r.IdempotencyKey != ""
	ctx = context.WithValue(ctx, retryKey{}, retryable)
	req, err := retryablehttp.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, c.opErr(r, err)
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept", "application/json")
	if c.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	if r.IdempotencyKey != "" {
		req.Header.Set("Idempotency-Key", r.IdempotencyKey)
	}
	attempts := new(int)
	req.Request = req.Request.WithContext(context.WithValue(ctx, attemptsKey{}, attempts))
	op := r.Op
	start := c.cfg.Now()
	resp, err := c.rc.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, c.opErr(r, ctxErr)
		}
		return nil, c.opErr(r, redactError(err))
	}
	defer resp.Body.Close()
	data, err := readCapped(resp.Body, c.cfg.MaxResponseBytes)
	if err != nil {
		return nil, c.opErr(r, err)
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "ats request",
		slog.String("ats", c.cfg.ATS), slog.String("op", op),
		slog.String("method", method), slog.String("path", boundString(u.Path, 200)),
		slog.Int("status", resp.StatusCode), slog.Int("attempts", *attempts),
		slog.Duration("elapsed", c.cfg.Now().Sub(start)))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, c.apiError(r, resp, data)
	}
	if out != nil && len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return nil, c.opErr(r, fmt.Errorf("decoding %d response: %w", resp.StatusCode, err))
		}
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: data, URL: u}, nil
}

func (c *Client) resolve(path string, q url.Values) (*url.URL, error) {
	ref, err := url.Parse(path)
	if err != nil {
		return nil, fmt.Errorf("invalid URL or path %s", describeLink(path))
	}
	var u *url.URL
	if ref.Scheme != "" || ref.Host != "" || strings.HasPrefix(path, "//") {
		// An absolute URL ("HTTPS://…" too: url.Parse lowers the scheme)
		// or a scheme-relative one ("//host/…", which takes the base's
		// scheme, RFC 3986 section 5.2.2): another host is possible, so
		// the HostRule decides.
		abs := c.base.ResolveReference(ref)
		if err := c.cfg.Hosts.Check(c.base, abs); err != nil {
			return nil, err
		}
		u = abs
	} else {
		u = c.base.JoinPath(ref.Path)
		u.RawQuery = ref.RawQuery
	}
	if len(q) > 0 {
		merged := u.Query()
		for k, vs := range q {
			merged[k] = vs
		}
		u.RawQuery = merged.Encode()
	}
	return u, nil
}

func (c *Client) opErr(r *Request, err error) error {
	if c.cfg.ATS == "" {
		return fmt.Errorf("%s: %w", r.Op, err)
	}
	return fmt.Errorf("%s: %s: %w", c.cfg.ATS, r.Op, err)
}

func (c *Client) apiError(r *Request, resp *http.Response, body []byte) error {
	e := &ats.APIError{ATS: c.cfg.ATS, Op: r.Op, StatusCode: resp.StatusCode}
	if c.cfg.DecodeError != nil {
		c.cfg.DecodeError(resp, body, e)
	}
	if e.Message == "" {
		e.Message = fallbackMessage(body)
	}
	// The ATS's message may echo request content; keep it short.
	e.Message = boundString(e.Message, maxErrorMessage)
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return &ats.RateLimitError{Err: e, RetryAfter: c.retryAfter(resp)}
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return &ats.ValidationError{Err: e}
	}
	return e
}

// maxErrorMessage bounds the ATS-supplied message in an APIError.
const maxErrorMessage = 300

// fallbackMessage returns a short, printable excerpt of a non-JSON error
// body.
func fallbackMessage(body []byte) string {
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return strings.ToValidUTF8(s, "")
}

// retryAfter reads how long a 429 asks the caller to wait: Retry-After
// (seconds or HTTP date), else the ATS's reset header.
func (c *Client) retryAfter(resp *http.Response) time.Duration {
	now := c.cfg.Now()
	if d, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), now); ok {
		return d
	}
	if c.cfg.ServerBudget != nil {
		if _, reset, ok := c.cfg.ServerBudget(resp.Header, now); ok && reset.After(now) {
			return reset.Sub(now)
		}
	}
	return 0
}

// MaxRetryAfter caps the delay ParseRetryAfter reports: a server's header
// cannot make a client wait longer than this.
const MaxRetryAfter = 24 * time.Hour

// ParseRetryAfter parses a Retry-After header value: delay-seconds or an
// HTTP date. The result is in [0, MaxRetryAfter]: a huge or infinite delay
// (which would overflow time.Duration into a negative value) or a date
// centuries ahead is capped, never wrapped.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		switch {
		case secs != secs || secs < 0: // NaN or negative
			return 0, false
		case secs >= MaxRetryAfter.Seconds():
			return MaxRetryAfter, true
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		// Compare before subtracting: Sub saturates, but the bound is
		// the point.
		switch {
		case !t.After(now):
			return 0, true
		case t.After(now.Add(MaxRetryAfter)):
			return MaxRetryAfter, true
		}
		return t.Sub(now), true
	}
	return 0, false
}

func (c *Client) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d := c.retryAfter(resp); d > 0 {
			if d > maxWait {
				d = maxWait
			}
			return d
		}
	}
	// Exponential backoff with full jitter over [min, min*2^attempt].
	ceil := minWait << min(attempt, 20)
	if ceil <= 0 || ceil > maxWait {
		ceil = maxWait
	}
	if ceil <= minWait {
		return minWait
	}
	return minWait + rand.N(ceil-minWait)
}

func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if errors.Is(err, errAuthorize) || errors.Is(err, ErrForeignHost) {
		// Repeating cannot help: refused credentials, or a redirect off
		// the API host.
		return false, err
	}
	retryable, _ := ctx.Value(retryKey{}).(bool)
	if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
		// The ATS refused the request before acting on it: safe to repeat
		// whatever the method.
		return true, nil
	}
	if !retryable {
		return false, nil
	}
	if err != nil {
		return true, nil
	}
	return resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented, nil
}

func isIdempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

func encodeBody(body any, ctype string) (any, string, error) {
	switch b := body.(type) {
	case nil:
		return nil, "", nil
	case []byte:
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		return b, ctype, nil
	case url.Values:
		return []byte(b.Encode()), "application/x-www-form-urlencoded", nil
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return nil, "", fmt.Errorf("encoding request body: %w", err)
		}
		return data, "application/json", nil
	}
}

func readCapped(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading response: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("response body exceeds %d bytes", limit)
	}
	return data, nil
}

type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (d discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discardHandler) WithGroup(string) slog.Handler           { return d }
