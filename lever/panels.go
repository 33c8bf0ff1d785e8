package lever

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/httpx"
)

// Panel is an interview panel on an opportunity
// (https://hire.lever.co/developer/documentation#panels). Panels created
// through the API are externally managed: Lever shows them on the
// candidate's page, and only they can be updated or deleted through the
// API.
type Panel struct {
	ID                string           `json:"id,omitempty"`
	Applications      []string         `json:"applications,omitempty"`
	Timezone          string           `json:"timezone"`
	FeedbackReminder  string           `json:"feedbackReminder,omitempty"`
	Note              string           `json:"note,omitempty"`
	ExternalURL       string           `json:"externalUrl,omitempty"`
	ExternallyManaged bool             `json:"externallyManaged,omitempty"`
	Interviews        []PanelInterview `json:"interviews"`
	CreatedAt         Millis           `json:"createdAt,omitempty"`
}

// PanelInterview is one interview of a panel. Date is epoch milliseconds,
// Duration whole minutes (at least 1).
type PanelInterview struct {
	ID               string             `json:"id,omitempty"`
	Subject          string             `json:"subject,omitempty"`
	Note             string             `json:"note,omitempty"`
	Location         string             `json:"location,omitempty"`
	Interviewers     []PanelInterviewer `json:"interviewers"`
	Date             Millis             `json:"date"`
	Duration         int                `json:"duration"`
	FeedbackTemplate string             `json:"feedbackTemplate,omitempty"`
	FeedbackReminder string             `json:"feedbackReminder,omitempty"`
	FeedbackForms    []string           `json:"feedbackForms,omitempty"`
}

// PanelInterviewer is a Lever user on an interview.
type PanelInterviewer struct {
	ID string `json:"id"`
}

// panelRequired checks that a panel response names the panel and its
// interview.
func panelRequired(p Panel) string {
	switch {
	case p.ID == "":
		return "the panel id"
	case len(p.Interviews) == 0 || p.Interviews[0].ID == "":
		return "the panel's interview id"
	}
	return ""
}

// CreatePanel creates an externally managed panel with its interviews on
// an opportunity (POST /opportunities/:id/panels?perform_as=, scopes
// panels:write:admin and interviews:write:admin; perform_as is required).
// Lever answers {"data":{"data":[panel]}}; every envelope is accepted, and
// a response without the panel or interview ID is an error wrapping
// ErrIncompleteResponse.
//
// https://hire.lever.co/developer/documentation#create-a-panel
func (c *Client) CreatePanel(ctx context.Context, opportunityID string, p Panel) (Panel, error) {
	return c.writePanel(ctx, "POST", opportunityID, "", p)
}

// UpdatePanel replaces an externally managed panel, interviews included
// (PUT /opportunities/:id/panels/:panel?perform_as=). The interviews get
// new IDs; the returned panel carries them.
//
// https://hire.lever.co/developer/documentation#update-a-panel
func (c *Client) UpdatePanel(ctx context.Context, opportunityID string, p Panel) (Panel, error) {
	if p.ID == "" {
		return Panel{}, &ats.ValidationError{Op: "update panel", Fields: []ats.FieldError{{Field: "id", Message: "is required"}}}
	}
	return c.writePanel(ctx, "PUT", opportunityID, p.ID, p)
}

// DeletePanel deletes an externally managed panel
// (DELETE /opportunities/:id/panels/:panel?perform_as=).
//
// https://hire.lever.co/developer/documentation#delete-a-panel
func (c *Client) DeletePanel(ctx context.Context, opportunityID, panelID string) error {
	q, err := c.requiredPerformAs(ctx, "delete panel", "")
	if err != nil {
		return err
	}
	_, err = c.do(ctx, &httpx.Request{Op: "delete panel " + short(panelID) + " of opportunity " + short(opportunityID), Method: "DELETE",
		Path: "/opportunities/" + url.PathEscape(opportunityID) + "/panels/" + url.PathEscape(panelID), Query: q}, nil)
	return err
}

func (c *Client) writePanel(ctx context.Context, method, opportunityID, panelID string, p Panel) (Panel, error) {
	op := "create panel on opportunity " + short(opportunityID)
	path := "/opportunities/" + url.PathEscape(opportunityID) + "/panels"
	if panelID != "" {
		op = "update panel " + short(panelID) + " of opportunity " + short(opportunityID)
		path += "/" + url.PathEscape(panelID)
	}
	if p.Timezone == "" || len(p.Interviews) == 0 {
		return Panel{}, &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "timezone, interviews", Message: "Lever requires a time zone and at least one interview"}}}
	}
	for _, iv := range p.Interviews {
		if len(iv.Interviewers) == 0 || iv.Date == 0 || iv.Duration < 1 {
			return Panel{}, &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "interviews", Message: "each interview needs an interviewer who is a Lever user, a date and a duration of at least one minute"}}}
		}
	}
	q, err := c.requiredPerformAs(ctx, op, "")
	if err != nil {
		return Panel{}, err
	}
	body := p
	body.ID, body.ExternallyManaged, body.CreatedAt = "", false, 0
	for i := range body.Interviews {
		body.Interviews[i].ID, body.Interviews[i].FeedbackForms = "", nil
	}
	return write(ctx, c, &httpx.Request{Op: op, Method: method, Path: path, Query: q, Body: body}, panelRequired)
}

// requiredPerformAs is writeQuery for endpoints where Lever requires
// perform_as (feedback, panels, interviews, files).
func (c *Client) requiredPerformAs(ctx context.Context, op, override string) (url.Values, error) {
	q, err := c.writeQuery(ctx, override)
	if err != nil {
		return nil, err
	}
	if q.Get("perform_as") == "" {
		return nil, &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "perform_as",
			Message: "Lever requires a user to act as here: set lever.Options.PerformAs or PerformAsEmail"}}}
	}
	return q, nil
}

// panelOf turns a scheduled interview into a panel with one interview.
// Lever needs an interviewer who is a Lever user; with none given the
// integration's perform_as user is used. Feedback reminders are off:
// the vendor, not a Lever user, fills the form. Whether Lever also sends
// calendar invitations to the interviewers of an externally managed panel
// is not documented; the interviewer is the integration's user by default,
// so no recruiter is invited to the vendor's interview either way.
func (c *Client) panelOf(ctx context.Context, si ats.ScheduledInterview) (Panel, error) {
	tz := si.TimeZone
	if tz == "" {
		tz = "UTC"
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return Panel{}, &ats.ValidationError{Op: "schedule interview", Fields: []ats.FieldError{{Field: "TimeZone", Message: fmt.Sprintf("%q is not an IANA time zone", tz)}}}
	}
	who := si.Interviewers
	if len(who) == 0 {
		id, err := c.PerformAsUser(ctx)
		if err != nil {
			return Panel{}, err
		}
		if id == "" {
			return Panel{}, &ats.ValidationError{Op: "schedule interview", Fields: []ats.FieldError{{Field: "Interviewers", Message: "Lever needs an interviewer who is a Lever user: pass one or set lever.Options.PerformAs"}}}
		}
		who = []string{id}
	}
	iv := PanelInterview{Subject: si.Subject, Note: si.Note, Location: si.URL, Date: MillisOf(si.Start),
		Duration: max(1, int((si.Duration+time.Minute-1)/time.Minute)), FeedbackReminder: "none", FeedbackTemplate: c.opts.PanelFeedbackTemplate}
	for _, id := range who {
		iv.Interviewers = append(iv.Interviewers, PanelInterviewer{ID: id})
	}
	return Panel{Timezone: tz, Note: si.Note, ExternalURL: si.URL, FeedbackReminder: "none", Interviews: []PanelInterview{iv}}, nil
}

func scheduledOf(si ats.ScheduledInterview, p Panel) ats.ScheduledInterview {
	si.ID = p.ID
	si.InterviewID = p.Interviews[0].ID
	return si
}

// CreateScheduledInterview puts the vendor's interview on the candidate's
// page as an externally managed panel with one interview (the vendor's
// link as externalUrl and location, the time zone, start, duration,
// subject, and an interviewer who is a Lever user). The result's ID is the
// panel ID and InterviewID the interview's; pass both (via
// ats.Feedback.ScheduledInterview) to tie the feedback to it. It
// implements ats.InterviewScheduler.
func (c *Client) CreateScheduledInterview(ctx context.Context, candidateID string, si ats.ScheduledInterview) (ats.ScheduledInterview, error) {
	p, err := c.panelOf(ctx, si)
	if err != nil {
		return ats.ScheduledInterview{}, err
	}
	created, err := c.CreatePanel(ctx, candidateID, p)
	if err != nil {
		return ats.ScheduledInterview{}, err
	}
	return scheduledOf(si, created), nil
}

// UpdateScheduledInterview moves the interview (a reschedule): the panel
// si.ID is replaced, and the result carries the interview's new ID. It
// implements ats.InterviewScheduler.
func (c *Client) UpdateScheduledInterview(ctx context.Context, candidateID string, si ats.ScheduledInterview) (ats.ScheduledInterview, error) {
	p, err := c.panelOf(ctx, si)
	if err != nil {
		return ats.ScheduledInterview{}, err
	}
	p.ID = si.ID
	updated, err := c.UpdatePanel(ctx, candidateID, p)
	if err != nil {
		return ats.ScheduledInterview{}, err
	}
	return scheduledOf(si, updated), nil
}

// DeleteScheduledInterview removes the panel (a cancellation); a panel
// that is already gone is not an error. It implements
// ats.InterviewScheduler.
func (c *Client) DeleteScheduledInterview(ctx context.Context, candidateID, id string) error {
	err := c.DeletePanel(ctx, candidateID, id)
	if errors.Is(err, ats.ErrNotFound) {
		return nil
	}
	return err
}
