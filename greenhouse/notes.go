package greenhouse

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
	"github.com/atskit/atskit/internal/httpx"
)

// Note visibilities as POST /v3/notes takes them. Greenhouse answers them
// as admin_only_visible, privately_visible and publicly_visible.
const (
	NoteAdminOnly = "admin_only"
	NotePrivate   = "private"
	NotePublic    = "public"
)

// NoteRecord is a note as GET /v3/notes returns it
// (https://harvestdocs.greenhouse.io/reference/get_v3-notes).
type NoteRecord struct {
	ID            ID        `json:"id"`
	CandidateID   ID        `json:"candidate_id"`
	ApplicationID ID        `json:"application_id"`
	UserID        ID        `json:"user_id"`
	Body          string    `json:"body"`
	Type          string    `json:"type"`
	Visibility    string    `json:"visibility"`
	CreatedAt     time.Time `json:"created_at"`
}

// noteBody is the body of POST /v3/notes. The request schema is not in
// Greenhouse's prose; these are the fields two independent v3 clients
// send.
type noteBody struct {
	CandidateID   int64  `json:"candidate_id"`
	ApplicationID int64  `json:"application_id"`
	UserID        int64  `json:"user_id,omitempty"`
	Body          string `json:"body"`
	Visibility    string `json:"visibility"`
	NoteType      string `json:"note_type"`
}

// noteVisibility maps an ats visibility onto Greenhouse's: restricted is
// admin_only, public and the default are public (visible to everyone who
// can see the candidate, as a hiring-team note is).
func noteVisibility(v ats.Visibility) string {
	if v == ats.VisibilityRestricted {
		return NoteAdminOnly
	}
	return NotePublic
}

// AddNote adds a note to the application's candidate (implements
// ats.Noter) with POST /v3/notes
// (https://harvestdocs.greenhouse.io/reference/post_v3-notes). The author
// is note.Author (a user ID), else the acting user (Options.UserID or
// UserEmail), else the token's user. Notes cannot be edited or deleted
// through v3, so the call is never retried after it may have reached
// Greenhouse. Attachments are not supported on notes; use AttachReport.
func (c *Client) AddNote(ctx context.Context, candidateID string, note ats.Note) error {
	op := "add note to application " + candidateID
	if note.Body == "" {
		return invalid(op, ats.FieldError{Field: "Body", Message: "is empty"})
	}
	if note.Attachment != nil {
		return invalid(op, ats.FieldError{Field: "Attachment", Message: "Greenhouse notes take no files; use AttachReport"})
	}
	if err := ctx.Err(); err != nil {
		return errfmt.Errorf("greenhouse: %s: %w", op, err)
	}
	a, err := c.Application(ctx, candidateID)
	if err != nil {
		return err
	}
	author := note.Author
	if author == "" {
		if author, err = c.ActingUser(ctx); err != nil {
			return err
		}
	}
	var uid int64
	if author != "" {
		if uid, err = strconv.ParseInt(author, 10, 64); err != nil {
			return invalid(op, ats.FieldError{Field: "Author", Message: fmt.Sprintf("%q is not a Greenhouse user ID", author)})
		}
	}
	_, err = c.do(ctx, &httpx.Request{Op: op, Method: http.MethodPost, Path: "/notes", Body: noteBody{
		CandidateID: int64(a.CandidateID), ApplicationID: int64(a.ID), UserID: uid,
		Body: note.Body, Visibility: noteVisibility(note.Visibility), NoteType: "NOTE",
	}}, nil)
	return err
}

// Notes lists the notes on an application's candidate, oldest first
// (GET /v3/notes?candidate_ids=).
func (c *Client) Notes(ctx context.Context, candidateID string) ([]ats.Note, error) {
	a, err := c.Application(ctx, candidateID)
	if err != nil {
		return nil, err
	}
	recs, err := all[NoteRecord](ctx, c, "list notes", "/notes", query("candidate_ids", a.CandidateID.String(), "per_page", fmt.Sprint(MaxPageSize)))
	if err != nil {
		return nil, err
	}
	out := make([]ats.Note, 0, len(recs))
	for _, r := range recs {
		v := ats.VisibilityPublic
		if r.Visibility == "admin_only_visible" || r.Visibility == NoteAdminOnly || r.Visibility == "privately_visible" || r.Visibility == NotePrivate {
			v = ats.VisibilityRestricted
		}
		out = append(out, ats.Note{Body: r.Body, Author: r.UserID.String(), Visibility: v})
	}
	return out, nil
}
