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
//     honouring the adapters' typed errors, and de-duplicates notes after a
//     crash through NoteLister where the adapter offers it.
//
// All state lives in a Store: lifecycle/memstore for tests and single
// processes, lifecycle/sqlstore for SQLite and PostgreSQL. Several replicas
// may run engines and dispatchers against one database: interviews carry
// versions, the unique key (source, candidate, position, round) prevents
// duplicates, and outbox claims are leased.
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
