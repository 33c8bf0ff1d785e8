package ashby

import (
	"context"
	"iter"
	"strings"

	"github.com/atskit/atskit/ats"
)

// Application is an Ashby application: one candidate applying to one job
// (https://developers.ashbyhq.com/reference/applicationinfo).
type Application struct {
	ID                    string             `json:"id"`
	CreatedAt             Time               `json:"createdAt"`
	UpdatedAt             Time               `json:"updatedAt"`
	Status                string             `json:"status"` // Active, Hired, Archived, Lead
	Candidate             ApplicationPerson  `json:"candidate"`
	CurrentInterviewStage *InterviewStage    `json:"currentInterviewStage"`
	Job                   ApplicationJob     `json:"job"`
	ArchiveReason         *ArchiveReason     `json:"archiveReason,omitempty"`
	ArchivedAt            Time               `json:"archivedAt"`
	Source                *ApplicationSource `json:"source,omitempty"`
}

// Application statuses.
const (
	StatusActive   = "Active"
	StatusHired    = "Hired"
	StatusArchived = "Archived"
	StatusLead     = "Lead"
)

// ApplicationPerson is the candidate summary inside an application.
type ApplicationPerson struct {
	ID                  string        `json:"id"`
	Name                string        `json:"name"`
	PrimaryEmailAddress *ContactValue `json:"primaryEmailAddress,omitempty"`
	PrimaryPhoneNumber  *ContactValue `json:"primaryPhoneNumber,omitempty"`
}

// ContactValue is an email address or phone number.
type ContactValue struct {
	Value     string `json:"value"`
	Type      string `json:"type,omitempty"` // Personal, Work, Other
	IsPrimary bool   `json:"isPrimary,omitempty"`
}

// ApplicationJob is the job summary inside an application.
type ApplicationJob struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// ApplicationSource is where an application came from.
type ApplicationSource struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// ApplicationInfo reads one application (application.info,
// https://developers.ashbyhq.com/reference/applicationinfo). Permission:
// candidatesRead.
func (c *Client) ApplicationInfo(ctx context.Context, id string) (Application, error) {
	a, err := call[Application](ctx, c, "read application "+short(id), "application.info", map[string]string{"applicationId": id}, true)
	if err == nil {
		c.rememberPerson(a.ID, a.Candidate.ID)
	}
	return a, err
}

// ListApplicationsOptions filters ListApplications.
type ListApplicationsOptions struct {
	ListOptions
	// JobID restricts the listing to one job.
	JobID string
	// Status restricts the listing to one status (Active, Hired,
	// Archived, Lead).
	Status string
}

// ListApplications lists applications page by page (application.list,
// https://developers.ashbyhq.com/reference/applicationlist). Ashby cannot
// filter by stage; filter on CurrentInterviewStage. Permission:
// candidatesRead.
func (c *Client) ListApplications(ctx context.Context, opts ListApplicationsOptions) iter.Seq2[Application, error] {
	return list[Application](ctx, c, "list applications", "application.list", opts.ListOptions, func(b listBody) any {
		return struct {
			listBody
			JobID  string `json:"jobId,omitempty"`
			Status string `json:"status,omitempty"`
		}{b, opts.JobID, opts.Status}
	})
}

// ATS converts a to an ats.Candidate (without the profile fields only
// candidate.info has: further emails and phones, tags, profile URL).
func (a Application) ATS() ats.Candidate {
	out := ats.Candidate{
		ID: a.ID, PersonID: a.Candidate.ID, JobID: a.Job.ID, Name: a.Candidate.Name,
		Disqualified: a.Status == StatusArchived,
		CreatedAt:    a.CreatedAt.Time, UpdatedAt: a.UpdatedAt.Time,
	}
	out.FirstName, out.LastName = ats.SplitName(a.Candidate.Name)
	if e := a.Candidate.PrimaryEmailAddress; e != nil && e.Value != "" {
		out.Emails = []string{e.Value}
	}
	if p := a.Candidate.PrimaryPhoneNumber; p != nil && p.Value != "" {
		out.Phones = []string{p.Value}
	}
	if s := a.CurrentInterviewStage; s != nil {
		out.Stage = ats.StageRef{ID: s.ID, Name: s.Title}
	}
	return out
}

// Candidate implements ats.CandidateGetter: id is an Ashby application ID.
// It reads the application and its candidate (two calls) and merges them.
func (c *Client) Candidate(ctx context.Context, id string) (ats.Candidate, error) {
	a, err := c.ApplicationInfo(ctx, id)
	if err != nil {
		return ats.Candidate{}, err
	}
	out := a.ATS()
	p, err := c.CandidateInfo(ctx, a.Candidate.ID)
	if err != nil {
		return ats.Candidate{}, err
	}
	p.merge(&out)
	return out, nil
}

// Candidates implements ats.CandidateLister over application.list. JobID
// is filtered by Ashby; StageID, UpdatedAfter and Tag are filtered here
// (a Tag filter reads each application's candidate, one call each).
func (c *Client) Candidates(ctx context.Context, f ats.CandidateFilter) iter.Seq2[ats.Candidate, error] {
	return func(yield func(ats.Candidate, error) bool) {
		for a, err := range c.ListApplications(ctx, ListApplicationsOptions{ListOptions: ListOptions{Limit: f.PageSize}, JobID: f.JobID}) {
			if err != nil {
				yield(ats.Candidate{}, err)
				return
			}
			if f.StageID != "" && (a.CurrentInterviewStage == nil || a.CurrentInterviewStage.ID != f.StageID) {
				continue
			}
			if !f.UpdatedAfter.IsZero() && !a.UpdatedAt.After(f.UpdatedAfter) {
				continue
			}
			cand := a.ATS()
			if f.Tag != "" {
				p, err := c.CandidateInfo(ctx, a.Candidate.ID)
				if err != nil {
					yield(ats.Candidate{}, err)
					return
				}
				p.merge(&cand)
				if !cand.HasTag(f.Tag) {
					continue
				}
			}
			if !yield(cand, nil) {
				return
			}
		}
	}
}

// ChangeStageOptions are the optional fields of application.changeStage.
type ChangeStageOptions struct {
	// ArchiveReasonID is required when the target stage is of type
	// Archived, and refused otherwise.
	ArchiveReasonID string
	// ArchiveEmailTemplateID, when archiving, sends the candidate this
	// communication template. If Ashby cannot send it, the stage is not
	// changed.
	ArchiveEmailTemplateID string
}

// ChangeStage moves an application to a stage of its interview plan
// (application.changeStage,
// https://developers.ashbyhq.com/reference/applicationchangestage).
// Permission: candidatesWrite. Repeating the same move is harmless, so the
// call is retried on transient failures.
func (c *Client) ChangeStage(ctx context.Context, applicationID, stageID string, opts ChangeStageOptions) (Application, error) {
	type email struct {
		CommunicationTemplateID string `json:"communicationTemplateId"`
	}
	body := struct {
		ApplicationID    string `json:"applicationId"`
		InterviewStageID string `json:"interviewStageId"`
		ArchiveReasonID  string `json:"archiveReasonId,omitempty"`
		ArchiveEmail     *email `json:"archiveEmail,omitempty"`
	}{ApplicationID: applicationID, InterviewStageID: stageID, ArchiveReasonID: opts.ArchiveReasonID}
	if opts.ArchiveEmailTemplateID != "" {
		body.ArchiveEmail = &email{opts.ArchiveEmailTemplateID}
	}
	return call[Application](ctx, c, "move application "+short(applicationID), "application.changeStage", body, true)
}

// MoveCandidate implements ats.CandidateMover: candidateID is an Ashby
// application ID, stageID a stage of its interview plan. Moving to an
// Archived-type stage needs a reason: use Disqualify.
func (c *Client) MoveCandidate(ctx context.Context, candidateID, stageID string) error {
	_, err := c.ChangeStage(ctx, candidateID, stageID, ChangeStageOptions{})
	return err
}

// ArchiveReason is an Ashby archive reason.
type ArchiveReason struct {
	ID         string `json:"id"`
	Text       string `json:"text"`
	ReasonType string `json:"reasonType,omitempty"` // e.g. RejectedByOrg, RejectedByCandidate
	IsArchived bool   `json:"isArchived,omitempty"`
}

// ArchiveReasons lists the account's archive reasons (archiveReason.list,
// https://developers.ashbyhq.com/reference/archivereasonlist). Permission:
// hiringProcessMetadataRead. Assumed shape (not in the spec copy we
// read): results is an array of {id, text, reasonType, isArchived}.
func (c *Client) ArchiveReasons(ctx context.Context) ([]ArchiveReason, error) {
	return call[[]ArchiveReason](ctx, c, "list archive reasons", "archiveReason.list", struct{}{}, true)
}

// Disqualify implements ats.Disqualifier: it archives the application by
// moving it to the Archived-type stage of its interview plan with the
// archive reason whose text or ID is reason (case-insensitively), or
// Options.DefaultArchiveReason when none matches.
func (c *Client) Disqualify(ctx context.Context, candidateID, reason string) error {
	op := "archive application " + short(candidateID)
	a, err := c.ApplicationInfo(ctx, candidateID)
	if err != nil {
		return err
	}
	if a.CurrentInterviewStage == nil || a.CurrentInterviewStage.InterviewPlanID == "" {
		return &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "currentInterviewStage", Message: "application has no interview plan to archive in"}}}
	}
	stages, err := c.InterviewStages(ctx, a.CurrentInterviewStage.InterviewPlanID)
	if err != nil {
		return err
	}
	var target string
	for _, s := range stages {
		if s.Type == StageTypeArchived {
			target = s.ID
			break
		}
	}
	if target == "" {
		return &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "interviewPlan", Message: "the application's interview plan has no Archived stage; add one in Ashby"}}}
	}
	reasons, err := c.ArchiveReasons(ctx)
	if err != nil {
		return err
	}
	id := matchReason(reasons, reason)
	if id == "" {
		id = matchReason(reasons, c.opts.DefaultArchiveReason)
	}
	if id == "" {
		return &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "reason", Message: "no archive reason matches " + quote(reason) + " and Options.DefaultArchiveReason names none either; set it to one of the account's archive reasons"}}}
	}
	_, err = c.ChangeStage(ctx, candidateID, target, ChangeStageOptions{ArchiveReasonID: id})
	return err
}

func matchReason(rs []ArchiveReason, want string) string {
	want = strings.TrimSpace(want)
	if want == "" {
		return ""
	}
	for _, r := range rs {
		if !r.IsArchived && (r.ID == want || strings.EqualFold(strings.TrimSpace(r.Text), want)) {
			return r.ID
		}
	}
	return ""
}

func quote(s string) string { return `"` + s + `"` }
