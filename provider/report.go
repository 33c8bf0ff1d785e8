package provider

import (
	"fmt"
	"maps"

	"github.com/atskit/atskit/ats"
)

// ReportKind is a kind of report a vendor publishes with a result. The
// kinds are those assessment vendors offer Workable customers: Harver's
// Workable integration setup guide, for example, lets the customer
// configure any of the four, each as a URL (candidate details page,
// read-only candidate details page, PDF report, signed report).
type ReportKind string

// Report kinds.
const (
	// ReportDetailsPage is the candidate's (interactive) details page on
	// the vendor's site.
	ReportDetailsPage ReportKind = "details_page"
	// ReportReadOnlyDetailsPage is a read-only version of the details page.
	ReportReadOnlyDetailsPage ReportKind = "read_only_details_page"
	// ReportPDF is a PDF report.
	ReportPDF ReportKind = "pdf"
	// ReportSigned is a signed (tamper-evident or time-limited) report
	// file, a PDF.
	ReportSigned ReportKind = "signed_report"
)

// pdf reports whether reports of kind k are PDF files, which Workable can
// show as attachments (it supports PDF attachments only).
func (k ReportKind) pdf() bool { return k == ReportPDF || k == ReportSigned }

func (k ReportKind) label() string {
	switch k {
	case ReportDetailsPage:
		return "Candidate details page"
	case ReportReadOnlyDetailsPage:
		return "Candidate details page (read-only)"
	case ReportPDF:
		return "PDF report"
	case ReportSigned:
		return "Signed report"
	}
	return ""
}

// Report is one report of a result: a publicly reachable URL of a kind.
type Report struct {
	Kind ReportKind
	URL  string
	// Description is shown next to the link; default a label for Kind,
	// e.g. "PDF report".
	Description string
}

// ReportsKey is the key of Details under which WithReports lists every
// report's link.
const ReportsKey = "Reports"

// WithReports returns r with reports placed where Workable shows them
// (https://workable.readme.io/page/video-interview-providers):
//
//   - ResultsURL, the "link to the full report" Workable puts on the
//     candidate's timeline, is set when empty, to the first page report
//     (details page, then read-only details page) or else the first report;
//   - PDF reports (ReportPDF, ReportSigned) are added to Attachments, which
//     Workable supports for PDFs at publicly accessible URLs;
//   - every report's link is listed in the results' Details under
//     ReportsKey (description: URL), so all kinds are visible whichever
//     the customer configured.
//
// The results object (Assessment if set, else Interview, created when
// nil) is copied, never modified in place. An unknown kind, a repeated
// kind or a URL that is not absolute http(s) is an error naming the
// report.
func (r StatusDocument) WithReports(reports ...Report) (StatusDocument, error) {
	if len(reports) == 0 {
		return r, nil
	}
	seen := map[ReportKind]bool{}
	links := map[string]any{}
	var page, first string
	var atts []ats.Attachment
	for i, rep := range reports {
		if rep.Kind.label() == "" {
			return r, &ValidationError{fmt.Sprintf("reports[%d].kind", i), fmt.Sprintf("%q is not one of details_page, read_only_details_page, pdf, signed_report", string(rep.Kind))}
		}
		if seen[rep.Kind] {
			return r, &ValidationError{fmt.Sprintf("reports[%d].kind", i), fmt.Sprintf("%q is given twice", string(rep.Kind))}
		}
		seen[rep.Kind] = true
		if err := checkURL(rep.URL); err != nil {
			return r, &ValidationError{fmt.Sprintf("reports[%d].url", i), err.Error()}
		}
		desc := rep.Description
		if desc == "" {
			desc = rep.Kind.label()
		}
		links[desc] = rep.URL
		if first == "" {
			first = rep.URL
		}
		if page == "" && !rep.Kind.pdf() {
			page = rep.URL
		}
		if rep.Kind.pdf() {
			atts = append(atts, ats.Attachment{Description: desc, URL: rep.URL})
		}
	}
	if r.ResultsURL == "" {
		r.ResultsURL = page
		if page == "" {
			r.ResultsURL = first
		}
	}
	r.Attachments = append(append([]ats.Attachment(nil), r.Attachments...), atts...)
	target := &r.Interview
	if r.Assessment != nil {
		target = &r.Assessment
	}
	res := InterviewResult{}
	if *target != nil {
		res = **target
	}
	res.Details = maps.Clone(res.Details)
	if res.Details == nil {
		res.Details = map[string]any{}
	}
	res.Details[ReportsKey] = links
	*target = &res
	return r, nil
}
