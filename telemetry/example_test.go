package telemetry_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/atskit/atskit/telemetry"
)

// Transport goes into the HTTPClient of an adapter's options; here a plain
// request stands in for an adapter's call. The span records the URL
// without its query.
func ExampleTransport() {
	ats := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer ats.Close()
	spans := tracetest.NewInMemoryExporter()
	hc := &http.Client{
		Timeout: 30 * time.Second,
		Transport: telemetry.Transport(nil, telemetry.TransportOptions{
			ATS: "lever", Connection: "acme",
			TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans)),
		}),
	}
	resp, err := hc.Get(ats.URL + "/v1/opportunities?email=jane@example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	for _, s := range spans.GetSpans() {
		for _, kv := range s.Attributes {
			switch kv.Key {
			case "url.full":
				fmt.Println("url.full:", strings.TrimPrefix(kv.Value.AsString(), ats.URL))
			case "http.response.status_code", telemetry.AttrATS, telemetry.AttrConnection:
				fmt.Printf("%s: %v\n", kv.Key, kv.Value.AsInterface())
			}
		}
	}
	// Unordered output:
	// url.full: /v1/opportunities
	// http.response.status_code: 429
	// atskit.ats: lever
	// atskit.connection: acme
}
