package greenhouse

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/httpx"
	"github.com/atskit/atskit/internal/paging"
)

// Application is a Harvest v3 application
// (https://harvestdocs.greenhouse.io/reference/get_v3-applications).
// Status is answered as in_process, rejected, hired or converted (the
// list filter says active where the answer says in_process).
type Application struct {
	ID                  ID        `json:"id"`
	CandidateID         ID        `json:"candidate_id"`
	JobID               ID        `json:"job_id"`
	JobInterviewStageID ID        `json:"job_interview_stage_id"`
	StageID             ID        `json:"stage_id"`
	StageName           string    `json:"stage_name"`
	Status              string    `json:"status"`
	Prospect            bool      `json:"prospect"`
	RejectedAt          time.Time `json:"rejected_at"`
	LastActivityAt      time.Time `json:"last_activity_at"`
	CreatedAt           time.Time `json:"created_at"`
	UpdatedAt           time.Time `json:"updated_at"`
}

// Active reports whether the application is in process (not rejected,
// hired or converted).
func (a Application) Active() bool { return a.Status == "in_process" || a.Status == "active" }

// currentStage is the application's job_interview_stage_id. Applications
// from before Greenhouse added that field (2026) carry only stage_id,
// which v3 clients treat as the same ID.
func (a Application) currentStage() ID {
	if a.JobInterviewStageID != 0 {
		return a.JobInterviewStageID
	}
	return a.StageID
}

// Person is a Harvest v3 candidate (the person behind applications,
// https://harvestdocs.greenhouse.io/reference/get_v3-candidates).
type Person struct {
	ID             ID           `json:"id"`
	FirstName      string       `json:"first_name"`
	LastName       string       `json:"last_name"`
	PreferredName  string       `json:"preferred_name"`
	EmailAddresses []TypedValue `json:"email_addresses"`
	PhoneNumbers   []TypedValue `json:"phone_numbers"`
	Tags           []string     `json:"tags"`
	CreatedAt      time.Time    `json:"created_at"`
	UpdatedAt      time.Time    `json:"updated_at"`
}

// TypedValue is a contact detail with its type ("personal", "work", …).
type TypedValue struct {
	Value string `json:"value"`
	Type  string `json:"type"`
}

// Applications reads applications by ID, up to 50 (GET
// /v3/applications?ids=; Harvest v3 has no single-application GET).
func (c *Client) Applications(ctx context.Context, ids ...int64) ([]Application, error) {
	if len(ids) > maxIDs {
		return nil, invalid("read applications", ats.FieldError{Field: "ids", Message: fmt.Sprintf("%d IDs; Greenhouse allows at most %d per request", len(ids), maxIDs)})
	}
	return all[Application](ctx, c, "read applications", "/applications", query("ids", joinIDs(ids), "per_page", fmt.Sprint(maxIDs)))
}

// Application reads one application. An unknown ID is ats.ErrNotFound.
func (c *Client) Application(ctx context.Context, id string) (Application, error) {
	op := "read application " + id
	n, err := parseID(op, "application_id", id)
	if err != nil {
		return Application{}, notFoundOr(op, id, err)
	}
	apps, err := c.Applications(ctx, n)
	if err != nil {
		return Application{}, err
	}
	for _, a := range apps {
		if int64(a.ID) == n {
			return a, nil
		}
	}
	return Application{}, notFound(op, "no application %s", id)
}

// notFoundOr turns a malformed ID into ats.ErrNotFound: no record has it.
func notFoundOr(op, id string, err error) error {
	return &ats.APIError{ATS: "greenhouse", Op: op, StatusCode: http.StatusNotFound, Message: err.Error()}
}

// People reads candidates (persons) by ID, up to 50 per request.
func (c *Client) People(ctx context.Context, ids ...int64) ([]Person, error) {
	var out []Person
	for chunk := range slices.Chunk(ids, maxIDs) {
		got, err := all[Person](ctx, c, "read candidates", "/candidates", query("ids", joinIDs(chunk), "per_page", fmt.Sprint(maxIDs)))
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// Candidate reads an application with its person and current stage
// (implements ats.CandidateGetter). id is the application ID.
func (c *Client) Candidate(ctx context.Context, id string) (ats.Candidate, error) {
	a, err := c.Application(ctx, id)
	if err != nil {
		return ats.Candidate{}, err
	}
	people, err := c.People(ctx, int64(a.CandidateID))
	if err != nil {
		return ats.Candidate{}, err
	}
	var p *Person
	for i := range people {
		if people[i].ID == a.CandidateID {
			p = &people[i]
		}
	}
	if p == nil {
		return ats.Candidate{}, notFound("read candidate "+a.CandidateID.String(), "application %s names candidate %s, which the token's user cannot see", id, a.CandidateID)
	}
	out := c.toATS(ctx, a, p)
	if out.ResumeURL, err = c.resumeURL(ctx, a.ID); err != nil {
		return ats.Candidate{}, err
	}
	return out, nil
}

// AttachmentRecord is an attachment as GET /v3/attachments returns it
// (https://harvestdocs.greenhouse.io/reference/get_v3-attachments). Its
// URL is temporary (Greenhouse: attachments expire in 7 days).
type AttachmentRecord struct {
	ID            ID     `json:"id"`
	ApplicationID ID     `json:"application_id"`
	CandidateID   ID     `json:"candidate_id"`
	Type          string `json:"type"`
	Filename      string `json:"filename"`
	URL           string `json:"url"`
}

// resumeURL returns the temporary URL of the application's newest resume,
// or "". A token without harvest:attachments:list reads candidates
// without resumes rather than failing.
func (c *Client) resumeURL(ctx context.Context, appID ID) (string, error) {
	atts, err := all[AttachmentRecord](ctx, c, "list attachments", "/attachments", query("application_ids", appID.String(), "per_page", "50"))
	if errors.Is(err, ats.ErrForbidden) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	url := ""
	for _, at := range atts {
		if at.Type == "resume" {
			url = at.URL
		}
	}
	return url, nil
}

func (c *Client) toATS(ctx context.Context, a Application, p *Person) ats.Candidate {
	out := ats.Candidate{
		ID: a.ID.String(), JobID: a.JobID.String(),
		Stage:        ats.StageRef{ID: a.currentStage().String(), Name: a.StageName},
		Disqualified: a.Status == "rejected",
		CreatedAt:    a.CreatedAt, UpdatedAt: a.LastActivityAt,
	}
	if out.UpdatedAt.IsZero() {
		out.UpdatedAt = a.UpdatedAt
	}
	if p != nil {
		out.PersonID = p.ID.String()
		out.FirstName, out.LastName = p.FirstName, p.LastName
		out.Name = strings.TrimSpace(p.FirstName + " " + p.LastName)
		for _, e := range p.EmailAddresses {
			if e.Value != "" {
				out.Emails = append(out.Emails, e.Value)
			}
		}
		for _, ph := range p.PhoneNumbers {
			if ph.Value != "" {
				out.Phones = append(out.Phones, ph.Value)
			}
		}
		out.Tags = p.Tags
		out.ProfileURL = fmt.Sprintf("https://app.greenhouse.io/people/%s?application_id=%s", p.ID, a.ID)
	}
	if out.Stage.Name == "" && out.Stage.ID != "" && out.JobID != "" {
		if stages, err := c.JobStages(ctx, out.JobID); err == nil {
			for _, s := range stages {
				if s.ID.String() == out.Stage.ID {
					out.Stage.Name = s.Name
				}
			}
		}
	}
	return out
}

// Candidates lists active applications matching filter with their
// persons (implements ats.CandidateLister). JobID filters on job_ids;
// StageID on the job's stage (sent as Greenhouse's exact stage_name
// filter, since stage_ids takes application-stage IDs, and checked again
// on job_interview_stage_id); UpdatedAfter on last_activity_at; Tag is
// checked on each person. Persons are read 50 per request.
func (c *Client) Candidates(ctx context.Context, filter ats.CandidateFilter) iter.Seq2[ats.Candidate, error] {
	return func(yield func(ats.Candidate, error) bool) {
		q := query("status", "active", "per_page", fmt.Sprint(pageSize(filter.PageSize)))
		if filter.JobID != "" {
			if _, err := parseID("list applications", "job_id", filter.JobID); err != nil {
				yield(ats.Candidate{}, err)
				return
			}
			q.Set("job_ids", filter.JobID)
		}
		if filter.StageID != "" {
			if filter.JobID == "" {
				yield(ats.Candidate{}, invalid("list applications", ats.FieldError{Field: "StageID", Message: "needs JobID: Greenhouse stages belong to one job"}))
				return
			}
			stages, err := c.JobStages(ctx, filter.JobID)
			if err != nil {
				yield(ats.Candidate{}, err)
				return
			}
			i := slices.IndexFunc(stages, func(s JobStage) bool { return s.ID.String() == filter.StageID })
			if i < 0 {
				yield(ats.Candidate{}, invalid("list applications", ats.FieldError{Field: "StageID", Message: fmt.Sprintf("%s is not an active stage of job %s", filter.StageID, filter.JobID)}))
				return
			}
			q.Set("stage_name", stages[i].Name)
		}
		if !filter.UpdatedAfter.IsZero() {
			// The OpenAPI declares the range filters pipeDelimited objects;
			// the exact wire form is not described in prose. gte|<time> is
			// what third-party v3 connectors send.
			q.Set("last_activity_at", "gte|"+filter.UpdatedAfter.UTC().Format("2006-01-02T15:04:05.000Z"))
		}
		// One page of applications, then their persons 50 per request;
		// internal/paging holds one page in memory at a time.
		seq := paging.Seq(ctx, func(ctx context.Context, next string) ([]ats.Candidate, string, error) {
			apps, nx, err := fetchPage[Application](ctx, c, "list applications", "/applications", q, next)
			if err != nil {
				return nil, "", err
			}
			ids := make([]int64, 0, len(apps))
			for _, a := range apps {
				ids = append(ids, int64(a.CandidateID))
			}
			people, err := c.People(ctx, ids...)
			if err != nil {
				return nil, "", err
			}
			byID := make(map[ID]*Person, len(people))
			for i := range people {
				byID[people[i].ID] = &people[i]
			}
			out := make([]ats.Candidate, 0, len(apps))
			for _, a := range apps {
				if filter.StageID != "" && a.currentStage().String() != filter.StageID {
					continue
				}
				ac := c.toATS(ctx, a, byID[a.CandidateID])
				if filter.Tag != "" && !ac.HasTag(filter.Tag) {
					continue
				}
				out = append(out, ac)
			}
			return out, nx, nil
		})
		for cand, err := range seq {
			if !yield(cand, err) || err != nil {
				return
			}
		}
	}
}

// moveBody is the body of POST /v3/applications/{id}/move.
type moveBody struct {
	FromStageID int64 `json:"from_stage_id"`
	ToStageID   int64 `json:"to_stage_id,omitempty"`
	ToJobID     int64 `json:"to_job_id,omitempty"`
}

// MoveCandidate moves an application to a stage of its job (implements
// ats.CandidateMover) with POST /v3/applications/{id}/move
// (https://harvestdocs.greenhouse.io/reference/post_v3-applications-application-id-move).
// Greenhouse requires from_stage_id, the application's current stage, as
// a guard against stale moves; the client reads it first. Moving to the
// current stage is a no-op. A move whose answer was lost and whose retry
// Greenhouse refused as stale is confirmed by reading the application
// again. Only active applications move; others get ats.ErrValidation.
func (c *Client) MoveCandidate(ctx context.Context, candidateID, stageID string) error {
	op := "move application " + candidateID
	to, err := parseID(op, "stage_id", stageID)
	if err != nil {
		return err
	}
	a, err := c.Application(ctx, candidateID)
	if err != nil {
		return err
	}
	if int64(a.currentStage()) == to {
		return nil
	}
	if !a.Active() {
		return invalid(op, ats.FieldError{Field: "status", Message: fmt.Sprintf("application is %s; only active applications can be moved", a.Status)})
	}
	_, err = c.do(ctx, &httpx.Request{
		Op: op, Method: http.MethodPost, Path: "/applications/" + a.ID.String() + "/move",
		Body: moveBody{FromStageID: int64(a.currentStage()), ToStageID: to},
		// from_stage_id makes a repeat harmless: it can only land once.
		Idempotent: true,
	}, nil)
	if err != nil && errors.Is(err, ats.ErrValidation) {
		if now, rerr := c.Application(ctx, candidateID); rerr == nil && int64(now.currentStage()) == to {
			return nil
		}
	}
	return err
}

// RejectionReason is a rejection reason of the account
// (https://harvestdocs.greenhouse.io/reference/get_v3-rejection-reasons).
type RejectionReason struct {
	ID   ID     `json:"id"`
	Name string `json:"name"`
	Type struct {
		ID   ID     `json:"id"`
		Key  string `json:"key"`
		Name string `json:"name"`
	} `json:"type"`
}

// RejectionReasons lists the account's rejection reasons (cached).
func (c *Client) RejectionReasons(ctx context.Context) ([]RejectionReason, error) {
	c.mu.Lock()
	rs := c.reasons
	c.mu.Unlock()
	if rs != nil {
		return rs, nil
	}
	rs, err := all[RejectionReason](ctx, c, "list rejection reasons", "/rejection_reasons", query("per_page", fmt.Sprint(MaxPageSize)))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.reasons = rs
	c.mu.Unlock()
	return rs, nil
}

// rejectBody is the body of POST /v3/applications/{id}/reject.
type rejectBody struct {
	RejectionReasonID int64  `json:"rejection_reason_id"`
	Notes             string `json:"notes,omitempty"`
}

// Disqualify rejects an application (implements ats.Disqualifier) with
// POST /v3/applications/{id}/reject
// (https://harvestdocs.greenhouse.io/reference/post_v3-applications-application-id-reject).
// reason is matched against the account's rejection reasons by ID or name;
// otherwise Options.DefaultRejectionReason is used and reason goes into
// the rejection notes. No rejection email is sent. Rejecting an
// application that is already rejected is not an error.
func (c *Client) Disqualify(ctx context.Context, candidateID, reason string) error {
	op := "reject application " + candidateID
	a, err := c.Application(ctx, candidateID)
	if err != nil {
		return err
	}
	if a.Status == "rejected" {
		return nil
	}
	rs, err := c.RejectionReasons(ctx)
	if err != nil {
		return err
	}
	pick := func(s string) (RejectionReason, bool) {
		s = strings.TrimSpace(s)
		for _, r := range rs {
			if s != "" && (r.ID.String() == s || strings.EqualFold(r.Name, s)) {
				return r, true
			}
		}
		return RejectionReason{}, false
	}
	r, ok := pick(reason)
	notes := ""
	if !ok {
		if r, ok = pick(c.opts.DefaultRejectionReason); !ok {
			return invalid(op, ats.FieldError{Field: "reason", Message: fmt.Sprintf("%q is not one of the account's rejection reasons and Options.DefaultRejectionReason names none either", reason)})
		}
		notes = reason
	}
	_, err = c.do(ctx, &httpx.Request{
		Op: op, Method: http.MethodPost, Path: "/applications/" + a.ID.String() + "/reject",
		Body: rejectBody{RejectionReasonID: int64(r.ID), Notes: notes},
	}, nil)
	if err != nil && errors.Is(err, ats.ErrValidation) {
		if now, rerr := c.Application(ctx, candidateID); rerr == nil && now.Status == "rejected" {
			return nil
		}
	}
	return err
}

// Unreject reverses a rejection (POST /v3/applications/{id}/unreject,
// https://harvestdocs.greenhouse.io/reference/post_v3-applications-application-id-unreject).
func (c *Client) Unreject(ctx context.Context, applicationID string) error {
	op := "unreject application " + applicationID
	if _, err := parseID(op, "application_id", applicationID); err != nil {
		return err
	}
	_, err := c.do(ctx, &httpx.Request{Op: op, Method: http.MethodPost, Path: "/applications/" + applicationID + "/unreject", Body: struct{}{}}, nil)
	return err
}
