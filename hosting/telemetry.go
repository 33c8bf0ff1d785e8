package hosting

import (
	"context"
	"net/http"

	"github.com/atskit/atskit/internal/telemetryctx"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

const instrumentationName = "github.com/atskit/atskit/hosting"

// spanProvider names the server span of one request of a provider
// contract (Workable's, Greenhouse's, Ashby's).
const spanProvider = "atskit.provider.request"

func newTracer(tp trace.TracerProvider) trace.Tracer {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	return tp.Tracer(instrumentationName)
}

// startWebhook starts the span of a delivery (see telemetryctx.StartWebhook).
func (h *Handler) startWebhook(w http.ResponseWriter, r *http.Request, kind, conn string) (context.Context, *telemetryctx.StatusWriter) {
	r, sw := telemetryctx.StartWebhook(h.tracer, w, r, logID(kind), logID(conn))
	return r.Context(), sw
}

// traced wraps a provider-contract handler of ATS kind with a server span
// per request, so the interviews it creates (and their effects) are traced
// from the ATS's request on. Neither the path (it may carry IDs the ATS
// chose) nor any header is recorded.
func (h *Handler) traced(kind string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, span := h.tracer.Start(r.Context(), spanProvider, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("atskit.ats", kind), attribute.String("http.request.method", r.Method)))
		sw := &telemetryctx.StatusWriter{ResponseWriter: w, Span: span, Events: -1}
		defer sw.End()
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}
