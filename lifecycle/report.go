package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/atskit/atskit/ats"
)

// UpdateKind is what a vendor update reports.
type UpdateKind string

// Vendor update kinds.
const (
	// UpdateInvited: the candidate was invited; Link is the scheduling
	// link, ExpiresAt the optional expiry of the invitation.
	UpdateInvited UpdateKind = "invited"
	// UpdateScheduled: the interview is set for At.
	UpdateScheduled UpdateKind = "scheduled"
	// UpdateRescheduled: the interview moved to At.
	UpdateRescheduled UpdateKind = "rescheduled"
	// UpdateCompleted: the interview took place; Result holds the outcome.
	UpdateCompleted UpdateKind = "completed"
	// UpdateCancelled: cancelled on the vendor's side; Reason says by whom
	// (default ReasonCandidateCancelled).
	UpdateCancelled UpdateKind = "cancelled"
	// UpdateNoShow: the candidate did not show up.
	UpdateNoShow UpdateKind = "no_show"
	// UpdateUnableToSchedule: any other failure; Reason defaults to
	// ReasonOther.
	UpdateUnableToSchedule UpdateKind = "unable_to_schedule"
	// UpdateDeclined: the candidate declined the invitation.
	UpdateDeclined UpdateKind = "declined"
)

// Update is a vendor update the host reports with Engine.Report.
type Update struct {
	Kind UpdateKind
	// ID, when set, de-duplicates redelivered updates (the vendor's
	// webhook delivery ID).
	ID string
	// VendorRef is recorded when the interview has none yet.
	VendorRef string
	// Link is the scheduling link (invited).
	Link string
	// RescheduleLink and CancelLink are the vendor's links a recruiter or
	// candidate uses to reschedule or cancel the interview (scheduled,
	// rescheduled); the note shows them when set.
	RescheduleLink string
	CancelLink     string
	// ExpiresAt is when the invitation expires (invited). Zero uses the
	// position's InvitationTTL.
	ExpiresAt time.Time
	// At is the interview date and time (scheduled, rescheduled).
	At time.Time
	// Duration is how long the interview is planned to last (scheduled,
	// rescheduled), shown on the ATS profile; zero uses
	// DefaultScheduledDuration.
	Duration time.Duration
	// Reason classifies cancellations and failures.
	Reason UnableReason
	// Detail is free text shown in the note.
	Detail string
	// Result is the outcome (completed).
	Result *ats.Result
}

func (u Update) target() (State, error) {
	switch u.Kind {
	case UpdateInvited:
		return StateInvited, nil
	case UpdateScheduled, UpdateRescheduled:
		return StateScheduled, nil
	case UpdateCompleted:
		return StateCompleted, nil
	case UpdateCancelled, UpdateNoShow, UpdateUnableToSchedule:
		return StateUnableToSchedule, nil
	case UpdateDeclined:
		return StateDeclined, nil
	}
	return "", fmt.Errorf("lifecycle: unknown update kind %q", u.Kind)
}

// Report applies a vendor update to an interview and returns the interview
// as stored. A move the transition table does not allow is refused with a
// *TransitionError; an update lacking what its note needs (scheduled
// without At, invited without Link, completed without Result) with an
// *UpdateError naming the field. Repeating an update the interview already
// reflects (the same link, the same time, the same result) changes nothing
// and is not an error, so vendor redeliveries are harmless; a second
// completion with a different result is refused with a
// *ResultConflictError, never dropped silently; an update whose ID was
// processed before changes nothing and is not an error either, even when
// the interview has moved on since.
func (e *Engine) Report(ctx context.Context, interviewID string, u Update) (_ Interview, err error) {
	ctx, end := e.startUpdate(ctx, interviewID, u)
	defer func() { end(err) }()
	to, err := u.target()
	if err != nil {
		return Interview{}, err
	}
	if err := u.validate(); err != nil {
		return Interview{}, err
	}
	if u.ID == "" {
		return e.report(ctx, interviewID, nil, u, to)
	}
	ref := &EventRef{Source: "vendor", ID: u.ID}
	seen, err := e.store.EventProcessed(ctx, *ref)
	if err != nil {
		return Interview{}, err
	}
	if !seen {
		_, err = e.report(ctx, interviewID, ref, u, to)
		if errors.Is(err, ErrIllegalTransition) {
			// A concurrent delivery of the same update may have been
			// applied meanwhile: then this one is a duplicate.
			if seen, serr := e.store.EventProcessed(ctx, *ref); serr == nil && seen {
				err = nil
			}
		}
		if err != nil {
			return Interview{}, err
		}
	} else {
		e.log.Debug("lifecycle: duplicate vendor update", "interview", interviewID, "update", u.ID)
	}
	// The change may have been a duplicate swallowed by the store: return
	// what is stored, not what this call computed.
	iv, err := e.store.Interview(ctx, interviewID)
	return redactInterview(iv), err
}

func (e *Engine) report(ctx context.Context, interviewID string, ref *EventRef, u Update, to State) (Interview, error) {
	return e.update(ctx, interviewID, ref, func(ch *change, pos *Position, iv *Interview) error {
		if u.VendorRef != "" && iv.VendorRef == "" {
			iv.VendorRef, iv.VendorAttempt = u.VendorRef, iv.Attempt
			ch.record(iv, false)
		}
		if e.repeated(iv, u, to) {
			if u.Kind == UpdateCompleted && !sameResult(iv.Result, u.Result) {
				return &ResultConflictError{Interview: iv.ID}
			}
			return nil
		}
		if to == StateUnableToSchedule {
			reason := u.Reason
			if reason == "" {
				reason = map[UpdateKind]UnableReason{
					UpdateCancelled: ReasonCandidateCancelled,
					UpdateNoShow:    ReasonNoShow,
				}[u.Kind]
			}
			if reason == "" {
				reason = ReasonOther
			}
			e.unscheduleOnATS(ch, iv, iv.State == StateScheduled && u.Kind != UpdateNoShow)
			return e.unable(ch, pos, iv, reason, u.Detail)
		}
		from := iv.State
		if err := ch.transition(iv, to, false); err != nil {
			return err
		}
		var stages StageMapping
		if pos != nil {
			stages = pos.Config.Stages
		}
		switch u.Kind {
		case UpdateInvited:
			iv.InviteURL = u.Link
			iv.ExpiresAt = u.ExpiresAt
			if iv.ExpiresAt.IsZero() && pos != nil && pos.Config.InvitationTTL > 0 {
				iv.ExpiresAt = ch.now.Add(pos.Config.InvitationTTL)
			}
			return ch.note(pos, iv, NoteInvited, NoteData{Link: u.Link, Detail: u.Detail})
		case UpdateScheduled, UpdateRescheduled:
			prev := iv.ScheduledAt
			iv.ScheduledAt = u.At
			iv.ExpiresAt = time.Time{}
			e.scheduleOnATS(ch, iv, u)
			if from == StateScheduled {
				return ch.note(pos, iv, NoteRescheduled, NoteData{ScheduledAt: e.formatTime(u.At), PreviousAt: e.formatTime(prev), Detail: u.Detail,
					RescheduleLink: u.RescheduleLink, CancelLink: u.CancelLink})
			}
			if err := ch.note(pos, iv, NoteScheduled, NoteData{ScheduledAt: e.formatTime(u.At), Detail: u.Detail,
				RescheduleLink: u.RescheduleLink, CancelLink: u.CancelLink}); err != nil {
				return err
			}
			ch.move(iv, stages.Scheduled)
			return nil
		case UpdateCompleted:
			return e.completed(ch, pos, iv, u)
		case UpdateDeclined:
			iv.Detail = u.Detail
			iv.ExpiresAt = time.Time{}
			if err := ch.note(pos, iv, NoteDeclined, NoteData{Detail: u.Detail}); err != nil {
				return err
			}
			ch.move(iv, stages.UnableToSchedule)
			ch.callback(iv, CallbackResult{Status: CallbackDeclined, Summary: u.Detail})
			return nil
		}
		return nil
	})
}

// repeated reports whether u is already reflected by iv.
func (e *Engine) repeated(iv *Interview, u Update, to State) bool {
	switch u.Kind {
	case UpdateInvited:
		return iv.State == StateInvited && iv.InviteURL == u.Link
	case UpdateScheduled, UpdateRescheduled:
		return iv.State == StateScheduled && iv.ScheduledAt.Equal(u.At)
	case UpdateCompleted:
		return iv.State == StateCompleted || iv.State == StateReported
	}
	return iv.State == to && to != StateScheduled
}

func (e *Engine) completed(ch *change, pos *Position, iv *Interview, u Update) error {
	r := ats.Result{}
	if u.Result != nil {
		r = *u.Result
	}
	iv.Result = &r
	iv.ExpiresAt = time.Time{}
	d := resultNoteData(r)
	d.Detail = u.Detail
	if err := ch.note(pos, iv, NoteCompleted, d); err != nil {
		return err
	}
	if pos != nil {
		switch {
		case r.Grade.Passed():
			ch.move(iv, pos.Config.Stages.Passed)
		case r.Grade == ats.GradeFailed:
			ch.move(iv, pos.Config.Stages.Failed)
		}
		if pos.Config.Feedback {
			fb := ats.Feedback{
				Title: e.opts.VendorName + " – " + iv.RoundName, Score: r.Score, Grade: string(r.Grade),
				Summary: r.Summary, ReportURL: r.ReportURL, Fields: r.Details,
			}
			if r.PlaybackURL != "" {
				fb.Fields = append(fb.Fields, ats.FeedbackField{Name: "Recording", Value: r.PlaybackURL})
			}
			if d.PDFURL != "" {
				fb.Fields = append(fb.Fields, ats.FeedbackField{Name: "PDF report", Value: d.PDFURL})
			}
			for _, a := range d.Attachments {
				fb.Fields = append(fb.Fields, ats.FeedbackField{Name: a.Description, Value: a.URL})
			}
			ch.effect(iv, EffectFeedback, feedbackPayload{Feedback: fb})
		}
	}
	e.attachReportOnATS(ch, iv, r)
	if iv.Callback != nil {
		cr := CallbackResult{Status: CallbackCompleted, ResultsURL: r.ReportURL, Score: r.Score, Grade: r.Grade,
			Summary: r.Summary, Duration: r.Duration, Attachments: r.Attachments}
		if len(r.Details) > 0 {
			cr.Details = map[string]any{}
			for _, f := range r.Details {
				cr.Details[f.Name] = f.Value
			}
		}
		ch.callback(iv, cr)
	}
	// Runs after the result effects above (same order key): completes the
	// interview once the ATS has the result.
	ch.effect(iv, EffectMarkReported, struct{}{})
	return nil
}
