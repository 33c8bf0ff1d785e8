package lifecycle

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// State is the state of one interview (candidate × position × round).
type State string

// Interview states. The legal moves between them are listed in Transitions.
const (
	// StateRequested: the candidate entered the trigger stage and the
	// interview is being created with the vendor.
	StateRequested State = "requested"
	// StateNeedsInfo: the candidate lacks data the vendor needs (email,
	// phone, resume); a note says what is missing and how to re-trigger.
	StateNeedsInfo State = "needs_info"
	// StateInvited: the vendor invited the candidate with a scheduling link.
	StateInvited State = "invited"
	// StateScheduled: the interview has a date and time.
	StateScheduled State = "scheduled"
	// StateCompleted: the vendor reported a result; it is being delivered
	// to the ATS.
	StateCompleted State = "completed"
	// StateReported: the result has been delivered to the ATS.
	StateReported State = "reported"
	// StateCancelled: cancelled by the ATS (candidate moved out of the
	// stage, archived, deleted) or by the host.
	StateCancelled State = "cancelled"
	// StateUnableToSchedule: the vendor could not hold the interview; see
	// Interview.Reason.
	StateUnableToSchedule State = "unable_to_schedule"
	// StateDeclined: the candidate declined the invitation.
	StateDeclined State = "declined"
	// StateExpired: the invitation expired before the candidate scheduled.
	StateExpired State = "expired"
)

// States returns every state in a stable order, in a new slice.
func States() []State { return slices.Clone(states) }

var states = []State{
	StateRequested, StateNeedsInfo, StateInvited, StateScheduled,
	StateCompleted, StateReported, StateCancelled, StateUnableToSchedule,
	StateDeclined, StateExpired,
}

// Live reports whether an interview in state s is still in progress and can
// be cancelled: requested, needs-info, invited or scheduled.
func (s State) Live() bool {
	switch s {
	case StateRequested, StateNeedsInfo, StateInvited, StateScheduled:
		return true
	}
	return false
}

// Restartable reports whether an interview in state s ended without a result
// and may be requested again (the candidate re-enters the trigger stage, or
// the host re-triggers it).
func (s State) Restartable() bool {
	switch s {
	case StateCancelled, StateUnableToSchedule, StateDeclined, StateExpired:
		return true
	}
	return false
}

// Trigger names what causes a transition.
type Trigger string

// Triggers, grouped by driver: ATS events, vendor updates, host commands,
// timers and the dispatcher.
const (
	TriggerStageEntered Trigger = "entered trigger stage"
	TriggerMissingInfo  Trigger = "candidate data missing"
	TriggerRetrigger    Trigger = "host re-trigger"
	TriggerInvited      Trigger = "vendor invited"
	TriggerScheduled    Trigger = "vendor scheduled"
	TriggerRescheduled  Trigger = "vendor rescheduled"
	TriggerCompleted    Trigger = "vendor completed"
	TriggerReported     Trigger = "result delivered"
	TriggerCancel       Trigger = "left stage or archived or host cancel"
	TriggerUnable       Trigger = "no-show or cancelled or vendor failed"
	TriggerDeclined     Trigger = "candidate declined"
	TriggerExpire       Trigger = "invitation expired"
	TriggerRestart      Trigger = "re-entered trigger stage or host re-trigger"
)

// Transition is one legal move of the state machine. From is empty for the
// creation of an interview.
type Transition struct {
	From, To State
	On       Trigger
}

// Transitions returns the one table of legal transitions, in a new slice. The engine refuses
// every move not listed here with a *TransitionError; the package docs and
// diagram.md render it (see Mermaid).
func Transitions() []Transition { return slices.Clone(transitions) }

var transitions = []Transition{
	{"", StateRequested, TriggerStageEntered},
	{"", StateNeedsInfo, TriggerMissingInfo},

	{StateNeedsInfo, StateRequested, TriggerRetrigger},
	{StateNeedsInfo, StateNeedsInfo, TriggerMissingInfo},

	{StateRequested, StateInvited, TriggerInvited},
	{StateInvited, StateInvited, TriggerInvited},
	{StateRequested, StateScheduled, TriggerScheduled},
	{StateInvited, StateScheduled, TriggerScheduled},
	{StateScheduled, StateScheduled, TriggerRescheduled},

	{StateRequested, StateCompleted, TriggerCompleted},
	{StateInvited, StateCompleted, TriggerCompleted},
	{StateScheduled, StateCompleted, TriggerCompleted},
	{StateCompleted, StateReported, TriggerReported},

	{StateRequested, StateCancelled, TriggerCancel},
	{StateNeedsInfo, StateCancelled, TriggerCancel},
	{StateInvited, StateCancelled, TriggerCancel},
	{StateScheduled, StateCancelled, TriggerCancel},

	{StateRequested, StateUnableToSchedule, TriggerUnable},
	{StateInvited, StateUnableToSchedule, TriggerUnable},
	{StateScheduled, StateUnableToSchedule, TriggerUnable},

	{StateRequested, StateDeclined, TriggerDeclined},
	{StateInvited, StateDeclined, TriggerDeclined},

	{StateInvited, StateExpired, TriggerExpire},

	{StateCancelled, StateRequested, TriggerRestart},
	{StateUnableToSchedule, StateRequested, TriggerRestart},
	{StateDeclined, StateRequested, TriggerRestart},
	{StateExpired, StateRequested, TriggerRestart},
	{StateCancelled, StateNeedsInfo, TriggerRestart},
	{StateUnableToSchedule, StateNeedsInfo, TriggerRestart},
	{StateDeclined, StateNeedsInfo, TriggerRestart},
	{StateExpired, StateNeedsInfo, TriggerRestart},
}

var legal = func() map[[2]State]bool {
	m := make(map[[2]State]bool, len(transitions))
	for _, t := range transitions {
		m[[2]State{t.From, t.To}] = true
	}
	return m
}()

// CanTransition reports whether Transitions allows moving from one state to
// another. From "" means creating the interview.
func CanTransition(from, to State) bool { return legal[[2]State{from, to}] }

// ErrIllegalTransition is matched by every *TransitionError.
var ErrIllegalTransition = errors.New("lifecycle: illegal transition")

// TransitionError is returned when a driver asks for a move the transition
// table does not allow. The interview is left unchanged.
type TransitionError struct {
	From, To  State
	Interview string
}

// Error implements error.
func (e *TransitionError) Error() string {
	from := string(e.From)
	if from == "" {
		from = "(new)"
	}
	return fmt.Sprintf("lifecycle: interview %s: illegal transition %s -> %s", e.Interview, from, e.To)
}

// Is reports true for ErrIllegalTransition.
func (e *TransitionError) Is(target error) bool { return target == ErrIllegalTransition }

// checkTransition returns a *TransitionError when from -> to is not legal.
func checkTransition(id string, from, to State) error {
	if !CanTransition(from, to) {
		return &TransitionError{From: from, To: to, Interview: id}
	}
	return nil
}

//go:generate go run ./internal/gendiagram

// Mermaid renders Transitions as a Mermaid state diagram. diagram.md and
// the package documentation hold its output; `go generate` refreshes them
// and a test fails when they drift.
func Mermaid() string {
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	type edge struct{ from, to string }
	labels := map[edge][]string{}
	var order []edge
	for _, t := range transitions {
		from := string(t.From)
		if from == "" {
			from = "[*]"
		}
		e := edge{from, string(t.To)}
		if _, ok := labels[e]; !ok {
			order = append(order, e)
		}
		labels[e] = append(labels[e], string(t.On))
	}
	for _, e := range order {
		fmt.Fprintf(&b, "    %s --> %s: %s\n", e.from, e.to, strings.Join(labels[e], " / "))
	}
	for _, s := range states {
		if !s.Live() && s != StateCompleted && !s.Restartable() {
			fmt.Fprintf(&b, "    %s --> [*]\n", s)
		}
	}
	return b.String()
}
