package ashby

import (
	"context"
	"iter"
	"strings"
	"time"

	"github.com/atskit/atskit/ats"
)

// Job is an Ashby job (https://developers.ashbyhq.com/reference/joblist).
type Job struct {
	ID                     string   `json:"id"`
	Title                  string   `json:"title"`
	Confidential           bool     `json:"confidential"`
	Status                 string   `json:"status"` // Draft, Open, Closed, Archived
	EmploymentType         string   `json:"employmentType,omitempty"`
	LocationID             string   `json:"locationId,omitempty"`
	DepartmentID           string   `json:"departmentId,omitempty"`
	DefaultInterviewPlanID string   `json:"defaultInterviewPlanId,omitempty"`
	InterviewPlanIDs       []string `json:"interviewPlanIds,omitempty"`
	CustomRequisitionID    string   `json:"customRequisitionId,omitempty"`
	CreatedAt              Time     `json:"createdAt"`
	UpdatedAt              Time     `json:"updatedAt"`
}

// Time is an Ashby timestamp. Ashby sends ISO 8601 strings; a number is
// read as milliseconds since the epoch (the unit of its request fields).
type Time struct{ time.Time }

// UnmarshalJSON accepts an RFC 3339 string (or one without a zone, read
// as UTC, or a bare date), a millisecond number, or null.
func (t *Time) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" || s == `""` {
		t.Time = time.Time{}
		return nil
	}
	if strings.HasPrefix(s, `"`) && strings.HasSuffix(s, `"`) && len(s) >= 2 {
		raw := s[1 : len(s)-1]
		// RFC 3339 is what Ashby sends; a date-time without a zone is read
		// as UTC (as Ashby reads one), and a bare date as midnight UTC.
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
			if v, err := time.Parse(layout, raw); err == nil {
				t.Time = v.UTC()
				return nil
			}
		}
		return &time.ParseError{Layout: time.RFC3339, Value: raw, Message: ": not an ISO 8601 timestamp"}
	}
	var ms int64
	for i, r := range s {
		if r < '0' || r > '9' {
			if !(i == 0 && r == '-') {
				return &time.ParseError{Layout: "milliseconds", Value: s, Message: ": not a timestamp"}
			}
			continue
		}
		ms = ms*10 + int64(r-'0')
	}
	if strings.HasPrefix(s, "-") {
		ms = -ms
	}
	t.Time = time.UnixMilli(ms).UTC()
	return nil
}

// MarshalJSON writes RFC 3339 with milliseconds, or null for the zero time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.UTC().Format("2006-01-02T15:04:05.000Z07:00") + `"`), nil
}

// ListJobsOptions filters ListJobs.
type ListJobsOptions struct {
	ListOptions
	// Status restricts the listing (Draft, Open, Closed, Archived). Ashby
	// lists Draft jobs only when asked.
	Status []string
}

// ListJobs lists jobs page by page (job.list,
// https://developers.ashbyhq.com/reference/joblist). Permission: jobsRead.
func (c *Client) ListJobs(ctx context.Context, opts ListJobsOptions) iter.Seq2[Job, error] {
	return list[Job](ctx, c, "list jobs", "job.list", opts.ListOptions, func(b listBody) any {
		return struct {
			listBody
			Status []string `json:"status,omitempty"`
		}{b, opts.Status}
	})
}

// JobInfo reads one job (job.info, https://developers.ashbyhq.com/reference/jobinfo).
func (c *Client) JobInfo(ctx context.Context, id string) (Job, error) {
	return call[Job](ctx, c, "read job "+short(id), "job.info", map[string]string{"id": id}, true)
}

// Jobs implements ats.JobLister. ats.JobDraft lists Ashby's Draft jobs,
// ats.JobPublished its Open jobs; the zero State lists Open, Closed and
// Archived jobs (Ashby's default).
func (c *Client) Jobs(ctx context.Context, opts ats.ListJobsOptions) iter.Seq2[ats.Job, error] {
	var status []string
	switch opts.State {
	case ats.JobDraft:
		status = []string{"Draft"}
	case ats.JobPublished, ats.JobInternal:
		status = []string{"Open"}
	case ats.JobClosed:
		status = []string{"Closed"}
	case ats.JobArchived:
		status = []string{"Archived"}
	}
	return func(yield func(ats.Job, error) bool) {
		for j, err := range c.ListJobs(ctx, ListJobsOptions{ListOptions: ListOptions{Limit: opts.PageSize}, Status: status}) {
			if err != nil {
				yield(ats.Job{}, err)
				return
			}
			if opts.State == ats.JobInternal && !j.Confidential {
				continue
			}
			if !yield(j.ATS(), nil) {
				return
			}
		}
	}
}

// ATS converts j to an ats.Job.
func (j Job) ATS() ats.Job {
	out := ats.Job{
		ID: j.ID, Title: j.Title, RawState: j.Status, State: ats.JobUnknown,
		ExternalIDs: map[string]string{"id": j.ID},
		CreatedAt:   j.CreatedAt.Time, UpdatedAt: j.UpdatedAt.Time,
	}
	if j.CustomRequisitionID != "" {
		out.ExternalIDs["requisition"] = j.CustomRequisitionID
	}
	switch j.Status {
	case "Draft":
		out.State = ats.JobDraft
	case "Open":
		out.State = ats.JobPublished
		if j.Confidential {
			out.State = ats.JobInternal
		}
	case "Closed":
		out.State = ats.JobClosed
	case "Archived":
		out.State = ats.JobArchived
	}
	return out
}

// LinkedJobs implements ats.LinkedJobLister: the open jobs whose interview
// plan has a stage titled Options.VendorStage. Ashby has no job tags, so a
// vendor stage in the plan is the link, as Ashby assessment and interview
// partners use it. It reads each open job's plan (one call per job).
func (c *Client) LinkedJobs(ctx context.Context) iter.Seq2[ats.Job, error] {
	return func(yield func(ats.Job, error) bool) {
		if strings.TrimSpace(c.opts.VendorStage) == "" {
			yield(ats.Job{}, &ats.ValidationError{Op: "list linked jobs", Fields: []ats.FieldError{{Field: "Options.VendorStage", Message: "is empty; set it to the interview-plan stage title that links a job to the vendor"}}})
			return
		}
		for j, err := range c.ListJobs(ctx, ListJobsOptions{Status: []string{"Open"}}) {
			if err != nil {
				yield(ats.Job{}, err)
				return
			}
			plan, err := c.JobInterviewPlan(ctx, j.ID)
			if err != nil {
				yield(ats.Job{}, err)
				return
			}
			for _, s := range plan.Stages {
				if strings.EqualFold(strings.TrimSpace(s.Title), strings.TrimSpace(c.opts.VendorStage)) {
					aj := j.ATS()
					aj.Link = ats.JobLink{Linked: true, Marker: s.Title, StageID: s.ID}
					if !yield(aj, nil) {
						return
					}
					break
				}
			}
		}
	}
}
