package hosting_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/hosting"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/memstore"
)

// TestWebhookSpans checks the server span of each delivery: its status
// code, the number of events, the engine's event spans — made later by the
// dispatcher that processes the stored events — as its children,
// and an ATS-sent traceparent linked rather than adopted.
func TestWebhookSpans(t *testing.T) {
	const atsTrace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	tests := []struct {
		name       string
		verify     hosting.VerifierFunc
		header     string
		wantStatus int
		wantEvents int64
		wantError  bool
		// wantEventError: the event span (processed after the answer, by
		// the dispatcher) records an error.
		wantEventError bool
	}{
		{
			name: "two events",
			verify: func([]byte, http.Header) ([]ats.Event, error) {
				return []ats.Event{{ID: "e1", Kind: ats.EventUnknown}, {ID: "e2", Kind: ats.EventUnknown}}, nil
			},
			wantStatus: http.StatusOK, wantEvents: 2,
		},
		{
			name:       "bad signature is not a server error",
			verify:     func([]byte, http.Header) ([]ats.Event, error) { return nil, errors.New("signature mismatch") },
			wantStatus: http.StatusUnauthorized,
		},
		{
			// The webhook only stores the event, so a failure to process it
			// (no adapter for the connection: the engine cannot read the
			// candidate) is the event span's error, not the answer's.
			name: "engine failure after the answer",
			verify: func([]byte, http.Header) ([]ats.Event, error) {
				return []ats.Event{{ID: "e3", Kind: ats.EventStageChanged, CandidateID: "c1"}}, nil
			},
			wantStatus: http.StatusOK, wantEvents: 1, wantEventError: true,
		},
		{
			name: "the ATS's trace header is linked, not the parent",
			verify: func([]byte, http.Header) ([]ats.Event, error) {
				return []ats.Event{{ID: "e4", Kind: ats.EventUnknown}}, nil
			},
			header:     atsTrace,
			wantStatus: http.StatusOK, wantEvents: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spans := tracetest.NewInMemoryExporter()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			engine := lifecycle.NewEngine(memstore.New(), lifecycle.Options{TracerProvider: tp, Logger: log})
			verifiers := &hosting.MemoryVerifiers{}
			verifiers.Set("workable", "acme", tt.verify)
			h, err := hosting.NewHandler(hosting.Options{Engine: engine, Webhooks: verifiers, TracerProvider: tp, Logger: log})
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodPost, "/hooks/workable/acme", strings.NewReader(`{}`))
			if tt.header != "" {
				req.Header.Set("Traceparent", tt.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			// The events are processed after the answer, by a dispatcher;
			// their spans continue the webhook's trace.
			if _, err := engine.Dispatcher(lifecycle.DispatcherOptions{}).Drain(context.Background()); err != nil {
				t.Fatal(err)
			}
			var hook tracetest.SpanStub
			var events []tracetest.SpanStub
			for _, s := range spans.GetSpans() {
				switch s.Name {
				case "atskit.webhook.receive":
					hook = s
				case "atskit.event.process":
					events = append(events, s)
				}
			}
			got := map[string]any{}
			for _, kv := range hook.Attributes {
				got[string(kv.Key)] = kv.Value.AsInterface()
			}
			want := map[string]any{"atskit.ats": "workable", "atskit.connection": "acme",
				"http.response.status_code": int64(tt.wantStatus), "atskit.webhook.events": tt.wantEvents}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("webhook span attributes (-want +got):\n%s", diff)
			}
			if isErr := hook.Status.Code == codes.Error; isErr != tt.wantError {
				t.Errorf("webhook span status %v, want error %v", hook.Status.Code, tt.wantError)
			}
			if int64(len(events)) != tt.wantEvents {
				t.Errorf("%d event spans, want %d", len(events), tt.wantEvents)
			}
			for _, ev := range events {
				if ev.Parent.SpanID() != hook.SpanContext.SpanID() {
					t.Errorf("event span parent %s, want the webhook span %s", ev.Parent.SpanID(), hook.SpanContext.SpanID())
				}
				if isErr := ev.Status.Code == codes.Error; isErr != tt.wantEventError {
					t.Errorf("event span status %v, want error %v", ev.Status.Code, tt.wantEventError)
				}
			}
			if tt.header != "" {
				if hook.Parent.IsValid() {
					t.Errorf("webhook span adopted the ATS's trace as parent: %s", hook.Parent.TraceID())
				}
				if len(hook.Links) != 1 || hook.Links[0].SpanContext.TraceID().String() != "0af7651916cd43dd8448eb211c80319c" {
					t.Errorf("links %v, want the ATS's span", hook.Links)
				}
			}
		})
	}
}
