package ashby

import (
	"context"
	"strings"

	"github.com/atskit/atskit/ats"
)

// Tag is an Ashby candidate tag.
type Tag struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	IsArchived bool   `json:"isArchived"`
}

// CreateTag creates the account-wide tag title, or returns the existing tag
// with that title (candidateTag.create,
// https://developers.ashbyhq.com/reference/candidatetagcreate).
// Permission: hiringProcessMetadataWrite.
func (c *Client) CreateTag(ctx context.Context, title string) (Tag, error) {
	return call[Tag](ctx, c, "create tag", "candidateTag.create", map[string]string{"title": title}, true)
}

// AddTag adds an existing tag to an Ashby candidate (a person ID)
// (candidate.addTag, https://developers.ashbyhq.com/reference/candidateaddtag).
// Permission: candidatesWrite.
func (c *Client) AddTag(ctx context.Context, candidateID, tagID string) (Person, error) {
	return call[Person](ctx, c, "tag candidate "+short(candidateID), "candidate.addTag", map[string]string{"candidateId": candidateID, "tagId": tagID}, true)
}

// AddTags adds tags (by title, created when missing) to the candidate of
// application candidateID. Adding a tag the candidate has is not an error.
// Ashby has no call to remove a tag from a candidate, so there is no
// RemoveTags and the Client is not an ats.Tagger.
func (c *Client) AddTags(ctx context.Context, candidateID string, tags ...string) error {
	pid, err := c.personID(ctx, candidateID)
	if err != nil {
		return err
	}
	for _, title := range tags {
		if strings.TrimSpace(title) == "" {
			return &ats.ValidationError{Op: "tag candidate " + short(candidateID), Fields: []ats.FieldError{{Field: "tags", Message: "a tag title is empty"}}}
		}
		t, err := c.CreateTag(ctx, title)
		if err != nil {
			return err
		}
		if _, err := c.AddTag(ctx, pid, t.ID); err != nil {
			return err
		}
	}
	return nil
}
