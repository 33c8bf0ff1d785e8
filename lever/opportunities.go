package lever

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/httpx"
	"github.com/atskit/atskit/internal/paging"
)

// Opportunity is a Lever opportunity: one person's candidacy, usually for
// one posting. atskit's ats.Candidate.ID is the opportunity ID.
type Opportunity struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Contact      string        `json:"contact"`
	Headline     string        `json:"headline,omitempty"`
	Stage        Ref           `json:"stage"`
	Emails       []string      `json:"emails"`
	Phones       []Phone       `json:"phones"`
	Links        []string      `json:"links"`
	Tags         []string      `json:"tags"`
	Sources      []string      `json:"sources,omitempty"`
	Owner        Ref           `json:"owner"`
	Applications []Application `json:"applications"`
	Archived     *Archived     `json:"archived"`
	// ArchivedAt and ArchiveReason are the top-level archive fields of
	// Lever's documented opportunity example
	// (https://hire.lever.co/developer/documentation#opportunities);
	// recorded responses carry the archived object instead. Both are read
	// (IsArchived).
	ArchivedAt    Millis            `json:"archivedAt"`
	ArchiveReason Ref               `json:"archiveReason"`
	StageChanges  []StageChange     `json:"stageChanges,omitempty"`
	URLs          map[string]string `json:"urls,omitempty"`
	CreatedAt     Millis            `json:"createdAt"`
	UpdatedAt     Millis            `json:"updatedAt"`
}

// Ref is a reference Lever sends either as a bare ID or, when expanded, as
// an object with id and text (stages) or name (users).
type Ref struct {
	ID   string
	Text string
}

// UnmarshalJSON accepts "id", {"id":…,"text":…} and {"id":…,"name":…}.
func (r *Ref) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*r = Ref{}
		return nil
	}
	if b[0] == '"' {
		*r = Ref{}
		return json.Unmarshal(b, &r.ID)
	}
	var o struct{ ID, Text, Name string }
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	*r = Ref{ID: o.ID, Text: o.Text}
	if r.Text == "" {
		r.Text = o.Name
	}
	return nil
}

// MarshalJSON writes the bare ID.
func (r Ref) MarshalJSON() ([]byte, error) {
	if r.ID == "" {
		return []byte("null"), nil
	}
	return json.Marshal(r.ID)
}

// Phone is a phone number with its type ("mobile", "work", …).
type Phone struct {
	Type  string `json:"type,omitempty"`
	Value string `json:"value"`
}

// Application links an opportunity to a posting. Lever sends bare IDs
// unless expand=applications is requested.
type Application struct {
	ID      string
	Posting string
	Type    string
}

// UnmarshalJSON accepts "id" and {"id":…,"posting":…,"type":…}.
func (a *Application) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		*a = Application{}
		return json.Unmarshal(b, &a.ID)
	}
	var o struct {
		ID      string `json:"id"`
		Posting Ref    `json:"posting"`
		Type    string `json:"type"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	*a = Application{ID: o.ID, Posting: o.Posting.ID, Type: o.Type}
	return nil
}

// Archived says why and when an opportunity was archived.
type Archived struct {
	Reason     string `json:"reason"`
	ArchivedAt Millis `json:"archivedAt"`
}

// StageChange is one entry of an opportunity's stage history.
type StageChange struct {
	ToStageID    string `json:"toStageId"`
	ToStageIndex int    `json:"toStageIndex"`
	UpdatedAt    Millis `json:"updatedAt"`
	UserID       string `json:"userId"`
}

// IsArchived reports whether the opportunity is archived, in either form
// Lever sends: the archived object or the top-level archivedAt and
// archiveReason.
func (o Opportunity) IsArchived() bool {
	if o.Archived != nil && (o.Archived.ArchivedAt != 0 || o.Archived.Reason != "") {
		return true
	}
	return o.ArchivedAt != 0 || o.ArchiveReason.ID != ""
}

// PostingID returns the posting of the opportunity's first application.
func (o Opportunity) PostingID() string {
	for _, a := range o.Applications {
		if a.Posting != "" {
			return a.Posting
		}
	}
	return ""
}

// ListOpportunitiesOptions filters ListOpportunities.
type ListOpportunitiesOptions struct {
	PostingID string
	StageID   string
	Tag       string
	Email     string
	// Archived filters on archive status when non-nil.
	Archived *bool
	// UpdatedSince keeps opportunities updated at or after this time
	// (updated_at_start).
	UpdatedSince time.Time
	// Limit is the page size (1–100); zero uses DefaultPageSize.
	Limit int

	nonConfidential bool // Options.SkipConfidential
}

func (o ListOpportunitiesOptions) query() url.Values {
	q := url.Values{}
	q.Add("expand", "applications")
	q.Add("expand", "stage")
	// Lever lists only non-confidential opportunities unless asked for
	// all; confidential ones then need the confidential:access:admin
	// scope (https://hire.lever.co/developer/documentation#confidential-data).
	if !o.nonConfidential {
		q.Set("confidentiality", "all")
	}
	if o.PostingID != "" {
		q.Set("posting_id", o.PostingID)
	}
	if o.StageID != "" {
		q.Set("stage_id", o.StageID)
	}
	if o.Tag != "" {
		q.Set("tag", o.Tag)
	}
	if o.Email != "" {
		q.Set("email", o.Email)
	}
	if o.Archived != nil {
		q.Set("archived", strconv.FormatBool(*o.Archived))
	}
	if !o.UpdatedSince.IsZero() {
		q.Set("updated_at_start", strconv.FormatInt(o.UpdatedSince.UnixMilli(), 10))
	}
	return q
}

// ListOpportunities streams opportunities page by page
// (GET /opportunities with expand=applications and expand=stage), following
// Lever's hasNext/next offset tokens.
//
// https://hire.lever.co/developer/documentation#list-all-opportunities
func (c *Client) ListOpportunities(ctx context.Context, opts ListOpportunitiesOptions) iter.Seq2[Opportunity, error] {
	opts.nonConfidential = c.opts.SkipConfidential
	q := opts.query()
	return paging.Seq(ctx, func(ctx context.Context, cursor string) ([]Opportunity, string, error) {
		return fetchPage[Opportunity](ctx, c, "list opportunities", "/opportunities", q, opts.Limit, cursor)
	})
}

// GetOpportunity reads one opportunity (GET /opportunities/:id).
//
// https://hire.lever.co/developer/documentation#retrieve-a-single-opportunity
func (c *Client) GetOpportunity(ctx context.Context, id string) (Opportunity, error) {
	q := url.Values{"expand": {"applications", "stage"}}
	return getOne[Opportunity](ctx, c, "get opportunity "+short(id), "/opportunities/"+url.PathEscape(id), q)
}

// Resume is a resume file on an opportunity.
type Resume struct {
	ID        string     `json:"id"`
	CreatedAt Millis     `json:"createdAt"`
	File      ResumeFile `json:"file"`
}

// ResumeFile describes the uploaded file.
type ResumeFile struct {
	Name        string `json:"name"`
	Ext         string `json:"ext"`
	DownloadURL string `json:"downloadUrl"`
	UploadedAt  Millis `json:"uploadedAt"`
	// Size is the file's length in bytes (a number or a quoted number).
	Size ByteSize `json:"size"`
}

// ListResumes lists an opportunity's resumes
// (GET /opportunities/:id/resumes).
//
// https://hire.lever.co/developer/documentation#list-all-resumes
func (c *Client) ListResumes(ctx context.Context, opportunityID string) ([]Resume, error) {
	return paging.Collect(paging.Seq(ctx, func(ctx context.Context, cursor string) ([]Resume, string, error) {
		return fetchPage[Resume](ctx, c, "list resumes of "+short(opportunityID), "/opportunities/"+url.PathEscape(opportunityID)+"/resumes", nil, 100, cursor)
	}))
}

// ResumeURL returns the API route that downloads a resume
// (GET /opportunities/:id/resumes/:resume/download), under the client's
// API root. It needs the client's credentials and the resumes:read:admin
// scope; DownloadResume fetches it. The file.downloadUrl Lever lists is a
// link into the hire.lever.co web app, not the API.
//
// https://hire.lever.co/developer/documentation#download-a-resume-file
func (c *Client) ResumeURL(opportunityID, resumeID string) string {
	return c.hc.BaseURL() + "/opportunities/" + url.PathEscape(opportunityID) + "/resumes/" + url.PathEscape(resumeID) + "/download"
}

// DownloadResume downloads a resume file and returns its bytes and content
// type. Lever answers 422 for a file it could not process (an
// *ats.ValidationError).
func (c *Client) DownloadResume(ctx context.Context, opportunityID, resumeID string) ([]byte, string, error) {
	resp, err := c.do(ctx, &httpx.Request{Op: "download resume of opportunity " + short(opportunityID),
		Path: "/opportunities/" + url.PathEscape(opportunityID) + "/resumes/" + url.PathEscape(resumeID) + "/download"}, nil)
	if err != nil {
		return nil, "", err
	}
	return resp.Body, resp.Header.Get("Content-Type"), nil
}

// Candidate reads an opportunity as an ats.Candidate, including the newest
// resume's download URL. It implements ats.CandidateGetter.
//
// ResumeURL is the API download route of the newest resume (see
// Client.ResumeURL), which needs the integration's credentials. A resume
// listing that is forbidden (no resumes:read:admin) or missing leaves
// ResumeURL empty rather than failing the read; CheckSetup reports the
// missing scope.
func (c *Client) Candidate(ctx context.Context, id string) (ats.Candidate, error) {
	o, err := c.GetOpportunity(ctx, id)
	if err != nil {
		return ats.Candidate{}, err
	}
	cand, err := c.OpportunityCandidate(ctx, o)
	if err != nil {
		return ats.Candidate{}, err
	}
	resumes, err := c.ListResumes(ctx, id)
	switch {
	case errors.Is(err, ats.ErrNotFound), errors.Is(err, ats.ErrForbidden):
	case err != nil:
		return ats.Candidate{}, err
	default:
		sort.SliceStable(resumes, func(i, j int) bool { return resumes[i].CreatedAt > resumes[j].CreatedAt })
		for _, r := range resumes {
			if r.ID != "" {
				cand.ResumeURL = c.ResumeURL(id, r.ID)
				break
			}
		}
	}
	return cand, nil
}

// Candidates streams opportunities matching filter as ats.Candidates
// (without ResumeURL, which would cost a request per candidate). It
// implements ats.CandidateLister.
func (c *Client) Candidates(ctx context.Context, f ats.CandidateFilter) iter.Seq2[ats.Candidate, error] {
	opts := ListOpportunitiesOptions{PostingID: f.JobID, StageID: f.StageID, Tag: f.Tag, UpdatedSince: f.UpdatedAfter, Limit: f.PageSize}
	return func(yield func(ats.Candidate, error) bool) {
		for o, err := range c.ListOpportunities(ctx, opts) {
			if err != nil {
				yield(ats.Candidate{}, err)
				return
			}
			cand, err := c.OpportunityCandidate(ctx, o)
			if !yield(cand, err) || err != nil {
				return
			}
		}
	}
}

// OpportunityCandidate converts an opportunity to an ats.Candidate, naming
// the stage from the (cached) stage list.
func (c *Client) OpportunityCandidate(ctx context.Context, o Opportunity) (ats.Candidate, error) {
	first, last := ats.SplitName(o.Name)
	cand := ats.Candidate{
		ID:           o.ID,
		PersonID:     o.Contact,
		JobID:        o.PostingID(),
		Name:         strings.TrimSpace(o.Name),
		FirstName:    first,
		LastName:     last,
		Emails:       o.Emails,
		Stage:        ats.StageRef{ID: o.Stage.ID, Name: o.Stage.Text},
		ProfileURL:   o.URLs["show"],
		Tags:         o.Tags,
		Disqualified: o.IsArchived(),
		CreatedAt:    o.CreatedAt.Time(),
		UpdatedAt:    o.UpdatedAt.Time(),
	}
	if len(o.Applications) > 0 && o.Applications[0].ID != o.ID {
		cand.ApplicationID = o.Applications[0].ID
	}
	for _, p := range o.Phones {
		if p.Value != "" {
			cand.Phones = append(cand.Phones, p.Value)
		}
	}
	if cand.Stage.Name == "" && cand.Stage.ID != "" {
		name, err := c.stageName(ctx, cand.Stage.ID)
		if err != nil {
			return ats.Candidate{}, err
		}
		cand.Stage.Name = name
	}
	return cand, nil
}

// ChangeStage moves an opportunity to a stage
// (PUT /opportunities/:id/stage?perform_as=). performAs overrides the
// configured user; "" uses Options.PerformAs / PerformAsEmail.
//
// https://hire.lever.co/developer/documentation#update-opportunity-stage
func (c *Client) ChangeStage(ctx context.Context, opportunityID, stageID, performAs string) error {
	if stageID == "" {
		return &ats.ValidationError{Op: "move opportunity " + short(opportunityID), Fields: []ats.FieldError{{Field: "stage", Message: "is required"}}}
	}
	q, err := c.writeQuery(ctx, performAs)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, &httpx.Request{
		Op:     fmt.Sprintf("move opportunity %s to stage %s", short(opportunityID), short(stageID)),
		Method: "PUT",
		Path:   "/opportunities/" + url.PathEscape(opportunityID) + "/stage",
		Query:  q,
		Body:   map[string]string{"stage": stageID},
	}, nil)
	return err
}

// MoveCandidate moves an opportunity to a stage. It implements
// ats.CandidateMover.
func (c *Client) MoveCandidate(ctx context.Context, candidateID, stageID string) error {
	return c.ChangeStage(ctx, candidateID, stageID, "")
}

// AddTags adds tags to an opportunity (POST /opportunities/:id/addTags).
// It implements ats.Tagger; adding a present tag is not an error.
//
// https://hire.lever.co/developer/documentation#add-contact-links-by-contact
func (c *Client) AddTags(ctx context.Context, opportunityID string, tags ...string) error {
	return c.tags(ctx, "addTags", "add tags to", opportunityID, tags)
}

// RemoveTags removes tags from an opportunity
// (POST /opportunities/:id/removeTags). It implements ats.Tagger.
func (c *Client) RemoveTags(ctx context.Context, opportunityID string, tags ...string) error {
	return c.tags(ctx, "removeTags", "remove tags from", opportunityID, tags)
}

func (c *Client) tags(ctx context.Context, action, verb, id string, tags []string) error {
	if len(tags) == 0 {
		return nil
	}
	q, err := c.writeQuery(ctx, "")
	if err != nil {
		return err
	}
	_, err = c.do(ctx, &httpx.Request{
		Op:     verb + " opportunity " + short(id),
		Method: "POST",
		Path:   "/opportunities/" + url.PathEscape(id) + "/" + action,
		Query:  q,
		Body:   map[string][]string{"tags": tags},
		// Adding or removing the same tags twice has the same effect.
		Idempotent: true,
	}, nil)
	return err
}

// ArchiveReason is a reason an opportunity can be archived with.
type ArchiveReason struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	// Type is "hired" or "non-hired".
	Type   string `json:"type,omitempty"`
	Status string `json:"status,omitempty"`
}

// Active reports whether the reason may be used; a reason without a status
// (older responses) counts as active.
func (r ArchiveReason) Active() bool { return r.Status == "" || strings.EqualFold(r.Status, "active") }

// ListArchiveReasons lists the account's archive reasons
// (GET /archive_reasons).
//
// https://hire.lever.co/developer/documentation#list-all-archive-reasons
func (c *Client) ListArchiveReasons(ctx context.Context) ([]ArchiveReason, error) {
	return paging.Collect(paging.Seq(ctx, func(ctx context.Context, cursor string) ([]ArchiveReason, string, error) {
		return fetchPage[ArchiveReason](ctx, c, "list archive reasons", "/archive_reasons", nil, 100, cursor)
	}))
}

// Archive archives an opportunity with an archive reason ID
// (PUT /opportunities/:id/archived).
//
// https://hire.lever.co/developer/documentation#update-opportunity-archived-state
func (c *Client) Archive(ctx context.Context, opportunityID, reasonID string) error {
	q, err := c.writeQuery(ctx, "")
	if err != nil {
		return err
	}
	_, err = c.do(ctx, &httpx.Request{
		Op:     "archive opportunity " + short(opportunityID),
		Method: "PUT",
		Path:   "/opportunities/" + url.PathEscape(opportunityID) + "/archived",
		Query:  q,
		Body:   map[string]string{"reason": reasonID},
	}, nil)
	return err
}

// Disqualify archives an opportunity. reason is an active archive reason's
// ID or its text (matched case-insensitively against GET /archive_reasons). A
// reason that matches none falls back to Options.DefaultArchiveReason, or,
// when that is empty, to the account's first non-hired reason, since Lever
// only archives with one of its configured reasons. It implements
// ats.Disqualifier.
func (c *Client) Disqualify(ctx context.Context, candidateID, reason string) error {
	all, err := c.ListArchiveReasons(ctx)
	if err != nil {
		return err
	}
	// Only active reasons are candidates: an account keeps retired
	// reasons with status "inactive"
	// (https://hire.lever.co/developer/documentation#archive-reasons).
	reasons := slices.DeleteFunc(all, func(r ArchiveReason) bool { return !r.Active() })
	id := ""
	for _, r := range reasons {
		if r.ID == reason {
			id = r.ID
			break
		}
	}
	if id == "" {
		for _, r := range reasons {
			if strings.EqualFold(strings.TrimSpace(r.Text), strings.TrimSpace(reason)) {
				id = r.ID
				break
			}
		}
	}
	if id == "" && c.opts.DefaultArchiveReason != "" && !strings.EqualFold(reason, c.opts.DefaultArchiveReason) {
		return c.Disqualify(ctx, candidateID, c.opts.DefaultArchiveReason)
	}
	if id == "" && c.opts.DefaultArchiveReason == "" {
		// Lever only archives with one of the account's reasons. A vendor's
		// free-text reason falls back to the first non-hired reason.
		for _, r := range reasons {
			if r.Type != "hired" {
				id = r.ID
				c.opts.logger().LogAttrs(ctx, slog.LevelDebug, "lever: archive reason not found, using the first non-hired reason",
					slog.String("reason", reason), slog.String("used", r.Text))
				break
			}
		}
	}
	if id == "" {
		names := make([]string, len(reasons))
		for i, r := range reasons {
			names[i] = strconv.Quote(r.Text)
		}
		return &ats.ValidationError{Op: "archive opportunity " + short(candidateID), Fields: []ats.FieldError{{
			Field:   "reason",
			Message: fmt.Sprintf("%q is not an archive reason of this Lever account (have %s)", reason, strings.Join(names, ", ")),
		}}}
	}
	return c.Archive(ctx, candidateID, id)
}
