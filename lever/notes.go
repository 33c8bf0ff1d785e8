package lever

import (
	"cmp"
	"context"
	"iter"
	"net/url"
	"slices"
	"strings"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/httpx"
	"github.com/atskit/atskit/internal/paging"
)

// NoteInput is a note to post on an opportunity.
type NoteInput struct {
	// Value is the note text.
	Value string
	// Secret restricts the note to users allowed to see secret notes.
	Secret bool
	// Score is an optional score (1–4 in Lever's UI); nil sends none.
	Score *int
	// NotifyFollowers notifies the opportunity's followers.
	NotifyFollowers bool
	// AddressToOwner addresses the note to the opportunity's owner: the
	// note starts with "@username" (Lever @-mentions "by username",
	// https://hire.lever.co/developer/documentation#create-a-note) and
	// followers are notified. An owner without a username is mentioned by
	// the local part of their e-mail address, which is where Lever takes
	// usernames from.
	AddressToOwner bool
	// PerformAs attributes the note to a user ID; "" uses the configured
	// user.
	PerformAs string
}

// NoteRecord is a note as Lever lists it.
type NoteRecord struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	User      string `json:"user"`
	Secret    bool   `json:"secret"`
	CreatedAt Millis `json:"createdAt"`
	Fields    []struct {
		Type  string `json:"type"`
		Text  string `json:"text"`
		Value any    `json:"value"`
	} `json:"fields,omitempty"`
}

// CreateNote posts a note on an opportunity
// (POST /opportunities/:id/notes?perform_as=) and returns its ID.
//
// https://hire.lever.co/developer/documentation#create-a-note
func (c *Client) CreateNote(ctx context.Context, opportunityID string, n NoteInput) (string, error) {
	op := "add note to opportunity " + short(opportunityID)
	if strings.TrimSpace(n.Value) == "" {
		return "", &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "value", Message: "is empty"}}}
	}
	q, err := c.writeQuery(ctx, n.PerformAs)
	if err != nil {
		return "", err
	}
	value := n.Value
	if n.AddressToOwner {
		o, err := c.getOpportunityOwner(ctx, opportunityID)
		if err != nil {
			return "", err
		}
		if o != "" {
			value = "@" + o + " " + value
		}
		n.NotifyFollowers = true
	}
	body := map[string]any{"value": value, "secret": n.Secret, "notifyFollowers": n.NotifyFollowers}
	if n.Score != nil {
		body["score"] = *n.Score
	}
	// Lever documents {"data":{"noteId":…}}; a sandbox recording shows the
	// whole note with both id and noteId. Either names the note.
	type created struct {
		NoteID string `json:"noteId"`
		ID     string `json:"id"`
	}
	r, err := write(ctx, c, &httpx.Request{Op: op, Method: "POST", Path: "/opportunities/" + url.PathEscape(opportunityID) + "/notes", Query: q, Body: body},
		func(r created) string {
			if r.NoteID == "" && r.ID == "" {
				return "the note id (noteId)"
			}
			return ""
		})
	if err != nil {
		return "", err
	}
	return cmp.Or(r.NoteID, r.ID), nil
}

// getOpportunityOwner returns the username of the opportunity's owner,
// "" when it has none.
func (c *Client) getOpportunityOwner(ctx context.Context, id string) (string, error) {
	o, err := getOne[Opportunity](ctx, c, "get owner of opportunity "+short(id), "/opportunities/"+url.PathEscape(id), nil)
	if err != nil || o.Owner.ID == "" {
		return "", err
	}
	u, err := c.GetUser(ctx, o.Owner.ID)
	if err != nil {
		return "", err
	}
	return u.MentionName(), nil
}

// ListNotes lists an opportunity's notes (GET /opportunities/:id/notes).
func (c *Client) ListNotes(ctx context.Context, opportunityID string) iter.Seq2[NoteRecord, error] {
	return paging.Seq(ctx, func(ctx context.Context, cursor string) ([]NoteRecord, string, error) {
		return fetchPage[NoteRecord](ctx, c, "list notes of opportunity "+short(opportunityID), "/opportunities/"+url.PathEscape(opportunityID)+"/notes", nil, 100, cursor)
	})
}

// AddNote posts a note. Note.Author (a Lever user ID) becomes perform_as;
// VisibilityRestricted makes the note secret. Attachments are not
// supported by Lever notes and are sent as a link line when they have a
// URL. It implements ats.Noter.
func (c *Client) AddNote(ctx context.Context, candidateID string, note ats.Note) error {
	in := NoteInput{Value: note.Body, Secret: note.Visibility == ats.VisibilityRestricted, PerformAs: note.Author}
	if a := note.Attachment; a != nil {
		if a.URL == "" {
			return &ats.ValidationError{Op: "add note to opportunity " + short(candidateID), Fields: []ats.FieldError{{Field: "attachment", Message: "Lever notes cannot carry files; pass a URL"}}}
		}
		name := a.Name
		if name == "" {
			name = "Attachment"
		}
		in.Value = strings.TrimRight(in.Value, "\n") + "\n\n" + name + ": " + a.URL
	}
	_, err := c.CreateNote(ctx, candidateID, in)
	return err
}

// Notes returns an opportunity's notes as ats.Notes (Body, Author and
// Visibility), oldest first as Lever lists them. With it the lifecycle
// dispatcher can tell whether a note it is about to retry already exists,
// so a crash between posting a note and recording it never duplicates the
// note.
//
// Assumed (Lever's documentation does not give the note object): a listed note
// carries its text in text and/or in fields[].value; Body joins the
// distinct non-empty ones, so text the client posted is found in it.
func (c *Client) Notes(ctx context.Context, candidateID string) ([]ats.Note, error) {
	var out []ats.Note
	for n, err := range c.ListNotes(ctx, candidateID) {
		if err != nil {
			return nil, err
		}
		out = append(out, n.Note())
	}
	return out, nil
}

// Note converts a listed note to an ats.Note.
func (n NoteRecord) Note() ats.Note {
	var parts []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	// Lever lists a note with text "Note" (the form title) and the body
	// in fields[].value; text is the body only when there are no fields.
	for _, f := range n.Fields {
		if v, ok := f.Value.(string); ok {
			add(v)
		}
	}
	if len(parts) == 0 {
		add(n.Text)
	}
	note := ats.Note{Body: strings.Join(parts, "\n"), Author: n.User}
	if n.Secret {
		note.Visibility = ats.VisibilityRestricted
	}
	return note
}
