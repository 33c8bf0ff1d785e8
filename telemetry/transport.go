package telemetry

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/atskit/atskit/internal/telemetryctx"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// TransportOptions configures Transport. The zero value is usable.
type TransportOptions struct {
	// ATS names the service on every span and metric (attribute
	// "atskit.ats"), e.g. "workable".
	ATS string
	// Connection names the customer's account (attribute
	// "atskit.connection"); set it when building one client per
	// connection.
	Connection string
	// TracerProvider creates one client span per HTTP attempt; nil uses
	// otel.GetTracerProvider().
	TracerProvider trace.TracerProvider
	// MeterProvider creates the HTTP client metrics of otelhttp and
	// "atskit.pacer.wait" and "atskit.ats.rate_limited"; nil uses
	// otel.GetMeterProvider().
	MeterProvider metric.MeterProvider
	// Propagators injects trace context into requests sent to the ATS.
	// Nil injects nothing: the ATS is a third party that takes no part in
	// the host's traces, and a traceparent header would tell it the
	// host's trace IDs for nothing.
	Propagators propagation.TextMapPropagator
}

// Transport returns an http.RoundTripper that records each request to an
// ATS as an OpenTelemetry client span (through otelhttp) and counts 429
// answers and the time each request waited for the account's request
// budget. base performs the requests; nil uses http.DefaultTransport.
//
// Give it to an adapter as the Transport of Options.HTTPClient; the
// adapter adds credentials and paces requests before they reach it:
//
//	hc := &http.Client{
//		Timeout:   30 * time.Second,
//		Transport: telemetry.Transport(nil, telemetry.TransportOptions{ATS: "workable", Connection: "acme"}),
//	}
//
// Spans and metrics never carry credentials or personal data: the URL
// recorded is the request's without its query (which may hold filters such
// as an e-mail address, or a token in a signed link) and without user
// information, and no header is recorded. The request sent is unchanged.
func Transport(base http.RoundTripper, opts TransportOptions) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	tp, mp := opts.TracerProvider, opts.MeterProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	props := opts.Propagators
	if props == nil {
		props = propagation.NewCompositeTextMapPropagator()
	}
	var attrs []attribute.KeyValue
	if opts.ATS != "" {
		attrs = append(attrs, AttrATS.String(opts.ATS))
	}
	if opts.Connection != "" {
		attrs = append(attrs, AttrConnection.String(opts.Connection))
	}
	m := mp.Meter(instrumentationName)
	t := &transport{ats: opts.ATS, connection: opts.Connection}
	// The names and units are constants: construction cannot fail on
	// them, and a failed instrument is a usable no-op anyway.
	t.wait, _ = m.Float64Histogram(MetricPacerWait, metric.WithUnit("s"),
		metric.WithDescription("Time a request to the ATS waited for the account's request budget before it was sent."),
		metric.WithExplicitBucketBoundaries(0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
	t.limited, _ = m.Int64Counter(MetricRateLimited, metric.WithUnit("{response}"),
		metric.WithDescription("Responses with status 429 (rate limited) received from the ATS."))
	t.otel = otelhttp.NewTransport(restoreURL{base: base, t: t},
		otelhttp.WithTracerProvider(tp),
		otelhttp.WithMeterProvider(mp),
		otelhttp.WithPropagators(props),
		otelhttp.WithSpanOptions(trace.WithAttributes(attrs...)),
		otelhttp.WithMetricAttributesFn(t.attrs),
	)
	return t
}

type transport struct {
	otel            http.RoundTripper
	ats, connection string
	wait            metric.Float64Histogram
	limited         metric.Int64Counter
}

// attrs names the account of a request: TransportOptions' ATS and
// Connection, else the ones the lifecycle dispatcher put in the request's
// context for the effect it delivers (a client shared by connections).
func (t *transport) attrs(req *http.Request) []attribute.KeyValue {
	kind, conn := t.ats, t.connection
	if a, ok := telemetryctx.From(req.Context()); ok {
		kind = cmp.Or(kind, a.ATS)
		conn = cmp.Or(conn, a.Connection)
	}
	var attrs []attribute.KeyValue
	if kind != "" {
		attrs = append(attrs, AttrATS.String(kind))
	}
	if conn != "" {
		attrs = append(attrs, AttrConnection.String(conn))
	}
	return attrs
}

type originalURLKey struct{}

// RoundTrip implements http.RoundTripper: otelhttp sees a copy of req
// whose URL is redacted, and restoreURL hands the real one to base.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := context.WithValue(req.Context(), originalURLKey{}, req.URL)
	shown := req.Clone(ctx)
	shown.URL = redactURL(req.URL)
	resp, err := t.otel.RoundTrip(shown)
	if resp != nil {
		resp.Request = req // the request as the caller sent it
	}
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		t.limited.Add(req.Context(), 1, metric.WithAttributes(t.attrs(req)...))
	}
	return resp, err
}

// ObservePacingWait records how long a request waited for the account's
// request budget; the adapters' HTTP client calls it before each attempt.
func (t *transport) ObservePacingWait(req *http.Request, wait time.Duration) {
	t.wait.Record(req.Context(), wait.Seconds(), metric.WithAttributes(t.attrs(req)...))
}

// restoreURL puts the request's real URL back before base sends it.
type restoreURL struct {
	base http.RoundTripper
	t    *transport
}

func (r restoreURL) RoundTrip(req *http.Request) (*http.Response, error) {
	u, ok := req.Context().Value(originalURLKey{}).(*url.URL)
	if !ok {
		return r.base.RoundTrip(req)
	}
	if _, ok := telemetryctx.From(req.Context()); ok {
		// A client shared by connections: name the account on the
		// client span (otelhttp's, current in req's context).
		trace.SpanFromContext(req.Context()).SetAttributes(r.t.attrs(req)...)
	}
	real := req.Clone(req.Context())
	real.URL = u
	resp, err := r.base.RoundTrip(real)
	var ue *url.Error
	if errors.As(err, &ue) {
		// otelhttp copies the error text into the span's status.
		ue.URL = redactURL(u).String()
	}
	return resp, err
}

// redactURL returns u without its query, fragment and user information.
func redactURL(u *url.URL) *url.URL {
	c := *u
	c.User = nil
	c.RawQuery, c.ForceQuery = "", false
	c.Fragment, c.RawFragment = "", ""
	return &c
}
