package ashby

import (
	"context"
	"slices"

	"github.com/atskit/atskit/ats"
)

// InterviewStage is a stage of an Ashby interview plan
// (https://developers.ashbyhq.com/reference/interviewstagelist).
type InterviewStage struct {
	ID                    string `json:"id"`
	Title                 string `json:"title"`
	Type                  string `json:"type"`
	OrderInInterviewPlan  int    `json:"orderInInterviewPlan"`
	InterviewStageGroupID string `json:"interviewStageGroupId,omitempty"`
	InterviewPlanID       string `json:"interviewPlanId,omitempty"`
}

// StageTypeArchived is the stage type application.changeStage treats as
// archiving: moving there needs an archive reason.
const StageTypeArchived = "Archived"

// InterviewPlan is a job's interview plan (jobInterviewPlan.info).
type InterviewPlan struct {
	JobID           string           `json:"jobId"`
	InterviewPlanID string           `json:"interviewPlanId"`
	Stages          []InterviewStage `json:"stages"`
}

// JobInterviewPlan reads a job's interview plan with its stages
// (jobInterviewPlan.info, https://developers.ashbyhq.com/reference/jobinterviewplaninfo).
// Permission: jobsRead. Ashby does not say which plan it returns for a job
// with several; assumed the job's default plan. Stages are returned in
// plan order.
func (c *Client) JobInterviewPlan(ctx context.Context, jobID string) (InterviewPlan, error) {
	p, err := call[InterviewPlan](ctx, c, "read interview plan of job "+short(jobID), "jobInterviewPlan.info", map[string]string{"jobId": jobID}, true)
	if err != nil {
		return p, err
	}
	sortStages(p.Stages)
	return p, nil
}

// InterviewStages lists the stages of an interview plan in order
// (interviewStage.list, https://developers.ashbyhq.com/reference/interviewstagelist).
// Permission: interviewsRead.
func (c *Client) InterviewStages(ctx context.Context, planID string) ([]InterviewStage, error) {
	st, err := call[[]InterviewStage](ctx, c, "list stages of plan "+short(planID), "interviewStage.list", map[string]string{"interviewPlanId": planID}, true)
	if err != nil {
		return nil, err
	}
	sortStages(st)
	return st, nil
}

func sortStages(st []InterviewStage) {
	slices.SortStableFunc(st, func(a, b InterviewStage) int { return a.OrderInInterviewPlan - b.OrderInInterviewPlan })
}

// Stages implements ats.StageLister with the stages of the job's interview
// plan, in plan order, including its Archived-type stages.
func (c *Client) Stages(ctx context.Context, jobID string) ([]ats.Stage, error) {
	p, err := c.JobInterviewPlan(ctx, jobID)
	if err != nil {
		return nil, err
	}
	out := make([]ats.Stage, len(p.Stages))
	for i, s := range p.Stages {
		out[i] = ats.Stage{ID: s.ID, Name: s.Title, Kind: stageKind(s.Type), Position: i}
	}
	return out, nil
}

// stageKind maps Ashby's stage type. Ashby does not publish the full list
// of stage types; those of its stage groups (PreApplication, Active,
// Offer, Hired, Archived) are mapped, any other is ats.StageOther.
func stageKind(t string) ats.StageKind {
	switch t {
	case "PreApplication", "Lead":
		return ats.StageSourced
	case "Offer":
		return ats.StageOffer
	case "Hired":
		return ats.StageHired
	}
	return ats.StageOther
}
