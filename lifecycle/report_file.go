package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/atskit/atskit/ats"
)

// EffectAttachReport uploads the vendor's PDF report of a completed
// interview (Result.PDF) to the candidate's profile through the adapter's
// optional ats.ReportAttacher (Lever opportunity files, Greenhouse and
// Ashby attachments). It is queued with the completion, before the
// interview counts as reported, only when the report can be had: the
// attachment carries Data, or the Vendor implements ReportFetcher. A report
// given only as a link is not uploaded; the completion note shows the link.
//
// The effect row holds the attachment without its bytes: they are read
// from the stored result, or fetched from the vendor, when the effect is
// delivered, so the outbox never holds megabytes.
const EffectAttachReport EffectKind = "attach_report"

// MaxReportBytes is the largest report file the dispatcher uploads: 30 MB,
// the limit of Lever's opportunity files
// (https://hire.lever.co/developer/documentation#upload-a-single-file) and
// within Greenhouse's and Ashby's. A larger report fails its effect for
// good with a *ReportTooLargeError; the completion note still links it.
const MaxReportBytes = 30 << 20

// ReportRequest names the report file a ReportFetcher is asked for.
type ReportRequest struct {
	// InterviewID is the lifecycle interview; VendorRef the vendor's
	// reference for it (empty when the vendor never reported one).
	InterviewID string
	VendorRef   string
	// Connection and CandidateID say whose report it is.
	Connection  string
	CandidateID string
	// Attachment is the result's PDF attachment as the vendor reported it
	// (Name, Description, ContentType, URL), without Data.
	Attachment ats.Attachment
}

// ReportFetcher is an optional capability of the Vendor: fetching the
// bytes of a report the vendor's result only links to (Attachment.URL).
// When the Vendor implements it, a completed interview's PDF report is
// uploaded to the candidate's profile wherever the adapter can store files;
// without it, only reports whose Data the result carries are.
//
// FetchReport returns the attachment with Data set (Name and ContentType
// may be refined). It is called at delivery, possibly more than once for
// one report (delivery is at least once), and should stop reading after
// MaxReportBytes+1 bytes: a larger report is refused anyway. Errors are
// classified like Vendor errors: one whose Permanent() returns true fails
// the upload for good, others are retried with backoff.
type ReportFetcher interface {
	FetchReport(ctx context.Context, r ReportRequest) (ats.Attachment, error)
}

// FileLister is an optional adapter capability: listing the files stored on
// a candidate (the lever client implements it). When the adapter has it,
// each report file's name carries ReportMarker, and before uploading again
// after an attempt whose outcome is unknown (a crash between the upload and
// recording it, a timeout after the ATS stored the file) the dispatcher
// looks for a file whose name carries the marker, so the report lands once.
// Without it, such an upload is repeated: delivery is at least once, and a
// recruiter may find the report twice.
type FileLister interface {
	// CandidateFiles returns the files on the candidate's profile; only
	// Name is needed.
	CandidateFiles(ctx context.Context, candidateID string) ([]ats.Attachment, error)
}

// ReportMarker returns the marker the dispatcher puts in the name of the
// report file it uploads for effect effectID (when the adapter is a
// FileLister), e.g. "report [ref fx_…].pdf".
func ReportMarker(effectID string) string { return NoteMarker(effectID) }

// ReportTooLargeError reports a report file over MaxReportBytes. It is
// permanent: retrying uploads the same bytes.
type ReportTooLargeError struct {
	// Name is the report's file name; Size its length in bytes.
	Name string
	Size int
}

func (e *ReportTooLargeError) Error() string {
	return fmt.Sprintf("lifecycle: report %q is %.1f MB; ATSs accept report files of at most %d MB, so it was not uploaded (the completion note links it)",
		e.Name, float64(e.Size)/(1<<20), MaxReportBytes>>20)
}

// Permanent reports true: the same file will not get smaller.
func (e *ReportTooLargeError) Permanent() bool { return true }

// errEmptyReport is returned when the vendor's FetchReport returned no
// bytes.
var errEmptyReport = errors.New("lifecycle: the vendor's FetchReport returned a report without data")

type reportPayload struct {
	// Attachment is the result's PDF attachment, without Data.
	Attachment ats.Attachment `json:"attachment"`
}

// attachReportOnATS queues uploading the result's PDF report to the
// candidate's profile, when there is one, its bytes can be had and the
// adapter can store it.
func (e *Engine) attachReportOnATS(ch *change, iv *Interview, r ats.Result) {
	pdf, ok := r.PDF()
	if !ok || iv.Detached {
		return
	}
	if _, canFetch := e.opts.Vendor.(ReportFetcher); len(pdf.Data) == 0 && !canFetch {
		return // a link only: the completion note shows it
	}
	a, err := e.adapter(ch.ctx, iv.Connection)
	if err != nil {
		return
	}
	if _, ok := a.(ats.ReportAttacher); !ok {
		return
	}
	pdf.Data = nil
	ch.effect(iv, EffectAttachReport, reportPayload{Attachment: pdf})
}

// performAttachReport delivers an EffectAttachReport.
func (d *Dispatcher) performAttachReport(ctx context.Context, eff Effect) (skipped string, err error) {
	e := d.e
	p, err := decodePayload[reportPayload](eff)
	if err != nil {
		return "", err
	}
	conn := eff.conn()
	st, err := e.connectionState(ctx, conn)
	if err != nil {
		return "", err
	}
	if st == ConnectionRemoved {
		return "skipped: the connection was removed", nil
	}
	a, err := e.adapter(ctx, conn)
	if err != nil {
		return "", err
	}
	ra, ok := a.(ats.ReportAttacher)
	if !ok {
		return "skipped: adapter does not store report files", nil
	}
	lister, canList := a.(FileLister)
	if canList && eff.Attempts > 1 {
		// An earlier attempt may have stored the file without its
		// outcome being recorded.
		found, err := reportFileExists(ctx, lister, eff)
		if err != nil {
			return "", err
		}
		if found {
			e.log.Info("lifecycle: report file of an earlier attempt already in the ATS", "effect", eff.ID, "connection", eff.Connection)
			return "", nil
		}
	}
	iv, err := e.store.Interview(ctx, eff.InterviewID)
	if err != nil {
		return "", err
	}
	att := p.Attachment
	if iv.Result != nil {
		if pdf, ok := iv.Result.PDF(); ok && len(pdf.Data) > 0 {
			att.Data = pdf.Data
		}
	}
	if len(att.Data) == 0 {
		f, ok := e.opts.Vendor.(ReportFetcher)
		if !ok {
			return "skipped: the report has no data and the Vendor cannot fetch it (ReportFetcher)", nil
		}
		got, err := f.FetchReport(ctx, ReportRequest{InterviewID: iv.ID, VendorRef: iv.VendorRef, Connection: iv.Connection,
			CandidateID: eff.CandidateID, Attachment: att})
		if err != nil {
			return "", fmt.Errorf("lifecycle: fetching the report from the vendor: %w", err)
		}
		if len(got.Data) == 0 {
			return "", permanentError{errEmptyReport}
		}
		att.Data = got.Data
		if got.Name != "" {
			att.Name = got.Name
		}
		if got.ContentType != "" {
			att.ContentType = got.ContentType
		}
	}
	att.Name = reportFileName(att)
	if len(att.Data) > MaxReportBytes {
		return "", &ReportTooLargeError{Name: att.Name, Size: len(att.Data)}
	}
	if att.ContentType == "" {
		att.ContentType = "application/pdf"
	}
	if canList {
		ext := path.Ext(att.Name)
		att.Name = strings.TrimSuffix(att.Name, ext) + " " + ReportMarker(eff.ID) + ext
	}
	return "", ra.AttachReport(ctx, eff.CandidateID, att)
}

// reportFileExists reports whether the candidate has a file whose name
// carries eff's ReportMarker.
func reportFileExists(ctx context.Context, l FileLister, eff Effect) (bool, error) {
	files, err := l.CandidateFiles(ctx, eff.CandidateID)
	if err != nil {
		return false, fmt.Errorf("lifecycle: list files of %s: %w", eff.CandidateID, err)
	}
	marker := ReportMarker(eff.ID)
	for _, f := range files {
		if strings.Contains(f.Name, marker) {
			return true, nil
		}
	}
	return false, nil
}

// reportFileName is the file name a report is uploaded under: its Name,
// else the last element of its URL's path, else "report.pdf"; a PDF
// without the extension gets it.
func reportFileName(a ats.Attachment) string {
	name := strings.TrimSpace(a.Name)
	if name == "" && a.URL != "" {
		if u, err := url.Parse(a.URL); err == nil {
			if base := path.Base(u.Path); base != "/" && base != "." {
				name = base
			}
		}
	}
	if name == "" {
		name = "report.pdf"
	}
	if a.IsPDF() && !strings.HasSuffix(strings.ToLower(name), ".pdf") {
		name += ".pdf"
	}
	return name
}
