package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/atskit/atskit/ashby/ashbytest"
	"github.com/atskit/atskit/greenhouse/greenhousetest"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/telemetry"
	"github.com/atskit/atskit/workable/workabletest"
	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// TestQuickstartTelemetry runs the quickstart flow with the OpenTelemetry
// SDK installed as the global providers (as a host's main would) and an
// in-memory exporter and manual reader, and checks that the webhook ->
// event -> effect -> ATS call chain is one trace, parent to child, and
// that the metrics agree with what the store holds afterwards.
func TestQuickstartTelemetry(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	reader := sdkmetric.NewManualReader()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	prevTP, prevMP := otel.GetTracerProvider(), otel.GetMeterProvider()
	otel.SetTracerProvider(tp)
	otel.SetMeterProvider(mp)
	t.Cleanup(func() { otel.SetTracerProvider(prevTP); otel.SetMeterProvider(prevMP) })

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	store, _, closeStore, err := openStore(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	d, closeAll, err := runDemo(ctx, newTimeline(io.Discard, true), slog.New(slog.DiscardHandler), store)
	defer closeAll()
	if err != nil {
		t.Fatalf("quickstart flow: %v", err)
	}

	stubs := spans.GetSpans()
	byID := map[trace.SpanID]tracetest.SpanStub{}
	for _, s := range stubs {
		byID[s.SpanContext.SpanID()] = s
	}
	parent := func(s tracetest.SpanStub) (tracetest.SpanStub, bool) {
		p, ok := byID[s.Parent.SpanID()]
		return p, ok && s.Parent.TraceID() == s.SpanContext.TraceID()
	}

	t.Run("webhook to ATS call chain", func(t *testing.T) {
		// Workable and Lever: a webhook delivery, processing its event,
		// delivering a note the event caused, the note's HTTP call to
		// the ATS — one trace, each span the parent of the next.
		for _, atsName := range []string{"workable", "lever"} {
			t.Run(atsName, func(t *testing.T) {
				var chains int
				for _, s := range stubs {
					if s.SpanKind != trace.SpanKindClient {
						continue
					}
					eff, ok := parent(s)
					if !ok || eff.Name != "atskit.effect.deliver" || attr(eff, "atskit.ats") != atsName || attr(eff, "atskit.effect.kind") != "note" {
						continue
					}
					ev, ok := parent(eff)
					if !ok || ev.Name != "atskit.event.process" {
						continue
					}
					hook, ok := parent(ev)
					if !ok || hook.Name != "atskit.webhook.receive" || hook.SpanKind != trace.SpanKindServer || attr(hook, "atskit.ats") != atsName {
						continue
					}
					if got := attr(hook, "atskit.connection"); got != attr(eff, "atskit.connection") || got != attr(ev, "atskit.connection") {
						t.Errorf("connection differs along the chain: webhook %q, event %q, effect %q", got, attr(ev, "atskit.connection"), attr(eff, "atskit.connection"))
					}
					if got, want := attr(s, "atskit.connection"), attr(eff, "atskit.connection"); got != want {
						t.Errorf("ATS call span names connection %q, its effect %q", got, want)
					}
					if u := attr(s, "url.full"); u == "" || strings.Contains(u, "?") {
						t.Errorf("ATS call span url.full = %q, want the URL without a query", u)
					}
					chains++
				}
				if chains == 0 {
					t.Errorf("no %s webhook -> event -> note delivery -> ATS call chain among %d spans", atsName, len(stubs))
				}
			})
		}
	})

	t.Run("every ATS's notes traced to their cause", func(t *testing.T) {
		// Greenhouse's and Ashby's notes in this flow follow the
		// vendor's updates (Engine.Report) rather than events.
		for _, atsName := range []string{"workable", "lever", "greenhouse", "ashby"} {
			t.Run(atsName, func(t *testing.T) {
				var calls int
				for _, s := range stubs {
					eff, ok := parent(s)
					if s.SpanKind != trace.SpanKindClient || !ok || eff.Name != "atskit.effect.deliver" || attr(eff, "atskit.ats") != atsName || attr(eff, "atskit.effect.kind") != "note" {
						continue
					}
					if cause, ok := parent(eff); ok && (cause.Name == "atskit.event.process" || cause.Name == "atskit.update.process") {
						calls++
					}
				}
				if calls == 0 {
					t.Errorf("no %s note delivery whose ATS call span descends from an event or update span", atsName)
				}
			})
		}
		// The webhook span of Greenhouse and Ashby parents the event
		// that requested the interview from the vendor.
		for _, atsName := range []string{"greenhouse", "ashby"} {
			var found bool
			for _, s := range stubs {
				if s.Name != "atskit.effect.deliver" || attr(s, "atskit.ats") != atsName || attr(s, "atskit.effect.kind") != "vendor_create" {
					continue
				}
				ev, ok := parent(s)
				hook, ok2 := parent(ev)
				found = found || ok && ok2 && ev.Name == "atskit.event.process" && hook.Name == "atskit.webhook.receive"
			}
			if !found {
				t.Errorf("%s: no vendor_create delivery under an event under a webhook", atsName)
			}
		}
	})

	t.Run("provider-contract requests parent their interviews' creation", func(t *testing.T) {
		for _, atsName := range []string{"workable", "greenhouse", "ashby"} {
			var found bool
			for _, s := range stubs {
				if s.Name != "atskit.effect.deliver" || attr(s, "atskit.effect.kind") != "vendor_create" {
					continue
				}
				req, ok := parent(s)
				found = found || ok && req.Name == "atskit.provider.request" && req.SpanKind == trace.SpanKindServer && attr(req, "atskit.ats") == atsName
			}
			if !found {
				t.Errorf("%s: no vendor_create delivery under an atskit.provider.request span", atsName)
			}
		}
	})

	t.Run("provider callbacks traced to the ATS", func(t *testing.T) {
		var calls int
		for _, s := range stubs {
			if eff, ok := parent(s); ok && s.SpanKind == trace.SpanKindClient && eff.Name == "atskit.effect.deliver" && attr(eff, "atskit.effect.kind") == "callback" {
				calls++
			}
		}
		if calls == 0 {
			t.Error("no callback delivery with an HTTP client span under it")
		}
	})

	t.Run("one webhook span per delivery", func(t *testing.T) {
		// hosting.Handler serves deliveries through ats.NewWebhookHandler,
		// which must not start a second span under hosting's.
		for _, s := range stubs {
			if p, ok := parent(s); ok && s.Name == "atskit.webhook.receive" && p.Name == "atskit.webhook.receive" {
				t.Errorf("nested webhook spans for one delivery (%s)", attr(s, "atskit.ats"))
			}
		}
	})

	t.Run("no secrets or contact data in spans", func(t *testing.T) {
		secrets := []string{"@", "?", "Bearer", "Basic ", workabletest.DefaultAPIKey, workabletest.CallbackToken,
			levertest.DefaultAPIKey, levertest.DefaultClientSecret, greenhousetest.DefaultClientSecret, ashbytest.DefaultAPIKey}
		for _, s := range stubs {
			texts := []string{s.Name, s.Status.Description}
			for _, kv := range s.Attributes {
				texts = append(texts, kv.Value.Emit())
			}
			for _, ev := range s.Events {
				for _, kv := range ev.Attributes {
					texts = append(texts, kv.Value.Emit())
				}
			}
			for _, v := range texts {
				for _, secret := range secrets {
					if strings.Contains(v, secret) {
						t.Errorf("span %s carries %q: %q", s.Name, secret, v)
					}
				}
			}
		}
	})

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	metrics := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			metrics[m.Name] = m.Data
		}
	}
	effs, err := d.h.engine.Effects(ctx, lifecycle.EffectFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ivs, err := d.h.engine.Interviews(ctx, lifecycle.InterviewFilter{})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("effect deliveries match the outbox", func(t *testing.T) {
		want := map[string]int64{}
		for _, e := range effs {
			if e.State == lifecycle.EffectDone {
				want[string(e.Kind)]++
			}
		}
		got := map[string]int64{}
		for _, dp := range sumPoints(t, metrics, "atskit.effect.deliveries") {
			if v, _ := dp.Attributes.Value("atskit.effect.state"); v.AsString() == "done" {
				k, _ := dp.Attributes.Value("atskit.effect.kind")
				got[k.AsString()] += dp.Value
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("done deliveries by kind, metric vs store (-store +metric):\n%s", diff)
		}
	})

	t.Run("effects gauge shows nothing waiting", func(t *testing.T) {
		// Only states that have effects are observed: with everything
		// done the gauge may have no points at all.
		g, _ := metrics["atskit.effects"].(metricdata.Gauge[int64])
		for _, dp := range g.DataPoints {
			if st, _ := dp.Attributes.Value("atskit.effect.state"); st.AsString() == "pending" && dp.Value != 0 {
				t.Errorf("%d effects pending after the flow", dp.Value)
			}
		}
	})

	t.Run("created interviews counted once each", func(t *testing.T) {
		var created int64
		for _, dp := range sumPoints(t, metrics, "atskit.interview.transitions") {
			if v, _ := dp.Attributes.Value("atskit.interview.from"); v.AsString() == "" {
				created += dp.Value
			}
		}
		if diff := cmp.Diff(int64(len(ivs)), created); diff != "" {
			t.Errorf("interviews created: store vs transitions from \"\" (-store +metric):\n%s", diff)
		}
	})

	t.Run("event lag recorded per processed event", func(t *testing.T) {
		h, ok := metrics["atskit.event.lag"].(metricdata.Histogram[float64])
		if !ok {
			t.Fatalf("atskit.event.lag missing: %T", metrics["atskit.event.lag"])
		}
		var n uint64
		for _, dp := range h.DataPoints {
			n += dp.Count
		}
		var processed uint64
		for _, s := range stubs {
			if s.Name == "atskit.event.process" && s.Status.Code != 2 {
				processed++
			}
		}
		if n == 0 || n > processed {
			t.Errorf("event lag has %d records for %d processed events; want 1..%d", n, processed, processed)
		}
	})

	t.Run("pacer wait recorded per ATS call", func(t *testing.T) {
		h, ok := metrics[telemetry.MetricPacerWait].(metricdata.Histogram[float64])
		if !ok {
			t.Fatalf("%s missing: %T", telemetry.MetricPacerWait, metrics[telemetry.MetricPacerWait])
		}
		var n uint64
		for _, dp := range h.DataPoints {
			n += dp.Count
		}
		var calls uint64
		for _, s := range stubs {
			if s.SpanKind == trace.SpanKindClient && s.InstrumentationScope.Name == "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp" {
				calls++
			}
		}
		// Every adapter call goes through the paced client; the host's
		// own calls to the fakes (seeding) do not.
		if n == 0 || n > calls {
			t.Errorf("pacer wait has %d records for %d ATS calls; want 1..%d", n, calls, calls)
		}
	})
}

func attr(s tracetest.SpanStub, key string) string {
	for _, kv := range s.Attributes {
		if string(kv.Key) == key {
			return kv.Value.Emit()
		}
	}
	return ""
}

func sumPoints(t *testing.T, metrics map[string]metricdata.Aggregation, name string) []metricdata.DataPoint[int64] {
	t.Helper()
	s, ok := metrics[name].(metricdata.Sum[int64])
	if !ok {
		t.Fatalf("%s missing or not an int64 sum: %T", name, metrics[name])
	}
	return s.DataPoints
}
