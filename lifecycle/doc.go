// Package lifecycle is the interview state machine of atskit: it turns ATS
// events and vendor updates into the behaviour interview vendors promise
// their customers, and performs the resulting side effects on the ATS
// durably, exactly once as far as the ATS allows.
//
// The flow:
//
//   - Positions: Engine.RefreshPositions lists the jobs linked to the vendor
//     (ats.LinkedJobLister) and records them as pending positions. The host
//     configures each once (rounds, stage mapping, required candidate data,
//     note templates) and activates it. A change in the job's pipeline puts
//     it back to pending; removing the link deactivates it.
//   - Events: the host verifies a webhook with the adapter, passes the
//     events to Engine.AcceptEvents, which stores them in the Store's inbox
//     (see Inbox), and answers; dispatchers then process them with the
//     connection's pacing, so a slow or rate-limited ATS never delays a
//     webhook's answer and a crash in between loses nothing
//     (Engine.HandleEvent processes one event at once, for tests and hosts
//     that want that). A candidate entering the trigger stage of an
//     active position gets one interview per round; leaving it, being
//     archived or deleted cancels live interviews. Duplicate deliveries
//     change nothing.
//   - Retention: Engine.Run prunes delivered effects, processed events and
//     processed inbox events older than Options.Retention (30 days by
//     default).
//   - Vendor: interviews are created and cancelled through the host's Vendor,
//     as outbox effects carrying an idempotency key. The host reports what
//     happens next with Engine.Report (invited, scheduled, rescheduled,
//     completed, cancelled, no-show, declined).
//   - Commands and timers: Engine.Retrigger after missing data was fixed,
//     Engine.Cancel, and Engine.ExpireDue for invitations that expired.
//   - Side effects: every transition writes its notes, stage moves, tags,
//     feedback forms, the interview on the ATS profile, the report file and
//     Workable provider callbacks to the Store's outbox in
//     the same commit. A Dispatcher delivers them at least once with backoff,
//     honouring the adapters' typed errors, and de-duplicates notes and
//     feedback whose earlier attempt may have landed (a crash, a timeout)
//     by looking them up first (NoteLister, FeedbackLister) where the
//     adapter offers it.
//
// # De-duplication markers
//
// To find a note or feedback form it already sent, the dispatcher marks it
// with the effect's ID. Where the ATS can hide content the mark is out of
// sight (MarkedNoter); elsewhere it is a short visible line,
// Options.NoteMarker (default "[ref <effect ID>]"). What each adapter does:
//
//   - ashby: notes are sent as HTML with the ID in an empty link that
//     shows nothing (Ashby strips comments and attributes but keeps links),
//     http(s) addresses made clickable; notes are looked up with
//     candidate.listNotes.
//   - workable: comments and ratings are plain text and carry the visible
//     marker; both are looked up in the candidate's activity stream.
//   - lever: notes and feedback forms are plain text and carry the visible
//     marker (feedback in its summary field); notes are looked up with
//     GET /opportunities/:id/notes, feedback with .../feedback.
//   - greenhouse: notes are plain text and carry the visible marker; they
//     are looked up with GET /notes (the adapter submits no feedback).
//
// All state lives in a Store: lifecycle/memstore for tests and single
// processes, lifecycle/sqlstore for SQLite and PostgreSQL. Several replicas
// may run engines and dispatchers against one database: interviews carry
// versions, the unique key (connection, candidate, position, round)
// prevents duplicates, and outbox claims are leased.
//
// # Connections
//
// One engine serves many customers. Each customer's account on an ATS is a
// connection, identified by an ID the host chooses (Connection); every
// event (ats.Event.Connection), provider request (ProviderRequest.Connection)
// and stored row names it, so two connections may use the same job and
// candidate IDs without cross-talk. The engine asks the host's Connector for
// a connection's adapter on every use. An event naming no connection
// belongs to the default connection named after its Source, so a host with
// one account per ATS can ignore connections: it passes
// NewMemoryConnector(map[string]ats.Adapter{"workable": wk, "lever": lv}) as
// Options.Connector, the one way to give the engine adapters.
//
// Connect, DisableConnection, EnableConnection and RemoveConnection follow
// the customer's integration toggle and "revoke access". What happens to
// pending work:
//
//   - disabled: stage events start no interview; Retrigger and
//     ProviderInterview refuse with ErrConnectionDisabled; events that end
//     interviews and vendor updates still apply. Queued effects of every
//     kind stay in the outbox unclaimed — not attempted, not dropped — and
//     are delivered in order once the connection is enabled again.
//   - removed: events are refused with ErrConnectionRemoved; live
//     interviews are cancelled (the vendor's interview is cancelled and a
//     provider callback reports declined); queued notes, stage moves, tags
//     and feedback are skipped (recorded as done with the reason), vendor
//     and callback effects are delivered. Connection.History keeps the
//     audit trail; interviews and effects stay for the record.
//
// The Dispatcher serves connections fairly (DispatcherOptions.PerConnection,
// MaxPacingWait): a connection whose ATS throttles, refuses the credentials
// or stalls is backed off instead of holding the workers others need.
//
// # Listing
//
// Engine.AllInterviews, AllEffects and AllPositions iterate (iter.Seq2)
// over everything a filter matches, reading the Store a page at a time by
// a stable cursor (InterviewFilter.After, EffectFilter.AfterSeq,
// PositionFilter.AfterID), so an operator's view or an export never holds
// a whole outbox in memory. Interviews, Effects and Positions return one
// slice.
//
// # Observability
//
// The engine, the dispatcher and hosting.Handler record OpenTelemetry
// traces and metrics through the API only; the host chooses the SDK.
// Options.TracerProvider and Options.MeterProvider (and
// hosting.Options.TracerProvider) default to otel.GetTracerProvider and
// otel.GetMeterProvider, which record nothing until the host installs an
// SDK. A webhook delivery's span parents the spans of its events
// ("atskit.event.process"), and each effect's delivery
// ("atskit.effect.deliver") is a child of the span that enqueued it —
// also when another replica delivers it, since the effect's payload
// carries the W3C traceparent — and parents the ATS calls made through
// telemetry.Transport. Vendor updates (Engine.Report) have their own span
// ("atskit.update.process"), and so do Reconcile ("atskit.reconcile")
// and ExpireDue ("atskit.expire"). Metrics: "atskit.effects" (gauge of effects
// pending, parked and failed, by connection; a Store implementing
// EffectCounter answers it with one query), "atskit.effect.deliveries",
// "atskit.event.lag", "atskit.interview.transitions" and
// "atskit.reconcile.candidates"; package telemetry lists every name and
// attribute. No span or metric carries tokens, candidate contact data or
// note bodies.
//
// Options.OnStateChange is called after each committed state change, in
// order, at most once (see its documentation); hosts that must not miss a
// change also page through AllInterviews.
//
// # State machine
//
// The legal transitions are the table Transitions; anything else is refused
// with a *TransitionError (errors.Is(err, ErrIllegalTransition)). The diagram
// below and diagram.md are generated from the table by `go generate`:
//
// Mermaid source (generated from Transitions; do not edit):
//
//	stateDiagram-v2
//	[*] --> requested: entered trigger stage
//	[*] --> needs_info: candidate data missing
//	needs_info --> requested: host re-trigger
//	needs_info --> needs_info: candidate data missing
//	requested --> invited: vendor invited
//	invited --> invited: vendor invited
//	requested --> scheduled: vendor scheduled
//	invited --> scheduled: vendor scheduled
//	scheduled --> scheduled: vendor rescheduled
//	requested --> completed: vendor completed
//	invited --> completed: vendor completed
//	scheduled --> completed: vendor completed
//	completed --> reported: result delivered
//	requested --> cancelled: left stage or archived or host cancel
//	needs_info --> cancelled: left stage or archived or host cancel
//	invited --> cancelled: left stage or archived or host cancel
//	scheduled --> cancelled: left stage or archived or host cancel
//	requested --> unable_to_schedule: no-show or cancelled or vendor failed
//	invited --> unable_to_schedule: no-show or cancelled or vendor failed
//	scheduled --> unable_to_schedule: no-show or cancelled or vendor failed
//	requested --> declined: candidate declined
//	invited --> declined: candidate declined
//	invited --> expired: invitation expired
//	cancelled --> requested: re-entered trigger stage or host re-trigger
//	unable_to_schedule --> requested: re-entered trigger stage or host re-trigger
//	declined --> requested: re-entered trigger stage or host re-trigger
//	expired --> requested: re-entered trigger stage or host re-trigger
//	cancelled --> needs_info: re-entered trigger stage or host re-trigger
//	unable_to_schedule --> needs_info: re-entered trigger stage or host re-trigger
//	declined --> needs_info: re-entered trigger stage or host re-trigger
//	expired --> needs_info: re-entered trigger stage or host re-trigger
//	reported --> [*]
//
// End of the generated diagram.
package lifecycle
