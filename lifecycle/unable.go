package lifecycle

import "errors"

// UnableError is a Vendor.CreateInterview error saying the interview cannot
// be held, and why. The interview ends unable-to-schedule with Reason
// (ReasonOther when empty) at the first failure — it is permanent, never
// retried — and its note shows Detail, a sentence for recruiters (never Go
// error text: Err is logged, not posted). Wrapping keeps it visible to
// errors.As, and errors.Is/As still find what Err wraps.
//
//	return "", &lifecycle.UnableError{Reason: lifecycle.ReasonOrganisationCancel,
//		Detail: "the interview template was archived", Err: err}
type UnableError struct {
	Reason UnableReason
	Detail string
	Err    error
}

// Error describes the failure for logs.
func (e *UnableError) Error() string {
	s := "lifecycle: unable to schedule (" + string(e.reason()) + ")"
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *UnableError) Unwrap() error { return e.Err }

// Permanent reports true: retrying does not make the interview possible.
func (e *UnableError) Permanent() bool { return true }

func (e *UnableError) reason() UnableReason {
	if e.Reason == "" {
		return ReasonOther
	}
	return e.Reason
}

// vendorFailure returns the reason and the recruiter-facing detail of a
// vendor's refusal to create an interview; Go error text never reaches it.
func vendorFailure(cause error) (UnableReason, string) {
	var ue *UnableError
	switch {
	case errors.As(cause, &ue) && (ue.Reason != "" || !errors.Is(cause, ErrInsufficientCredits)):
		detail := ue.Detail
		if detail == "" {
			detail = "the interview could not be created"
		}
		return ue.reason(), detail
	case errors.Is(cause, ErrInsufficientCredits):
		return ReasonInsufficientCredits, "the interview could not be created: the interview account has no credits left"
	}
	return ReasonOther, "the interview could not be created"
}

// reasonSentence is the note's words for r; a reason atskit does not
// define reads as ReasonOther's.
func reasonSentence(r UnableReason) string {
	if s, ok := reasonText[r]; ok {
		return s
	}
	return reasonText[ReasonOther]
}
