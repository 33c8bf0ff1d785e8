package workable

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
	"github.com/atskit/atskit/internal/httpx"
	atspacing "github.com/atskit/atskit/pacing"
	"golang.org/x/oauth2"
)

// TokenKind is the kind of credential a Client uses. It decides the
// documented rate limit and the headers sent.
type TokenKind int

// Token kinds. All three are sent as "Authorization: Bearer <token>"
// (https://workable.readme.io/reference/generate-an-access-token).
const (
	// TokenAuto picks OAuthToken when Options.TokenSource is set,
	// PartnerToken when Options.ClientID is set, AccountToken otherwise.
	TokenAuto TokenKind = iota
	// AccountToken is an API access token an admin generated in
	// Settings → Integrations → Apps. Limit: 10 requests per 10 s.
	AccountToken
	// PartnerToken is a token the customer generated for an official
	// partner integration; requests also carry X-WORKABLE-CLIENT-ID.
	// Limit: 50 requests per 10 s.
	PartnerToken
	// OAuthToken is an OAuth 2.0 access token from Options.TokenSource.
	// Limit: 50 requests per 10 s.
	OAuthToken
)

// String returns the kind's name.
func (k TokenKind) String() string {
	switch k {
	case AccountToken:
		return "account"
	case PartnerToken:
		return "partner"
	case OAuthToken:
		return "oauth"
	}
	return "auto"
}

// Documented rate limits (https://workable.readme.io/reference/rate-limits): requests per fixed 10-second
// window.
const (
	AccountRateLimit = 10
	PartnerRateLimit = 50
	RateWindow       = 10 * time.Second
)

// DefaultVendorStage is the stage name LinkedJobs looks for when
// Options.VendorStage is empty. It names no vendor and no stage of
// Workable's default pipeline (Sourced, Applied, Phone Screen, Interview,
// Offer, Hired), so no job is linked by accident; set Options.VendorStage
// to the stage your customers add, usually your product's name.
const DefaultVendorStage = "Vendor Interview"

// Options configures a Client: the account (Subdomain), its credential
// (Token, or TokenSource for OAuth) and, optionally, everything else. With
// only Subdomain and Token set, the client uses an account token against
// https://{subdomain}.workable.com/spi/v3 with the documented pacing.
type Options struct {
	// Subdomain is the account's subdomain ("acme" for
	// https://acme.workable.com). Required unless BaseURL is set; it also
	// names the account's pacing budget and the hosts next links may use.
	Subdomain string
	// Token is the account or partner token sent as "Authorization: Bearer
	// <token>". Required unless TokenSource is set (then it is ignored).
	Token string

	// BaseURL overrides the API root, e.g. a workabletest server's URL.
	// Default https://{Subdomain}.workable.com/spi/v3.
	BaseURL string
	// HTTPClient performs each attempt; nil uses a client with a 30 s
	// timeout. It is never modified.
	HTTPClient *http.Client

	// TokenKind says what Token is; see TokenAuto.
	TokenKind TokenKind
	// ClientID is the partner UID sent as X-WORKABLE-CLIENT-ID (partner
	// tokens, and legacy partners using account tokens).
	ClientID string
	// TokenSource supplies OAuth 2.0 access tokens (refreshing them as
	// needed); Token is then ignored. See
	// OAuthConfig.
	TokenSource oauth2.TokenSource

	// RateLimit and RateWindow override the pacing: at most RateLimit
	// requests per RateWindow. Zero uses the documented limit for the
	// token kind; a negative RateLimit disables pacing.
	RateLimit  int
	RateWindow time.Duration
	// Pacer, when set, books this account's requests in a budget shared
	// with every client given the same Pacer and PacerAccount (other
	// clients in the process, or replicas through lifecycle/sqlstore's
	// Store.Pacer) instead of pacing on its own; see package pacing.
	Pacer atspacing.Pacer
	// PacerAccount names the account's budget in Pacer; default
	// "workable/" + subdomain.
	PacerAccount string
	// MaxRetries is the number of retries after a failed attempt
	// (default 4; negative disables retries). RetryWaitMin and
	// RetryWaitMax bound the jittered backoff (default 200 ms and 30 s).
	MaxRetries                 int
	RetryWaitMin, RetryWaitMax time.Duration
	// Logger receives one debug record per request; nil uses
	// slog.Default().
	Logger *slog.Logger
	// UserAgent is sent on every request (default "atskit-workable").
	UserAgent string

	// MemberID is the member write calls are attributed to (Workable
	// requires a member_id for moves, comments, ratings, disqualifications).
	MemberID string
	// ActingMemberEmail finds the acting member by email (GET /members,
	// once, cached) when MemberID is empty.
	ActingMemberEmail string

	// DefaultCommentPolicy is the comment policy (role keys: admin,
	// recruiting_admin, hiring_manager, simple, reviewer, recruiter) sent
	// for notes with ats.VisibilityDefault. Nil sends every role; an empty
	// non-nil slice sends [], which Workable documents as admins only.
	DefaultCommentPolicy []string

	// VendorStage is the name of the vendor's stage that links a job
	// (matched case-insensitively). Default DefaultVendorStage.
	VendorStage string
	// WebhookURL is the vendor's webhook endpoint; CheckSetup verifies a
	// subscription targets it.
	WebhookURL string
	// StageCacheTTL is how long a job's stages are cached to resolve stage
	// names and slugs (default 1 minute).
	StageCacheTTL time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Client is a Workable SPI v3 client. It implements ats.Adapter and the
// optional ats capabilities LinkedJobLister, CandidateLister, Tagger,
// Disqualifier, FeedbackSubmitter, ReportAttacher and WebhookSubscriber.
// It is safe for concurrent use.
type Client struct {
	http      *httpx.Client
	subdomain string
	kind      TokenKind
	opts      Options

	memberMu sync.Mutex
	memberID string

	stageMu sync.Mutex
	stages  map[string]stageEntry

	tagMu    sync.Mutex
	tagLocks map[string]*tagLock
}

var (
	_ ats.Adapter           = (*Client)(nil)
	_ ats.LinkedJobLister   = (*Client)(nil)
	_ ats.CandidateLister   = (*Client)(nil)
	_ ats.Tagger            = (*Client)(nil)
	_ ats.Disqualifier      = (*Client)(nil)
	_ ats.FeedbackSubmitter = (*Client)(nil)
	_ ats.ReportAttacher    = (*Client)(nil)
	_ ats.WebhookSubscriber = (*Client)(nil)
)

// NewClient returns a client for the account opts.Subdomain, authenticated
// with opts.Token (an account or partner token) or opts.TokenSource
// (OAuth). It fails when a required field is missing, naming the field.
func NewClient(opts Options) (*Client, error) {
	o := opts
	subdomain, token := o.Subdomain, o.Token
	if subdomain == "" && o.BaseURL == "" {
		return nil, errors.New("workable: NewClient: Options.Subdomain is required (the account's subdomain, e.g. \"acme\" for https://acme.workable.com)")
	}
	kind := o.TokenKind
	if kind == TokenAuto {
		switch {
		case o.TokenSource != nil:
			kind = OAuthToken
		case o.ClientID != "":
			kind = PartnerToken
		default:
			kind = AccountToken
		}
	}
	switch {
	case kind == OAuthToken && o.TokenSource == nil:
		return nil, errors.New("workable: NewClient: OAuth needs Options.TokenSource")
	case kind == PartnerToken && o.ClientID == "":
		return nil, errors.New("workable: NewClient: a partner token needs Options.ClientID (X-WORKABLE-CLIENT-ID)")
	case kind != OAuthToken && token == "":
		return nil, errors.New("workable: NewClient: Options.Token is required (an account or partner token; or set Options.TokenSource for OAuth)")
	}
	if o.BaseURL == "" {
		o.BaseURL = "https://" + url.PathEscape(subdomain) + ".workable.com/spi/v3"
	}
	if o.VendorStage == "" {
		o.VendorStage = DefaultVendorStage
	}
	if o.StageCacheTTL <= 0 {
		o.StageCacheTTL = time.Minute
	}
	if o.UserAgent == "" {
		o.UserAgent = "atskit-workable"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	limit, window := pacing(kind, o)
	clientID, src := o.ClientID, o.TokenSource
	authorize := func(r *http.Request) error {
		if src != nil {
			t, err := src.Token()
			if err != nil {
				return tokenError(err)
			}
			r.Header.Set("Authorization", "Bearer "+t.AccessToken)
		} else {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		if clientID != "" {
			r.Header.Set("X-WORKABLE-CLIENT-ID", clientID)
		}
		return nil
	}
	hc, err := httpx.New(httpx.Config{
		ATS: "workable", BaseURL: o.BaseURL, HTTPClient: o.HTTPClient,
		Authorize: authorize, WindowLimit: limit, Window: window,
		MaxRetries: o.MaxRetries, RetryWaitMin: o.RetryWaitMin, RetryWaitMax: o.RetryWaitMax,
		UserAgent: o.UserAgent, Logger: o.Logger,
		DecodeError: decodeError, ServerBudget: serverBudget, Now: o.Now,
		Hosts: ownHosts(subdomain),
	})
	if err != nil {
		return nil, errfmt.Errorf("workable: NewClient: %w", err)
	}
	sharePacing(hc, o, subdomain, limit, window)
	return &Client{
		http: hc, subdomain: subdomain, kind: kind, opts: o, memberID: o.MemberID,
		stages: map[string]stageEntry{}, tagLocks: map[string]*tagLock{},
	}, nil
}

// pacingMargin lengthens the client's window slightly so that jitter
// between the client's clock and the server's arrival times cannot put one
// request too many into a window.
const pacingMargin = 1.02

// pacing returns the client-side budget: at most n requests starting in
// any interval of the returned window. Workable counts requests in fixed
// windows whose alignment the client cannot see; a sliding window of the
// same size never puts more than n into any of them, and unlike a
// token bucket with burst 1 it lets a sequential sync make up time lost to
// slow responses. A zero n disables pacing.
func pacing(kind TokenKind, o Options) (int, time.Duration) {
	n, w := o.RateLimit, o.RateWindow
	if n < 0 {
		return 0, 0
	}
	if n == 0 {
		n = AccountRateLimit
		if kind != AccountToken || o.ClientID != "" {
			n = PartnerRateLimit
		}
	}
	if w <= 0 {
		w = RateWindow
	}
	return n, time.Duration(float64(w) * pacingMargin)
}

// TokenKind reports the kind of token the client uses.
func (c *Client) TokenKind() TokenKind { return c.kind }

// Subdomain reports the account's subdomain.
func (c *Client) Subdomain() string { return c.subdomain }

// ThrottledCount reports how many 429 responses the client received
// despite pacing.
func (c *Client) ThrottledCount() int { return c.http.Pacer().ThrottledCount() }

// do performs one API call.
func (c *Client) do(ctx context.Context, r *httpx.Request, out any) (*httpx.Response, error) {
	return c.http.Do(ctx, r, out)
}

// invalid returns a validation error for a request refused before sending.
func invalid(op string, fields ...ats.FieldError) error {
	return &ats.ValidationError{Op: "workable: " + op, Fields: fields}
}

// requireID refuses an empty ID before anything is sent: an empty path
// segment would address another endpoint (GET /jobs/ is the job list).
func requireID(op, field, id string) error {
	if strings.TrimSpace(id) == "" {
		return invalid(op, ats.FieldError{Field: field, Message: "is required"})
	}
	return nil
}

// redactURL renders a webhook target for errors and logs without its
// query, fragment and user info, where vendors often put a secret.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(unparseable URL)"
	}
	if u.User == nil && u.RawQuery == "" && u.Fragment == "" {
		return u.String()
	}
	u.User, u.Fragment = nil, ""
	if u.RawQuery != "" {
		u.RawQuery = "…"
	}
	return u.String()
}

// pathEscape escapes an ID for use as one path segment.
func pathEscape(id string) string { return url.PathEscape(id) }

// shortID abbreviates IDs in operation names.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12] + "…"
	}
	return id
}

func opf(format string, args ...any) string {
	return strings.TrimSpace(fmt.Sprintf(format, args...))
}
