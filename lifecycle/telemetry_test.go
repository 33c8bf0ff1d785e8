package lifecycle_test

import (
	"bytes"
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/memstore"
)

// otelRig is a harness plus an engine over the same store with the
// OpenTelemetry SDK's in-memory exporter and manual reader, and a second
// engine ("another process") delivering its effects.
type otelRig struct {
	h       *enginetest.Harness
	spans   *tracetest.InMemoryExporter
	reader  *sdkmetric.ManualReader
	engine  *lifecycle.Engine
	other   *lifecycle.Dispatcher
	changes []lifecycle.InterviewStateChange
}

func newOtelRig(t *testing.T) *otelRig {
	t.Helper()
	r := &otelRig{h: enginetest.New(t, memstore.New()), spans: tracetest.NewInMemoryExporter(), reader: sdkmetric.NewManualReader()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(r.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.reader))
	opts := r.h.Options()
	opts.TracerProvider, opts.MeterProvider = tp, mp
	opts.OnStateChange = func(_ context.Context, c lifecycle.InterviewStateChange) { r.changes = append(r.changes, c) }
	r.engine = lifecycle.NewEngine(r.h.Store, opts)
	other := r.h.Options()
	other.TracerProvider, other.MeterProvider = tp, mp
	r.other = lifecycle.NewEngine(r.h.Store, other).Dispatcher(lifecycle.DispatcherOptions{Owner: "other"})
	return r
}

func (r *otelRig) metrics(t *testing.T) map[string]metricdata.Aggregation {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out[m.Name] = m.Data
		}
	}
	return out
}

func attrOf(attrs []attribute.KeyValue, key string) string {
	for _, kv := range attrs {
		if string(kv.Key) == key {
			return kv.Value.Emit()
		}
	}
	return ""
}

// TestTelemetryEventToDelivery handles an event in one engine and delivers
// its effects from another sharing the store: every delivery span is a
// child of the event's span, so the trace survives the outbox.
func TestTelemetryEventToDelivery(t *testing.T) {
	r := newOtelRig(t)
	r.h.Candidate("c1")
	ev := r.h.MoveEvent("c1", enginetest.StageTrigger)
	r.h.Clock.Advance(90 * time.Second) // the webhook arrives 90 s after the move
	if err := r.engine.HandleEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}

	pending, err := r.h.Store.Effects(ctx, lifecycle.EffectFilter{State: lifecycle.EffectPending})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("gauge counts pending effects", func(t *testing.T) {
		g, ok := r.metrics(t)["atskit.effects"].(metricdata.Gauge[int64])
		if !ok {
			t.Fatal("atskit.effects not reported")
		}
		got := map[string]int64{}
		for _, dp := range g.DataPoints {
			st, _ := dp.Attributes.Value("atskit.effect.state")
			conn, _ := dp.Attributes.Value("atskit.connection")
			got[st.AsString()+"/"+conn.AsString()] += dp.Value
		}
		if diff := cmp.Diff(map[string]int64{"pending/workable": int64(len(pending))}, got); diff != "" {
			t.Errorf("atskit.effects (-want +got):\n%s", diff)
		}
	})

	if _, err := r.other.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	stubs := r.spans.GetSpans()
	var event tracetest.SpanStub
	for _, s := range stubs {
		if s.Name == "atskit.event.process" {
			event = s
		}
	}
	t.Run("event span", func(t *testing.T) {
		want := map[string]string{"atskit.ats": "workable", "atskit.connection": "workable", "atskit.event.kind": "stage_changed", "atskit.event.id": ev.ID}
		got := map[string]string{}
		for k := range want {
			got[k] = attrOf(event.Attributes, k)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("event span attributes (-want +got):\n%s", diff)
		}
	})
	t.Run("delivery spans are children of the event span", func(t *testing.T) {
		var kinds []string
		for _, s := range stubs {
			if s.Name != "atskit.effect.deliver" {
				continue
			}
			kinds = append(kinds, attrOf(s.Attributes, "atskit.effect.kind"))
			if s.Parent.SpanID() != event.SpanContext.SpanID() || s.SpanContext.TraceID() != event.SpanContext.TraceID() {
				t.Errorf("delivery of %s: parent %s/%s, want the event span %s/%s", attrOf(s.Attributes, "atskit.effect.kind"),
					s.Parent.TraceID(), s.Parent.SpanID(), event.SpanContext.TraceID(), event.SpanContext.SpanID())
			}
			if got := attrOf(s.Attributes, "atskit.effect.state"); got != "done" {
				t.Errorf("delivery of %s: state %q, want done", attrOf(s.Attributes, "atskit.effect.kind"), got)
			}
		}
		var want []string
		for _, e := range pending {
			want = append(want, string(e.Kind))
		}
		if diff := cmp.Diff(want, kinds); diff != "" {
			t.Errorf("delivered kinds (-store +spans):\n%s", diff)
		}
	})
	m := r.metrics(t)
	t.Run("event lag", func(t *testing.T) {
		h, ok := m["atskit.event.lag"].(metricdata.Histogram[float64])
		if !ok || len(h.DataPoints) != 1 {
			t.Fatalf("atskit.event.lag: %#v", m["atskit.event.lag"])
		}
		if diff := cmp.Diff([2]float64{1, 90}, [2]float64{float64(h.DataPoints[0].Count), h.DataPoints[0].Sum}); diff != "" {
			t.Errorf("event lag [count, sum seconds] (-want +got):\n%s", diff)
		}
	})
	t.Run("deliveries counter", func(t *testing.T) {
		want := map[string]int64{}
		for _, e := range pending {
			want[string(e.Kind)+"/done"]++
		}
		got := map[string]int64{}
		for _, dp := range m["atskit.effect.deliveries"].(metricdata.Sum[int64]).DataPoints {
			k, _ := dp.Attributes.Value("atskit.effect.kind")
			st, _ := dp.Attributes.Value("atskit.effect.state")
			got[k.AsString()+"/"+st.AsString()] += dp.Value
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("atskit.effect.deliveries (-want +got):\n%s", diff)
		}
	})
}

// TestOnStateChange checks the hook sees each committed transition once,
// in order, with the interview as stored.
func TestOnStateChange(t *testing.T) {
	r := newOtelRig(t)
	r.h.Candidate("c1")
	if err := r.engine.HandleEvent(ctx, r.h.MoveEvent("c1", enginetest.StageTrigger)); err != nil {
		t.Fatal(err)
	}
	iv := r.h.Only("c1")
	if _, err := r.engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://v.example/s/1"}); err != nil {
		t.Fatal(err)
	}
	// A repeated update changes nothing and reports nothing.
	if _, err := r.engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://v.example/s/1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.engine.Cancel(ctx, iv.ID, "position filled"); err != nil {
		t.Fatal(err)
	}
	stored, err := r.engine.Interview(ctx, iv.ID)
	if err != nil {
		t.Fatal(err)
	}
	type seen struct {
		From, To lifecycle.State
		Version  int64
	}
	var got []seen
	for _, c := range r.changes {
		if c.Interview.ID != iv.ID || c.To != c.Interview.State {
			t.Errorf("change %s -> %s carries interview %s in state %s", c.From, c.To, c.Interview.ID, c.Interview.State)
		}
		got = append(got, seen{c.From, c.To, int64(c.Interview.Version)})
	}
	want := []seen{
		{"", lifecycle.StateRequested, 1},
		{lifecycle.StateRequested, lifecycle.StateInvited, int64(stored.Version) - 1},
		{lifecycle.StateInvited, lifecycle.StateCancelled, int64(stored.Version)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("state changes (-want +got):\n%s", diff)
	}
	var transitions int64
	for _, dp := range r.metrics(t)["atskit.interview.transitions"].(metricdata.Sum[int64]).DataPoints {
		transitions += dp.Value
	}
	if transitions != int64(len(want)) {
		t.Errorf("atskit.interview.transitions = %d, want %d", transitions, len(want))
	}
}

// TestNoTraceWithoutSDK checks that without an SDK nothing is added to the
// outbox: effects' payloads carry no trace context.
func TestNoTraceWithoutSDK(t *testing.T) {
	h := enginetest.New(t, memstore.New())
	h.Candidate("c1")
	h.Move("c1", enginetest.StageTrigger)
	effs, err := h.Store.Effects(ctx, lifecycle.EffectFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(effs) == 0 {
		t.Fatal("no effects")
	}
	for _, e := range effs {
		if bytes.Contains(e.Payload, []byte("traceparent")) {
			t.Errorf("effect %s payload %s carries trace context without an SDK", e.Kind, e.Payload)
		}
	}
}

// TestReconcileMetric counts a reconcile run: one candidate whose webhook
// was missed (started), one already interviewing (unchanged).
func TestReconcileMetric(t *testing.T) {
	r := newOtelRig(t)
	r.h.Candidate("c1")
	if err := r.engine.HandleEvent(ctx, r.h.MoveEvent("c1", enginetest.StageTrigger)); err != nil {
		t.Fatal(err)
	}
	r.h.Candidate("c2")
	r.h.MoveEvent("c2", enginetest.StageTrigger) // moved in the ATS; the webhook is lost
	res, err := r.engine.Reconcile(ctx, enginetest.Source)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, dp := range r.metrics(t)["atskit.reconcile.candidates"].(metricdata.Sum[int64]).DataPoints {
		v, _ := dp.Attributes.Value("atskit.reconcile.result")
		got[v.AsString()] += dp.Value
	}
	want := map[string]int64{"started": 1, "unchanged": 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("atskit.reconcile.candidates (-want +got):\n%s (result %+v)", diff, res)
	}
	// The started interview's creation is traced from the reconcile span.
	var reconcile tracetest.SpanStub
	for _, s := range r.spans.GetSpans() {
		if s.Name == "atskit.reconcile" {
			reconcile = s
		}
	}
	if got := attrOf(reconcile.Attributes, "atskit.reconcile.started"); got != "1" {
		t.Errorf("reconcile span atskit.reconcile.started = %q, want 1", got)
	}
	if _, err := r.other.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	// The store has an inbox: the reconcile queued its decision, the
	// dispatcher made it in the reconcile's trace.
	var children int
	for _, s := range r.spans.GetSpans() {
		if s.Name == "atskit.effect.deliver" && s.SpanContext.TraceID() == reconcile.SpanContext.TraceID() {
			children++
		}
	}
	if children == 0 {
		t.Error("no effect delivery is in the reconcile's trace")
	}
}

// TestEffectsGaugeWithoutCounter checks the gauge over a store without
// lifecycle.EffectCounter (it lists effects) agrees with one that has it.
func TestEffectsGaugeWithoutCounter(t *testing.T) {
	gauge := func(s lifecycle.Store) map[string]int64 {
		h := enginetest.New(t, s)
		reader := sdkmetric.NewManualReader()
		opts := h.Options()
		opts.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
		e := lifecycle.NewEngine(s, opts)
		for _, id := range []string{"c1", "c2"} {
			h.Candidate(id)
			if err := e.HandleEvent(ctx, h.MoveEvent(id, enginetest.StageTrigger)); err != nil {
				t.Fatal(err)
			}
		}
		var rm metricdata.ResourceMetrics
		if err := reader.Collect(ctx, &rm); err != nil {
			t.Fatal(err)
		}
		runtime.KeepAlive(e) // the gauge holds the engine weakly
		got := map[string]int64{}
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				if g, ok := m.Data.(metricdata.Gauge[int64]); ok && m.Name == "atskit.effects" {
					for _, dp := range g.DataPoints {
						st, _ := dp.Attributes.Value("atskit.effect.state")
						conn, _ := dp.Attributes.Value("atskit.connection")
						got[st.AsString()+"/"+conn.AsString()] += dp.Value
					}
				}
			}
		}
		return got
	}
	with := gauge(memstore.New())
	without := gauge(&countingStore{Store: memstore.New()})
	if len(with) == 0 || with["pending/workable"] == 0 {
		t.Fatalf("gauge with EffectCounter reported nothing pending: %v", with)
	}
	if diff := cmp.Diff(with, without); diff != "" {
		t.Errorf("gauge with EffectCounter vs listing (-with +without):\n%s", diff)
	}
}

// TestExpireSpan checks that an expiry's effects are traced from the
// ExpireDue span.
func TestExpireSpan(t *testing.T) {
	r := newOtelRig(t)
	r.h.Candidate("c1")
	if err := r.engine.HandleEvent(ctx, r.h.MoveEvent("c1", enginetest.StageTrigger)); err != nil {
		t.Fatal(err)
	}
	iv := r.h.Only("c1")
	if _, err := r.engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://v.example/s/1", ExpiresAt: r.h.Clock.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.other.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := r.engine.ExpireDue(ctx, r.h.Clock.Now().Add(2*time.Hour)); err != nil || n != 1 {
		t.Fatalf("ExpireDue = %d, %v; want 1 expired", n, err)
	}
	if _, err := r.other.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	var expire tracetest.SpanStub
	for _, s := range r.spans.GetSpans() {
		if s.Name == "atskit.expire" {
			expire = s
		}
	}
	var kinds []string
	for _, s := range r.spans.GetSpans() {
		if s.Name == "atskit.effect.deliver" && expire.SpanContext.IsValid() && s.Parent.SpanID() == expire.SpanContext.SpanID() {
			kinds = append(kinds, attrOf(s.Attributes, "atskit.effect.kind"))
		}
	}
	if len(kinds) == 0 {
		t.Error("no effect delivery is a child of the atskit.expire span")
	}
}
