package lifecycle_test

import (
	"fmt"
	"testing"

	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/memstore"
)

// BenchmarkEventAndDeliveryTelemetry handles an event (a new interview and
// its effects) and delivers its effects, with no-op providers (what a host
// without an SDK gets: the baseline) and with the SDK recording every span
// (in memory) and metric. The ratio sdk/noop is the cost of tracing
// everything.
func BenchmarkEventAndDeliveryTelemetry(b *testing.B) {
	for _, bc := range []struct {
		name string
		tp   func() trace.TracerProvider
		mp   func() metric.MeterProvider
	}{
		{"noop", func() trace.TracerProvider { return tracenoop.NewTracerProvider() }, func() metric.MeterProvider { return metricnoop.NewMeterProvider() }},
		{"sdk", func() trace.TracerProvider {
			return sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewInMemoryExporter()))
		}, func() metric.MeterProvider {
			return sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h := enginetest.New(b, memstore.New())
			opts := h.Options()
			opts.TracerProvider, opts.MeterProvider = bc.tp(), bc.mp()
			e := lifecycle.NewEngine(h.Store, opts)
			d := e.Dispatcher(lifecycle.DispatcherOptions{Owner: "bench"})
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				id := fmt.Sprintf("b%07d", i)
				b.StopTimer()
				h.Candidate(id)
				ev := h.MoveEvent(id, enginetest.StageTrigger)
				b.StartTimer()
				if err := e.HandleEvent(ctx, ev); err != nil {
					b.Fatal(err)
				}
				if _, err := d.Drain(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
