package main

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/atskit/atskit/lifecycle"
)

// What the Lever flow puts on a candidate's profile besides notes and
// moves: the interview as an externally managed panel (created on
// scheduled, moved on rescheduled, removed on cancellation), the feedback
// form under that interview, and the vendor's PDF report in the files.
const (
	panelCreated = "created"
	panelMoved   = "moved"
	panelRemoved = "removed"
)

// leverExpect is what one Lever candidate's profile must show at the end.
type leverExpect struct {
	candidateID string
	// panel lists the changes of the interview on the profile, in order.
	panel []string
	// at is when the interview on the profile must be at the end (zero:
	// no interview on the profile).
	at time.Time
	// feedback: a feedback form filed under that interview.
	feedback bool
	// report: the vendor's PDF report among the files.
	report string // the vendor reference whose report it is
}

// showLeverProfile prints what changed on the Lever candidates' profiles
// since the last call: the interview the engine put there as an
// externally managed panel (created, moved, removed), the feedback forms
// (under that interview when they are tied to it) and uploaded files. It
// records each change of the interview on the profile for the summary.
// Caller holds s.mu.
func (s *scenario) showLeverProfile() {
	if s.seenPanels == nil {
		s.seenPanels = map[string]string{}
		s.seenFeedback = map[string]int{}
		s.seenFiles = map[string]int{}
		s.panelChanges = map[string][]string{}
	}
	for _, o := range s.leverOpps() {
		who := s.tl.who(s.lvConn, o.ID)
		now := ""
		for _, p := range s.lv.Panels(o.ID) {
			iv := p.Interviews[0]
			now = fmt.Sprintf("%s at %s for %d min, link %s", iv.Subject, iv.Date.In(time.UTC).Format("Mon 2 Jan 15:04 MST"), iv.Duration, p.ExternalURL)
		}
		change := ""
		switch before := s.seenPanels[o.ID]; {
		case before == "" && now != "":
			change = panelCreated
			s.tl.printf(s.lvConn, "← interview on %s's profile: %s", who, now)
		case before != "" && now == "":
			change = panelRemoved
			s.tl.printf(s.lvConn, "← interview removed from %s's profile", who)
		case before != now:
			change = panelMoved
			s.tl.printf(s.lvConn, "← interview on %s's profile moved: %s", who, now)
		}
		if change != "" {
			s.panelChanges[o.ID] = append(s.panelChanges[o.ID], change)
		}
		s.seenPanels[o.ID] = now
		fbs := s.lv.Feedback(o.ID)
		for _, fb := range fbs[s.seenFeedback[o.ID]:] {
			where := "as a free-standing form"
			if fb.Interview != "" {
				where = "under the interview on the profile"
			}
			s.tl.printf(s.lvConn, "← feedback form on %s, %s (%d answers)", who, where, len(fb.FieldValues))
		}
		s.seenFeedback[o.ID] = len(fbs)
		files := s.lv.Files(o.ID)
		for _, f := range files[s.seenFiles[o.ID]:] {
			s.tl.printf(s.lvConn, "← file on %s's profile: %q (%s, %d bytes)", who, f.Name, f.ContentType, len(f.Content))
		}
		s.seenFiles[o.ID] = len(files)
	}
}

// leverProfileRows checks every Lever candidate's profile against what the
// scenario expects: the changes of the interview on the profile seen
// along the way and where it ends, the feedback under the interview, and
// the PDF report among the files (its bytes the vendor's).
func (s *scenario) leverProfileRows() []row {
	s.mu.Lock()
	changes := map[string][]string{}
	for id, cs := range s.panelChanges {
		changes[id] = slices.Clone(cs)
	}
	s.mu.Unlock()
	panels := row{source: s.lvConn, what: "interviews on the profile"}
	feedback := row{source: s.lvConn, what: "feedback under interview"}
	reports := row{source: s.lvConn, what: "report files"}
	for _, o := range s.leverOpps() {
		for _, f := range s.lv.Files(o.ID) {
			if strings.HasPrefix(string(f.Content), "%PDF-") {
				reports.observed++
			}
		}
	}
	for _, e := range s.lvExpect {
		who := s.tl.who(s.lvConn, e.candidateID)
		panels.expected += len(e.panel)
		got := changes[e.candidateID]
		for i, c := range e.panel {
			if i < len(got) && got[i] == c {
				panels.observed++
			}
		}
		if !slices.Equal(got, e.panel) {
			panels.problems = append(panels.problems, fmt.Sprintf("the interview on %s's profile was %v, want %v", who, got, e.panel))
		}
		ps := s.lv.Panels(e.candidateID)
		switch {
		case e.at.IsZero() && len(ps) > 0:
			panels.problems = append(panels.problems, fmt.Sprintf("%s's profile still shows %d interview(s)", who, len(ps)))
		case !e.at.IsZero() && (len(ps) != 1 || !ps[0].Interviews[0].Date.Equal(e.at)):
			panels.problems = append(panels.problems, fmt.Sprintf("%s's profile does not show one interview at %s", who, e.at.Format(time.RFC3339)))
		}
		if e.feedback {
			feedback.expected++
			for _, fb := range s.lv.Feedback(e.candidateID) {
				if len(ps) == 1 && fb.Panel == ps[0].ID && fb.Interview == ps[0].Interviews[0].ID {
					feedback.observed++
				}
			}
		}
		if e.report != "" {
			reports.expected++
			if !slices.ContainsFunc(s.lv.Files(e.candidateID), func(f levertest.File) bool {
				return f.ContentType == "application/pdf" && bytes.Equal(f.Content, reportPDF(e.report))
			}) {
				reports.problems = append(reports.problems, fmt.Sprintf("the PDF report of %s is not among %s's files", e.report, who))
			}
		}
	}
	if feedback.observed < feedback.expected {
		feedback.problems = append(feedback.problems, "a feedback form is not under the interview on the profile (panel and interview)")
	}
	return []row{panels, feedback, reports}
}

// reportURL is where the vendor's result links the PDF report of
// interview ref.
func reportURL(ref string) string { return "https://vendor.example/reports/" + ref + ".pdf" }

// withReport adds the PDF report to a completed update's result as the
// vendor sends it: a link only. The engine fetches the bytes through
// demoVendor.FetchReport when it uploads them to the profile.
func withReport(u lifecycle.Update, ref string) lifecycle.Update {
	r := *u.Result
	r.Attachments = append(slices.Clip(r.Attachments), ats.Attachment{Name: vendorName + " report " + ref + ".pdf",
		Description: "Interview report (PDF)", ContentType: "application/pdf", URL: reportURL(ref)})
	u.Result = &r
	return u
}

// FetchReport implements lifecycle.ReportFetcher: the report a result
// links to, rendered on the fly (a real vendor would read it from its
// storage).
func (v *demoVendor) FetchReport(_ context.Context, r lifecycle.ReportRequest) (ats.Attachment, error) {
	u, err := url.Parse(r.Attachment.URL)
	if err != nil || u.Host != "vendor.example" {
		return ats.Attachment{}, permanent{fmt.Errorf("demo vendor: %q is not one of our report links", r.Attachment.URL)}
	}
	ref := strings.TrimSuffix(path.Base(u.Path), ".pdf")
	v.mu.Lock()
	iv, ok := v.byRef[ref]
	v.mu.Unlock()
	if !ok || ref != r.VendorRef {
		return ats.Attachment{}, permanent{fmt.Errorf("demo vendor: no report %s for interview %s", ref, r.VendorRef)}
	}
	a := r.Attachment
	a.Data = reportPDF(ref)
	v.tl.printf(sideVendor, "report %s of %s fetched for upload (%d bytes)", ref, iv.Candidate, len(a.Data))
	return a, nil
}

// permanent marks a vendor error that retrying cannot cure.
type permanent struct{ error }

func (permanent) Permanent() bool { return true }

// reportPDF renders interview ref's one-page report as a minimal PDF.
func reportPDF(ref string) []byte {
	text := fmt.Sprintf("BT /F1 18 Tf 72 720 Td (%s interview report %s) Tj ET", vendorName, ref)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(text), text),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// leverCancel schedules a second Lever interview, then the recruiter moves
// the candidate out of the stage: the engine cancels it with the vendor
// and takes the interview off the profile.
func (s *scenario) leverCancel(ctx context.Context) error {
	m := s.other
	s.tl.printf(s.lvConn, "recruiter moves %s to %q", m.Name, "To be scheduled")
	if err := s.lv.MoveCandidate(m.ID, s.lvStages["To be scheduled"].ID); err != nil {
		return err
	}
	if err := s.settle(ctx); err != nil {
		return err
	}
	iv, err := s.vendorInterviewOf(ctx, s.lvConn, m.ID)
	if err != nil {
		return err
	}
	s.exp.created[s.lvConn]++
	if err := s.advance(ctx, iv, iv.invited(), iv.scheduled(slotAt(5, 10))); err != nil {
		return err
	}
	s.tl.printf(s.lvConn, "recruiter moves %s back to %q", m.Name, "Phone screen")
	if err := s.lv.MoveCandidate(m.ID, s.lvStages["Phone screen"].ID); err != nil {
		return err
	}
	if err := s.settle(ctx); err != nil {
		return err
	}
	s.expectNote(s.lvConn, m.ID, m.Name+" was invited")
	s.expectNote(s.lvConn, m.ID, "is scheduled for")
	s.expectNote(s.lvConn, m.ID, "was cancelled", `moved to "Phone screen"`)
	s.expectMove(s.lvConn, m.ID, s.lvStages["Scheduled"].ID)
	s.exp.cancelled = append(s.exp.cancelled, expectMove{source: s.lvConn, candidateID: m.ID})
	s.exp.states = append(s.exp.states, expectState{s.lvConn, m.ID, lifecycle.StateCancelled})
	s.lvExpect = append(s.lvExpect, leverExpect{candidateID: m.ID, panel: []string{panelCreated, panelRemoved}})
	return nil
}
