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
// BEGIN DIAGRAM
// END DIAGRAM
package lifecycle
