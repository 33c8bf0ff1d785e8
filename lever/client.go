package lever

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
	"github.com/atskit/atskit/internal/httpx"
	"github.com/atskit/atskit/pacing"
	"golang.org/x/oauth2"
	"golang.org/x/time/rate"
)

// API roots of Lever's v1 API.
const (
	ProductionURL = "https://api.lever.co/v1"
	SandboxURL    = "https://api.sandbox.lever.co/v1"
)

// Lever's documented rate limit: a steady 10 requests per second per key or
// token, with bursts up to 20.
const (
	DocumentedRateLimit rate.Limit = 10
	DocumentedBurst                = 20
)

// PacingMargin is the fraction of the server's rate the client paces at.
// The client also keeps one token of the server's burst in reserve. With
// both margins a paced client never trips the server's bucket, even when
// network jitter bunches requests together.
const PacingMargin = 0.97

// DefaultPageSize is the page size used when a listing does not set one
// (Lever allows 1–100).
const DefaultPageSize = 100

// Options configures a Client. Exactly one of APIKey and TokenSource is
// required.
type Options struct {
	// APIKey is a customer's Lever API key, sent as the HTTP Basic user
	// name with an empty password.
	APIKey string
	// TokenSource supplies OAuth access tokens (see OAuthConfig). A token is
	// fetched on every attempt, so a token that expires mid-sync is
	// refreshed. When the source also has an Invalidate(accessToken string)
	// method (as *TokenSource does), a 401 invalidates the token, the
	// source refreshes it and the call is retried once.
	TokenSource oauth2.TokenSource
	// Sandbox selects Lever's sandbox API instead of production.
	Sandbox bool
	// BaseURL overrides the API root (tests, proxies), e.g. a levertest
	// server's URL.
	BaseURL string
	// HTTPClient performs the requests; nil uses a client with a 30 s
	// timeout. It is wrapped, never modified.
	HTTPClient *http.Client
	// Logger receives one debug record per request; nil uses
	// slog.Default().
	Logger *slog.Logger
	// PerformAs is the Lever user ID writes are attributed to (the
	// perform_as parameter). PerformAsEmail names the user by email
	// instead; it is resolved once through GET /users and cached.
	PerformAs      string
	PerformAsEmail string
	// VendorTag is the posting tag that links a posting to the vendor,
	// e.g. "InterviewVector".
	VendorTag string
	// VendorStages are the stage names CheckSetup expects to exist; nil
	// uses DefaultVendorStages().
	VendorStages []string
	// WebhookURL, when set, makes CheckSetup look for a stage-change
	// webhook delivering to this URL.
	WebhookURL string
	// WebhookSecrets are the signature tokens the host verifies
	// deliveries with (as in WebhookVerifier); CheckSetup reports a
	// webhook whose token the host does not hold.
	WebhookSecrets []string
	// LastWebhook, when set, returns when a delivery was last verified
	// (zero: never). Lever does not say whether a Super Admin switched a
	// webhook group on, so CheckSetup asks the host whether deliveries
	// arrive.
	LastWebhook func() time.Time
	// SkipConfidential stops listings from asking for confidential
	// postings and opportunities (confidentiality=all). Set it only for an
	// API key created without confidential access, for which Lever answers
	// such listings with an access error; confidential candidates are then
	// invisible to the integration.
	SkipConfidential bool
	// DefaultArchiveReason is the archive reason (ID or text) Disqualify
	// uses when the given reason is not one of the account's.
	DefaultArchiveReason string
	// Feedback says how SubmitFeedback fills a feedback template.
	Feedback FeedbackMapping
	// PanelFeedbackTemplate is the feedback template (ID) set on the
	// interviews CreateScheduledInterview puts on profiles; empty leaves
	// Lever's default.
	PanelFeedbackTemplate string
	// RateLimit and Burst are the server's limit; zero uses Lever's
	// documented 10/s and 20. The client paces at RateLimit*PacingMargin
	// with Burst-1. A negative RateLimit disables pacing.
	RateLimit rate.Limit
	Burst     int
	// Pacer, when set, books this account's requests in a budget shared
	// with every client given the same Pacer and PacerAccount (other
	// clients in the process, or replicas through lifecycle/sqlstore's
	// Store.Pacer) instead of pacing on its own; see package pacing.
	Pacer pacing.Pacer
	// PacerAccount names the account's budget in Pacer, one name per
	// Lever account (e.g. the host's connection ID); without it every
	// client shares the budget "lever".
	PacerAccount string
	// MaxRetries is the number of retries after a failed attempt
	// (negative: none; zero: 4). RetryWaitMin and RetryWaitMax bound the
	// backoff.
	MaxRetries                 int
	RetryWaitMin, RetryWaitMax time.Duration
	// UserAgent is sent with every request.
	UserAgent string
	// Now returns the current time; nil uses time.Now.
	Now func() time.Time
}

// Client is a Lever v1 API client. It implements ats.Adapter and the
// optional ats capabilities LinkedJobLister, CandidateLister, Tagger,
// Disqualifier, FeedbackSubmitter, WebhookSubscriber, InterviewScheduler
// and ReportAttacher. It is safe for
// concurrent use.
type Client struct {
	opts Options
	hc   *httpx.Client
	ts   oauth2.TokenSource

	// noConfidential is set once Lever refused confidentiality=all (the
	// credentials lack confidential access); listings then ask for
	// non-confidential records only.
	noConfidential atomic.Bool

	mu        sync.Mutex
	performAs string
	stages    map[string]Stage
	templates []FeedbackTemplate
}

var (
	_ ats.Adapter            = (*Client)(nil)
	_ ats.LinkedJobLister    = (*Client)(nil)
	_ ats.CandidateLister    = (*Client)(nil)
	_ ats.Tagger             = (*Client)(nil)
	_ ats.Disqualifier       = (*Client)(nil)
	_ ats.FeedbackSubmitter  = (*Client)(nil)
	_ ats.WebhookSubscriber  = (*Client)(nil)
	_ ats.InterviewScheduler = (*Client)(nil)
	_ ats.ReportAttacher     = (*Client)(nil)
)

// NewClient returns a Client for opts.
func NewClient(opts Options) (*Client, error) {
	if (opts.APIKey == "") == (opts.TokenSource == nil) {
		return nil, errors.New("lever: exactly one of Options.APIKey and Options.TokenSource is required")
	}
	base := opts.BaseURL
	if base == "" {
		base = ProductionURL
		if opts.Sandbox {
			base = SandboxURL
		}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Client{opts: opts, ts: opts.TokenSource, performAs: opts.PerformAs}
	limit, burst := PacedRate(opts.RateLimit, opts.Burst)
	ua := opts.UserAgent
	if ua == "" {
		ua = "atskit-lever/1"
	}
	hc, err := httpx.New(httpx.Config{
		ATS:          "lever",
		BaseURL:      base,
		HTTPClient:   opts.HTTPClient,
		Authorize:    c.authorize,
		Limit:        limit,
		Burst:        burst,
		MaxRetries:   opts.MaxRetries,
		RetryWaitMin: opts.RetryWaitMin,
		RetryWaitMax: opts.RetryWaitMax,
		UserAgent:    ua,
		Logger:       opts.logger(),
		DecodeError:  decodeError,
		Now:          opts.Now,
	})
	if err != nil {
		return nil, errfmt.Errorf("lever: NewClient: %w", err)
	}
	c.hc = hc
	sharePacing(hc, opts, limit, burst)
	return c, nil
}

// PacedRate returns the rate and burst a client paces at for a server that
// allows limit requests per second with the given burst (zero values mean
// Lever's documented 10/s, burst 20). A negative limit disables pacing.
func PacedRate(limit rate.Limit, burst int) (rate.Limit, int) {
	return httpx.PacedRate(limit, burst, DocumentedRateLimit, DocumentedBurst, PacingMargin)
}

// ThrottledCount reports how many 429 answers the client received so far.
func (c *Client) ThrottledCount() int { return c.hc.Pacer().ThrottledCount() }

// authorize adds credentials to one attempt. With OAuth the token is read
// from the source on every attempt, so a refreshed token is picked up.
func (c *Client) authorize(req *http.Request) error {
	if c.ts == nil {
		req.SetBasicAuth(c.opts.APIKey, "")
		return nil
	}
	tok, err := c.ts.Token()
	if err != nil {
		return fmt.Errorf("oauth token: %w", err)
	}
	tok.SetAuthHeader(req)
	return nil
}

type invalidator interface{ Invalidate(accessToken string) }

// do performs one call. With OAuth, a 401 makes the token source drop the
// token that was refused; the call is then repeated once with a fresh
// token, so a token that expires server-side mid-sync costs one extra
// request and no lost page.
func (c *Client) do(ctx context.Context, r *httpx.Request, out any) (*httpx.Response, error) {
	var before string
	if c.ts != nil {
		if tok, err := c.ts.Token(); err == nil {
			before = tok.AccessToken
		}
	}
	resp, err := c.hc.Do(ctx, r, out)
	if err == nil || c.ts == nil || !errors.Is(err, ats.ErrUnauthorized) {
		return resp, err
	}
	if inv, ok := c.ts.(invalidator); ok {
		inv.Invalidate(before)
	}
	tok, terr := c.ts.Token()
	if terr != nil || tok.AccessToken == before {
		return resp, err // nothing new to try
	}
	c.opts.logger().LogAttrs(ctx, slog.LevelDebug, "lever: access token refused, retrying with a refreshed token", slog.String("op", r.Op))
	return c.hc.Do(ctx, r, out)
}

func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.Default()
}

// writeQuery returns the perform_as query for a write, resolving
// PerformAsEmail on first use. override (a user ID) wins when set.
func (c *Client) writeQuery(ctx context.Context, override string) (url.Values, error) {
	id := override
	if id == "" {
		var err error
		if id, err = c.PerformAsUser(ctx); err != nil {
			return nil, err
		}
	}
	q := url.Values{}
	if id != "" {
		q.Set("perform_as", id)
	}
	return q, nil
}

// PerformAsUser returns the user ID writes are attributed to: Options.PerformAs,
// or the user found by Options.PerformAsEmail (looked up once), or "" when
// neither is configured.
func (c *Client) PerformAsUser(ctx context.Context) (string, error) {
	c.mu.Lock()
	id := c.performAs
	c.mu.Unlock()
	if id != "" || c.opts.PerformAsEmail == "" {
		return id, nil
	}
	u, err := c.UserByEmail(ctx, c.opts.PerformAsEmail)
	if err != nil {
		return "", errfmt.Errorf("lever: resolving perform_as user %q: %w", c.opts.PerformAsEmail, err)
	}
	c.mu.Lock()
	c.performAs = u.ID
	c.mu.Unlock()
	return u.ID, nil
}

// page is Lever's list envelope. Data is a pointer so that a response
// without a data array is told apart from an empty page.
type page[T any] struct {
	Data    *[]T   `json:"data"`
	HasNext bool   `json:"hasNext"`
	Next    string `json:"next"`
}

// one is Lever's single-resource envelope.
type one[T any] struct {
	Data T `json:"data"`
}

// getOne reads a single resource. A 2xx answer without a data object is
// an error, not a zero value.
func getOne[T any](ctx context.Context, c *Client, op, path string, q url.Values) (T, error) {
	var r struct {
		Data *T `json:"data"`
	}
	var zero T
	if _, err := c.do(ctx, &httpx.Request{Op: op, Path: path, Query: q}, &r); err != nil {
		return zero, err
	}
	if r.Data == nil {
		return zero, errfmt.Errorf("lever: %s: %w", op, errNoData)
	}
	return *r.Data, nil
}

// errNoData reports a 2xx response that lacks Lever's data field.
var errNoData = errors.New(`response has no "data" field`)

// fetchPage fetches one page of a list endpoint at the given offset token.
// A listing that asks for confidential records (confidentiality=all) and is
// refused with 403 is asked again for non-confidential ones: credentials
// without confidential access then see what they saw before, and
// CheckSetup reports the missing access.
func fetchPage[T any](ctx context.Context, c *Client, op, path string, q url.Values, limit int, cursor string) ([]T, string, error) {
	if q.Get("confidentiality") == "all" && c.noConfidential.Load() {
		q = cloneValues(q)
		q.Del("confidentiality")
	}
	items, next, err := fetchPageOnce[T](ctx, c, op, path, q, limit, cursor)
	if errors.Is(err, ats.ErrForbidden) && q.Get("confidentiality") == "all" {
		q = cloneValues(q)
		q.Del("confidentiality")
		if items, next, err2 := fetchPageOnce[T](ctx, c, op, path, q, limit, cursor); err2 == nil {
			c.noConfidential.Store(true)
			c.opts.logger().LogAttrs(ctx, slog.LevelWarn, "lever: the credentials cannot read confidential records; listing non-confidential ones only", slog.String("op", op))
			return items, next, nil
		}
	}
	return items, next, err
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	return out
}

func fetchPageOnce[T any](ctx context.Context, c *Client, op, path string, q url.Values, limit int, cursor string) ([]T, string, error) {
	q2 := cloneValues(q)
	if limit <= 0 || limit > 100 {
		limit = DefaultPageSize
	}
	q2.Set("limit", strconv.Itoa(limit))
	if cursor != "" {
		// The token goes back exactly as Lever returned it: Lever's
		// tokens are percent-encoded JSON ("%5B1%2C…"), so the query
		// string encodes them once more ("%255B1%252C…"). Lever only says
		// to pass an offset it returned
		// (https://hire.lever.co/developer/documentation#pagination); the
		// same round trip is what integrations calling the real API send.
		q2.Set("offset", cursor)
	}
	var p page[T]
	if _, err := c.do(ctx, &httpx.Request{Op: op, Path: path, Query: q2}, &p); err != nil {
		return nil, "", err
	}
	if p.Data == nil {
		return nil, "", errfmt.Errorf("lever: %s: %w", op, errNoData)
	}
	if !p.HasNext {
		return *p.Data, "", nil
	}
	if p.Next == "" {
		return nil, "", fmt.Errorf("lever: %s: hasNext without a next token", op)
	}
	return *p.Data, p.Next, nil
}

// Millis is a Lever timestamp: Unix epoch milliseconds.
type Millis int64

// Time returns m as a time.Time; zero for 0.
func (m Millis) Time() time.Time {
	if m == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(m)).UTC()
}

// MillisOf converts t to a Lever timestamp; zero for the zero time.
func MillisOf(t time.Time) Millis {
	if t.IsZero() {
		return 0
	}
	return Millis(t.UnixMilli())
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
