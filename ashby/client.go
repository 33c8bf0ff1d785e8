package ashby

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
	"github.com/atskit/atskit/internal/httpx"
	"github.com/atskit/atskit/pacing"
	"golang.org/x/time/rate"
)

// ProductionURL is the root of Ashby's API
// (https://developers.ashbyhq.com/reference/introduction).
const ProductionURL = "https://api.ashbyhq.com"

// Ashby does not publish its general per-key rate limit
// (https://developers.ashbyhq.com/changelog only says per-key limits exist
// and answer 429). Assumed: a conservative 10 requests per second with a
// burst of 10; set Options.RateLimit to what Ashby agreed with you.
const (
	DefaultRateLimit rate.Limit = 10
	DefaultBurst                = 10
)

// PacingMargin is the fraction of the server's rate the client paces at,
// so network jitter never bunches requests over the server's limit.
const PacingMargin = 0.985

// DefaultPageSize is the page size used when a listing does not set one.
// Ashby caps page sizes silently and does not say at what; 100 is what its
// pagination guide uses
// (https://developers.ashbyhq.com/docs/pagination-and-incremental-sync).
const DefaultPageSize = 100

// Options configures a Client. APIKey is required.
type Options struct {
	// APIKey is the customer's Ashby API key, sent as the HTTP Basic user
	// name with a blank password
	// (https://developers.ashbyhq.com/docs/authentication).
	APIKey string
	// BaseURL overrides the API root (tests, proxies), e.g. an ashbytest
	// server's URL. Empty uses ProductionURL.
	BaseURL string
	// HTTPClient performs the requests; nil uses a client with a 30 s
	// timeout. It is wrapped, never modified. File uploads to Ashby's
	// presigned URLs use it without credentials.
	HTTPClient *http.Client
	// Logger receives one debug record per request; nil uses
	// slog.Default(). Keys, bodies and personal data are never logged.
	Logger *slog.Logger
	// ActingUserEmail names the Ashby user the vendor acts as where Ashby
	// takes a user explicitly (candidate.addEmailMessage's userId, an
	// interview's organizer). It is resolved once through user.search.
	// ActingUserID gives the ID directly instead. Ashby attributes notes
	// and other writes to the API key's own user; there is no parameter
	// to change that.
	ActingUserID    string
	ActingUserEmail string
	// VendorStage is the interview-plan stage title that links a job to
	// the vendor (LinkedJobs) and that CheckSetup looks for, e.g.
	// "InterviewVector Interview". Matched case-insensitively.
	VendorStage string
	// DefaultArchiveReason is the archive reason (ID or text) Disqualify
	// uses when the reason it is given is not one of the account's.
	DefaultArchiveReason string
	// WebhookSecret is the secret token EnsureSubscription gives Ashby
	// when it creates a webhook (Ashby requires one). Verify deliveries
	// with the same secret.
	WebhookSecret string
	// WebhookIDs are the IDs of webhooks created earlier (Ashby has no
	// webhook.list, so the host stores them). Subscriptions and
	// EnsureSubscription look at these and at the ones this Client
	// created.
	WebhookIDs []string
	// RateLimit and Burst are the server's limit for this key; zero uses
	// DefaultRateLimit and DefaultBurst. The client paces at
	// RateLimit*PacingMargin with Burst-1. A negative RateLimit disables
	// pacing. Each Client paces one account: use one Client per API key.
	RateLimit rate.Limit
	Burst     int
	// Pacer, when set, books this key's requests in a budget shared with
	// every client given the same Pacer and PacerAccount (other clients in
	// the process, or replicas through lifecycle/sqlstore's Store.Pacer)
	// instead of pacing on its own; see package pacing. The shared budget
	// is Burst-1 requests per (Burst-1)/(RateLimit*PacingMargin) seconds,
	// which keeps within Ashby's token bucket whatever the clients' timing.
	Pacer pacing.Pacer
	// PacerAccount names the key's budget in Pacer, one name per Ashby
	// API key (e.g. the host's connection ID); without it every client
	// shares the budget "ashby".
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

// Client is an Ashby API client. It implements ats.Adapter and the
// optional capabilities ats.LinkedJobLister, ats.CandidateLister,
// ats.Disqualifier, ats.ReportAttacher, ats.WebhookSubscriber and
// ats.InterviewScheduler; AddTags
// adds tags, but Ashby has no call to remove a tag from a candidate, so
// the Client is not an ats.Tagger. Notes makes it a lifecycle.NoteLister.
// It is safe for concurrent use.
type Client struct {
	opts Options
	hc   *httpx.Client
	up   *http.Client
	log  *slog.Logger
	// plainHTTP is set when BaseURL is http (a local fake): only then may
	// a file upload URL be http.
	plainHTTP bool

	mu       sync.Mutex
	actingID string
	persons  map[string]string // application ID → candidate ID (immutable in Ashby)
	hookIDs  []string
}

var (
	_ ats.Adapter            = (*Client)(nil)
	_ ats.LinkedJobLister    = (*Client)(nil)
	_ ats.CandidateLister    = (*Client)(nil)
	_ ats.Disqualifier       = (*Client)(nil)
	_ ats.ReportAttacher     = (*Client)(nil)
	_ ats.WebhookSubscriber  = (*Client)(nil)
	_ ats.InterviewScheduler = (*Client)(nil)
)

// NewClient returns a Client for opts.
func NewClient(opts Options) (*Client, error) {
	if strings.TrimSpace(opts.APIKey) == "" {
		return nil, errors.New("ashby: Options.APIKey is required: create a key in Ashby under Admin » Integrations » API Keys")
	}
	base := opts.BaseURL
	if base == "" {
		base = ProductionURL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	ua := opts.UserAgent
	if ua == "" {
		ua = "atskit-ashby/1"
	}
	limit, burst := PacedRate(opts.RateLimit, opts.Burst)
	c := &Client{opts: opts, log: log, actingID: opts.ActingUserID, persons: map[string]string{}}
	key := opts.APIKey
	hc, err := httpx.New(httpx.Config{
		ATS:          "ashby",
		BaseURL:      base,
		HTTPClient:   opts.HTTPClient,
		Authorize:    func(r *http.Request) error { r.SetBasicAuth(key, ""); return nil },
		Limit:        limit,
		Burst:        burst,
		MaxRetries:   opts.MaxRetries,
		RetryWaitMin: opts.RetryWaitMin,
		RetryWaitMax: opts.RetryWaitMax,
		UserAgent:    ua,
		Logger:       log,
		DecodeError:  decodeHTTPError,
		Now:          opts.Now,
	})
	if err != nil {
		return nil, errfmt.Errorf("ashby: NewClient: %w", err)
	}
	c.hc = hc
	sharePacing(hc, opts, limit, burst)
	c.plainHTTP = strings.HasPrefix(strings.ToLower(base), "http://")
	c.up = opts.HTTPClient
	if c.up == nil {
		c.up = &http.Client{Timeout: 60 * time.Second}
	}
	return c, nil
}

// PacedRate returns the rate and burst a client paces at for a server that
// allows limit requests per second with the given burst (zero values mean
// DefaultRateLimit and DefaultBurst). A negative limit disables pacing.
func PacedRate(limit rate.Limit, burst int) (rate.Limit, int) {
	return httpx.PacedRate(limit, burst, DefaultRateLimit, DefaultBurst, PacingMargin)
}

// sharePacing moves the client's budget to Options.Pacer when one is set
// (see httpx.Client.ShareBucket).
func sharePacing(hc *httpx.Client, o Options, limit rate.Limit, burst int) {
	account := o.PacerAccount
	if account == "" {
		account = "ashby"
	}
	hc.ShareBucket(o.Pacer, account, limit, burst)
}

// PacingDelay reports how long a request started now would wait for the
// key's budget, without booking it. The lifecycle dispatcher uses it to
// deliver other connections' effects instead of waiting.
func (c *Client) PacingDelay(ctx context.Context) (time.Duration, error) {
	return c.hc.Pacer().Delay(ctx)
}

// ThrottledCount reports how many 429 answers the client received so far.
func (c *Client) ThrottledCount() int { return c.hc.Pacer().ThrottledCount() }

// maxPersonCache bounds the application → candidate ID cache.
const maxPersonCache = 10_000

func (c *Client) rememberPerson(appID, candID string) {
	if appID == "" || candID == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.persons) >= maxPersonCache {
		clear(c.persons)
	}
	c.persons[appID] = candID
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
