package greenhouse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
	"github.com/atskit/atskit/internal/httpx"
	"github.com/atskit/atskit/pacing"
	"golang.org/x/oauth2"
)

// ProductionURL is the root of Harvest v3
// (https://harvestdocs.greenhouse.io/docs/authentication).
const ProductionURL = "https://harvest.greenhouse.io/v3"

// Rate limits. Greenhouse's v3 rate-limit policy page exists but its
// numbers were not available; third parties report a fixed window with
// the real limit in X-RateLimit-Limit, observed as 50 requests per 10 s.
// The client paces at DefaultRateLimit per DefaultRateWindow unless
// Options say otherwise, and pauses whenever the server reports its
// budget spent.
const (
	DefaultRateLimit  = 50
	DefaultRateWindow = 10 * time.Second
)

// DefaultPageSize is the per_page used when a listing does not set one
// (Greenhouse allows 1–500, default 100).
const DefaultPageSize = 100

// MaxPageSize is the largest per_page Greenhouse accepts.
const MaxPageSize = 500

// maxIDs is the most IDs an ids or *_ids filter may carry.
const maxIDs = 50

// DefaultVendorStage is the interview-plan stage name that links a job
// when Options.VendorStage is empty. It names no vendor and no stage of
// Greenhouse's default interview plan, so no job is linked by accident;
// set Options.VendorStage to the stage your customers add, usually your
// product's name.
const DefaultVendorStage = "Vendor Interview"

// pacingMargin lengthens the client's window slightly so network jitter
// cannot put one request too many into one of the server's windows.
const pacingMargin = 1.02

// Options configures a Client. Credentials are either ClientID and
// ClientSecret (client credentials, a customer's own integration) or
// TokenSource (a partner's authorization-code token, see AuthCodeConfig).
type Options struct {
	// ClientID and ClientSecret are Harvest V3 (OAuth) API credentials
	// created in Configure » Dev Center » API Credentials.
	ClientID, ClientSecret string
	// UserID is the Greenhouse user the token acts as (the sub of the
	// client-credentials grant) and the author of notes. Empty uses the
	// credential's service account for the token; UserEmail then names
	// the note author.
	UserID string
	// UserEmail names the acting user by email when UserID is empty; it
	// is resolved once through GET /v3/users?primary_email=.
	UserEmail string
	// TokenSource supplies access tokens instead of ClientID and
	// ClientSecret (partners: AuthCodeConfig.TokenSource).
	TokenSource oauth2.TokenSource
	// TokenURL overrides the token endpoint of the client-credentials
	// grant (tests: a greenhousetest server's TokenURL()).
	TokenURL string

	// BaseURL overrides the API root, default ProductionURL (tests: a
	// greenhousetest server's URL).
	BaseURL string
	// HTTPClient performs each attempt and the token requests; nil uses a
	// client with a 30 s timeout. It is never modified.
	HTTPClient *http.Client
	// Logger receives one debug record per request; nil uses
	// slog.Default().
	Logger *slog.Logger
	// UserAgent is sent on every request (default "atskit-greenhouse").
	UserAgent string

	// Pacer, when set, books this account's requests in a budget shared
	// with every client given the same Pacer and PacerAccount (other
	// clients in the process, or replicas through lifecycle/sqlstore's
	// Store.Pacer) instead of pacing on its own; see package pacing. The
	// budget is RateLimit per RateWindow (lengthened by 2% against
	// network jitter), as for a client's own. Clients of one Greenhouse
	// account (for example one per acting user) should share one: a
	// pacing.Memory in one process, lifecycle/sqlstore's Store.Pacer
	// across replicas.
	Pacer pacing.Pacer
	// PacerAccount names the account's budget in Pacer, one name per
	// Greenhouse account (e.g. the host's connection ID); default
	// "greenhouse/" and ClientID, or "greenhouse" with a TokenSource.
	PacerAccount string
	// RateLimit and RateWindow say how many requests the account may make
	// per window; zero uses DefaultRateLimit per DefaultRateWindow, a
	// negative RateLimit disables pacing.
	RateLimit  int
	RateWindow time.Duration
	// MaxRetries is the number of retries after a failed attempt
	// (default 4; negative disables). RetryWaitMin and RetryWaitMax bound
	// the backoff.
	MaxRetries                 int
	RetryWaitMin, RetryWaitMax time.Duration

	// VendorStage is the name of the interview-plan stage that links a job
	// to the vendor (case-insensitive). Default DefaultVendorStage.
	VendorStage string
	// AssessmentInterview is the name of the vendor's Assessment Partner
	// interview (a take-home test in the job's interview plan); a job with
	// it is also linked. Empty disables that check.
	AssessmentInterview string
	// WebhookSecret is the secret key EnsureSubscription gives the
	// webhooks it creates (partners only); verify deliveries with it.
	WebhookSecret string
	// DefaultRejectionReason is the rejection reason (ID or name) Disqualify
	// uses when the given reason matches none of the account's.
	DefaultRejectionReason string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// rateBudget is the request budget of a Client. It is safe for concurrent
// use.
type rateBudget struct{ p *httpx.Pacer }

// newRateBudget returns a budget of at most n requests starting in any
// window-long interval, matching a server that counts n requests per fixed
// window (a slightly longer window absorbs network jitter). The budget
// also pauses when a response reports no requests remaining. n <= 0
// disables pacing; the server's pauses still apply.
func newRateBudget(n int, window time.Duration) *rateBudget {
	if n <= 0 || window <= 0 {
		return &rateBudget{p: httpx.NewPacer(0, 0, nil)}
	}
	return &rateBudget{p: httpx.NewWindowPacer(n, time.Duration(float64(window)*pacingMargin), nil)}
}

// newSharedRateBudget returns a budget of at most n requests starting in
// any window-long interval (lengthened by 2% against network jitter),
// booked in p under account: every budget, in this process or another,
// with the same p (for example lifecycle/sqlstore's Store.Pacer) and
// account stays within it together. A response reporting no requests
// remaining pauses the clients of this budget only. n <= 0 disables
// pacing.
func newSharedRateBudget(p pacing.Pacer, account string, n int, window time.Duration) *rateBudget {
	b := newRateBudget(0, 0)
	if n > 0 && window > 0 {
		b.p.Share(p, account, pacing.Limit{N: n, Window: time.Duration(float64(window) * pacingMargin)})
	}
	return b
}

// pacerAccount is the budget name of a client in Options.Pacer.
func pacerAccount(o Options) string {
	switch {
	case o.PacerAccount != "":
		return o.PacerAccount
	case o.ClientID != "":
		return "greenhouse/" + o.ClientID
	}
	return "greenhouse"
}

// Client is a Harvest v3 client. It is safe for concurrent use.
type Client struct {
	http *httpx.Client
	opts Options
	ts   oauth2.TokenSource

	mu       sync.Mutex
	userID   string
	tagIDs   map[string]int64 // lower-cased tag name → candidate_tags id
	reasons  []RejectionReason
	stageTTL map[string]stageEntry
}

type stageEntry struct {
	stages []JobStage
	at     time.Time
}

var (
	_ ats.Adapter            = (*Client)(nil)
	_ ats.LinkedJobLister    = (*Client)(nil)
	_ ats.CandidateLister    = (*Client)(nil)
	_ ats.Tagger             = (*Client)(nil)
	_ ats.Disqualifier       = (*Client)(nil)
	_ ats.ReportAttacher     = (*Client)(nil)
	_ ats.InterviewScheduler = (*Client)(nil)
	_ ats.WebhookSubscriber  = (*Client)(nil)
)

// NewClient returns a Client for opts. It fails when the credentials are
// missing or ambiguous, or the base URL is not absolute.
func NewClient(opts Options) (*Client, error) {
	hasCC := opts.ClientID != "" || opts.ClientSecret != ""
	switch {
	case hasCC && opts.TokenSource != nil:
		return nil, errors.New("greenhouse: NewClient: set either Options.ClientID/ClientSecret or Options.TokenSource, not both")
	case !hasCC && opts.TokenSource == nil:
		return nil, errors.New("greenhouse: NewClient: credentials required: Options.ClientID and ClientSecret (client credentials) or Options.TokenSource (authorization code)")
	case hasCC && (opts.ClientID == "" || opts.ClientSecret == ""):
		return nil, errors.New("greenhouse: NewClient: Options.ClientID and Options.ClientSecret must both be set")
	}
	if opts.UserID != "" {
		if _, err := strconv.ParseInt(opts.UserID, 10, 64); err != nil {
			return nil, fmt.Errorf("greenhouse: NewClient: Options.UserID %q is not a numeric Greenhouse user ID", opts.UserID)
		}
	}
	if opts.BaseURL == "" {
		opts.BaseURL = ProductionURL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "atskit-greenhouse"
	}
	if opts.VendorStage == "" {
		opts.VendorStage = DefaultVendorStage
	}
	c := &Client{opts: opts, userID: opts.UserID, tagIDs: map[string]int64{}, stageTTL: map[string]stageEntry{}}
	c.ts = opts.TokenSource
	if c.ts == nil {
		c.ts = ClientCredentials{
			ClientID: opts.ClientID, ClientSecret: opts.ClientSecret, UserID: opts.UserID,
			TokenURL: opts.TokenURL, HTTPClient: opts.HTTPClient, Now: opts.Now,
		}.TokenSource(context.Background())
	}
	n, w := opts.RateLimit, opts.RateWindow
	if n == 0 {
		n = DefaultRateLimit
	}
	if w <= 0 {
		w = DefaultRateWindow
	}
	var budget *rateBudget
	if opts.Pacer != nil {
		budget = newSharedRateBudget(opts.Pacer, pacerAccount(opts), n, w)
	} else {
		budget = newRateBudget(n, w)
	}
	hc, err := httpx.New(httpx.Config{
		ATS: "greenhouse", BaseURL: opts.BaseURL, HTTPClient: opts.HTTPClient,
		Authorize: c.authorize, Pacer: budget.p,
		MaxRetries: opts.MaxRetries, RetryWaitMin: opts.RetryWaitMin, RetryWaitMax: opts.RetryWaitMax,
		UserAgent: opts.UserAgent, Logger: opts.Logger,
		DecodeError: decodeError, ServerBudget: serverBudget, Now: opts.Now,
	})
	if err != nil {
		return nil, errfmt.Errorf("greenhouse: NewClient: %w", err)
	}
	c.http = hc
	return c, nil
}

// ThrottledCount reports how many 429 answers clients sharing this
// client's budget received despite pacing.
func (c *Client) ThrottledCount() int { return c.http.Pacer().ThrottledCount() }

func (c *Client) authorize(r *http.Request) error {
	tok, err := c.ts.Token()
	if err != nil {
		return tokenError(err)
	}
	r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	return nil
}

// tokenError types a failure of the token endpoint: a refused client,
// code, refresh token or sub (400/401) is ats.ErrUnauthorized, so callers
// see bad credentials the same way whether the token endpoint or the API
// refused them; other answers keep their status. The token endpoint's
// body is not included (it may echo credentials).
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		return fmt.Errorf("oauth token: %w", err)
	}
	status := re.Response.StatusCode
	if status == http.StatusBadRequest {
		status = http.StatusUnauthorized
	}
	return &ats.APIError{ATS: "greenhouse", Op: "obtain access token", StatusCode: status, Code: re.ErrorCode, Message: re.ErrorDescription}
}

type invalidator interface{ Invalidate(accessToken string) }

// do performs one call. A 401 makes an invalidatable token source drop the
// refused token; the call is then repeated once with a fresh one, so a
// token revoked or expired server-side mid-sync costs one request.
func (c *Client) do(ctx context.Context, r *httpx.Request, out any) (*httpx.Response, error) {
	var before string
	if tok, err := c.ts.Token(); err == nil {
		before = tok.AccessToken
	}
	resp, err := c.http.Do(ctx, r, out)
	if err == nil || !errors.Is(err, ats.ErrUnauthorized) {
		return resp, err
	}
	inv, ok := c.ts.(invalidator)
	if !ok {
		return resp, err
	}
	inv.Invalidate(before)
	tok, terr := c.ts.Token()
	if terr != nil || tok.AccessToken == before {
		return resp, err
	}
	c.opts.Logger.LogAttrs(ctx, slog.LevelDebug, "greenhouse: access token refused, retrying with a new token", slog.String("op", r.Op))
	return c.http.Do(ctx, r, out)
}

// invalid returns a validation error for a request refused before sending.
func invalid(op string, fields ...ats.FieldError) error {
	return &ats.ValidationError{Op: "greenhouse: " + op, Fields: fields}
}

// parseID checks that id is a Greenhouse numeric ID; Greenhouse IDs are
// integers, and anything else would address another resource or be
// refused with a less helpful error.
func parseID(op, field, id string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
	if err != nil || n <= 0 {
		return 0, invalid(op, ats.FieldError{Field: field, Message: fmt.Sprintf("%q is not a Greenhouse ID (a positive integer)", id)})
	}
	return n, nil
}

// notFound builds an ats.ErrNotFound error for a lookup by ids= that
// returned nothing (Harvest v3 has no GET by ID; an unknown ID is an
// empty list, not a 404).
func notFound(op, format string, args ...any) error {
	return &ats.APIError{ATS: "greenhouse", Op: op, StatusCode: http.StatusNotFound, Message: fmt.Sprintf(format, args...)}
}

// idString renders a Greenhouse ID; zero is "".
func idString(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// joinIDs renders IDs for an ids= filter.
func joinIDs(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// pageSize clamps a requested page size to Greenhouse's range.
func pageSize(n int) int {
	if n <= 0 {
		return DefaultPageSize
	}
	return min(n, MaxPageSize)
}

// query builds url.Values from key/value pairs, skipping empty values.
func query(kv ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	return q
}

// ResetCaches forgets cached stages, tags, rejection reasons and the
// resolved acting user, so the next calls read them from Greenhouse again
// (after a customer changed their interview plans, for example).
func (c *Client) ResetCaches() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.userID = c.opts.UserID
	c.tagIDs = map[string]int64{}
	c.reasons = nil
	c.stageTTL = map[string]stageEntry{}
}

// PacingDelay reports how long a request started now would wait for the
// account's budget, without booking it. The lifecycle dispatcher uses it
// to deliver other connections' effects instead of waiting.
func (c *Client) PacingDelay(ctx context.Context) (time.Duration, error) {
	return c.http.Pacer().Delay(ctx)
}
