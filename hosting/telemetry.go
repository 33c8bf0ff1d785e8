package hosting

import (
	"context"
	"net/http"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

const instrumentationName = "github.com/atskit/atskit/hosting"

// Span names: one webhook delivery, one request of a provider contract
// (Workable's, Greenhouse's, Ashby's).
const (
	spanWebhook  = "atskit.webhook.receive"
	spanProvider = "atskit.provider.request"
)

func newTracer(tp trace.TracerProvider) trace.Tracer {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	return tp.Tracer(instrumentationName)
}

// webhookWriter records the status of a delivery's answer and ends its
// span.
type webhookWriter struct {
	http.ResponseWriter
	span   trace.Span
	status int
	events int
}

func (w *webhookWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *webhookWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the server's writer (the
// webhook handler sets read deadlines through it).
func (w *webhookWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// startWebhook starts the span of a delivery. The ATS's trace headers, if
// any, are not taken as the parent (a third party chooses them) but linked.
func (h *Handler) startWebhook(w http.ResponseWriter, r *http.Request, kind, conn string) (context.Context, *webhookWriter) {
	var opts []trace.SpanStartOption
	if remote := trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), propagation.HeaderCarrier(r.Header))); remote.IsValid() {
		opts = append(opts, trace.WithLinks(trace.Link{SpanContext: remote}))
	}
	// A span the host's own server instrumentation (otelhttp.NewHandler)
	// started is the parent; otherwise this span is a root.
	ctx := r.Context()
	opts = append(opts, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(
		attribute.String("atskit.ats", logID(kind)), attribute.String("atskit.connection", logID(conn))))
	ctx, span := h.tracer.Start(ctx, spanWebhook, opts...)
	return ctx, &webhookWriter{ResponseWriter: w, span: span}
}

func (w *webhookWriter) end() {
	w.span.SetAttributes(attribute.Int("atskit.webhook.events", w.events))
	w.endRequest()
}

// endRequest records the answer's status and ends the span.
func (w *webhookWriter) endRequest() {
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	w.span.SetAttributes(attribute.Int("http.response.status_code", status))
	if status >= 500 {
		w.span.SetStatus(codes.Error, http.StatusText(status))
	}
	w.span.End()
}

// traced wraps a provider-contract handler of ATS kind with a server span
// per request, so the interviews it creates (and their effects) are traced
// from the ATS's request on. Neither the path (it may carry IDs the ATS
// chose) nor any header is recorded.
func (h *Handler) traced(kind string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, span := h.tracer.Start(r.Context(), spanProvider, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("atskit.ats", kind), attribute.String("http.request.method", r.Method)))
		sw := &webhookWriter{ResponseWriter: w, span: span}
		defer sw.endRequest()
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}
