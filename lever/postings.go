package lever

import (
	"context"
	"iter"
	"net/url"
	"strings"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
)

// Posting is a Lever job posting.
type Posting struct {
	ID         string            `json:"id"`
	Text       string            `json:"text"`
	State      string            `json:"state"`
	Tags       []string          `json:"tags"`
	Categories PostingCategories `json:"categories"`
	Owner      string            `json:"owner,omitempty"`
	HiringMgr  string            `json:"hiringManager,omitempty"`
	CreatedAt  Millis            `json:"createdAt"`
	UpdatedAt  Millis            `json:"updatedAt"`
	URLs       map[string]string `json:"urls,omitempty"`
}

// PostingCategories are a posting's team, location, commitment and
// department.
type PostingCategories struct {
	Team       string `json:"team,omitempty"`
	Location   string `json:"location,omitempty"`
	Commitment string `json:"commitment,omitempty"`
	Department string `json:"department,omitempty"`
}

// HasTag reports whether the posting carries tag, case-insensitively.
func (p Posting) HasTag(tag string) bool {
	for _, t := range p.Tags {
		if strings.EqualFold(strings.TrimSpace(t), strings.TrimSpace(tag)) {
			return true
		}
	}
	return false
}

// Posting states.
const (
	PostingPublished = "published"
	PostingInternal  = "internal"
	PostingClosed    = "closed"
	PostingDraft     = "draft"
	PostingPending   = "pending"
	PostingRejected  = "rejected"
)

// ListPostingsOptions filters ListPostings.
type ListPostingsOptions struct {
	// State is a Lever posting state, e.g. PostingPublished; empty is all.
	State string
	// Tag restricts the listing to postings with this tag. Lever matches
	// tags case-sensitively ("Engineering will not match engineering").
	Tag string
	// DistributionChannels filters published postings by channel
	// ("public", "internal"). Lever lists a published posting only when it
	// is on the public job site unless a channel is given, so with State
	// PostingPublished and no channels both are requested.
	DistributionChannels []string
	// Limit is the page size (1–100); zero uses DefaultPageSize.
	Limit int
}

// ListPostings lists postings page by page (GET /postings).
//
// https://hire.lever.co/developer/documentation#list-all-postings
func (c *Client) ListPostings(ctx context.Context, opts ListPostingsOptions) iter.Seq2[Posting, error] {
	q := url.Values{}
	if opts.State != "" {
		q.Set("state", opts.State)
	}
	if opts.Tag != "" {
		q.Set("tag", opts.Tag)
	}
	channels := opts.DistributionChannels
	if opts.State == PostingPublished && len(channels) == 0 {
		channels = []string{"public", "internal"}
	}
	for _, ch := range channels {
		q.Add("distributionChannel", ch)
	}
	if !c.opts.SkipConfidential {
		// Without it Lever lists only non-confidential postings
		// (https://hire.lever.co/developer/documentation#confidential-data).
		q.Set("confidentiality", "all")
	}
	return paging.Seq(ctx, func(ctx context.Context, cursor string) ([]Posting, string, error) {
		return fetchPage[Posting](ctx, c, "list postings", "/postings", q, opts.Limit, cursor)
	})
}

// GetPosting reads one posting (GET /postings/:id).
//
// https://hire.lever.co/developer/documentation#retrieve-a-single-posting
func (c *Client) GetPosting(ctx context.Context, id string) (Posting, error) {
	return getOne[Posting](ctx, c, "get posting "+short(id), "/postings/"+url.PathEscape(id), nil)
}

// Jobs lists postings as ats.Jobs. It implements ats.JobLister.
func (c *Client) Jobs(ctx context.Context, opts ats.ListJobsOptions) iter.Seq2[ats.Job, error] {
	lo := ListPostingsOptions{Limit: opts.PageSize, State: postingState(opts.State)}
	if opts.State == ats.JobArchived || opts.State == ats.JobUnknown {
		// Lever has no such state: nothing matches.
		return func(func(ats.Job, error) bool) {}
	}
	return c.jobs(ctx, lo)
}

// LinkedJobs lists the postings carrying the vendor's tag
// (Options.VendorTag), matched as Posting.HasTag does: case-insensitively,
// ignoring surrounding spaces. Lever's own tag filter is case-sensitive, and
// customers type the tag by hand, so the postings are filtered here rather
// than with ?tag=. It implements ats.LinkedJobLister.
func (c *Client) LinkedJobs(ctx context.Context) iter.Seq2[ats.Job, error] {
	if c.opts.VendorTag == "" {
		return func(yield func(ats.Job, error) bool) {
			yield(ats.Job{}, &ats.ValidationError{Op: "list linked jobs", Fields: []ats.FieldError{{Field: "VendorTag", Message: "lever.Options.VendorTag is not set"}}})
		}
	}
	return func(yield func(ats.Job, error) bool) {
		for j, err := range c.jobs(ctx, ListPostingsOptions{}) {
			if err != nil {
				yield(ats.Job{}, err)
				return
			}
			if j.Link.Linked && !yield(j, nil) {
				return
			}
		}
	}
}

func (c *Client) jobs(ctx context.Context, lo ListPostingsOptions) iter.Seq2[ats.Job, error] {
	return func(yield func(ats.Job, error) bool) {
		for p, err := range c.ListPostings(ctx, lo) {
			if err != nil {
				yield(ats.Job{}, err)
				return
			}
			if !yield(c.PostingJob(p), nil) {
				return
			}
		}
	}
}

// PostingJob converts a posting to an ats.Job; Link reports the vendor tag.
func (c *Client) PostingJob(p Posting) ats.Job {
	j := ats.Job{
		ID:          p.ID,
		Title:       p.Text,
		State:       jobState(p.State),
		RawState:    p.State,
		ExternalIDs: map[string]string{"id": p.ID},
		CreatedAt:   p.CreatedAt.Time(),
		UpdatedAt:   p.UpdatedAt.Time(),
	}
	if u := p.URLs["show"]; u != "" {
		j.URL = u
	}
	if c.opts.VendorTag != "" && p.HasTag(c.opts.VendorTag) {
		j.Link = ats.JobLink{Linked: true, Marker: c.opts.VendorTag}
	}
	return j
}

func jobState(s string) ats.JobState {
	switch s {
	case PostingPublished:
		return ats.JobPublished
	case PostingInternal:
		return ats.JobInternal
	case PostingClosed, PostingRejected:
		return ats.JobClosed
	case PostingDraft, PostingPending:
		return ats.JobDraft
	}
	return ats.JobUnknown
}

func postingState(s ats.JobState) string {
	switch s {
	case ats.JobPublished:
		return PostingPublished
	case ats.JobInternal:
		return PostingInternal
	case ats.JobClosed:
		return PostingClosed
	case ats.JobDraft:
		return PostingDraft
	}
	return ""
}
