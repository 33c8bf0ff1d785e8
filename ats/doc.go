// Package ats is the ATS-neutral core of atskit: the model (Job, Stage,
// Candidate, Note, Event), the small interfaces an applicant tracking system
// adapter implements, and the typed errors every adapter returns.
//
// An adapter is built from one-method interfaces in the spirit of io.Reader
// and io.Writer. The required set is bundled as Adapter:
//
//	JobLister        – Jobs(ctx, opts) iter.Seq2[Job, error]
//	StageLister      – Stages(ctx, jobID) ([]Stage, error)
//	CandidateGetter  – Candidate(ctx, id) (Candidate, error)
//	CandidateMover   – MoveCandidate(ctx, candidateID, stageID) error
//	Noter            – AddNote(ctx, candidateID, note) error
//
// Richer behaviour is optional and discovered with a type assertion, the way
// net/http discovers an http.Flusher:
//
//	if t, ok := adapter.(ats.Tagger); ok { err = t.AddTags(ctx, id, "vendor") }
//
// Optional capabilities are LinkedJobLister, CandidateLister, Tagger,
// Disqualifier, FeedbackSubmitter, ReportAttacher, InterviewScheduler and
// WebhookSubscriber.
// Every ATS signs its webhooks differently, so verification is its own
// contract, WebhookVerifier, which takes the raw body and headers and returns
// verified Events. A ReplayGuard remembers accepted deliveries so that a
// captured delivery is acted on once.
//
// Errors returned by adapters can be inspected with errors.Is against
// ErrNotFound, ErrUnauthorized, ErrForbidden, ErrRateLimited, ErrValidation
// and ErrConflict, and with errors.As against *APIError, *RateLimitError and
// *ValidationError. Error strings never contain credentials.
//
// Package ats/atstest is the conformance suite an adapter author runs to
// prove an adapter behaves the way the rest of atskit expects.
//
// # Writing an adapter
//
// Every adapter (workable, lever, greenhouse, ashby) and every fake
// (workabletest, levertest, greenhousetest, ashbytest) has the same shape,
// so what is learnt on one applies to the others. A new adapter follows it.
//
// The package, named after the ATS, has client.go, one file per API area,
// errors.go, webhook.go, setup.go (CheckSetup(ctx) (*SetupReport, error),
// for an onboarding screen), doc.go and example_test.go.
//
// Construction takes one options struct, by value, and checks it:
//
//	func NewClient(opts Options) (*Client, error)
//
// Options holds the credentials (APIKey, Token or a TokenSource; Workable
// also needs its Subdomain), BaseURL (the API root including its base path;
// a fake's URL in tests), HTTPClient (*http.Client; nil uses a client with
// a timeout, never http.DefaultClient's none), Logger (*slog.Logger; nil
// uses slog.Default(), as lifecycle and provider do — a library that
// discards logs by default hides misconfiguration), the pacing knobs
// (RateLimit and the ATS's window or burst, Pacer and PacerAccount for a
// budget shared across clients), MaxRetries, UserAgent and Now. A missing
// required field is an error naming the field and what to put in it.
// HTTP goes through the repository's internal retrying, paced client, and
// lists are iter.Seq2 values that fetch pages lazily.
//
// Webhooks are verified by a WebhookVerifier value, the ATS-specific
// implementation of this package's WebhookVerifier interface:
//
//	type WebhookVerifier struct {
//		Secrets    []string          // every accepted secret, for rotation; none fails closed
//		Now        func() time.Time  // nil uses time.Now
//		Replay     ats.ReplayGuard   // nil keeps no memory of deliveries
//		Connection string            // scopes Replay; copied to Event.Connection
//		MaxAge     time.Duration     // where the ATS signs a time
//		...
//	}
//	func (v WebhookVerifier) VerifyWebhook(body []byte, header http.Header) ([]ats.Event, error)
//	func (v WebhookVerifier) VerifyWebhookContext(ctx context.Context, body []byte, header http.Header) ([]ats.Event, error)
//	func (v WebhookVerifier) ReleaseWebhook(ctx context.Context, body []byte, header http.Header) error
//	func (v WebhookVerifier) ConfirmWebhook(ctx context.Context, body []byte, header http.Header) error
//
// (WebhookContextVerifier, WebhookReleaser and WebhookConfirmer: the
// replay claim uses the request's context, a delivery whose processing
// failed is released and a stored one confirmed; atstest.RunWebhookClaims
// checks them), with two package functions of the same signature in every adapter:
//
//	func VerifyWebhook(body []byte, header http.Header, secret string) ([]ats.Event, error)
//	func WebhookHandler(v ats.WebhookVerifier, fn func(context.Context, []ats.Event) error, opts WebhookHandlerOptions) http.Handler
//
// VerifyWebhook is the verifier with one secret and defaults; an ATS that
// signs inside the body (Lever) ignores header, and nil is fine there.
// WebhookHandler is built on NewWebhookHandler; WebhookHandlerOptions (by
// value, the zero value is the defaults) has MaxBodyBytes and Logger (nil
// uses slog.Default()). Sign(body, secret) (Lever: Sign of its signed
// fields) produces a signature, so hosts can sign test fixtures.
//
// The fake, package <ats>test, is an in-process server that behaves like
// the ATS as its public documentation describes it — authentication, rate
// limits and 429s, paging, error bodies, signed webhook deliveries with
// retries — and is the oracle adapter tests run against:
//
//	func NewServer(opts ...Option) *Server // options: WithClock, WithFaults, WithRateLimit, WithWebhookRetryGaps, ...
//	srv.URL                      // the API root including a non-empty base path; other paths answer a loud 404
//	srv.Close()
//	srv.Client() *http.Client
//	srv.AddJob, AddCandidate, AddUser, ...  // seeding, as a recruiter would (workabletest: AddMember, Workable's word)
//	srv.MoveCandidate(...)       // a recruiter's move in the ATS's UI; fires webhooks
//	srv.Requests() []Request     // what the client sent, oldest first; paths relative to URL
//	srv.LastRequest() (Request, bool)
//	srv.ResetRequests()          // forgets requests and zeroes the counters
//	srv.RequestCount(), ThrottledCount(), InjectedFaults()
//	srv.WaitDeliveries(ctx) error // until no webhook delivery is pending
//	srv.SetFaults(Faults)        // also WithFaults at construction
//	srv.FailRequests(status) (restore func())
//	DefaultAPIKey                // the credential every server accepts (Greenhouse: an OAuth client, DefaultClientID)
//	Sign(body, secret)           // the ATS's webhook signature (levertest: SignPayload)
//
// The plumbing every fake shares (request log, fault injection, stalls,
// webhook delivery retries) lives in internal/fakeserver; a new fake
// delegates to it and keeps only what is particular to its ATS.
//
// Finally the adapter passes atstest.Run against its fake.
package ats
