package ashby

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/atskit/atskit/ats"
)

// InterviewSchedule is an Ashby interview schedule
// (https://developers.ashbyhq.com/reference/interviewschedulecreate).
type InterviewSchedule struct {
	ID               string           `json:"id"`
	Status           string           `json:"status"`
	ApplicationID    string           `json:"applicationId"`
	InterviewStageID string           `json:"interviewStageId"`
	InterviewEvents  []InterviewEvent `json:"interviewEvents"`
}

// InterviewEvent is one interview of a schedule. Ashby's schedule
// endpoints do not spell out the event object; assumed: it carries at
// least id, startTime and endTime.
type InterviewEvent struct {
	ID        string `json:"id"`
	StartTime Time   `json:"startTime"`
	EndTime   Time   `json:"endTime"`
}

// interviewEventIn is an event as interviewSchedule.create and .update
// take it.
type interviewEventIn struct {
	InterviewEventID string              `json:"interviewEventId,omitempty"`
	StartTime        string              `json:"startTime"`
	EndTime          string              `json:"endTime"`
	Interviewers     []map[string]string `json:"interviewers"`
	ExtraData        map[string]string   `json:"extraData,omitempty"`
}

// eventFor turns si into Ashby's event, resolving interviewers (Ashby user
// IDs) to the emails Ashby identifies interviewers by. With none given it
// uses the acting user.
func (c *Client) eventFor(ctx context.Context, op string, si ats.ScheduledInterview) (interviewEventIn, error) {
	if si.Start.IsZero() || si.Duration < time.Minute {
		return interviewEventIn{}, &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "Start/Duration", Message: "an interview needs a start time and at least one minute"}}}
	}
	ids := si.Interviewers
	if len(ids) == 0 {
		id, err := c.ActingUser(ctx)
		if err != nil {
			return interviewEventIn{}, err
		}
		if id == "" {
			return interviewEventIn{}, &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "Interviewers", Message: "Ashby needs at least one interviewer: pass Ashby user IDs or set Options.ActingUserEmail"}}}
		}
		ids = []string{id}
	}
	ev := interviewEventIn{
		StartTime: si.Start.UTC().Format(time.RFC3339),
		EndTime:   si.Start.Add(si.Duration.Round(time.Minute)).UTC().Format(time.RFC3339),
	}
	for _, id := range ids {
		u, err := call[User](ctx, c, "read user "+short(id), "user.info", map[string]string{"userId": id}, true)
		if err != nil {
			return interviewEventIn{}, err
		}
		ev.Interviewers = append(ev.Interviewers, map[string]string{"email": u.Email})
	}
	// Assumed: extraData is free-form data kept with the event; the
	// vendor's subject, link and note travel there.
	extra := map[string]string{}
	for k, v := range map[string]string{"subject": si.Subject, "url": si.URL, "note": si.Note, "timeZone": si.TimeZone} {
		if v != "" {
			extra[k] = v
		}
	}
	if len(extra) > 0 {
		ev.ExtraData = extra
	}
	return ev, nil
}

func scheduled(s InterviewSchedule, si ats.ScheduledInterview) ats.ScheduledInterview {
	si.ID = s.ID
	if len(s.InterviewEvents) > 0 {
		si.InterviewID = s.InterviewEvents[len(s.InterviewEvents)-1].ID
	}
	return si
}

// CreateScheduledInterview implements ats.InterviewScheduler with
// interviewSchedule.create: candidateID is an application ID. The result's
// ID is the schedule ID and InterviewID the event ID. Permission:
// interviewsWrite. Not retried on transient failures (a retry could
// create a second schedule).
func (c *Client) CreateScheduledInterview(ctx context.Context, candidateID string, si ats.ScheduledInterview) (ats.ScheduledInterview, error) {
	op := "schedule interview for application " + short(candidateID)
	ev, err := c.eventFor(ctx, op, si)
	if err != nil {
		return ats.ScheduledInterview{}, err
	}
	s, err := call[InterviewSchedule](ctx, c, op, "interviewSchedule.create", map[string]any{"applicationId": candidateID, "interviewEvents": []interviewEventIn{ev}}, false)
	if err != nil {
		return ats.ScheduledInterview{}, err
	}
	return scheduled(s, si), nil
}

// UpdateScheduledInterview implements ats.InterviewScheduler with
// interviewSchedule.update, replacing the event si.InterviewID of schedule
// si.ID. Ashby lets only the API key that created a schedule update it.
func (c *Client) UpdateScheduledInterview(ctx context.Context, candidateID string, si ats.ScheduledInterview) (ats.ScheduledInterview, error) {
	op := "reschedule interview " + short(si.ID)
	if si.ID == "" || si.InterviewID == "" {
		return ats.ScheduledInterview{}, &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "ID/InterviewID", Message: "the schedule and event IDs from CreateScheduledInterview are required"}}}
	}
	ev, err := c.eventFor(ctx, op, si)
	if err != nil {
		return ats.ScheduledInterview{}, err
	}
	ev.InterviewEventID = si.InterviewID
	s, err := call[InterviewSchedule](ctx, c, op, "interviewSchedule.update", map[string]any{"interviewScheduleId": si.ID, "interviewEvent": ev}, true)
	if err != nil {
		return ats.ScheduledInterview{}, err
	}
	out := si
	out.ID = s.ID
	return out, nil
}

// DeleteScheduledInterview implements ats.InterviewScheduler with
// interviewSchedule.cancel. A schedule that no longer exists is not an
// error.
func (c *Client) DeleteScheduledInterview(ctx context.Context, candidateID, id string) error {
	_, err := call[json.RawMessage](ctx, c, "cancel interview "+short(id), "interviewSchedule.cancel", map[string]any{"id": id}, true)
	if errors.Is(err, ats.ErrNotFound) {
		return nil
	}
	return err
}
