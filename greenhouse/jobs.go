package greenhouse

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/atskit/atskit/ats"
)

// Job is a Harvest v3 job
// (https://harvestdocs.greenhouse.io/reference/get_v3-jobs).
type Job struct {
	ID            ID        `json:"id"`
	Name          string    `json:"name"`
	RequisitionID string    `json:"requisition_id"`
	Status        string    `json:"status"` // open, draft or closed
	Confidential  bool      `json:"confidential"`
	IsTemplate    bool      `json:"is_template"`
	DepartmentID  ID        `json:"department_id"`
	OfficeIDs     []ID      `json:"office_ids"`
	OpenedAt      time.Time `json:"opened_at"`
	ClosedAt      time.Time `json:"closed_at"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// JobStage is a stage of a job's interview plan
// (https://harvestdocs.greenhouse.io/reference/get_v3-job-interview-stages).
type JobStage struct {
	ID        ID        `json:"id"`
	JobID     ID        `json:"job_id"`
	Name      string    `json:"name"`
	SortOrder int       `json:"sort_order"`
	Active    *bool     `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// IsActive reports whether the stage is active; a stage that does not say
// is taken as active.
func (s JobStage) IsActive() bool { return s.Active == nil || *s.Active }

// JobInterview is one interview of a job's interview plan
// (https://harvestdocs.greenhouse.io/reference/get_v3-job-interviews). A
// take-home test from an Assessment Partner has SchedulingType
// "take_home_test".
type JobInterview struct {
	ID                  ID     `json:"id"`
	JobID               ID     `json:"job_id"`
	JobInterviewStageID ID     `json:"job_interview_stage_id"`
	Name                string `json:"name"`
	SchedulingType      string `json:"scheduling_type"`
	SortOrder           int    `json:"sort_order"`
	Duration            int    `json:"duration"`
	Active              *bool  `json:"active"`
}

func jobState(status string) ats.JobState {
	switch status {
	case "open":
		return ats.JobPublished
	case "draft":
		return ats.JobDraft
	case "closed":
		return ats.JobClosed
	}
	return ats.JobUnknown
}

func (j Job) toATS() ats.Job {
	ext := map[string]string{"id": j.ID.String()}
	if j.RequisitionID != "" {
		ext["requisition_id"] = j.RequisitionID
	}
	return ats.Job{
		ID: j.ID.String(), Title: j.Name, State: jobState(j.Status), RawState: j.Status,
		ExternalIDs: ext, URL: "https://app.greenhouse.io/sdash/" + j.ID.String(),
		CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt,
	}
}

// Jobs lists jobs (GET /v3/jobs,
// https://harvestdocs.greenhouse.io/reference/get_v3-jobs). State
// published lists open jobs, draft and closed the same-named statuses;
// other states list nothing. Job templates are skipped.
func (c *Client) Jobs(ctx context.Context, opts ats.ListJobsOptions) iter.Seq2[ats.Job, error] {
	status := ""
	switch opts.State {
	case "":
	case ats.JobPublished:
		status = "open"
	case ats.JobDraft:
		status = "draft"
	case ats.JobClosed:
		status = "closed"
	default:
		return func(func(ats.Job, error) bool) {}
	}
	return func(yield func(ats.Job, error) bool) {
		for j, err := range c.RawJobs(ctx, status, opts.PageSize) {
			if err != nil {
				yield(ats.Job{}, err)
				return
			}
			if j.IsTemplate {
				continue
			}
			if !yield(j.toATS(), nil) {
				return
			}
		}
	}
}

// RawJobs lists jobs as Greenhouse returns them, filtered by status
// (open, draft, closed; "" for all).
func (c *Client) RawJobs(ctx context.Context, status string, perPage int) iter.Seq2[Job, error] {
	return list[Job](ctx, c, "list jobs", "/jobs", query("status", status, "per_page", fmt.Sprint(pageSize(perPage))))
}

// JobStages returns the active stages of a job's interview plan in
// sort_order (GET /v3/job_interview_stages?job_ids=,
// https://harvestdocs.greenhouse.io/reference/get_v3-job-interview-stages).
// Results are cached for a minute.
func (c *Client) JobStages(ctx context.Context, jobID string) ([]JobStage, error) {
	const op = "list job stages"
	if _, err := parseID(op, "job_id", jobID); err != nil {
		return nil, err
	}
	c.mu.Lock()
	e, ok := c.stageTTL[jobID]
	c.mu.Unlock()
	if ok && c.opts.Now().Sub(e.at) < time.Minute {
		return e.stages, nil
	}
	got, err := c.stagesOf(ctx, []string{jobID})
	if err != nil {
		return nil, err
	}
	stages := got[jobID]
	c.mu.Lock()
	c.stageTTL[jobID] = stageEntry{stages: stages, at: c.opts.Now()}
	c.mu.Unlock()
	return stages, nil
}

// stagesOf fetches the active stages of up to 50 jobs in one listing.
func (c *Client) stagesOf(ctx context.Context, jobIDs []string) (map[string][]JobStage, error) {
	out := map[string][]JobStage{}
	for chunk := range slices.Chunk(jobIDs, maxIDs) {
		stages, err := all[JobStage](ctx, c, "list job stages", "/job_interview_stages",
			query("job_ids", strings.Join(chunk, ","), "per_page", fmt.Sprint(MaxPageSize)))
		if err != nil {
			return nil, err
		}
		for _, s := range stages {
			if s.IsActive() {
				out[s.JobID.String()] = append(out[s.JobID.String()], s)
			}
		}
	}
	for k := range out {
		slices.SortStableFunc(out[k], func(a, b JobStage) int { return cmp.Compare(a.SortOrder, b.SortOrder) })
	}
	return out, nil
}

// Stages returns a job's interview-plan stages in order
// (implements ats.StageLister). An unknown job is ats.ErrNotFound.
func (c *Client) Stages(ctx context.Context, jobID string) ([]ats.Stage, error) {
	stages, err := c.JobStages(ctx, jobID)
	if err != nil {
		return nil, err
	}
	if len(stages) == 0 {
		// Every job has at least Application Review; an empty plan means
		// no such job (or none the token's user can see).
		return nil, notFound("list job stages", "job %s has no interview plan the token's user can see", jobID)
	}
	out := make([]ats.Stage, len(stages))
	for i, s := range stages {
		out[i] = ats.Stage{ID: s.ID.String(), Name: s.Name, Kind: stageKind(s.Name, i, len(stages)), Position: i}
	}
	return out, nil
}

// stageKind guesses a stage's kind from Greenhouse's default plan names;
// Greenhouse has no stage classification.
func stageKind(name string, i, n int) ats.StageKind {
	l := strings.ToLower(name)
	switch {
	case strings.Contains(l, "application review"):
		return ats.StageApplied
	case strings.Contains(l, "offer"):
		return ats.StageOffer
	case strings.Contains(l, "phone") || strings.Contains(l, "screen"):
		return ats.StagePhoneScreen
	case strings.Contains(l, "take home") || strings.Contains(l, "assessment") || strings.Contains(l, "test"):
		return ats.StageAssessment
	case strings.Contains(l, "interview") || strings.Contains(l, "onsite"):
		return ats.StageInterview
	}
	return ats.StageOther
}

// JobInterviews lists the interviews of up to 50 jobs' interview plans
// (GET /v3/job_interviews?job_ids=,
// https://harvestdocs.greenhouse.io/reference/get_v3-job-interviews).
func (c *Client) JobInterviews(ctx context.Context, jobIDs ...string) ([]JobInterview, error) {
	var out []JobInterview
	for chunk := range slices.Chunk(jobIDs, maxIDs) {
		got, err := all[JobInterview](ctx, c, "list job interviews", "/job_interviews",
			query("job_ids", strings.Join(chunk, ","), "per_page", fmt.Sprint(MaxPageSize)))
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// LinkedJobs lists the open jobs linked to the vendor: those whose
// interview plan has a stage named Options.VendorStage, or (when
// Options.AssessmentInterview is set) an interview of that name, the
// stage an Assessment Partner's test is added as. Greenhouse has no job
// tags, so the plan is the marker. Stages are read for 50 jobs per
// request. Implements ats.LinkedJobLister.
func (c *Client) LinkedJobs(ctx context.Context) iter.Seq2[ats.Job, error] {
	return func(yield func(ats.Job, error) bool) {
		batch := make([]Job, 0, maxIDs)
		flush := func() bool {
			if len(batch) == 0 {
				return true
			}
			ids := make([]string, len(batch))
			for i, j := range batch {
				ids[i] = j.ID.String()
			}
			stages, err := c.stagesOf(ctx, ids)
			if err != nil {
				yield(ats.Job{}, err)
				return false
			}
			var assess map[string]JobInterview
			if c.opts.AssessmentInterview != "" {
				ivs, err := c.JobInterviews(ctx, ids...)
				if err != nil {
					yield(ats.Job{}, err)
					return false
				}
				assess = map[string]JobInterview{}
				for _, iv := range ivs {
					if strings.EqualFold(strings.TrimSpace(iv.Name), strings.TrimSpace(c.opts.AssessmentInterview)) {
						assess[iv.JobID.String()] = iv
					}
				}
			}
			for _, j := range batch {
				aj := j.toATS()
				for _, s := range stages[aj.ID] {
					if strings.EqualFold(strings.TrimSpace(s.Name), strings.TrimSpace(c.opts.VendorStage)) {
						aj.Link = ats.JobLink{Linked: true, Marker: s.Name, StageID: s.ID.String()}
						break
					}
				}
				if iv, ok := assess[aj.ID]; ok && !aj.Link.Linked {
					aj.Link = ats.JobLink{Linked: true, Marker: iv.Name, StageID: iv.JobInterviewStageID.String()}
				}
				if aj.Link.Linked && !yield(aj, nil) {
					return false
				}
			}
			batch = batch[:0]
			return true
		}
		for j, err := range c.RawJobs(ctx, "open", maxIDs) {
			if err != nil {
				yield(ats.Job{}, err)
				return
			}
			if j.IsTemplate {
				continue
			}
			batch = append(batch, j)
			if len(batch) == maxIDs && !flush() {
				return
			}
		}
		flush()
	}
}
