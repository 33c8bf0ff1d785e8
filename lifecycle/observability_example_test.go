package lifecycle_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/memstore"
)

// This example gives the engine an OpenTelemetry SDK (here an in-memory
// exporter and a manual reader; a host would export to its collector) and a
// state-change hook, then handles an event and a provider-contract request.
func Example_observability() {
	ctx := context.Background()
	spans := tracetest.NewInMemoryExporter()
	reader := sdkmetric.NewManualReader()
	engine := lifecycle.NewEngine(memstore.New(), lifecycle.Options{
		TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans)),
		MeterProvider:  sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)),
		OnStateChange: func(_ context.Context, c lifecycle.InterviewStateChange) {
			fmt.Printf("interview of %s: %q -> %q\n", c.Interview.CandidateID, c.From, c.To)
		},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})

	// An event the engine only records, then a request from Workable's
	// assessment-provider contract, which creates an interview and
	// enqueues its creation at the vendor.
	if err := engine.HandleEvent(ctx, ats.Event{ID: "ev-1", Source: "workable", Kind: ats.EventUnknown}); err != nil {
		fmt.Println(err)
	}
	_, err := engine.ProviderInterview(ctx, lifecycle.ProviderRequest{
		Source: "workable", EventID: "assessment-1", CandidateID: "cand-1", JobID: "J1",
		Callback: lifecycle.Callback{URL: "https://acme.workable.com/spi/v3/assessments/1/callback", Token: "secret"},
	})
	if err != nil {
		fmt.Println(err)
	}

	for _, s := range spans.GetSpans() {
		fmt.Println("span:", s.Name)
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		fmt.Println(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if g, ok := m.Data.(metricdata.Gauge[int64]); ok && m.Name == "atskit.effects" {
				for _, dp := range g.DataPoints {
					st, _ := dp.Attributes.Value("atskit.effect.state")
					fmt.Printf("metric: atskit.effects{state=%s} = %d\n", st.AsString(), dp.Value)
				}
			}
		}
	}
	ivs, err := engine.Interviews(ctx, lifecycle.InterviewFilter{})
	if err != nil {
		fmt.Println(err)
	}
	fmt.Println("interviews:", len(ivs))
	// Output:
	// interview of cand-1: "" -> "requested"
	// span: atskit.event.process
	// metric: atskit.effects{state=pending} = 1
	// interviews: 1
}

// AllInterviews pages through every interview a filter matches; Limit sets
// the page size, not the total.
func ExampleEngine_AllInterviews() {
	ctx := context.Background()
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	engine := lifecycle.NewEngine(memstore.New(), lifecycle.Options{
		Now:    func() time.Time { now = now.Add(time.Second); return now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	for _, cand := range []string{"ada", "grace", "edsger"} {
		_, err := engine.ProviderInterview(ctx, lifecycle.ProviderRequest{
			Source: "workable", CandidateID: cand, JobID: "J1",
			Callback: lifecycle.Callback{URL: "https://acme.workable.com/spi/v3/assessments/" + cand + "/callback"},
		})
		if err != nil {
			fmt.Println(err)
		}
	}
	for iv, err := range engine.AllInterviews(ctx, lifecycle.InterviewFilter{Limit: 2}) {
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Println(iv.CandidateID, iv.State)
	}
	// Output:
	// ada requested
	// grace requested
	// edsger requested
}
