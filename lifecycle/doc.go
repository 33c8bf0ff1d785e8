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
//   - Events: the host verifies a webhook with the adapter and passes each
//     ats.Event to Engine.HandleEvent. A candidate entering the trigger stage
//     of an active position gets one interview per round; leaving it,
//     being archived or deleted cancels live interviews. Duplicate
//     deliveries change nothing.
//   - Vendor: interviews are created and cancelled through the host's Vendor,
//     as outbox effects carrying an idempotency key. The host reports what
//     happens next with Engine.Report (invited, scheduled, rescheduled,
//     completed, cancelled, no-show, declined).
//   - Commands and timers: Engine.Retrigger after missing data was fixed,
//     Engine.Cancel, and Engine.ExpireDue for invitations that expired.
//   - Side effects: every transition writes its notes, stage moves, tags,
//     feedback forms and Workable provider callbacks to the Store's outbox in
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
// one account per ATS can ignore connections (RegisterATS).
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
