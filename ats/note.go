package ats

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

// Attachment is a file or link attached to a candidate.
type Attachment struct {
	// Name is the file name shown in the ATS.
	Name string
	// ContentType is the MIME type, e.g. "application/pdf".
	ContentType string
	// Data is the file content. When empty, URL is used instead.
	Data []byte
	// URL links to the file when Data is empty.
	URL string
}
