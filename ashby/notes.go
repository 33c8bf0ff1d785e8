package ashby

import (
	"context"
	"iter"
	"regexp"
	"strings"
	"time"

	"github.com/atskit/atskit/ats"
)

// Note is a note to create on an Ashby candidate (candidate.createNote,
// https://developers.ashbyhq.com/reference/candidatecreatenote). Set
// exactly one of Text and HTML.
type Note struct {
	// Text is sent as text/plain.
	Text string
	// HTML is sent as text/html. Ashby keeps only <b> <i> <u> <a> <ul>
	// <ol> <li> <code> <pre> and strips every other element; build it
	// with NoteHTML to be sure what recruiters see.
	HTML string
	// IsPrivate restricts the note (needs the key's "Allow access to
	// non-offer private fields?" permission).
	IsPrivate bool
	// SendNotifications notifies subscribed users (Ashby's default: no).
	SendNotifications bool
	// CreatedAt backdates the note; zero means now.
	CreatedAt time.Time
}

// CreatedNote is what Ashby returns for a new note.
type CreatedNote struct {
	ID        string `json:"id"`
	CreatedAt Time   `json:"createdAt"`
	IsPrivate bool   `json:"isPrivate"`
	Content   string `json:"content"`
	Author    struct {
		ID        string `json:"id"`
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
		Email     string `json:"email"`
	} `json:"author"`
}

// CreateNote adds a note to the Ashby candidate (a person ID, see
// ats.Candidate.PersonID). Permission: candidatesWrite. Ashby notes belong
// to the candidate, not to one application, and are authored by the API
// key's user: Ashby takes no author. Not retried on transient failures
// (a retry could post the note twice).
func (c *Client) CreateNote(ctx context.Context, candidateID string, n Note) (CreatedNote, error) {
	op := "add note to candidate " + short(candidateID)
	if (n.Text == "") == (n.HTML == "") {
		return CreatedNote{}, &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "note", Message: "set exactly one of Text and HTML"}}}
	}
	type content struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	}
	body := struct {
		CandidateID       string  `json:"candidateId"`
		Note              content `json:"note"`
		IsPrivate         bool    `json:"isPrivate,omitempty"`
		SendNotifications bool    `json:"sendNotifications,omitempty"`
		CreatedAt         *Time   `json:"createdAt,omitempty"`
	}{CandidateID: candidateID, Note: content{"text/plain", n.Text}, IsPrivate: n.IsPrivate, SendNotifications: n.SendNotifications}
	if n.HTML != "" {
		body.Note = content{"text/html", n.HTML}
	}
	if !n.CreatedAt.IsZero() {
		body.CreatedAt = &Time{n.CreatedAt}
	}
	return call[CreatedNote](ctx, c, op, "candidate.createNote", body, false)
}

// AddNote implements ats.Noter: candidateID is an application ID, and the
// note lands on its candidate as plain text. ats.VisibilityRestricted makes
// it private. note.Author is ignored: Ashby attributes notes to the API
// key's user. note.Attachment, when set, is uploaded with AttachReport.
func (c *Client) AddNote(ctx context.Context, candidateID string, note ats.Note) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	pid, err := c.personID(ctx, candidateID)
	if err != nil {
		return err
	}
	if _, err := c.CreateNote(ctx, pid, Note{Text: note.Body, IsPrivate: note.Visibility == ats.VisibilityRestricted}); err != nil {
		return err
	}
	if note.Attachment != nil {
		return c.AttachReport(ctx, candidateID, *note.Attachment)
	}
	return nil
}

// AddMarkedNote adds note like AddNote, with key (letters, digits,
// underscores: a de-duplication key such as the lifecycle dispatcher's
// effect ID) stored where recruiters do not see it: the note is sent as
// text/html, its text escaped and its http(s) links made clickable,
// followed by an empty link whose address carries the key. Notes returns
// the note's HTML, so the key is found in its Body. It makes the Client a
// lifecycle.MarkedNoter.
//
// Assumed: Ashby keeps an <a> with its href and no text (its documented
// subset keeps <a>, and "any unsupported elements will be stripped out",
// https://developers.ashbyhq.com/reference/candidatecreatenote), so the
// key survives and shows nothing; comments and attributes other than href
// are stripped, so they cannot carry it. The address uses the reserved
// .invalid domain: it never resolves. Line breaks are kept as newline
// characters, as the subset has no <br>.
func (c *Client) AddMarkedNote(ctx context.Context, candidateID string, note ats.Note, key string) error {
	op := "add note to candidate " + short(candidateID)
	if !validKey(key) {
		return &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "key", Message: "must be letters, digits, '-' and '_' only"}}}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	pid, err := c.personID(ctx, candidateID)
	if err != nil {
		return err
	}
	html := linkify(note.Body) + `<a href="` + markerURL + key + `"></a>`
	if _, err := c.CreateNote(ctx, pid, Note{HTML: html, IsPrivate: note.Visibility == ats.VisibilityRestricted}); err != nil {
		return err
	}
	if note.Attachment != nil {
		return c.AttachReport(ctx, candidateID, *note.Attachment)
	}
	return nil
}

// markerURL prefixes the hidden de-duplication key of AddMarkedNote.
const markerURL = "https://atskit.invalid/ref/"

func validKey(k string) bool {
	if k == "" || len(k) > 128 {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"']+`)

// linkify escapes text for Ashby's HTML subset, turning http(s) addresses
// into links (trailing sentence punctuation stays outside the link).
func linkify(text string) string {
	var b strings.Builder
	last := 0
	for _, m := range linkRE.FindAllStringIndex(text, -1) {
		start, end := m[0], m[1]
		for end > start && strings.ContainsRune(".,;:!?)", rune(text[end-1])) {
			end--
		}
		b.WriteString(escapeHTML(text[last:start]))
		b.WriteString(NoteLink(text[start:end], text[start:end]))
		last = end
	}
	b.WriteString(escapeHTML(text[last:]))
	return b.String()
}

// NoteHTML builds a note in Ashby's HTML subset: it escapes text and wraps
// it in tag when tag is one Ashby keeps (b, i, u, code, pre); any other tag
// returns the escaped text alone.
func NoteHTML(tag, text string) string {
	esc := escapeHTML(text)
	switch tag {
	case "b", "i", "u", "code", "pre":
		return "<" + tag + ">" + esc + "</" + tag + ">"
	}
	return esc
}

// NoteLink builds an <a> element in Ashby's HTML subset.
func NoteLink(href, text string) string {
	return `<a href="` + escapeHTML(href) + `">` + escapeHTML(text) + "</a>"
}

// NoteList builds a <ul> (or, when ordered, <ol>) of escaped items.
func NoteList(ordered bool, items ...string) string {
	tag := "ul"
	if ordered {
		tag = "ol"
	}
	var b strings.Builder
	b.WriteString("<" + tag + ">")
	for _, it := range items {
		b.WriteString("<li>" + escapeHTML(it) + "</li>")
	}
	b.WriteString("</" + tag + ">")
	return b.String()
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")

func escapeHTML(s string) string { return htmlEscaper.Replace(s) }

// ListedNote is a note as candidate.listNotes returns it.
type ListedNote struct {
	ID        string `json:"id"`
	CreatedAt Time   `json:"createdAt"`
	IsPrivate bool   `json:"isPrivate"`
	Content   string `json:"content"`
	Author    struct {
		ID    string `json:"id"`
		Email string `json:"email"`
	} `json:"author"`
}

// ListNotes lists the notes on an Ashby candidate (a person ID) page by
// page (candidate.listNotes,
// https://developers.ashbyhq.com/reference/candidatelistnotes).
// Permission: candidatesRead.
func (c *Client) ListNotes(ctx context.Context, candidateID string, opts ListOptions) iter.Seq2[ListedNote, error] {
	return list[ListedNote](ctx, c, "list notes of candidate "+short(candidateID), "candidate.listNotes", opts, func(b listBody) any {
		return struct {
			CandidateID string `json:"candidateId"`
			Limit       int    `json:"limit,omitempty"`
			Cursor      string `json:"cursor,omitempty"`
		}{candidateID, b.Limit, b.Cursor}
	})
}

// Notes returns the notes on the candidate of application candidateID,
// oldest first as Ashby lists them. It makes the Client a
// lifecycle.NoteLister, so the dispatcher can tell a note it already
// posted before a crash.
func (c *Client) Notes(ctx context.Context, candidateID string) ([]ats.Note, error) {
	pid, err := c.personID(ctx, candidateID)
	if err != nil {
		return nil, err
	}
	var out []ats.Note
	for n, err := range c.ListNotes(ctx, pid, ListOptions{}) {
		if err != nil {
			return nil, err
		}
		v := ats.VisibilityDefault
		if n.IsPrivate {
			v = ats.VisibilityRestricted
		}
		out = append(out, ats.Note{Body: n.Content, Author: n.Author.ID, Visibility: v})
	}
	return out, nil
}
