package lifecycle

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// ErrUnknownSource is returned for events and calls naming an ATS no adapter
// was registered for.
var ErrUnknownSource = errors.New("lifecycle: no adapter registered for source")

// ErrPositionNotReady is returned when activating a position that lacks
// configuration (rounds, trigger stage).
var ErrPositionNotReady = errors.New("lifecycle: position not ready")

// Options configures an Engine. Only Vendor is required for interviews to
// be created; everything else has a default.
type Options struct {
	// Connector resolves the adapter of a connection, on every use: it is
	// the one way to give the engine adapters. Hosts serving many
	// customers implement it over their credential storage; a host with
	// fixed adapters uses NewMemoryConnector (one account per ATS maps the
	// default connections, e.g. "workable" and "lever") and MemoryConnector.Set
	// to add or replace one later. The periodic reconcile of Run covers the
	// enabled stored connections and, for a Connector with a
	// Connections() []string method (MemoryConnector has one), those too.
	Connector Connector
	// Vendor creates and cancels interviews on the host's platform.
	Vendor Vendor
	// VendorName appears in notes, e.g. "InterviewVector".
	VendorName string
	// Publisher delivers results of provider-contract interviews.
	Publisher CallbackPublisher
	// RetriggerURL builds the link, posted in needs-info notes, that the
	// host serves to call Engine.Retrigger for the interview of that
	// connection (hosting.RetriggerLinks signs such links).
	RetriggerURL func(connection, interviewID string) string
	// Notes overrides DefaultNotes() for every position.
	Notes map[NoteKind]string
	// NoteVisibility is the visibility of every note posted.
	NoteVisibility ats.Visibility
	// NoteMarker returns the visible de-duplication marker appended to
	// notes and feedback on ATSs that cannot hide it; it must contain
	// effectID (New refuses one that does not). Default NoteMarker.
	NoteMarker func(effectID string) string
	// Location formats dates in notes; default UTC.
	Location *time.Location
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger receives structured logs; default slog.Default(). Tokens and
	// candidate contact data are never logged.
	Logger *slog.Logger
	// MaxConflictRetries bounds how often a change is reloaded and
	// re-applied after a concurrent modification; default 20.
	MaxConflictRetries int
	// ExpiryInterval is how often Run calls ExpireDue; default one minute.
	ExpiryInterval time.Duration
	// ReconcileInterval is how often Run calls Reconcile for every
	// enabled connection, recovering candidates whose webhooks were
	// missed (Run also does so once when it starts); zero means
	// DefaultReconcileInterval (one hour), a negative value disables both.
	// Each run lists the candidates of every active position's trigger
	// stage, connection after connection through each adapter's pacing,
	// so keep it to minutes at least.
	ReconcileInterval time.Duration
	// Retention is how long delivered effects, processed events and
	// processed inbox events are kept before Run prunes them (see
	// Engine.Prune): zero means DefaultRetention (30 days), a negative
	// value keeps them forever. Failed and parked effects and failed
	// inbox events are never pruned.
	Retention time.Duration
	// CallbackTokenSealer, if set, encrypts provider callback tokens
	// before they are stored (see TokenSealer). Read APIs never return
	// callback tokens, sealed or not.
	CallbackTokenSealer *TokenSealer

	// TracerProvider creates the spans of event processing and effect
	// delivery; nil uses otel.GetTracerProvider(), which records nothing
	// unless the host installed an SDK. See the package documentation,
	// section Observability.
	TracerProvider trace.TracerProvider
	// MeterProvider creates the engine's metrics; nil uses
	// otel.GetMeterProvider(), a no-op unless the host installed an SDK.
	MeterProvider metric.MeterProvider
	// OnStateChange, when set, is called after each committed change of
	// an interview's state, once per transition, in the order the change
	// made them, on the goroutine that committed (keep it fast; it must
	// not call back into the engine's writes). It is at most once: a
	// process that stops between the commit and the call never makes it,
	// so a consumer that must see every change also reconciles with
	// Engine.AllInterviews. Changes of one interview are reported in
	// commit order by one engine; with several replicas, order across
	// them follows Interview.Version.
	OnStateChange func(ctx context.Context, c InterviewStateChange)
}

// Engine drives the interview state machine. It is safe for concurrent use;
// several engines (replicas) may share one Store.
type Engine struct {
	store Store
	opts  Options
	loc   *time.Location
	log   *slog.Logger
	now   func() time.Time

	tmpl   sync.Map // template text -> *template.Template
	notify chan struct{}
	// pendingEvents counts events for positions not active.
	pendingEvents atomic.Int64
	// staleEvents counts events older than the state applied (eventorder.go).
	staleEvents atomic.Int64
	// requeued maps a connection to when its parked effects were last
	// requeued: dispatchers lift a cool-down begun before then.
	requeued sync.Map

	telOnce sync.Once
	telem   *telemetry

	// owner identifies this engine in reconcile leases (ReconcileLeaser).
	owner string
}

// NewEngine returns an engine over store. It accepts any options; New
// checks them and returns an error instead, and is preferred. NewEngine
// is kept for compatibility.
func NewEngine(store Store, opts Options) *Engine {
	e := &Engine{
		store:  store,
		opts:   opts,
		loc:    opts.Location,
		log:    opts.Logger,
		now:    opts.Now,
		notify: make(chan struct{}, 1),
		owner:  newID("eng_"),
	}
	if n, ok := opts.Connector.(ConnectorNotifier); ok {
		n.Notify(e.credentialsChanged)
	}
	if e.loc == nil {
		e.loc = time.UTC
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.opts.VendorName == "" {
		e.opts.VendorName = "Interview"
	}
	if e.opts.MaxConflictRetries <= 0 {
		e.opts.MaxConflictRetries = 20
	}
	if e.opts.ExpiryInterval <= 0 {
		e.opts.ExpiryInterval = time.Minute
	}
	if e.opts.ReconcileInterval == 0 {
		e.opts.ReconcileInterval = DefaultReconcileInterval
	}
	return e
}

// Store returns the engine's store.
func (e *Engine) Store() Store { return e.store }

// adapter resolves the adapter of a connection through the Connector,
// asked anew on every call so a changed credential takes effect at once.
func (e *Engine) adapter(ctx context.Context, connection string) (ats.Adapter, error) {
	if e.opts.Connector == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownSource, connection)
	}
	a, err := e.opts.Connector.Adapter(ctx, connection)
	if errors.Is(err, ErrUnknownConnection) || (err == nil && a == nil) {
		return nil, &unknownConnectionError{connection: connection}
	}
	if err != nil {
		return nil, errfmt.Errorf("lifecycle: adapter of connection %q: %w", connection, err)
	}
	return a, nil
}

// unknownConnectionError reports a connection the Connector has no
// adapter for. It matches both ErrUnknownConnection and ErrUnknownSource.
type unknownConnectionError struct{ connection string }

func (e *unknownConnectionError) Error() string {
	return fmt.Sprintf("lifecycle: unknown connection %q: the Connector has no adapter for it (add one with MemoryConnector.Set, or store the connection's credentials where your Connector reads them)", e.connection)
}

func (e *unknownConnectionError) Is(target error) bool {
	return target == ErrUnknownConnection || target == ErrUnknownSource
}

// wake tells a dispatcher running in this process that effects are waiting.
func (e *Engine) wake() {
	select {
	case e.notify <- struct{}{}:
	default:
	}
}

func newID(prefix string) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// DefaultReconcileInterval is the default Options.ReconcileInterval.
const DefaultReconcileInterval = time.Hour

// Run runs the engine's timers until ctx is done: every
// Options.ExpiryInterval it calls ExpireDue with the current time; when it
// starts and every Options.ReconcileInterval (unless negative) Reconcile
// for every enabled connection, one after the other, in a goroutine of its
// own so a long pass never delays expiry — with a store that implements
// ReconcileLeaser only the connections whose lease this replica claims, so
// replicas do not repeat each other's listings; and when it starts
// and every PruneInterval Prune. Events
// accepted with AcceptEvents are processed by dispatchers (Dispatcher.Run),
// not here.
func (e *Engine) Run(ctx context.Context) error {
	t := time.NewTicker(e.opts.ExpiryInterval)
	defer t.Stop()
	prune := time.NewTicker(PruneInterval)
	defer prune.Stop()
	e.prune(ctx)
	if e.opts.ReconcileInterval > 0 {
		// Reconciliation lists every connection's candidates, paced: it
		// runs beside the expiry and pruning timers, never in their way.
		done := make(chan struct{})
		go func() {
			defer close(done)
			e.reconcileLoop(ctx)
		}()
		defer func() { <-done }()
	}
	for {
		if _, err := e.ExpireDue(ctx, e.now()); err != nil && ctx.Err() == nil {
			e.log.Error("lifecycle: expire invitations", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-prune.C:
			e.prune(ctx)
		}
	}
}

// reconcileLoop reconciles every enabled connection when Run starts —
// events missed while no engine ran, or dropped while a connection was
// disabled, are recovered at start, not an interval later — and then every
// ReconcileInterval, until ctx is done.
func (e *Engine) reconcileLoop(ctx context.Context) {
	e.reconcileAll(ctx)
	rt := time.NewTicker(e.opts.ReconcileInterval)
	defer rt.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-rt.C:
			e.reconcileAll(ctx)
		}
	}
}

// change accumulates one atomic Change: interviews and their effects.
type change struct {
	e   *Engine
	ctx context.Context // the call's context, for reads a decision needs
	now time.Time
	c   Change
	// eventAt is the ATS time of the event the change applies, if any.
	eventAt time.Time
	// touched are the interviews written by this change, in order.
	touched []*Interview
	created map[*Interview]bool
	// logs are emitted after a successful commit.
	logs []func()
	// states are the transitions made, reported after a successful commit.
	states []stateChange
}

// record marks iv as written by the change; its final value is stored.
func (ch *change) record(iv *Interview, create bool) {
	if slices.Contains(ch.touched, iv) {
		return
	}
	ch.touched = append(ch.touched, iv)
	if create {
		if ch.created == nil {
			ch.created = map[*Interview]bool{}
		}
		ch.created[iv] = true
	}
}

// seal copies the touched interviews into the Change, and its time (when
// the event was processed, for retention).
func (ch *change) seal() {
	ch.c.At = ch.now
	for _, iv := range ch.touched {
		ch.stampEvent(iv)
		if ch.created[iv] {
			ch.c.Create = append(ch.c.Create, *iv)
		} else {
			ch.c.Update = append(ch.c.Update, *iv)
		}
	}
}

func (e *Engine) newChange(ctx context.Context, ev *EventRef) *change {
	return &change{e: e, ctx: ctx, now: e.now(), c: Change{Event: ev}, eventAt: eventTimeOf(ctx)}
}

func (ch *change) empty() bool {
	return ch.c.Event == nil && len(ch.c.Create) == 0 && len(ch.c.Update) == 0 && len(ch.c.Effects) == 0
}

// transition moves iv to state to (recording create or update) after
// checking the table.
func (ch *change) transition(iv *Interview, to State, create bool) error {
	from := iv.State
	if create {
		from = ""
	}
	if err := checkTransition(iv.ID, from, to); err != nil {
		return err
	}
	iv.State = to
	iv.UpdatedAt = ch.now
	if create {
		iv.CreatedAt = ch.now
	}
	ch.record(iv, create)
	ch.states = append(ch.states, stateChange{iv: iv, from: from, to: to})
	id, conn, src, cand := iv.ID, iv.Connection, iv.Source, iv.CandidateID
	ch.logs = append(ch.logs, func() {
		ch.e.log.Info("lifecycle: interview transition", "interview", id, "connection", conn, "source", src, "candidate", cand, "from", from, "to", to)
	})
	return nil
}

// effect appends an outbox effect for iv.
func (ch *change) effect(iv *Interview, kind EffectKind, payload any) {
	if iv.Detached {
		switch kind {
		case EffectNote, EffectMove, EffectTag, EffectFeedback:
			return // no ATS candidate to write to; see Interview.Detached
		}
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		panic(fmt.Sprintf("lifecycle: marshal %s payload: %v", kind, err)) // payloads are plain structs
	}
	ch.c.Effects = append(ch.c.Effects, Effect{
		ID: newID("fx_"), Kind: kind, InterviewID: iv.ID, OrderKey: orderKey(iv),
		Connection: iv.Connection, Source: iv.Source, CandidateID: iv.CandidateID, Payload: raw,
		NextAttemptAt: ch.now, CreatedAt: ch.now,
	})
}

// orderKey serialises a candidate's effects across all its interviews, not
// only within one: with several rounds, a retried stage move of round 1 must
// not land after round 2's move and leave the candidate in a stale stage.
// The connection is part of it: two accounts may share a candidate ID.
func orderKey(iv *Interview) string { return iv.Connection + "/" + iv.CandidateID }

func (ch *change) note(pos *Position, iv *Interview, kind NoteKind, d NoteData) error {
	body, err := ch.e.renderNote(pos, iv, kind, d)
	if err != nil {
		return err
	}
	ch.effect(iv, EffectNote, notePayload{Body: body, Visibility: ch.e.opts.NoteVisibility})
	return nil
}

func (ch *change) move(iv *Interview, stageID string) {
	if stageID != "" && iv.Callback == nil {
		ch.effect(iv, EffectMove, movePayload{StageID: stageID})
	}
}

func (ch *change) callback(iv *Interview, r CallbackResult) {
	if iv.Callback != nil {
		ch.effect(iv, EffectCallback, callbackPayload{Callback: *iv.Callback, Result: r})
	}
}

// commit builds and commits a change, reloading and re-applying on
// concurrent modification. A duplicate event is success without effect.
func (e *Engine) commit(ctx context.Context, build func(ch *change) error) error {
	for attempt := 0; ; attempt++ {
		ch := e.newChange(ctx, nil)
		if err := build(ch); err != nil {
			return err
		}
		ch.seal()
		if ch.empty() {
			return nil
		}
		stampTrace(ctx, ch.c.Effects)
		err := e.store.Commit(ctx, ch.c)
		switch {
		case err == nil:
			for _, l := range ch.logs {
				l()
			}
			e.committed(ctx, ch)
			if len(ch.c.Effects) > 0 {
				e.wake()
			}
			return nil
		case errors.Is(err, ErrDuplicateEvent):
			return nil
		case errors.Is(err, ErrVersionConflict), errors.Is(err, ErrDuplicateInterview):
			if attempt >= e.opts.MaxConflictRetries {
				return errfmt.Errorf("lifecycle: giving up after %d concurrent modifications: %w", attempt+1, err)
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
		default:
			return err
		}
	}
}

// Interview returns one interview.
func (e *Engine) Interview(ctx context.Context, id string) (Interview, error) {
	iv, err := e.store.Interview(ctx, id)
	return redactInterview(iv), err
}

// Interviews lists interviews.
func (e *Engine) Interviews(ctx context.Context, f InterviewFilter) ([]Interview, error) {
	ivs, err := e.store.Interviews(ctx, f)
	return redactInterviews(ivs), err
}

// Effects lists outbox effects, e.g. to show failed deliveries to an operator.
func (e *Engine) Effects(ctx context.Context, f EffectFilter) ([]Effect, error) {
	effs, err := e.store.Effects(ctx, f)
	return redactEffects(effs), err
}

// HandleEvent applies a verified ATS event of the connection ev.Connection
// (the default connection named ev.Source when empty). Events whose
// (Connection, Source, ID) was processed before change nothing. An error
// means the event was not recorded and may be delivered again, except an
// error wrapping ErrConnectionRemoved: events of a removed connection are
// refused for good.
//
// On a disabled connection, stage events start no interview (they are
// recorded and dropped); events that end interviews (archived, hired,
// deleted, moved out of the stage) still cancel them, and the effects
// wait for the connection to be enabled.
//
// A candidate entering the trigger stage of an active position gets one
// interview per configured round (or needs-info when data is missing);
// moving to a stage that is neither the trigger stage nor one of the
// position's mapped stages, being archived, hired or deleted cancels the
// candidate's live interviews. An event older than the last event applied
// to the candidate's interviews (Event.Time against Interview.LastEventAt)
// does nothing, not even a read; StaleEvents counts such events.
func (e *Engine) HandleEvent(ctx context.Context, ev ats.Event) (err error) {
	ev.Connection = connectionOf(ev.Connection, ev.Source)
	ctx, end := e.startEvent(ctx, ev)
	defer func() { end(err) }()
	var ref *EventRef
	if ev.ID != "" {
		ref = &EventRef{Connection: ev.Connection, Source: ev.Source, ID: ev.ID}
		seen, err := e.store.EventProcessed(ctx, *ref)
		if err != nil {
			return err
		}
		if seen {
			e.log.Debug("lifecycle: duplicate event", "connection", ev.Connection, "source", ev.Source, "event", ev.ID)
			return nil
		}
	}
	if stale, err := e.staleEvent(ctx, ev); err != nil || stale {
		if err != nil {
			return err
		}
		return e.commit(ctx, func(ch *change) error { ch.c.Event = ref; return nil })
	}
	ctx = withEventTime(ctx, ev.Time)
	state, err := e.connectionState(ctx, ev.Connection)
	if err != nil {
		return err
	}
	if state == ConnectionRemoved {
		return errfmt.Errorf("lifecycle: event %s of connection %q: %w", ev.ID, ev.Connection, ErrConnectionRemoved)
	}
	if isReconcileEvent(ev) {
		return e.handleReconcileEvent(ctx, ev, state) // reconcile.go
	}
	switch ev.Kind {
	case ats.EventStageChanged, ats.EventCandidateCreated, ats.EventUnarchived:
		a, err := e.adapter(ctx, ev.Connection)
		if err != nil {
			return &atsError{err: err}
		}
		return e.handleStage(ctx, a, ev, ref, state)
	case ats.EventArchived, ats.EventHired:
		// Confirm with a read: a late "archived" delivery for a
		// candidate since restored must not cancel.
		a, err := e.adapter(ctx, ev.Connection)
		if err != nil {
			return &atsError{err: err}
		}
		cand, err := a.Candidate(ctx, ev.CandidateID)
		switch {
		case errors.Is(err, ats.ErrNotFound):
			return e.cancelLive(ctx, ref, InterviewFilter{Connection: ev.Connection, CandidateID: ev.CandidateID}, "the candidate was deleted")
		case err != nil:
			return &atsError{err: errfmt.Errorf("lifecycle: read candidate %s: %w", ev.CandidateID, err)}
		}
		if ev.JobID == "" {
			ev.JobID = cand.JobID
		}
		return e.handleStage(ctx, a, ev, ref, state)
	case ats.EventDeleted:
		detail := map[ats.EventKind]string{
			ats.EventArchived: "the candidate was disqualified",
			ats.EventDeleted:  "the candidate was deleted",
			ats.EventHired:    "the candidate was hired",
		}[ev.Kind]
		return e.cancelLive(ctx, ref, InterviewFilter{Connection: ev.Connection, CandidateID: ev.CandidateID}, detail)
	default:
		return e.commit(ctx, func(ch *change) error { ch.c.Event = ref; return nil })
	}
}

func (e *Engine) position(ctx context.Context, id string) (*Position, error) {
	p, err := e.store.Position(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func (e *Engine) handleStage(ctx context.Context, a ats.Adapter, ev ats.Event, ref *EventRef, state ConnectionState) error {
	record := func() error { return e.commit(ctx, func(ch *change) error { ch.c.Event = ref; return nil }) }
	var pos *Position
	var err error
	if ev.JobID != "" {
		// Cheap filter before reading the candidate.
		if pos, err = e.position(ctx, PositionID(ev.Connection, ev.JobID)); err != nil {
			return err
		}
		if pos == nil || pos.Status != PositionActive {
			e.ignoredEvent(ev, pos)
			return record()
		}
	}
	cand, err := a.Candidate(ctx, ev.CandidateID)
	if errors.Is(err, ats.ErrNotFound) {
		e.log.Warn("lifecycle: candidate of event not found", "connection", ev.Connection, "source", ev.Source, "candidate", ev.CandidateID, "event", ev.ID)
		return record()
	}
	if err != nil {
		return &atsError{err: errfmt.Errorf("lifecycle: read candidate %s: %w", ev.CandidateID, err)}
	}
	if pos == nil || (cand.JobID != "" && cand.JobID != pos.JobID) {
		jobID := cand.JobID
		if jobID == "" {
			jobID = ev.JobID
		}
		if pos, err = e.position(ctx, PositionID(ev.Connection, jobID)); err != nil {
			return err
		}
		if pos == nil || pos.Status != PositionActive {
			e.ignoredEvent(ev, pos)
			return record()
		}
	}
	// Decide on the candidate as the ATS returns it now, never on the
	// stage the event claims: a late or retried "entered the stage"
	// delivery must not start an interview for a candidate who has moved
	// on, and event bodies are not always signed (Lever signs only a
	// token and a timestamp). Only when the read has no stage does a
	// snapshot event's stage stand in.
	stage := cand.Stage
	if stage.IsZero() && ev.Snapshot {
		stage = ev.ToStage
	}
	if stage.IsZero() && !cand.Disqualified {
		e.log.Warn("lifecycle: candidate read has no stage, no decision", "connection", ev.Connection, "source", ev.Source, "candidate", cand.ID, "event", ev.ID)
		return record()
	}
	switch {
	case cand.Disqualified:
		return e.cancelLive(ctx, ref, InterviewFilter{Connection: ev.Connection, CandidateID: cand.ID, PositionID: pos.ID}, "the candidate was disqualified")
	case pos.stageIs(stage, pos.TriggerStage()):
		if state == ConnectionDisabled {
			e.log.Info("lifecycle: connection disabled, no interview started", "connection", ev.Connection, "candidate", cand.ID, "event", ev.ID)
			return record()
		}
		return e.commit(ctx, func(ch *change) error {
			ch.c.Event = ref
			return e.request(ctx, ch, pos, cand)
		})
	case pos.mappedStage(stage):
		// Our own stage moves (scheduled, passed, ...) must not cancel.
		return record()
	default:
		detail := "the candidate left the interview stage"
		if n := stage.Name; n != "" {
			detail = fmt.Sprintf("the candidate was moved to %q", n)
		}
		return e.cancelLive(ctx, ref, InterviewFilter{Connection: ev.Connection, CandidateID: cand.ID, PositionID: pos.ID}, detail)
	}
}

// stageIs reports whether ref names the stage with ID stageID.
func (p *Position) stageIs(ref ats.StageRef, stageID string) bool {
	if stageID == "" || ref.IsZero() {
		return false
	}
	if ref.ID == stageID {
		return true
	}
	for _, s := range p.Stages {
		if s.ID == stageID {
			return ref.Matches(s)
		}
	}
	return false
}

func (p *Position) mappedStage(ref ats.StageRef) bool {
	m := p.Config.Stages
	for _, id := range []string{m.Scheduled, m.Passed, m.Failed, m.UnableToSchedule} {
		if p.stageIs(ref, id) {
			return true
		}
	}
	return false
}

func missingFields(c ats.Candidate, require []Field) []Field {
	var missing []Field
	for _, f := range require {
		switch {
		case f == FieldEmail && c.Email() == "",
			f == FieldPhone && c.Phone() == "",
			f == FieldResume && c.ResumeURL == "":
			missing = append(missing, f)
		}
	}
	return missing
}

// request creates or restarts one interview per round of pos for cand.
func (e *Engine) request(ctx context.Context, ch *change, pos *Position, cand ats.Candidate) error {
	existing, err := e.store.Interviews(ctx, InterviewFilter{Connection: pos.Connection, CandidateID: cand.ID, PositionID: pos.ID})
	if err != nil {
		return err
	}
	for r, round := range pos.Config.Rounds {
		i := slices.IndexFunc(existing, func(iv Interview) bool { return iv.Round == r })
		var iv Interview
		create := i < 0
		if create {
			iv = Interview{
				ID: newID("iv_"), Connection: pos.Connection, Source: pos.Source, CandidateID: cand.ID, JobID: pos.JobID,
				PositionID: pos.ID, Round: r,
			}
		} else {
			iv = existing[i]
			if !iv.State.Restartable() {
				continue // live or done: entering the stage again changes nothing
			}
		}
		iv.RoundName, iv.Template = round.Name, round.Template
		iv.Candidate = cand
		if err := e.start(ch, pos, &iv, create, r == 0); err != nil {
			return err
		}
	}
	return nil
}

// start (re)starts iv: requested with a vendor create effect, or needs-info
// with a note naming the missing data.
func (e *Engine) start(ch *change, pos *Position, iv *Interview, create, tag bool) error {
	var require []Field
	if pos != nil {
		require = pos.Config.Require
	}
	iv.Missing = missingFields(iv.Candidate, require)
	iv.Reason, iv.Detail, iv.Result, iv.LeftStage = "", "", nil, false
	iv.InviteURL, iv.ExpiresAt, iv.ScheduledAt = "", time.Time{}, time.Time{}
	if len(iv.Missing) > 0 {
		if err := ch.transition(iv, StateNeedsInfo, create); err != nil {
			return err
		}
		d := NoteData{Missing: humanList(iv.Missing)}
		if e.opts.RetriggerURL != nil {
			d.RetriggerURL = e.opts.RetriggerURL(iv.Connection, iv.ID)
		}
		return ch.note(pos, iv, NoteNeedsInfo, d)
	}
	iv.Attempt++
	if err := ch.transition(iv, StateRequested, create); err != nil {
		return err
	}
	ch.effect(iv, EffectVendorCreate, vendorPayload{Attempt: iv.Attempt})
	if tag && pos != nil && len(pos.Config.Tags) > 0 {
		ch.effect(iv, EffectTag, tagPayload{Tags: pos.Config.Tags})
	}
	return nil
}

// cancelLive cancels every live interview matching f.
func (e *Engine) cancelLive(ctx context.Context, ref *EventRef, f InterviewFilter, detail string) error {
	return e.commit(ctx, func(ch *change) error {
		ch.c.Event = ref
		f.States = []State{StateRequested, StateNeedsInfo, StateInvited, StateScheduled}
		ivs, err := e.store.Interviews(ctx, f)
		if err != nil {
			return err
		}
		for i := range ivs {
			pos, err := e.position(ctx, ivs[i].PositionID)
			if err != nil {
				return err
			}
			// The candidate left the trigger stage: Reconcile restarts
			// the interview if it finds them back in it.
			ivs[i].LeftStage = true
			if err := e.cancel(ch, pos, &ivs[i], detail); err != nil {
				return err
			}
		}
		return nil
	})
}

func (e *Engine) cancel(ch *change, pos *Position, iv *Interview, detail string) error {
	hadVendor := iv.State != StateNeedsInfo
	wasScheduled := iv.State == StateScheduled
	if err := ch.transition(iv, StateCancelled, false); err != nil {
		return err
	}
	e.unscheduleOnATS(ch, iv, wasScheduled)
	iv.Detail = detail
	if err := ch.note(pos, iv, NoteCancelled, NoteData{Detail: detail}); err != nil {
		return err
	}
	if hadVendor {
		ch.effect(iv, EffectVendorCancel, vendorPayload{Attempt: iv.Attempt})
	}
	ch.callback(iv, CallbackResult{Status: CallbackDeclined, Summary: detail})
	return nil
}

// Cancel cancels a live interview on the host's behalf; reason appears in
// the note.
func (e *Engine) Cancel(ctx context.Context, interviewID, reason string) (Interview, error) {
	return e.update(ctx, interviewID, nil, func(ch *change, pos *Position, iv *Interview) error {
		if iv.State == StateCancelled {
			return errNoop
		}
		return e.cancel(ch, pos, iv, reason)
	})
}

var errNoop = errors.New("noop")

// update loads an interview and its position, applies fn and commits,
// retrying on conflicts. fn returning errNoop commits nothing (but records
// the event).
func (e *Engine) update(ctx context.Context, id string, ref *EventRef, fn func(ch *change, pos *Position, iv *Interview) error) (Interview, error) {
	var out Interview
	err := e.commit(ctx, func(ch *change) error {
		ch.c.Event = ref
		iv, err := e.store.Interview(ctx, id)
		if err != nil {
			return interviewNotFound(id, err)
		}
		pos, err := e.position(ctx, iv.PositionID)
		if err != nil {
			return err
		}
		out = iv
		if err := fn(ch, pos, &iv); err != nil {
			if errors.Is(err, errNoop) {
				return nil
			}
			return err
		}
		if len(ch.touched) > 0 {
			out = iv
			out.Version++
		}
		return nil
	})
	if err != nil {
		return Interview{}, err
	}
	return redactInterview(out), nil
}

// Retrigger re-reads the candidate and requests the interview again: from
// needs-info once the missing data was added (or needs-info again, with a
// new note, while it is still missing), and from cancelled, declined,
// expired or unable-to-schedule as a fresh attempt.
//
// The candidate is re-read from the ATS: one who is disqualified or no
// longer in the position's trigger stage, or a position no longer active,
// refuses with a *RetriggerError saying why (errors.Is
// ErrRetriggerRefused), so a stale link never restarts an interview.
//
// The interview must belong to connection (the default connection named
// after its source when empty): one of another connection is ErrNotFound,
// so a link followed from one customer's ATS never touches another's
// interview. A disabled connection refuses with ErrConnectionDisabled, a
// removed one with ErrConnectionRemoved.
func (e *Engine) Retrigger(ctx context.Context, connection, interviewID string) (Interview, error) {
	iv, err := e.store.Interview(ctx, interviewID)
	if err != nil {
		return Interview{}, interviewNotFound(interviewID, err)
	}
	if connectionOf(connection, iv.Source) != iv.Connection {
		return Interview{}, errfmt.Errorf("lifecycle: retrigger %s in connection %q: %w", interviewID, connection, ErrNotFound)
	}
	if err := e.mayStart(ctx, iv.Connection); err != nil {
		return Interview{}, err
	}
	if iv.State != StateNeedsInfo && !iv.State.Restartable() {
		return Interview{}, &TransitionError{From: iv.State, To: StateRequested, Interview: iv.ID}
	}
	cand := iv.Candidate
	if iv.Callback == nil {
		a, err := e.adapter(ctx, iv.Connection)
		if err != nil {
			return Interview{}, err
		}
		if cand, err = a.Candidate(ctx, iv.CandidateID); err != nil {
			return Interview{}, errfmt.Errorf("lifecycle: re-read candidate %s: %w", iv.CandidateID, err)
		}
		pos, err := e.position(ctx, iv.PositionID)
		if err != nil {
			return Interview{}, err
		}
		if err := mayRetrigger(iv.ID, pos, cand); err != nil {
			return Interview{}, err
		}
	}
	return e.update(ctx, interviewID, nil, func(ch *change, pos *Position, iv *Interview) error {
		if iv.State != StateNeedsInfo && !iv.State.Restartable() {
			return &TransitionError{From: iv.State, To: StateRequested, Interview: iv.ID}
		}
		iv.Candidate = cand
		return e.start(ch, pos, iv, false, false)
	})
}

// mayRetrigger refuses a re-trigger the candidate's current state rules
// out: disqualified, out of the trigger stage, or an inactive position.
func mayRetrigger(id string, pos *Position, cand ats.Candidate) error {
	switch {
	case pos == nil || pos.Status != PositionActive:
		return &RetriggerError{Interview: id, Reason: RetriggerPositionInactive}
	case cand.Disqualified:
		return &RetriggerError{Interview: id, Reason: RetriggerDisqualified}
	case !pos.stageIs(cand.Stage, pos.TriggerStage()):
		return &RetriggerError{Interview: id, Reason: RetriggerLeftStage, Stage: cand.Stage.Name}
	}
	return nil
}

// ExpireDue expires every invitation whose expiry is at or before now and
// returns how many expired.
func (e *Engine) ExpireDue(ctx context.Context, now time.Time) (_ int, err error) {
	ctx, end := e.startExpire(ctx)
	defer func() { end(err) }()
	ivs, err := e.store.Interviews(ctx, InterviewFilter{States: []State{StateInvited}, ExpiresBefore: now})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, iv := range ivs {
		expired := false
		_, err := e.update(ctx, iv.ID, nil, func(ch *change, pos *Position, iv *Interview) error {
			if iv.State != StateInvited || iv.ExpiresAt.IsZero() || iv.ExpiresAt.After(now) {
				return errNoop // moved on meanwhile
			}
			if err := ch.transition(iv, StateExpired, false); err != nil {
				return err
			}
			expired = true
			if err := ch.note(pos, iv, NoteExpired, NoteData{}); err != nil {
				return err
			}
			ch.effect(iv, EffectVendorCancel, vendorPayload{Attempt: iv.Attempt})
			if pos != nil {
				ch.move(iv, pos.Config.Stages.UnableToSchedule)
			}
			ch.callback(iv, CallbackResult{Status: CallbackExpired})
			return nil
		})
		if err != nil {
			return n, err
		}
		if expired {
			n++
		}
	}
	return n, nil
}

// ProviderRequest creates an interview that came in through the Workable
// assessment-provider contract rather than a stage move: results go to the
// callback instead of stage moves.
type ProviderRequest struct {
	// Connection is the customer's account the request came from: the
	// provider.Account its bearer token resolved to. Empty uses the
	// default connection named after Source.
	Connection string
	// Source is the ATS, normally "workable".
	Source string
	// EventID, when set, de-duplicates repeated requests (Workable's
	// assessment ID).
	EventID     string
	CandidateID string
	JobID       string
	// PositionID defaults to PositionID(Connection, JobID). When that
	// position exists its required fields and note templates apply; a
	// position of another connection is never used.
	PositionID string
	// Round defaults to 0.
	Round     int
	RoundName string
	// Template is the vendor's test or template the ATS asked for.
	Template string
	// Candidate is the candidate as the provider request described it.
	Candidate ats.Candidate
	// Callback is where results are published.
	Callback Callback
}

// ProviderInterview records an interview requested through the provider
// contract and requests it from the vendor. Repeating the request returns
// the existing interview (restarting it if it ended without a result).
//
// Interviews are keyed by connection: the same job and candidate in two
// connections are two interviews. A disabled connection refuses with
// ErrConnectionDisabled, a removed one with ErrConnectionRemoved.
func (e *Engine) ProviderInterview(ctx context.Context, r ProviderRequest) (Interview, error) {
	r.Connection = connectionOf(r.Connection, r.Source)
	if r.PositionID == "" {
		r.PositionID = PositionID(r.Connection, r.JobID)
	}
	if err := e.mayStart(ctx, r.Connection); err != nil {
		return Interview{}, err
	}
	if r.Candidate.ID == "" {
		r.Candidate.ID = r.CandidateID
	}
	var ref *EventRef
	if r.EventID != "" {
		ref = &EventRef{Connection: r.Connection, Source: r.Source + "/provider", ID: r.EventID}
	}
	detached := r.CandidateID == ""
	if detached {
		if r.Callback.URL == "" {
			return Interview{}, fmt.Errorf("lifecycle: provider interview: neither a candidate ID nor a callback URL to key it by")
		}
		sum := sha256.Sum256([]byte(r.Callback.URL))
		r.CandidateID = "cb_" + hex.EncodeToString(sum[:12])
	}
	key := InterviewKey{Connection: r.Connection, CandidateID: r.CandidateID, PositionID: r.PositionID, Round: r.Round}
	err := e.commit(ctx, func(ch *change) error {
		ch.c.Event = ref
		pos, err := e.position(ctx, r.PositionID)
		if err != nil {
			return err
		}
		if pos != nil && pos.Connection != r.Connection {
			pos = nil // another customer's position: never apply it
		}
		iv, err := e.store.InterviewByKey(ctx, key)
		create := errors.Is(err, ErrNotFound)
		switch {
		case create:
			iv = Interview{ID: newID("iv_"), Connection: r.Connection, Source: r.Source, CandidateID: r.CandidateID, JobID: r.JobID, PositionID: r.PositionID, Round: r.Round, Detached: detached}
		case err != nil:
			return err
		case !iv.State.Restartable():
			return nil
		}
		iv.RoundName, iv.Template, iv.Candidate = r.RoundName, r.Template, r.Candidate
		cb, err := e.sealCallback(r.Callback)
		if err != nil {
			return err
		}
		iv.Callback = &cb
		return e.start(ch, pos, &iv, create, false)
	})
	if err != nil {
		return Interview{}, err
	}
	iv, err := e.store.InterviewByKey(ctx, key)
	return redactInterview(iv), err
}

// recordVendorRef stores the vendor's reference after a successful create.
func (e *Engine) recordVendorRef(ctx context.Context, id string, attempt int, ref string) error {
	_, err := e.update(ctx, id, nil, func(ch *change, _ *Position, iv *Interview) error {
		if iv.Attempt != attempt || (iv.VendorRef == ref && iv.VendorAttempt == attempt) {
			return errNoop
		}
		iv.VendorRef, iv.VendorAttempt = ref, attempt
		iv.UpdatedAt = ch.now
		ch.record(iv, false)
		return nil
	})
	return err
}

// vendorFailed ends a request the vendor refused for good.
func (e *Engine) vendorFailed(ctx context.Context, id string, attempt int, cause error) error {
	_, err := e.update(ctx, id, nil, func(ch *change, pos *Position, iv *Interview) error {
		if iv.Attempt != attempt || iv.State != StateRequested {
			return errNoop
		}
		// The cause is Go error text: logged for the host, never posted
		// where recruiters read it.
		e.log.Warn("lifecycle: vendor could not create the interview", "interview", id, "err", cause)
		reason, detail := vendorFailure(cause)
		return e.unable(ch, pos, iv, reason, detail)
	})
	return err
}

func (e *Engine) unable(ch *change, pos *Position, iv *Interview, reason UnableReason, detail string) error {
	if err := ch.transition(iv, StateUnableToSchedule, false); err != nil {
		return err
	}
	iv.Reason, iv.Detail = reason, detail
	if err := ch.note(pos, iv, NoteUnableToSchedule, NoteData{Reason: reasonSentence(reason), Detail: detail}); err != nil {
		return err
	}
	if pos != nil {
		ch.move(iv, pos.Config.Stages.UnableToSchedule)
	}
	ch.callback(iv, CallbackResult{Status: CallbackDeclined, Summary: reasonSentence(reason)})
	return nil
}

// markReported moves a completed interview to reported once its result
// effects were delivered.
func (e *Engine) markReported(ctx context.Context, id string) error {
	_, err := e.update(ctx, id, nil, func(ch *change, _ *Position, iv *Interview) error {
		if iv.State != StateCompleted {
			return errNoop
		}
		return ch.transition(iv, StateReported, false)
	})
	return err
}

// interviewNotFound names the interview in a store's ErrNotFound, and says
// what to do; other errors are returned as they are. The result still
// matches ErrNotFound.
func interviewNotFound(id string, err error) error {
	if !errors.Is(err, ErrNotFound) {
		return err
	}
	return errfmt.Errorf("lifecycle: interview %q: %w: check the ID (it is VendorRequest.InterviewID as CreateInterview received it; Engine.Interviews lists them)", id, err)
}
