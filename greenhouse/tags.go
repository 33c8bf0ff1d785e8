package greenhouse

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/httpx"
)

// CandidateTag is an account-wide candidate tag
// (https://harvestdocs.greenhouse.io/reference/get_v3-candidate-tags).
type CandidateTag struct {
	ID   ID     `json:"id"`
	Name string `json:"name"`
}

// AppliedTag is a tag on one candidate
// (https://harvestdocs.greenhouse.io/reference/get_v3-applied-candidate-tags).
type AppliedTag struct {
	ID             ID `json:"id"`
	CandidateID    ID `json:"candidate_id"`
	CandidateTagID ID `json:"candidate_tag_id"`
}

// tagID returns the ID of the account tag named name, creating the tag
// when create is set and it does not exist (POST /v3/candidate_tags; its
// body is not documented, {"name"} is assumed). 0 means no such tag.
func (c *Client) tagID(ctx context.Context, name string, create bool) (int64, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	c.mu.Lock()
	id, ok := c.tagIDs[key]
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	tags, err := all[CandidateTag](ctx, c, "list candidate tags", "/candidate_tags", query("per_page", fmt.Sprint(MaxPageSize)))
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	for _, t := range tags {
		c.tagIDs[strings.ToLower(strings.TrimSpace(t.Name))] = int64(t.ID)
	}
	id, ok = c.tagIDs[key]
	c.mu.Unlock()
	if ok || !create {
		return id, nil
	}
	var t CandidateTag
	if _, err := c.do(ctx, &httpx.Request{Op: "create candidate tag", Method: http.MethodPost, Path: "/candidate_tags", Body: map[string]string{"name": strings.TrimSpace(name)}}, &t); err != nil {
		return 0, err
	}
	if t.ID == 0 {
		return 0, fmt.Errorf("greenhouse: create candidate tag: the answer carries no tag id")
	}
	c.mu.Lock()
	c.tagIDs[key] = int64(t.ID)
	c.mu.Unlock()
	return int64(t.ID), nil
}

func (c *Client) appliedTags(ctx context.Context, personID ID) ([]AppliedTag, error) {
	return all[AppliedTag](ctx, c, "list applied tags", "/applied_candidate_tags", query("candidate_ids", personID.String(), "per_page", fmt.Sprint(MaxPageSize)))
}

// AddTags tags the application's candidate (implements ats.Tagger),
// creating account tags that do not exist yet. Tags in Greenhouse belong
// to the person, not the application.
func (c *Client) AddTags(ctx context.Context, candidateID string, tags ...string) error {
	op := "tag application " + candidateID
	a, err := c.Application(ctx, candidateID)
	if err != nil {
		return err
	}
	applied, err := c.appliedTags(ctx, a.CandidateID)
	if err != nil {
		return err
	}
	for _, name := range tags {
		if strings.TrimSpace(name) == "" {
			return invalid(op, ats.FieldError{Field: "tags", Message: "a tag is empty"})
		}
		id, err := c.tagID(ctx, name, true)
		if err != nil {
			return err
		}
		has := false
		for _, at := range applied {
			has = has || int64(at.CandidateTagID) == id
		}
		if has {
			continue
		}
		var row AppliedTag
		if _, err := c.do(ctx, &httpx.Request{Op: op, Method: http.MethodPost, Path: "/applied_candidate_tags",
			Body: map[string]int64{"candidate_id": int64(a.CandidateID), "candidate_tag_id": id}}, &row); err != nil {
			return err
		}
		applied = append(applied, row)
	}
	return nil
}

// RemoveTags removes tags from the application's candidate (implements
// ats.Tagger) by deleting the applied-tag rows.
func (c *Client) RemoveTags(ctx context.Context, candidateID string, tags ...string) error {
	op := "untag application " + candidateID
	a, err := c.Application(ctx, candidateID)
	if err != nil {
		return err
	}
	applied, err := c.appliedTags(ctx, a.CandidateID)
	if err != nil {
		return err
	}
	for _, name := range tags {
		id, err := c.tagID(ctx, name, false)
		if err != nil {
			return err
		}
		if id == 0 {
			continue
		}
		for _, at := range applied {
			if int64(at.CandidateTagID) != id {
				continue
			}
			_, err := c.do(ctx, &httpx.Request{Op: op, Method: http.MethodDelete, Path: "/applied_candidate_tags/" + at.ID.String()}, nil)
			if err != nil && !isNotFound(err) {
				return err
			}
		}
	}
	return nil
}

func isNotFound(err error) bool { return errors.Is(err, ats.ErrNotFound) }
