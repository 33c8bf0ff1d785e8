package lifecycle

import (
	"errors"
	"fmt"
)

// ErrRetriggerRefused is matched (errors.Is) by every *RetriggerError.
var ErrRetriggerRefused = errors.New("lifecycle: re-trigger refused")

// RetriggerRefusal says why Engine.Retrigger refused to request an
// interview again.
type RetriggerRefusal string

// Reasons for a refused re-trigger.
const (
	// RetriggerDisqualified: the candidate is disqualified or archived in
	// the ATS.
	RetriggerDisqualified RetriggerRefusal = "disqualified"
	// RetriggerLeftStage: the candidate is no longer in the position's
	// trigger stage (moved on, e.g. to an offer stage).
	RetriggerLeftStage RetriggerRefusal = "left_stage"
	// RetriggerPositionInactive: the position is no longer active.
	RetriggerPositionInactive RetriggerRefusal = "position_inactive"
)

// RetriggerError is returned by Engine.Retrigger when the candidate, as the
// ATS returns it now, may no longer be interviewed for the position. The
// interview is left unchanged.
type RetriggerError struct {
	Interview string
	Reason    RetriggerRefusal
	// Stage is the candidate's current stage name (RetriggerLeftStage),
	// when the ATS gave one.
	Stage string
}

// Error implements error. The text is fit to show a recruiter.
func (e *RetriggerError) Error() string {
	switch e.Reason {
	case RetriggerDisqualified:
		return fmt.Sprintf("lifecycle: interview %s: the candidate is disqualified, so the interview cannot be requested again", e.Interview)
	case RetriggerLeftStage:
		if e.Stage != "" {
			return fmt.Sprintf("lifecycle: interview %s: the candidate has moved to %q, so the interview cannot be requested again", e.Interview, e.Stage)
		}
		return fmt.Sprintf("lifecycle: interview %s: the candidate is no longer in the interview stage, so the interview cannot be requested again", e.Interview)
	case RetriggerPositionInactive:
		return fmt.Sprintf("lifecycle: interview %s: the position is no longer active, so the interview cannot be requested again", e.Interview)
	}
	return fmt.Sprintf("lifecycle: interview %s: re-trigger refused (%s)", e.Interview, e.Reason)
}

// Is reports true for ErrRetriggerRefused.
func (e *RetriggerError) Is(target error) bool { return target == ErrRetriggerRefused }
