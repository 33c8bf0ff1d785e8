package telemetryctx

import (
	"context"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// SpanWebhook is the name of the server span of one webhook delivery.
const SpanWebhook = "atskit.webhook.receive"

type tracedKey struct{}

// WebhookTraced reports whether a webhook span was already started for
// the request of ctx (hosting.Handler's, around an ats.NewWebhookHandler).
func WebhookTraced(ctx context.Context) bool { return ctx.Value(tracedKey{}) != nil }

// StatusWriter records the status of an answer for its span.
type StatusWriter struct {
	http.ResponseWriter
	Span   trace.Span
	status int
	// Events, when non-negative, is recorded as atskit.webhook.events.
	Events int
}

// WriteHeader implements http.ResponseWriter.
func (w *StatusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

// Write implements http.ResponseWriter.
func (w *StatusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the server's writer (the
// webhook handler sets read deadlines through it).
func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// End records the answer's status (an error from 500 on) and ends the
// span.
func (w *StatusWriter) End() {
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	if w.Events >= 0 {
		w.Span.SetAttributes(attribute.Int("atskit.webhook.events", w.Events))
	}
	w.Span.SetAttributes(attribute.Int("http.response.status_code", status))
	if status >= 500 {
		w.Span.SetStatus(codes.Error, http.StatusText(status))
	}
	w.Span.End()
}

// StartWebhook starts the server span of one webhook delivery of ATS kind
// for connection (may be empty) and marks the request's context so a
// nested handler does not start another. A span the host's own server
// instrumentation started is the parent; the ATS's trace header, if any,
// is linked, never adopted (a third party chooses it).
func StartWebhook(tracer trace.Tracer, w http.ResponseWriter, r *http.Request, kind, connection string) (*http.Request, *StatusWriter) {
	opts := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindServer)}
	if remote := trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), propagation.HeaderCarrier(r.Header))); remote.IsValid() {
		opts = append(opts, trace.WithLinks(trace.Link{SpanContext: remote}))
	}
	attrs := []attribute.KeyValue{attribute.String("atskit.ats", kind)}
	if connection != "" {
		attrs = append(attrs, attribute.String("atskit.connection", connection))
	}
	ctx, span := tracer.Start(context.WithValue(r.Context(), tracedKey{}, true), SpanWebhook, append(opts, trace.WithAttributes(attrs...))...)
	return r.WithContext(ctx), &StatusWriter{ResponseWriter: w, Span: span}
}
