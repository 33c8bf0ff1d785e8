package lifecycle

import (
	"context"
	"encoding/json"
	"time"

	"github.com/atskit/atskit/ats"
)

// EffectATSSchedule puts the scheduled interview on the candidate's
// profile in the ATS, keeps it current on reschedule and removes it on
// cancellation, through the adapter's optional ats.InterviewScheduler
// (Lever panels, Greenhouse scheduled interviews). Adapters without the
// capability get no such effect.
const EffectATSSchedule EffectKind = "ats_schedule"

// DefaultScheduledDuration is how long an interview is shown on the ATS
// profile when the vendor's update does not say (Update.Duration).
const DefaultScheduledDuration = time.Hour

type scheduleAction string

const (
	scheduleSync   scheduleAction = "sync"   // create, or update what exists
	scheduleRemove scheduleAction = "remove" // delete what exists
)

type schedulePayload struct {
	Action    scheduleAction         `json:"action"`
	Interview ats.ScheduledInterview `json:"interview,omitzero"`
}

// scheduler returns the adapter's InterviewScheduler for iv, or nil.
func (e *Engine) scheduler(ctx context.Context, iv *Interview) ats.InterviewScheduler {
	if iv.Detached {
		return nil
	}
	a, err := e.adapter(ctx, iv.Connection)
	if err != nil {
		return nil
	}
	s, _ := a.(ats.InterviewScheduler)
	return s
}

// scheduleOnATS queues putting iv's scheduled time on the ATS profile
// (after a scheduled or rescheduled update).
func (e *Engine) scheduleOnATS(ch *change, iv *Interview, u Update) {
	if e.scheduler(ch.ctx, iv) == nil {
		return
	}
	d := u.Duration
	if d <= 0 {
		d = DefaultScheduledDuration
	}
	url := u.Link
	if url == "" {
		url = iv.InviteURL
	}
	subject := e.opts.VendorName
	if iv.RoundName != "" {
		subject += " – " + iv.RoundName
	}
	ch.effect(iv, EffectATSSchedule, schedulePayload{Action: scheduleSync, Interview: ats.ScheduledInterview{
		Subject: subject, Start: iv.ScheduledAt, Duration: d, TimeZone: e.loc.String(), URL: url, Note: u.Detail,
	}})
}

// unscheduleOnATS queues removing iv's interview from the ATS profile
// (after a cancellation); it is skipped at delivery when none was put
// there.
func (e *Engine) unscheduleOnATS(ch *change, iv *Interview, wasScheduled bool) {
	if !wasScheduled || e.scheduler(ch.ctx, iv) == nil {
		return
	}
	ch.effect(iv, EffectATSSchedule, schedulePayload{Action: scheduleRemove})
}

// performSchedule delivers an EffectATSSchedule and records what the ATS
// returned on the interview, so later updates, the removal and the
// feedback find it.
func (d *Dispatcher) performSchedule(ctx context.Context, eff Effect) (skipped string, err error) {
	e := d.e
	p, err := decodePayload[schedulePayload](eff)
	if err != nil {
		return "", err
	}
	iv, err := e.store.Interview(ctx, eff.InterviewID)
	if err != nil {
		return "", err
	}
	s := e.scheduler(ctx, &iv)
	if s == nil {
		return "skipped: adapter does not put interviews on the profile", nil
	}
	cur := iv.ATSScheduled
	switch p.Action {
	case scheduleRemove:
		if cur == nil {
			return "skipped: no interview on the profile", nil
		}
		if err := s.DeleteScheduledInterview(ctx, eff.CandidateID, cur.ID); err != nil {
			return "", err
		}
		return "", e.recordATSScheduled(ctx, iv.ID, nil)
	case scheduleSync:
		var got ats.ScheduledInterview
		if cur == nil {
			got, err = s.CreateScheduledInterview(ctx, eff.CandidateID, p.Interview)
		} else {
			si := p.Interview
			si.ID, si.InterviewID = cur.ID, cur.InterviewID
			got, err = s.UpdateScheduledInterview(ctx, eff.CandidateID, si)
		}
		if err != nil {
			return "", err
		}
		return "", e.recordATSScheduled(ctx, iv.ID, &got)
	}
	return "", permanentError{errUnknownScheduleAction(p.Action)}
}

type errUnknownScheduleAction scheduleAction

func (a errUnknownScheduleAction) Error() string { return "unknown ats_schedule action " + string(a) }

// recordATSScheduled stores the interview on the ATS profile (nil: none).
func (e *Engine) recordATSScheduled(ctx context.Context, id string, si *ats.ScheduledInterview) error {
	_, err := e.update(ctx, id, nil, func(ch *change, _ *Position, iv *Interview) error {
		iv.ATSScheduled = si
		iv.UpdatedAt = ch.now
		ch.record(iv, false)
		return nil
	})
	return err
}

// withScheduledInterview ties a feedback effect to the interview on the
// ATS profile, when there is one, so the form lands under it.
func (e *Engine) withScheduledInterview(ctx context.Context, eff Effect) (Effect, error) {
	iv, err := e.store.Interview(ctx, eff.InterviewID)
	if err != nil || iv.ATSScheduled == nil {
		return eff, err
	}
	p, err := decodePayload[feedbackPayload](eff)
	if err != nil {
		return eff, err
	}
	p.Feedback.ScheduledInterview = iv.ATSScheduled
	raw, err := json.Marshal(p)
	if err != nil {
		return eff, err
	}
	eff.Payload = raw
	return eff, nil
}
