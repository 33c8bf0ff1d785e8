// Package telemetry instruments the HTTP clients of the atskit adapters
// with OpenTelemetry and names the spans, metrics and attributes atskit
// records.
//
// atskit depends on the OpenTelemetry API only; the host chooses and
// installs the SDK and exporters. Every component takes a TracerProvider
// and a MeterProvider in its options; nil uses the otel globals
// (otel.GetTracerProvider, otel.GetMeterProvider), which record nothing
// until the host installs an SDK with otel.SetTracerProvider and
// otel.SetMeterProvider.
//
// # Wiring
//
// Install the SDK once in main (otel.SetTracerProvider,
// otel.SetMeterProvider) or pass providers explicitly:
// lifecycle.Options.TracerProvider and MeterProvider for the engine and
// its dispatchers, hosting.Options.TracerProvider for webhooks and the
// provider contracts. ATS calls are traced by Transport, which goes into
// the HTTPClient of each adapter's options (workable, lever, greenhouse,
// ashby: the adapters add credentials and pacing before it, so it sees
// one request per attempt and learns each attempt's pacing wait) and, for
// the result callbacks of the provider contracts, into
// provider.PublisherOptions.WrapTransport. A host that serves an
// adapter's WebhookHandler itself rather than hosting.Handler gets the
// same webhook span from ats.NewWebhookHandler, from the global provider
// (or ats.WebhookHandlerOptions.TracerProvider where it builds the
// handler itself), as long as it passes the request's context on to
// Engine.HandleEvent. A host serving a provider contract's handler (provider.NewHandler,
// NewGreenhouseHandler, NewAshbyHandler) without hosting.Handler wraps it
// with otelhttp.NewHandler to trace the interviews it creates.
//
// # Spans
//
//   - "atskit.webhook.receive" (server): one webhook delivery, from
//     hosting.Handler or ats.NewWebhookHandler (attributes atskit.ats,
//     atskit.connection where known, http.response.status_code,
//     atskit.webhook.events; an error from status 500 on).
//   - "atskit.provider.request" (server): one request of a provider
//     contract (Workable's, Greenhouse's, Ashby's), from hosting.Handler
//     (atskit.ats, http.request.method, http.response.status_code).
//   - "atskit.event.process": lifecycle.Engine.HandleEvent for one event,
//     a child of the webhook span (atskit.ats, atskit.connection,
//     atskit.event.kind, atskit.event.id).
//   - "atskit.update.process": lifecycle.Engine.Report for one vendor
//     update (atskit.interview.id, atskit.update.kind).
//   - "atskit.expire": lifecycle.Engine.ExpireDue (Engine.Run calls it
//     every ExpiryInterval).
//   - "atskit.reconcile": lifecycle.Engine.Reconcile for one connection
//     (atskit.connection, atskit.reconcile.started, .cancelled,
//     .unchanged).
//   - "atskit.effect.deliver" (consumer): one delivery attempt of an outbox
//     effect by a lifecycle.Dispatcher. It is a child of the span that
//     enqueued the effect (the event's), also when another process
//     delivers it: the effect's payload carries the W3C traceparent
//     (atskit.effect.id, atskit.effect.kind, atskit.effect.attempt,
//     atskit.effect.state, atskit.interview.id, atskit.connection).
//   - One client span per HTTP attempt to the ATS, from Transport
//     (otelhttp's names and attributes, plus atskit.ats and
//     atskit.connection), a child of the effect's span. When one client
//     serves several connections, the dispatcher names the effect's
//     account in the request's context and Transport uses it for the
//     span and its metrics.
//
// # Metrics
//
//   - "atskit.effects" (gauge, {effect}): effects not yet done, by
//     atskit.effect.state (pending, parked, failed) and atskit.connection,
//     read from the Store at each collection.
//   - "atskit.effect.deliveries" (counter, {attempt}): delivery attempts by
//     atskit.effect.kind, atskit.connection and the atskit.effect.state
//     the attempt left the effect in.
//   - "atskit.event.lag" (histogram, s): from the event's time at the ATS
//     to its processing, by atskit.ats, atskit.connection,
//     atskit.event.kind.
//   - "atskit.interview.transitions" (counter): committed state changes,
//     by atskit.connection, atskit.interview.from, atskit.interview.to.
//   - "atskit.reconcile.candidates" (counter): lifecycle.Engine.Reconcile
//     results by atskit.connection and atskit.reconcile.result (started,
//     cancelled, unchanged; with an inbox store, started and cancelled
//     count candidates queued for a dispatcher's decision).
//   - "atskit.pacer.wait" (histogram, s) and "atskit.ats.rate_limited"
//     (counter, {response}) from Transport, by atskit.ats and
//     atskit.connection, with otelhttp's http.client.* metrics.
//
// No span or metric carries credentials, candidate contact data, note
// bodies or URL query strings.
package telemetry

import "go.opentelemetry.io/otel/attribute"

const instrumentationName = "github.com/atskit/atskit/telemetry"

// Metric names recorded by Transport.
const (
	MetricPacerWait   = "atskit.pacer.wait"
	MetricRateLimited = "atskit.ats.rate_limited"
)

// Attribute keys Transport sets; the lifecycle and hosting packages use the
// same names.
const (
	AttrATS        = attribute.Key("atskit.ats")
	AttrConnection = attribute.Key("atskit.connection")
)
