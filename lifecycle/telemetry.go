package lifecycle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"
	"weak"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/telemetryctx"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// instrumentationName is the OpenTelemetry instrumentation scope of the
// engine's and dispatcher's spans and metrics.
const instrumentationName = "github.com/atskit/atskit/lifecycle"

// Span names. They are part of the package's documented behaviour (see
// the package documentation, section Observability).
const (
	spanEvent     = "atskit.event.process"
	spanEffect    = "atskit.effect.deliver"
	spanUpdate    = "atskit.update.process"
	spanReconcile = "atskit.reconcile"
	spanExpire    = "atskit.expire"
)

// Attribute keys shared by spans and metrics. Values are IDs and kinds
// only: never candidate contact data, note bodies or tokens.
var (
	attrATS         = attribute.Key("atskit.ats")
	attrConnection  = attribute.Key("atskit.connection")
	attrEventKind   = attribute.Key("atskit.event.kind")
	attrEventID     = attribute.Key("atskit.event.id")
	attrEffectID    = attribute.Key("atskit.effect.id")
	attrEffectKind  = attribute.Key("atskit.effect.kind")
	attrEffectState = attribute.Key("atskit.effect.state")
	attrAttempt     = attribute.Key("atskit.effect.attempt")
	attrInterviewID = attribute.Key("atskit.interview.id")
	attrFrom        = attribute.Key("atskit.interview.from")
	attrTo          = attribute.Key("atskit.interview.to")
	attrResult      = attribute.Key("atskit.reconcile.result")
	attrUpdateKind  = attribute.Key("atskit.update.kind")
)

// InterviewStateChange describes one committed transition of an interview,
// as passed to Options.OnStateChange.
type InterviewStateChange struct {
	// Interview is the interview after the change (redacted like
	// Engine.Interview: no callback token).
	Interview Interview
	// From is the state before; empty when the interview was created by
	// this change.
	From State
	// To is the new state (Interview.State).
	To State
	// At is the engine's clock when the change was built.
	At time.Time
}

// telemetry holds the engine's tracer, instruments and state hook. Its
// zero value (no providers) is never used: newTelemetry falls back to the
// OpenTelemetry globals, which record nothing unless the host installs an
// SDK.
type telemetry struct {
	tracer      trace.Tracer
	eventLag    metric.Float64Histogram
	deliveries  metric.Int64Counter
	transitions metric.Int64Counter
	reconciled  metric.Int64Counter
	onChange    func(context.Context, InterviewStateChange)
	attrs       attrCache
}

// attrCache keeps the measurement options of the few attribute
// combinations an engine records (kinds, states and connections), so a
// recording allocates nothing once a combination was seen.
type attrCache struct {
	mu sync.RWMutex
	m  map[[6]string]metric.MeasurementOption
}

// maxAttrCache bounds the cache; past it options are built per call.
const maxAttrCache = 4096

// of returns the option for three key/value pairs.
func (c *attrCache) of(k1 attribute.Key, v1 string, k2 attribute.Key, v2 string, k3 attribute.Key, v3 string) metric.MeasurementOption {
	key := [6]string{string(k1), v1, string(k2), v2, string(k3), v3}
	c.mu.RLock()
	opt, ok := c.m[key]
	c.mu.RUnlock()
	if ok {
		return opt
	}
	opt = metric.WithAttributeSet(attribute.NewSet(k1.String(v1), k2.String(v2), k3.String(v3)))
	c.mu.Lock()
	if c.m == nil {
		c.m = map[[6]string]metric.MeasurementOption{}
	}
	if len(c.m) < maxAttrCache {
		c.m[key] = opt
	}
	c.mu.Unlock()
	return opt
}

func newTelemetry(e *Engine) *telemetry {
	tp, mp := e.opts.TracerProvider, e.opts.MeterProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(instrumentationName)
	t := &telemetry{tracer: tp.Tracer(instrumentationName), onChange: e.opts.OnStateChange}
	// Instrument constructors only fail on invalid names or units, which
	// are constants here; a failing one still returns a usable no-op, so
	// errors are joined and logged once.
	var errs []error
	var err error
	t.eventLag, err = m.Float64Histogram("atskit.event.lag", metric.WithUnit("s"),
		metric.WithDescription("Time from when the ATS says an event happened to when the engine processed it."),
		metric.WithExplicitBucketBoundaries(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600))
	errs = append(errs, err)
	t.deliveries, err = m.Int64Counter("atskit.effect.deliveries", metric.WithUnit("{attempt}"),
		metric.WithDescription("Delivery attempts of outbox effects, by kind, connection and the state the attempt left the effect in (done, pending, parked, failed)."))
	errs = append(errs, err)
	t.transitions, err = m.Int64Counter("atskit.interview.transitions", metric.WithUnit("{transition}"),
		metric.WithDescription("Committed interview state changes, by connection and from/to state."))
	errs = append(errs, err)
	t.reconciled, err = m.Int64Counter("atskit.reconcile.candidates", metric.WithUnit("{candidate}"),
		metric.WithDescription("Candidates examined by Engine.Reconcile, by connection and result (started, cancelled, unchanged)."))
	errs = append(errs, err)
	_, err = m.Int64ObservableGauge("atskit.effects", metric.WithUnit("{effect}"),
		metric.WithDescription("Outbox effects not yet done, by state (pending, parked, failed) and connection, read from the Store at each collection."),
		metric.WithInt64Callback(effectsGauge(e)))
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		e.log.Warn("lifecycle: creating OpenTelemetry instruments", "err", err)
	}
	return t
}

// EffectCounter is an optional Store capability: counting effects by state
// and connection without listing them. The "atskit.effects" gauge uses it
// when the Store implements it and lists effects otherwise.
type EffectCounter interface {
	// CountEffects returns the number of effects in each of states, per
	// connection.
	CountEffects(ctx context.Context, states []EffectState) (map[EffectState]map[string]int64, error)
}

// gaugeStates are the effect states the "atskit.effects" gauge reports:
// done effects only accumulate and are counted by atskit.effect.deliveries.
var gaugeStates = []EffectState{EffectPending, EffectParked, EffectFailed}

// effectsGauge returns the callback of the "atskit.effects" gauge. A meter
// provider keeps its callbacks for its lifetime (the otel global one even
// before an SDK is installed), so the callback holds the engine weakly: an
// engine the host dropped is not kept alive by it and stops being
// observed. A store that fails (closed, unreachable) skips this
// collection's observation rather than failing the host's whole export.
func effectsGauge(e *Engine) metric.Int64Callback {
	wp := weak.Make(e)
	return func(ctx context.Context, o metric.Int64Observer) error {
		e := wp.Value()
		if e == nil {
			return nil
		}
		if err := observeEffects(ctx, e.store, o); err != nil {
			e.log.Debug("lifecycle: atskit.effects gauge not observed", "err", err)
		}
		return nil
	}
}

func observeEffects(ctx context.Context, s Store, o metric.Int64Observer) error {
	counts := map[EffectState]map[string]int64{}
	if c, ok := s.(EffectCounter); ok {
		var err error
		if counts, err = c.CountEffects(ctx, gaugeStates); err != nil {
			return err
		}
	} else {
		for _, st := range gaugeStates {
			effs, err := s.Effects(ctx, EffectFilter{State: st})
			if err != nil {
				return err
			}
			for _, eff := range effs {
				if counts[st] == nil {
					counts[st] = map[string]int64{}
				}
				counts[st][eff.conn()]++
			}
		}
	}
	for _, st := range gaugeStates {
		for conn, n := range counts[st] {
			o.Observe(n, metric.WithAttributes(attrEffectState.String(string(st)), attrConnection.String(conn)))
		}
	}
	return nil
}

// tel returns the engine's telemetry, built on first use so engines made
// with a struct literal in tests still work.
func (e *Engine) tel() *telemetry {
	e.telOnce.Do(func() { e.telem = newTelemetry(e) })
	return e.telem
}

// startEvent starts the span of one HandleEvent call; end records its
// outcome and, on success, the event's lag.
func (e *Engine) startEvent(ctx context.Context, ev ats.Event) (context.Context, func(error)) {
	t := e.tel()
	conn := connectionOf(ev.Connection, ev.Source)
	ctx, span := t.tracer.Start(ctx, spanEvent)
	if span.IsRecording() {
		span.SetAttributes(attrATS.String(ev.Source), attrConnection.String(conn), attrEventKind.String(string(ev.Kind)), attrEventID.String(ev.ID))
	}
	return ctx, func(err error) {
		defer span.End()
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, "event not processed")
			return
		}
		if !ev.Time.IsZero() {
			lag := e.now().Sub(ev.Time)
			t.eventLag.Record(ctx, max(lag, 0).Seconds(), t.attrs.of(attrATS, ev.Source, attrConnection, conn, attrEventKind, string(ev.Kind)))
		}
	}
}

// startUpdate starts the span of one Engine.Report call (a vendor update).
func (e *Engine) startUpdate(ctx context.Context, interviewID string, u Update) (context.Context, func(error)) {
	ctx, span := e.tel().tracer.Start(ctx, spanUpdate)
	if span.IsRecording() {
		span.SetAttributes(attrInterviewID.String(interviewID), attrUpdateKind.String(string(u.Kind)))
	}
	return ctx, func(err error) {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, "update not applied")
		}
		span.End()
	}
}

// startReconcile starts the span of one Engine.Reconcile call; the
// interviews it starts or cancels are traced from it.
func (e *Engine) startReconcile(ctx context.Context, connection string) (context.Context, func(error)) {
	ctx, span := e.tel().tracer.Start(ctx, spanReconcile, trace.WithAttributes(attrConnection.String(connection)))
	return ctx, func(err error) {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, "reconcile failed")
		}
		span.End()
	}
}

// startExpire starts the span of one Engine.ExpireDue call; the expiry
// notes and cancellations it enqueues are traced from it.
func (e *Engine) startExpire(ctx context.Context) (context.Context, func(error)) {
	ctx, span := e.tel().tracer.Start(ctx, spanExpire)
	return ctx, func(err error) {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, "expiry failed")
		}
		span.End()
	}
}

// startEffect starts the span of one delivery attempt, a child of the span
// that enqueued the effect when its payload carries that span's context.
func (e *Engine) startEffect(ctx context.Context, eff Effect) context.Context {
	ctx = withTraceParent(ctx, effectTraceParent(eff))
	ctx = telemetryctx.With(ctx, telemetryctx.Account{ATS: eff.Source, Connection: eff.conn()})
	ctx, span := e.tel().tracer.Start(ctx, spanEffect, trace.WithSpanKind(trace.SpanKindConsumer))
	if span.IsRecording() {
		span.SetAttributes(attrEffectID.String(eff.ID), attrEffectKind.String(string(eff.Kind)),
			attrInterviewID.String(eff.InterviewID), attrConnection.String(eff.conn()), attrATS.String(eff.Source),
			attrAttempt.Int(eff.Attempts+1))
	}
	return ctx
}

// effectOutcome records the state an attempt left eff in on the current
// span and the deliveries counter.
func (e *Engine) effectOutcome(ctx context.Context, eff Effect, o Outcome) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.SetAttributes(attrEffectState.String(string(o.State)))
		if o.State != EffectDone {
			// o.Error is the adapter's error text: bounded ATS messages,
			// no credentials (the adapters redact them), but possibly
			// long.
			span.SetStatus(codes.Error, boundText(o.Error, 200))
		}
	}
	t := e.tel()
	t.deliveries.Add(ctx, 1, t.attrs.of(attrEffectKind, string(eff.Kind), attrConnection, eff.conn(), attrEffectState, string(o.State)))
}

// endEffect ends the delivery span started by startEffect.
func endEffect(ctx context.Context) { trace.SpanFromContext(ctx).End() }

// recordReconcile counts a Reconcile run's results.
func (e *Engine) recordReconcile(ctx context.Context, connection string, res ReconcileResult) {
	c := e.tel().reconciled
	conn := attrConnection.String(connection)
	counts := map[string]int{"started": res.Started, "cancelled": res.Cancelled, "unchanged": max(res.Seen-res.Started, 0)}
	for result, n := range counts {
		if n > 0 {
			c.Add(ctx, int64(n), metric.WithAttributes(conn, attrResult.String(result)))
		}
	}
	trace.SpanFromContext(ctx).SetAttributes(attribute.Int("atskit.reconcile.started", res.Started),
		attribute.Int("atskit.reconcile.cancelled", res.Cancelled), attribute.Int("atskit.reconcile.unchanged", counts["unchanged"]))
}

// stateChange is a transition recorded by a change, reported after commit.
type stateChange struct {
	iv       *Interview
	from, to State
}

// committed reports a committed change's transitions: the transitions
// counter and Options.OnStateChange, in the order the change made them.
func (e *Engine) committed(ctx context.Context, ch *change) {
	if len(ch.states) == 0 {
		return
	}
	t := e.tel()
	for _, sc := range ch.states {
		t.transitions.Add(ctx, 1, t.attrs.of(attrConnection, sc.iv.Connection, attrFrom, string(sc.from), attrTo, string(sc.to)))
	}
	if t.onChange == nil {
		return
	}
	for _, sc := range ch.states {
		iv := *sc.iv
		if !ch.created[sc.iv] {
			iv.Version++ // the version the store now holds
		} else {
			iv.Version = 1
		}
		t.onChange(ctx, InterviewStateChange{Interview: redactInterview(iv), From: sc.from, To: sc.to, At: ch.now})
	}
}

// traceField is the key under which an effect's payload carries the W3C
// traceparent of the span that enqueued it, so its delivery — later,
// maybe in another process — continues the same trace. Payload decoders
// ignore it.
const traceField = "traceparent"

// stampTrace adds the span context of ctx to the payload of each effect,
// when there is a valid one (an SDK is installed and recording).
func stampTrace(ctx context.Context, effs []Effect) {
	if len(effs) == 0 {
		return
	}
	tp := traceParentOf(ctx)
	if tp == "" {
		return
	}
	field, _ := json.Marshal(map[string]string{traceField: tp})
	for i := range effs {
		p := bytes.TrimSpace(effs[i].Payload)
		if len(p) < 2 || p[0] != '{' {
			continue
		}
		rest := bytes.TrimSpace(p[1:])
		out := append([]byte(nil), field[:len(field)-1]...) // {"traceparent":"…"
		if rest[0] != '}' {
			out = append(out, ',')
		}
		effs[i].Payload = append(out, rest...)
	}
}

// traceParentOf returns the W3C traceparent of ctx's span, or "" when it
// has no valid span context.
func traceParentOf(ctx context.Context) string {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ""
	}
	carrier := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(ctx, carrier)
	return carrier.Get(traceField)
}

// withTraceParent returns ctx with the remote span context of traceparent
// tp as its parent, or ctx itself when tp is empty or invalid.
func withTraceParent(ctx context.Context, tp string) context.Context {
	if tp == "" {
		return ctx
	}
	sc := trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), propagation.MapCarrier{traceField: tp}))
	if !sc.IsValid() {
		return ctx
	}
	return trace.ContextWithRemoteSpanContext(ctx, sc)
}

// effectTraceParent returns the traceparent stamped into eff's payload, or
// "".
func effectTraceParent(eff Effect) string {
	if !bytes.Contains(eff.Payload, []byte(`"`+traceField+`"`)) {
		return ""
	}
	var p struct {
		TraceParent string `json:"traceparent"`
	}
	if json.Unmarshal(eff.Payload, &p) != nil {
		return ""
	}
	return p.TraceParent
}

func boundText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
