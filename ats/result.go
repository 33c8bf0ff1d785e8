package ats

// Grade is a vendor's verdict on a completed interview or assessment. It is
// the one grade type of atskit: lifecycle reports it, provider publishes it
// to partner contracts, and adapters map it onto the ATS's own scale (Lever's
// score system, Workable's evaluation, Greenhouse's and Ashby's result
// statuses).
type Grade string

// Grades. Workable's Video Interview Provider contract names exactly these
// three (https://workable.readme.io/docs/video-interview-provider); the other
// ATSs map them onto their scales.
const (
	GradeFailed   Grade = "failed"
	GradePassed   Grade = "passed"
	GradeExcelled Grade = "excelled"
)

// Passed reports whether g is a positive verdict (GradePassed or
// GradeExcelled).
func (g Grade) Passed() bool { return g == GradePassed || g == GradeExcelled }

// Valid reports whether g is one of the defined grades. The empty grade is
// not valid.
func (g Grade) Valid() bool {
	switch g {
	case GradeFailed, GradePassed, GradeExcelled:
		return true
	}
	return false
}

// Result is a completed interview's outcome as the vendor reports it. It is
// the one result type of atskit: lifecycle stores and reports it, and the
// partner-contract publishers in package provider build their wire documents
// from it.
type Result struct {
	// Score is an overall score, preferably a percentage, e.g. "78".
	Score string `json:"score,omitempty"`
	// Grade is the verdict.
	Grade Grade `json:"grade,omitempty"`
	// Summary is a short evaluation in plain text.
	Summary string `json:"summary,omitempty"`
	// ReportURL links to the full report on the vendor's site.
	ReportURL string `json:"report_url,omitempty"`
	// PlaybackURL links to the interview's recording, when there is one.
	PlaybackURL string `json:"playback_url,omitempty"`
	// Duration is how long the interview took, e.g. "45m".
	Duration string `json:"duration,omitempty"`
	// Attachments are report files or links (a PDF report, a signed
	// report). An attachment whose ContentType is "application/pdf" is the
	// PDF report that adapters able to store files upload to the profile.
	Attachments []Attachment `json:"attachments,omitempty"`
	// Details holds further vendor-specific fields, shown in feedback forms.
	Details []FeedbackField `json:"details,omitempty"`
}

// PDF returns the first attachment whose ContentType is application/pdf (or,
// when no attachment says its type, whose Name or URL ends in ".pdf"), and
// whether there is one.
func (r Result) PDF() (Attachment, bool) {
	for _, a := range r.Attachments {
		if a.IsPDF() {
			return a, true
		}
	}
	return Attachment{}, false
}
