package lifecycle

import (
	"bytes"
	"maps"
	"strings"
	"text/template"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
)

// NoteKind names a note the engine posts on a candidate's timeline.
type NoteKind string

// Note kinds, one per step the recruiter sees.
const (
	NoteNeedsInfo        NoteKind = "needs_info"
	NoteInvited          NoteKind = "invited"
	NoteScheduled        NoteKind = "scheduled"
	NoteRescheduled      NoteKind = "rescheduled"
	NoteCancelled        NoteKind = "cancelled"
	NoteUnableToSchedule NoteKind = "unable_to_schedule"
	NoteDeclined         NoteKind = "declined"
	NoteExpired          NoteKind = "expired"
	NoteCompleted        NoteKind = "completed"
	NoteError            NoteKind = "error"
)

// DefaultNotes returns the note templates (text/template over NoteData)
// used unless Options.Notes or PositionConfig.Notes override them, keyed by
// kind. It returns a new map on each call: changing it changes nothing in
// the engine; pass the changed map as Options.Notes instead.
func DefaultNotes() map[NoteKind]string { return maps.Clone(defaultNotes) }

// defaultNotes are the templates DefaultNotes returns.
var defaultNotes = map[NoteKind]string{
	NoteNeedsInfo: `{{.Vendor}}: could not create the {{.Round}} interview for {{.Candidate}}: missing {{.Missing}}.` +
		`{{if .RetriggerURL}} Add the missing information, then re-trigger: {{.RetriggerURL}}{{end}}`,
	NoteInvited: `{{.Vendor}}: {{.Candidate}} was invited to the {{.Round}} interview. Scheduling link: {{.Link}}`,
	NoteScheduled: `{{.Vendor}}: the {{.Round}} interview with {{.Candidate}} is scheduled for {{.ScheduledAt}}.` +
		scheduleLinks,
	NoteRescheduled: `{{.Vendor}}: the {{.Round}} interview with {{.Candidate}} was rescheduled{{if .PreviousAt}} from {{.PreviousAt}}{{end}} to {{.ScheduledAt}}.` +
		scheduleLinks,
	NoteCancelled: `{{.Vendor}}: the {{.Round}} interview with {{.Candidate}} was cancelled{{if .Detail}}: {{.Detail}}{{end}}.`,
	NoteUnableToSchedule: `{{.Vendor}}: unable to schedule the {{.Round}} interview with {{.Candidate}}: {{.Reason}}` +
		`{{if .Detail}} ({{.Detail}}){{end}}.`,
	NoteDeclined: `{{.Vendor}}: {{.Candidate}} declined the {{.Round}} interview{{if .Detail}}: {{.Detail}}{{end}}.`,
	NoteExpired:  `{{.Vendor}}: the invitation of {{.Candidate}} to the {{.Round}} interview expired without being scheduled.`,
	NoteCompleted: `{{.Vendor}}: {{.Candidate}} completed the {{.Round}} interview.` +
		`{{if .Grade}} Verdict: {{.Grade}}.{{end}}{{if .Score}} Score: {{.Score}}.{{end}}` +
		`{{if .Summary}}` + "\n" + `{{.Summary}}{{end}}` +
		`{{if .ReportURL}}` + "\n" + `Report: {{.ReportURL}}{{end}}` +
		`{{if .PlaybackURL}}` + "\n" + `Recording: {{.PlaybackURL}}{{end}}` +
		`{{if .PDFURL}}` + "\n" + `PDF report: {{.PDFURL}}{{end}}` +
		`{{range .Attachments}}` + "\n" + `{{.Description}}: {{.URL}}{{end}}`,
	NoteError: `{{.Vendor}}: {{.Error}}`,
}

// scheduleLinks is the tail of the scheduled and rescheduled notes: the
// vendor's links a recruiter uses to move or call off the interview.
const scheduleLinks = `{{if .RescheduleLink}}` + "\n" + `Reschedule: {{.RescheduleLink}}{{end}}` +
	`{{if .CancelLink}}` + "\n" + `Cancel: {{.CancelLink}}{{end}}`

// NoteData is what note templates see.
type NoteData struct {
	// Vendor is Options.VendorName.
	Vendor string
	// Candidate is the candidate's name; Position the job title; Round the
	// round's name.
	Candidate string
	Position  string
	Round     string
	// Link is the scheduling link.
	Link string
	// RescheduleLink and CancelLink are the vendor's links to reschedule
	// or cancel a scheduled interview (Update.RescheduleLink, CancelLink),
	// empty when the vendor gave none.
	RescheduleLink string
	CancelLink     string
	// ScheduledAt and PreviousAt are formatted dates ("Mon, 2 Jan 2006 15:04 MST").
	ScheduledAt string
	PreviousAt  string
	// Reason is a human-readable unable-to-schedule reason; Detail the free
	// text of the update or command.
	Reason string
	Detail string
	// Missing lists missing candidate data ("email and phone").
	Missing string
	// RetriggerURL is Options.RetriggerURL(interview ID).
	RetriggerURL string
	// Score, Grade, Summary and ReportURL are the completed interview's
	// Result; PlaybackURL links to its recording and PDFURL to its PDF
	// report (the URL of Result.PDF()), each empty when there is none.
	Score       string
	Grade       string
	Summary     string
	ReportURL   string
	PlaybackURL string
	PDFURL      string
	// Attachments are the result's other attachments that have a URL
	// (files sent as data only have no link to show), each with a
	// Description ("Attachment" when the vendor gave neither a
	// description nor a name).
	Attachments []ats.Attachment
	// Error describes a failure.
	Error string
}

var reasonText = map[UnableReason]string{
	ReasonNoShow:              "the candidate did not show up",
	ReasonCandidateCancelled:  "the candidate cancelled the interview",
	ReasonOrganisationCancel:  "the organisation cancelled the interview",
	ReasonInsufficientCredits: "insufficient credits",
	ReasonOther:               "the interview could not be held",
}

// resultNoteData is what the completed note shows of r: every link it has.
func resultNoteData(r ats.Result) NoteData {
	d := NoteData{Score: r.Score, Grade: string(r.Grade), Summary: r.Summary, ReportURL: r.ReportURL, PlaybackURL: r.PlaybackURL}
	pdf, hasPDF := r.PDF()
	if hasPDF && pdf.URL != "" {
		d.PDFURL = pdf.URL
	}
	for _, a := range r.Attachments {
		if a.URL == "" || (d.PDFURL != "" && a.URL == d.PDFURL) {
			continue
		}
		if a.Description == "" {
			a.Description = a.Name
		}
		if a.Description == "" {
			a.Description = "Attachment"
		}
		a.Data = nil
		d.Attachments = append(d.Attachments, a)
	}
	return d
}

func humanList(fields []Field) string {
	s := make([]string, len(fields))
	for i, f := range fields {
		s[i] = string(f)
	}
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

func (e *Engine) formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(e.loc).Format("Mon, 2 Jan 2006 15:04 MST")
}

// template returns the parsed template for text, cached.
func (e *Engine) template(text string) (*template.Template, error) {
	if t, ok := e.tmpl.Load(text); ok {
		return t.(*template.Template), nil
	}
	t, err := template.New("note").Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, err
	}
	e.tmpl.Store(text, t)
	return t, nil
}

func (e *Engine) noteText(pos *Position, kind NoteKind) string {
	if pos != nil {
		if s, ok := pos.Config.Notes[kind]; ok && s != "" {
			return s
		}
	}
	if s, ok := e.opts.Notes[kind]; ok && s != "" {
		return s
	}
	return defaultNotes[kind]
}

// renderNote renders the note of kind for iv.
func (e *Engine) renderNote(pos *Position, iv *Interview, kind NoteKind, d NoteData) (string, error) {
	t, err := e.template(e.noteText(pos, kind))
	if err != nil {
		return "", errfmt.Errorf("lifecycle: note template %q: %w", kind, err)
	}
	d.Vendor = e.opts.VendorName
	d.Candidate = iv.Candidate.Name
	if d.Candidate == "" {
		d.Candidate = "the candidate"
	}
	if pos != nil {
		d.Position = pos.Title
	}
	d.Round = iv.RoundName
	if d.Round == "" {
		d.Round = "requested"
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return "", errfmt.Errorf("lifecycle: note template %q: %w", kind, err)
	}
	return b.String(), nil
}

// validateNotes parses every override so configuration errors surface at
// configuration time, not when a note is due.
func (e *Engine) validateNotes(notes map[NoteKind]string) error {
	for k, text := range notes {
		t, err := e.template(text)
		if err != nil {
			return errfmt.Errorf("lifecycle: note template %q: %w", k, err)
		}
		if err := t.Execute(&bytes.Buffer{}, NoteData{}); err != nil {
			return errfmt.Errorf("lifecycle: note template %q: %w", k, err)
		}
	}
	return nil
}
