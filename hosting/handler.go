package hosting

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/provider"
	"go.opentelemetry.io/otel/trace"
)

// Options configures a Handler. Engine is required; each route is mounted
// when what it needs is set.
type Options struct {
	// Engine receives events, provider requests and re-triggers.
	Engine *lifecycle.Engine
	// Webhooks resolves the verifier of each connection's webhook route;
	// without it POST /hooks/… is not mounted.
	Webhooks WebhookVerifiers
	// MaxWebhookBytes caps a webhook body; zero uses
	// ats.DefaultMaxWebhookBytes.
	MaxWebhookBytes int64
	// WebhookReadTimeout bounds reading a webhook body, so a sender that
	// trickles bytes is answered 408 instead of holding a connection; zero
	// uses ats.DefaultWebhookReadTimeout, negative leaves only the
	// server's own deadline.
	WebhookReadTimeout time.Duration
	// Links signs and checks re-trigger links; without it /retrigger/… is
	// not mounted. Give the same value's URL method to
	// lifecycle.Options.RetriggerURL.
	Links *RetriggerLinks
	// ProviderTokens resolves the bearer token of a provider-contract
	// request to the connection (the provider.Account is the connection
	// ID). With ProviderVendor it mounts /provider/….
	ProviderTokens provider.TokenResolver
	// ProviderVendor lists templates and callback tokens per connection.
	ProviderVendor ProviderVendor
	// ProviderSource is the ATS of provider-contract interviews; default
	// "workable".
	ProviderSource string
	// GreenhouseKeys resolves the key Greenhouse presents (HTTP Basic) to
	// the connection; with ContractVendor it mounts Greenhouse's
	// Assessment Partner API under /greenhouse/….
	GreenhouseKeys provider.TokenResolver
	// AshbyKeys resolves the key Ashby presents to the connection; with
	// ContractVendor it mounts Ashby's Assessments Partner API under
	// /ashby/….
	AshbyKeys provider.TokenResolver
	// ContractVendor lists tests and publishing keys per connection for
	// the Greenhouse and Ashby contracts.
	ContractVendor ContractVendor
	// Connector, when set, is used to match a provider-contract candidate
	// to the ATS candidate by e-mail (adapters implementing
	// ats.CandidateLister), so notes land on their timeline.
	Connector lifecycle.Connector
	// OnEvent, when set, is called with each verified webhook event (its
	// Connection set) before the engine handles it: for metrics or an
	// activity feed.
	OnEvent func(ctx context.Context, ev ats.Event)
	// Logger receives ignored deliveries and server errors; default
	// slog.Default(). Secrets and bodies are never logged.
	Logger *slog.Logger
	// TracerProvider creates a server span per webhook delivery
	// ("atskit.webhook.receive"), the parent of the engine's event spans,
	// and per provider-contract request ("atskit.provider.request");
	// nil uses otel.GetTracerProvider(), a no-op unless the host installed
	// an SDK. Give the engine the same provider (lifecycle.Options).
	TracerProvider trace.TracerProvider
}

// Handler serves webhooks, the provider contract and re-trigger links for
// every connection of an engine. See the package documentation for its
// routes.
type Handler struct {
	opts   Options
	log    *slog.Logger
	mux    *http.ServeMux
	tracer trace.Tracer
}

// NewHandler returns a Handler for opts.
func NewHandler(opts Options) (*Handler, error) {
	if opts.Engine == nil {
		return nil, errors.New("hosting: Options.Engine is required")
	}
	if (opts.ProviderTokens == nil) != (opts.ProviderVendor == nil) {
		return nil, errors.New("hosting: Options.ProviderTokens and ProviderVendor go together: set both to serve the provider contract, or neither")
	}
	if (opts.GreenhouseKeys != nil || opts.AshbyKeys != nil) != (opts.ContractVendor != nil) {
		return nil, errors.New("hosting: Options.ContractVendor goes with GreenhouseKeys or AshbyKeys: set it with one of them to serve those contracts, or none")
	}
	if opts.Links != nil && len(opts.Links.Secret) < minLinkSecret {
		return nil, fmt.Errorf("hosting: RetriggerLinks.Secret has %d bytes; use at least %d random bytes (for example from crypto/rand)", len(opts.Links.Secret), minLinkSecret)
	}
	if opts.ProviderSource == "" {
		opts.ProviderSource = "workable"
	}
	h := &Handler{opts: opts, log: opts.Logger, mux: http.NewServeMux()}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.tracer = newTracer(opts.TracerProvider)
	if opts.Webhooks != nil {
		h.mux.HandleFunc("/hooks/{kind}/{connection}", h.webhook)
	}
	if opts.Links != nil {
		h.mux.HandleFunc("GET /retrigger/{connection}/{interview}", h.retrigger)
		h.mux.HandleFunc("POST /retrigger/{connection}/{interview}", h.retrigger)
	}
	if opts.ProviderTokens != nil {
		ph, err := provider.NewHandler(providerBackend{h}, provider.HandlerOptions{Tokens: opts.ProviderTokens, Logger: h.log})
		if err != nil {
			return nil, fmt.Errorf("hosting: NewHandler: %w", err)
		}
		h.mux.Handle("/provider/", h.traced(opts.ProviderSource, http.StripPrefix("/provider", ph)))
	}
	if opts.GreenhouseKeys != nil {
		gh, err := provider.NewGreenhouseHandler(provider.GreenhouseFrom(contractBackend{h, lifecycle.CallbackGreenhouse, "greenhouse"}),
			provider.GreenhouseHandlerOptions{Tokens: opts.GreenhouseKeys, Logger: h.log})
		if err != nil {
			return nil, fmt.Errorf("hosting: NewHandler: %w", err)
		}
		h.mux.Handle("/greenhouse/", h.traced("greenhouse", http.StripPrefix("/greenhouse", gh)))
	}
	if opts.AshbyKeys != nil {
		ah, err := provider.NewAshbyHandler(provider.AshbyFrom(contractBackend{h, lifecycle.CallbackAshby, "ashby"}),
			provider.AshbyHandlerOptions{Tokens: opts.AshbyKeys, Logger: h.log})
		if err != nil {
			return nil, fmt.Errorf("hosting: NewHandler: %w", err)
		}
		h.mux.Handle("/ashby/", h.traced("ashby", http.StripPrefix("/ashby", ah)))
	}
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }
