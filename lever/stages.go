package lever

import (
	"context"
	"net/url"
	"strings"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
)

// Stage is a Lever pipeline stage. Lever's stages are account-wide: every
// posting shares one pipeline.
type Stage struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// ListStages returns the account's stages in pipeline order (GET /stages).
//
// https://hire.lever.co/developer/documentation#list-all-stages
func (c *Client) ListStages(ctx context.Context) ([]Stage, error) {
	stages, err := paging.Collect(paging.Seq(ctx, func(ctx context.Context, cursor string) ([]Stage, string, error) {
		return fetchPage[Stage](ctx, c, "list stages", "/stages", nil, 100, cursor)
	}))
	if err != nil {
		return nil, err
	}
	m := make(map[string]Stage, len(stages))
	for _, s := range stages {
		m[s.ID] = s
	}
	c.mu.Lock()
	c.stages = m
	c.mu.Unlock()
	return stages, nil
}

// GetStage reads one stage (GET /stages/:id).
func (c *Client) GetStage(ctx context.Context, id string) (Stage, error) {
	return getOne[Stage](ctx, c, "get stage "+short(id), "/stages/"+url.PathEscape(id), nil)
}

// Stages returns the account's stages: Lever pipelines are account-wide, so
// jobID is not used. It implements ats.StageLister.
func (c *Client) Stages(ctx context.Context, jobID string) ([]ats.Stage, error) {
	ls, err := c.ListStages(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ats.Stage, len(ls))
	for i, s := range ls {
		out[i] = ats.Stage{ID: s.ID, Name: s.Text, Kind: stageKind(s.Text), Position: i}
	}
	return out, nil
}

// stageName maps a stage ID to its name, reading the stage list when the ID
// is not cached yet. Unknown IDs map to "".
func (c *Client) stageName(ctx context.Context, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	c.mu.Lock()
	s, ok := c.stages[id]
	c.mu.Unlock()
	if ok {
		return s.Text, nil
	}
	if _, err := c.ListStages(ctx); err != nil {
		return "", err
	}
	c.mu.Lock()
	s = c.stages[id]
	c.mu.Unlock()
	return s.Text, nil
}

// stageKind guesses a kind from Lever's default stage names.
func stageKind(name string) ats.StageKind {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "new lead"), strings.Contains(n, "reached out"), strings.Contains(n, "sourced"):
		return ats.StageSourced
	case strings.Contains(n, "new applicant"), strings.Contains(n, "applied"):
		return ats.StageApplied
	case strings.Contains(n, "phone"), strings.Contains(n, "screen"):
		return ats.StagePhoneScreen
	case strings.Contains(n, "assessment"), strings.Contains(n, "test"):
		return ats.StageAssessment
	case strings.Contains(n, "interview"), strings.Contains(n, "on-site"), strings.Contains(n, "onsite"):
		return ats.StageInterview
	case strings.Contains(n, "offer"):
		return ats.StageOffer
	case strings.Contains(n, "hired"):
		return ats.StageHired
	}
	return ats.StageOther
}
