package ats

import "strings"

// Visibility says who may see a note.
type Visibility string

// Visibilities. Adapters map them onto the ATS's own policy model
// (Workable comment policy, Lever secret notes).
const (
	// VisibilityDefault leaves the ATS's default (usually the hiring team).
	VisibilityDefault Visibility = ""
	// VisibilityPublic is visible to everyone with access to the candidate.
	VisibilityPublic Visibility = "public"
	// VisibilityRestricted is visible only to admins and recruiters.
	VisibilityRestricted Visibility = "restricted"
)

// Note is a comment on a candidate's timeline.
type Note struct {
	// Body is the note text. Adapters send it as plain text.
	Body string
	// Author is the ATS user the note is attributed to (Workable member ID,
	// Lever user ID). Empty uses the adapter's configured acting user.
	Author string
	// Visibility restricts who can read the note.
	Visibility Visibility
	// Attachment is an optional file attached to the note, where the
	// adapter supports it (Workable comments take one).
	Attachment *Attachment
}

// Attachment is a file or link attached to a candidate: a report, a
// recording. It is the one attachment type of atskit (notes, results and
// partner-contract documents use it).
type Attachment struct {
	// Name is the file name shown in the ATS, e.g. "report.pdf".
	Name string `json:"name,omitempty"`
	// Description is shown next to the link, e.g. "Interview report".
	Description string `json:"description,omitempty"`
	// ContentType is the MIME type, e.g. "application/pdf".
	ContentType string `json:"content_type,omitempty"`
	// Data is the file content. When empty, URL is used instead.
	Data []byte `json:"data,omitempty"`
	// URL links to the file when Data is empty. Partner contracts require
	// it to be publicly reachable.
	URL string `json:"url,omitempty"`
}

// IsPDF reports whether a is a PDF file: its ContentType is
// application/pdf, or it has no ContentType and its Name or URL path ends in
// ".pdf" (case-insensitive).
func (a Attachment) IsPDF() bool {
	ct := strings.ToLower(strings.TrimSpace(a.ContentType))
	if ct != "" {
		return ct == "application/pdf" || strings.HasPrefix(ct, "application/pdf;")
	}
	if strings.HasSuffix(strings.ToLower(a.Name), ".pdf") {
		return true
	}
	u := a.URL
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	return strings.HasSuffix(strings.ToLower(u), ".pdf")
}
