// Package hosting mounts everything a vendor's server exposes for atskit, for
// many customers at once: one webhook route per ATS with the connection in
// the path, Workable's provider contract with each bearer token resolving to
// a connection, Greenhouse's and Ashby's partner contracts with each key
// resolving to a connection, and signed re-trigger links.
//
// The host supplies small interfaces over its own storage — the webhook
// verifier of a connection (WebhookVerifiers), the provider-contract tenants
// (provider.TokenResolver) and the vendor's templates and callback tokens
// (ProviderVendor) — and mounts one Handler:
//
//	links := &hosting.RetriggerLinks{BaseURL: "https://vendor.example/atskit", Secret: key}
//	engine := lifecycle.NewEngine(store, lifecycle.Options{Connector: conns, RetriggerURL: links.URL, ...})
//	h, err := hosting.NewHandler(hosting.Options{Engine: engine, Webhooks: verifiers, Links: links, ...})
//	mux.Handle("/atskit/", http.StripPrefix("/atskit", h))
//
// It serves, relative to its mount point:
//
//	POST /hooks/{kind}/{connection}          ATS webhooks of one connection
//	GET  /retrigger/{connection}/{interview} confirmation page of a signed re-trigger link
//	POST /retrigger/{connection}/{interview} re-trigger (Engine.Retrigger)
//	     /provider/...                       Workable's provider contract (provider.Handler)
//	     /greenhouse/...                     Greenhouse's Assessment Partner API (GreenhouseKeys)
//	     /ashby/...                          Ashby's Assessments Partner API (AshbyKeys)
//
// The Greenhouse and Ashby contracts are served from one provider.Backend
// per contract: a send_test or assessment.start becomes an interview of
// the key's connection (Engine.ProviderInterview) whose ID is the
// partner_interview_id or assessment_id; test_status reads it; its
// completion, expiry or cancellation is published by
// lifecycle.ContractPublisher (a PATCH to Greenhouse, an
// assessment.update to Ashby) with the key ContractVendor.ContractKey
// gives, and a Greenhouse report is attached through Harvest when the
// connection's adapter can (ContractPublisher.Reports). Keys are resolved
// per connection and retries are deduplicated per connection, so two
// customers never see each other's tests, even with colliding IDs.
//
// Each webhook delivery and each provider-contract request is an
// OpenTelemetry server span ("atskit.webhook.receive",
// "atskit.provider.request") parenting the engine's spans for what it
// caused; Options.TracerProvider chooses the provider (default the otel
// global, which records nothing until the host installs an SDK). A trace
// header sent by the ATS is linked, never adopted as the parent. See
// package telemetry for every span and metric.
//
// Package hosting depends on the ats, lifecycle and provider packages (and
// the OpenTelemetry API) only: the host decides which adapters exist
// (workable, lever, its own).
package hosting
