package ats_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/atskit/atskit/ats"
)

type verifierFunc func([]byte, http.Header) ([]ats.Event, error)

func (f verifierFunc) VerifyWebhook(b []byte, h http.Header) ([]ats.Event, error) { return f(b, h) }

// TestWebhookHandlerSpan checks the span of a delivery served by an
// adapter's handler directly (no hosting.Handler around it).
func TestWebhookHandlerSpan(t *testing.T) {
	tests := []struct {
		name      string
		verify    verifierFunc
		fn        error
		want      map[string]any
		wantError bool
	}{
		{
			name:   "accepted",
			verify: func([]byte, http.Header) ([]ats.Event, error) { return []ats.Event{{ID: "1"}, {ID: "2"}}, nil },
			want:   map[string]any{"atskit.ats": "lever", "http.response.status_code": int64(200), "atskit.webhook.events": int64(2)},
		},
		{
			name:   "refused signature",
			verify: func([]byte, http.Header) ([]ats.Event, error) { return nil, ats.ErrSignatureInvalid },
			want:   map[string]any{"atskit.ats": "lever", "http.response.status_code": int64(401), "atskit.webhook.events": int64(0)},
		},
		{
			name:      "handling failed",
			verify:    func([]byte, http.Header) ([]ats.Event, error) { return []ats.Event{{ID: "1"}}, nil },
			fn:        errors.New("database down"),
			want:      map[string]any{"atskit.ats": "lever", "http.response.status_code": int64(500), "atskit.webhook.events": int64(1)},
			wantError: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spans := tracetest.NewInMemoryExporter()
			h := ats.NewWebhookHandler(tt.verify, func(context.Context, []ats.Event) error { return tt.fn },
				ats.WebhookHandlerOptions{Source: "lever", TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/hooks", strings.NewReader(`{}`)))
			got := spans.GetSpans()
			if len(got) != 1 || got[0].Name != "atskit.webhook.receive" {
				t.Fatalf("spans %v, want one atskit.webhook.receive", got)
			}
			attrs := map[string]any{}
			for _, kv := range got[0].Attributes {
				attrs[string(kv.Key)] = kv.Value.AsInterface()
			}
			if diff := cmp.Diff(tt.want, attrs); diff != "" {
				t.Errorf("span attributes (-want +got):\n%s", diff)
			}
			if isErr := got[0].Status.Code.String() == "Error"; isErr != tt.wantError {
				t.Errorf("span status %v, want error %v", got[0].Status.Code, tt.wantError)
			}
		})
	}
}
