package memats

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/atskit/atskit/ats"
)

// Adapter is the ats adapter for Service.
type Adapter struct {
	svc   *Service
	token string
}

var (
	_ ats.Adapter         = (*Adapter)(nil)
	_ ats.CandidateLister = (*Adapter)(nil)
	_ ats.Tagger          = (*Adapter)(nil)
)

// NewAdapter returns an adapter calling svc with token.
func NewAdapter(svc *Service, token string) *Adapter { return &Adapter{svc: svc, token: token} }

// Jobs lists jobs page by page.
func (a *Adapter) Jobs(ctx context.Context, opts ats.ListJobsOptions) iter.Seq2[ats.Job, error] {
	size := opts.PageSize
	if size <= 0 {
		size = 50
	}
	return func(yield func(ats.Job, error) bool) {
		for offset := 0; ; offset += size {
			var page []ats.Job
			more := false
			err := a.svc.call(ctx, a.token, "list jobs", func() error {
				for i := offset; i < len(a.svc.jobs) && i < offset+size; i++ {
					j := a.svc.jobs[i]
					page = append(page, ats.Job{ID: j.id, Title: j.title, State: ats.JobPublished, RawState: "open"})
				}
				more = offset+size < len(a.svc.jobs)
				return nil
			})
			if err != nil {
				yield(ats.Job{}, err)
				return
			}
			for _, j := range page {
				if !yield(j, nil) {
					return
				}
			}
			if !more {
				return
			}
		}
	}
}

// Stages returns the job's pipeline.
func (a *Adapter) Stages(ctx context.Context, jobID string) ([]ats.Stage, error) {
	var out []ats.Stage
	err := a.svc.call(ctx, a.token, "list stages of job "+jobID, func() error {
		j := a.svc.job(jobID)
		if j == nil {
			return statusErr{http.StatusNotFound, "job not found"}
		}
		out = slices.Clone(j.stages)
		return nil
	})
	return out, err
}

// Candidate reads one candidate.
func (a *Adapter) Candidate(ctx context.Context, id string) (ats.Candidate, error) {
	var out ats.Candidate
	err := a.svc.call(ctx, a.token, "get candidate "+id, func() error {
		c := a.svc.cands[id]
		if c == nil {
			return statusErr{http.StatusNotFound, "candidate not found"}
		}
		out = c.c
		out.Emails, out.Phones, out.Tags = slices.Clone(c.c.Emails), slices.Clone(c.c.Phones), slices.Clone(c.c.Tags)
		return nil
	})
	return out, err
}

// Candidates lists candidates matching filter, page by page, in ID order.
func (a *Adapter) Candidates(ctx context.Context, f ats.CandidateFilter) iter.Seq2[ats.Candidate, error] {
	size := f.PageSize
	if size <= 0 {
		size = 50
	}
	return func(yield func(ats.Candidate, error) bool) {
		after := ""
		for {
			var page []ats.Candidate
			err := a.svc.call(ctx, a.token, "list candidates", func() error {
				ids := make([]string, 0, len(a.svc.cands))
				for id, c := range a.svc.cands {
					if id > after && (f.JobID == "" || c.c.JobID == f.JobID) && (f.StageID == "" || c.c.Stage.ID == f.StageID) {
						ids = append(ids, id)
					}
				}
				sort.Strings(ids)
				for _, id := range ids[:min(size, len(ids))] {
					page = append(page, a.svc.cands[id].c)
				}
				return nil
			})
			if err != nil {
				yield(ats.Candidate{}, err)
				return
			}
			for _, c := range page {
				if !yield(c, nil) {
					return
				}
			}
			if len(page) < size {
				return
			}
			after = page[len(page)-1].ID
		}
	}
}

// MoveCandidate moves a candidate to a stage of its job.
func (a *Adapter) MoveCandidate(ctx context.Context, candidateID, stageID string) error {
	return a.svc.call(ctx, a.token, "move candidate "+candidateID, func() error {
		c := a.svc.cands[candidateID]
		if c == nil {
			return statusErr{http.StatusNotFound, "candidate not found"}
		}
		st, ok := ats.FindStage(a.svc.job(c.c.JobID).stages, ats.StageRef{ID: stageID})
		if !ok {
			return statusErr{http.StatusUnprocessableEntity, fmt.Sprintf("%q is not a stage of job %s", stageID, c.c.JobID)}
		}
		c.c.Stage = ats.StageRef{ID: st.ID, Name: st.Name}
		return nil
	})
}

// AddNote records a note on a candidate.
func (a *Adapter) AddNote(ctx context.Context, candidateID string, n ats.Note) error {
	return a.svc.call(ctx, a.token, "add note to candidate "+candidateID, func() error {
		c := a.svc.cands[candidateID]
		if c == nil {
			return statusErr{http.StatusNotFound, "candidate not found"}
		}
		if strings.TrimSpace(n.Body) == "" {
			return statusErr{http.StatusUnprocessableEntity, "note body is empty"}
		}
		c.notes = append(c.notes, n.Body)
		return nil
	})
}

// AddTags adds tags to a candidate.
func (a *Adapter) AddTags(ctx context.Context, candidateID string, tags ...string) error {
	return a.editTags(ctx, candidateID, tags, true)
}

// RemoveTags removes tags from a candidate.
func (a *Adapter) RemoveTags(ctx context.Context, candidateID string, tags ...string) error {
	return a.editTags(ctx, candidateID, tags, false)
}

func (a *Adapter) editTags(ctx context.Context, candidateID string, tags []string, add bool) error {
	return a.svc.call(ctx, a.token, "edit tags of candidate "+candidateID, func() error {
		c := a.svc.cands[candidateID]
		if c == nil {
			return statusErr{http.StatusNotFound, "candidate not found"}
		}
		for _, t := range tags {
			has := c.c.HasTag(t)
			switch {
			case add && !has:
				c.c.Tags = append(c.c.Tags, t)
			case !add && has:
				c.c.Tags = slices.DeleteFunc(c.c.Tags, func(x string) bool { return strings.EqualFold(x, t) })
			}
		}
		return nil
	})
}
