package ashby

import (
	"context"
	"slices"

	"github.com/atskit/atskit/ats"
)

// Person is an Ashby candidate: the person, across applications
// (candidate.info, https://developers.ashbyhq.com/reference/candidateinfo).
type Person struct {
	ID                  string         `json:"id"`
	Name                string         `json:"name"`
	PrimaryEmailAddress *ContactValue  `json:"primaryEmailAddress,omitempty"`
	EmailAddresses      []ContactValue `json:"emailAddresses,omitempty"`
	PrimaryPhoneNumber  *ContactValue  `json:"primaryPhoneNumber,omitempty"`
	PhoneNumbers        []ContactValue `json:"phoneNumbers,omitempty"`
	Tags                []Tag          `json:"tags,omitempty"`
	ApplicationIDs      []string       `json:"applicationIds,omitempty"`
	ResumeFileHandle    *FileHandle    `json:"resumeFileHandle,omitempty"`
	FileHandles         []FileHandle   `json:"fileHandles,omitempty"`
	ProfileURL          string         `json:"profileUrl,omitempty"`
	CreatedAt           Time           `json:"createdAt"`
	UpdatedAt           Time           `json:"updatedAt"`
}

// FileHandle names a file stored in Ashby; file.info resolves it to a URL.
type FileHandle struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Handle string `json:"handle"`
}

// CandidateInfo reads a candidate by its Ashby candidate ID (candidate.info
// takes "id", not "candidateId"). Permission: candidatesRead.
func (c *Client) CandidateInfo(ctx context.Context, candidateID string) (Person, error) {
	return call[Person](ctx, c, "read candidate "+short(candidateID), "candidate.info", map[string]string{"id": candidateID}, true)
}

// merge adds the profile fields of p to an application's ats.Candidate.
func (p Person) merge(out *ats.Candidate) {
	add := func(list []string, v string) []string {
		if v == "" || slices.Contains(list, v) {
			return list
		}
		return append(list, v)
	}
	if p.PrimaryEmailAddress != nil {
		out.Emails = add(out.Emails, p.PrimaryEmailAddress.Value)
	}
	for _, e := range p.EmailAddresses {
		out.Emails = add(out.Emails, e.Value)
	}
	if p.PrimaryPhoneNumber != nil {
		out.Phones = add(out.Phones, p.PrimaryPhoneNumber.Value)
	}
	for _, e := range p.PhoneNumbers {
		out.Phones = add(out.Phones, e.Value)
	}
	out.Tags = out.Tags[:0:0]
	for _, t := range p.Tags {
		if !t.IsArchived {
			out.Tags = append(out.Tags, t.Title)
		}
	}
	out.ProfileURL = p.ProfileURL
	if out.Name == "" {
		out.Name = p.Name
		out.FirstName, out.LastName = ats.SplitName(p.Name)
	}
}

// personID returns the Ashby candidate ID of an application, reading the
// application once and caching the answer (it never changes).
func (c *Client) personID(ctx context.Context, applicationID string) (string, error) {
	c.mu.Lock()
	id, ok := c.persons[applicationID]
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	a, err := c.ApplicationInfo(ctx, applicationID)
	if err != nil {
		return "", err
	}
	return a.Candidate.ID, nil
}
