package workable

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
	"github.com/atskit/atskit/internal/httpx"
	"github.com/atskit/atskit/internal/paging"
)

// DefaultPageSize is the page size used when a list call does not set one.
// Workable allows at most 100 (https://workable.readme.io/reference/whats-new-in-v3).
const DefaultPageSize = 100

// wireJob is a job as Workable sends it (https://workable.readme.io/reference/jobs).
type wireJob struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	FullTitle   string `json:"full_title"`
	Shortcode   string `json:"shortcode"`
	Code        string `json:"code"`
	State       string `json:"state"`
	URL         string `json:"url"`
	CreatedAt   wtime  `json:"created_at"`
	UpdatedAt   wtime  `json:"updated_at"`
	Application string `json:"application_url"`
}

type paging_ struct {
	Next string `json:"next"`
}

type jobsPage struct {
	Jobs   []wireJob `json:"jobs"`
	Paging *paging_  `json:"paging"`
}

func (p *paging_) next() string {
	if p == nil {
		return ""
	}
	return p.Next
}

// nextLink resolves a page's paging.next against the URL of that page
// (RFC 3986), so a relative or scheme-relative link addresses what it
// says and then passes the host rule like any absolute one. It returns
// "" on the last page.
func (c *Client) nextLink(resp *httpx.Response, op, next string) (string, error) {
	abs, err := resp.ResolveLink(next)
	if err != nil {
		return "", errfmt.Errorf("workable: %s: %w", op, err)
	}
	return abs, nil
}

// jobState maps Workable's job states. Workable documents "closed" as an
// internal/confidential job (https://workable.readme.io/reference/jobs), hence ats.JobInternal.
func jobState(s string) ats.JobState {
	switch s {
	case "draft":
		return ats.JobDraft
	case "published":
		return ats.JobPublished
	case "closed":
		return ats.JobInternal
	case "archived":
		return ats.JobArchived
	}
	return ats.JobUnknown
}

func (j wireJob) toATS() ats.Job {
	ids := map[string]string{}
	for k, v := range map[string]string{"id": j.ID, "shortcode": j.Shortcode, "code": j.Code} {
		if v != "" {
			ids[k] = v
		}
	}
	return ats.Job{
		ID: j.Shortcode, Title: j.Title, State: jobState(j.State), RawState: j.State,
		ExternalIDs: ids, URL: j.URL, CreatedAt: j.CreatedAt.Time, UpdatedAt: j.UpdatedAt.Time,
	}
}

func pageSize(n int) string {
	if n <= 0 {
		n = DefaultPageSize
	}
	return strconv.Itoa(min(n, 100))
}

// Jobs lists the account's jobs (GET /jobs), following paging.next page by
// page. A State filter with no Workable equivalent (ats.JobClosed,
// ats.JobUnknown) yields an *ats.ValidationError.
// https://workable.readme.io/reference/jobs
func (c *Client) Jobs(ctx context.Context, opts ats.ListJobsOptions) iter.Seq2[ats.Job, error] {
	q := url.Values{"limit": {pageSize(opts.PageSize)}}
	switch opts.State {
	case "":
	case ats.JobDraft, ats.JobPublished, ats.JobArchived:
		q.Set("state", string(opts.State))
	case ats.JobInternal:
		q.Set("state", "closed")
	default:
		return func(yield func(ats.Job, error) bool) {
			yield(ats.Job{}, invalid("list jobs", ats.FieldError{Field: "state",
				Message: "Workable has no job state matching " + string(opts.State) + " (draft, published, internal (closed), archived)"}))
		}
	}
	return paging.Seq(ctx, func(ctx context.Context, cursor string) ([]ats.Job, string, error) {
		req := &httpx.Request{Op: "list jobs", Path: "/jobs", Query: q}
		if cursor != "" {
			req = &httpx.Request{Op: "list jobs", Path: cursor}
		}
		var page jobsPage
		resp, err := c.do(ctx, req, &page)
		if err != nil {
			return nil, "", err
		}
		out := make([]ats.Job, len(page.Jobs))
		for i, j := range page.Jobs {
			out[i] = j.toATS()
		}
		next, err := c.nextLink(resp, req.Op, page.Paging.next())
		if err != nil {
			return nil, "", err
		}
		return out, next, nil
	})
}

// Job reads one job by shortcode (GET /jobs/{shortcode}).
// https://workable.readme.io/reference/jobsshortcode
func (c *Client) Job(ctx context.Context, shortcode string) (ats.Job, error) {
	op := "get job " + shortcode
	if err := requireID(op, "shortcode", shortcode); err != nil {
		return ats.Job{}, err
	}
	var raw json.RawMessage
	if _, err := c.do(ctx, &httpx.Request{Op: op, Path: "/jobs/" + pathEscape(shortcode)}, &raw); err != nil {
		return ats.Job{}, err
	}
	// The published example has the job at the top level; a wrapper
	// {"job": {...}} is possible (https://workable.readme.io/reference/jobsshortcode; not documented): accept both.
	var wrapped struct {
		Job *wireJob `json:"job"`
	}
	var j wireJob
	if json.Unmarshal(raw, &wrapped) == nil && wrapped.Job != nil {
		j = *wrapped.Job
	} else if err := json.Unmarshal(raw, &j); err != nil {
		return ats.Job{}, errfmt.Errorf("workable: %s: decoding the job: %w", op, err)
	}
	if j.Shortcode == "" {
		return ats.Job{}, fmt.Errorf("workable: %s: the response has no job shortcode", op)
	}
	return j.toATS(), nil
}

type wireStage struct {
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Position *int   `json:"position"`
}

func stageKind(k string) ats.StageKind {
	switch ats.StageKind(k) {
	case ats.StageSourced, ats.StageApplied, ats.StageShortlisted, ats.StageAssessment,
		ats.StagePhoneScreen, ats.StageInterview, ats.StageOffer, ats.StageHired:
		return ats.StageKind(k)
	}
	return ats.StageOther
}

// Stages returns a job's pipeline stages in order (GET
// /jobs/{shortcode}/stages). Stage.ID is the slug that MoveCandidate takes.
// The result also refreshes the client's stage cache for the job.
func (c *Client) Stages(ctx context.Context, jobID string) ([]ats.Stage, error) {
	if err := requireID("list stages of job", "shortcode", jobID); err != nil {
		return nil, err
	}
	var page struct {
		Stages []wireStage `json:"stages"`
	}
	if _, err := c.do(ctx, &httpx.Request{Op: "list stages of job " + jobID, Path: "/jobs/" + pathEscape(jobID) + "/stages"}, &page); err != nil {
		return nil, err
	}
	out := make([]ats.Stage, len(page.Stages))
	for i, s := range page.Stages {
		pos := i
		if s.Position != nil {
			pos = *s.Position
		}
		out[i] = ats.Stage{ID: s.Slug, Name: s.Name, Kind: stageKind(s.Kind), Position: pos}
	}
	c.stageMu.Lock()
	c.stages[jobID] = stageEntry{stages: out, at: c.opts.Now()}
	c.stageMu.Unlock()
	return append([]ats.Stage(nil), out...), nil
}

type stageEntry struct {
	stages []ats.Stage
	at     time.Time
}

// cachedStages returns the job's stages from the cache, fetching them when
// missing or older than Options.StageCacheTTL (or when refresh is set).
func (c *Client) cachedStages(ctx context.Context, jobID string, refresh bool) ([]ats.Stage, error) {
	c.stageMu.Lock()
	e, ok := c.stages[jobID]
	c.stageMu.Unlock()
	if ok && !refresh && c.opts.Now().Sub(e.at) < c.opts.StageCacheTTL {
		return e.stages, nil
	}
	return c.Stages(ctx, jobID)
}

// ResolveStage maps a stage as Workable reported it — a slug in some
// responses, a display name in others (https://workable.readme.io/reference/job-candidates-show) — to the job's
// stage, so the result carries both the slug (ID) and the name. Unknown
// stages refresh the cached pipeline once (it may have changed); if still
// unknown, the raw value is returned as the Name (or as the ID when it
// looks like a slug).
func (c *Client) ResolveStage(ctx context.Context, jobID, raw string) (ats.StageRef, error) {
	if raw == "" {
		return ats.StageRef{}, nil
	}
	if jobID == "" {
		return rawStageRef(raw), nil
	}
	for _, refresh := range []bool{false, true} {
		stages, err := c.cachedStages(ctx, jobID, refresh)
		if err != nil {
			return rawStageRef(raw), err
		}
		if s, ok := ats.FindStage(stages, ats.StageRef{ID: raw, Name: raw}); ok {
			return ats.StageRef{ID: s.ID, Name: s.Name}, nil
		}
	}
	return rawStageRef(raw), nil
}

// rawStageRef interprets an unresolved stage string: slugs (lower case,
// no spaces) become the ID, anything else the Name.
func rawStageRef(raw string) ats.StageRef {
	if raw == strings.ToLower(raw) && !strings.ContainsAny(raw, " \t") {
		return ats.StageRef{ID: raw}
	}
	return ats.StageRef{Name: raw}
}

// LinkedJobs lists the jobs whose pipeline contains the vendor's stage
// (Options.VendorStage, matched case-insensitively against stage names and
// slugs), in every state; Job.Link carries the stage's name and slug. It
// costs one request per job for the stages (cached for StageCacheTTL).
func (c *Client) LinkedJobs(ctx context.Context) iter.Seq2[ats.Job, error] {
	return func(yield func(ats.Job, error) bool) {
		for j, err := range c.Jobs(ctx, ats.ListJobsOptions{}) {
			if err != nil {
				yield(ats.Job{}, err)
				return
			}
			stages, err := c.cachedStages(ctx, j.ID, false)
			if err != nil {
				yield(ats.Job{}, err)
				return
			}
			s, ok := c.vendorStage(stages)
			if !ok {
				continue
			}
			j.Link = ats.JobLink{Linked: true, Marker: s.Name, StageID: s.ID}
			if !yield(j, nil) {
				return
			}
		}
	}
}

func (c *Client) vendorStage(stages []ats.Stage) (ats.Stage, bool) {
	want := strings.TrimSpace(c.opts.VendorStage)
	for _, s := range stages {
		if strings.EqualFold(strings.TrimSpace(s.Name), want) || strings.EqualFold(s.ID, want) {
			return s, true
		}
	}
	return ats.Stage{}, false
}
