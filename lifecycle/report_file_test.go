package lifecycle_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/internal/fakeats"
	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

// leverFiles is the harness's fake ATS whose report files go to a real
// lever.Client talking to levertest: the candidate ID is the Lever
// opportunity ID.
type leverFiles struct {
	*fakeats.ATS
	lv *lever.Client
}

func (p *leverFiles) AttachReport(ctx context.Context, cand string, a ats.Attachment) error {
	return p.lv.AttachReport(ctx, cand, a)
}

// listingLeverFiles also lists the opportunity's files
// (lifecycle.FileLister).
type listingLeverFiles struct{ *leverFiles }

func (p listingLeverFiles) CandidateFiles(ctx context.Context, cand string) ([]ats.Attachment, error) {
	return p.lv.CandidateFiles(ctx, cand)
}

// fetchingVendor is the harness vendor with the optional ReportFetcher
// capability: it serves report bytes by URL.
type fetchingVendor struct {
	*fakeats.Vendor
	mu      sync.Mutex
	reports map[string][]byte
	calls   []lifecycle.ReportRequest
}

func (v *fetchingVendor) FetchReport(_ context.Context, r lifecycle.ReportRequest) (ats.Attachment, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.calls = append(v.calls, r)
	data, ok := v.reports[r.Attachment.URL]
	if !ok {
		return ats.Attachment{}, errors.New("no such report")
	}
	a := r.Attachment
	a.Data = data
	return a, nil
}

// dropAfterUpload lets the first file upload reach Lever, then loses the
// answer (a reset connection after the server stored the file): the
// dispatcher cannot know whether the upload landed.
type dropAfterUpload struct {
	next    http.RoundTripper
	mu      sync.Mutex
	dropped bool
}

func (d *dropAfterUpload) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.next.RoundTrip(r)
	d.mu.Lock()
	defer d.mu.Unlock()
	if err == nil && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/files") && !d.dropped {
		d.dropped = true
		resp.Body.Close()
		return nil, errors.New("connection reset by peer")
	}
	return resp, err
}

type reportRig struct {
	h      *enginetest.Harness
	srv    *levertest.Server
	vendor *fetchingVendor
	opp    levertest.Opportunity
	bot    levertest.User
}

type rigOptions struct {
	fetcher   bool // the vendor implements ReportFetcher
	lister    bool // the adapter implements FileLister
	noFiles   bool // the adapter has no ReportAttacher at all
	transport func(http.RoundTripper) http.RoundTripper
}

const reportURL = "https://vendor.example/reports/R1.pdf"

// newReportRig builds the harness over a levertest account: its engine's
// adapter stores report files on Lever, its vendor may fetch reports, and
// its dispatcher retries after one second.
func newReportRig(t *testing.T, o rigOptions) *reportRig {
	t.Helper()
	srv := levertest.NewServer(levertest.WithRateLimit(0, 0))
	t.Cleanup(srv.Close)
	r := &reportRig{srv: srv, h: newHarness(t)}
	r.bot = srv.AddUser(levertest.User{Name: "Vendor Bot", Email: "bot@vendor.test"})
	r.opp = srv.AddOpportunity(levertest.Opportunity{Name: "Katherine Johnson", Emails: []string{"katherine@example.com"}})
	var rt http.RoundTripper = http.DefaultTransport
	if o.transport != nil {
		rt = o.transport(rt)
	}
	lv, err := lever.NewClient(lever.Options{APIKey: levertest.DefaultAPIKey, BaseURL: srv.URL, PerformAs: r.bot.ID,
		RateLimit: -1, MaxRetries: -1, HTTPClient: &http.Client{Transport: rt}})
	require.NoError(t, err)
	opts := r.h.Options()
	files := &leverFiles{ATS: r.h.ATS, lv: lv}
	switch {
	case o.noFiles:
		opts.Connector = lifecycle.NewMemoryConnector(map[string]ats.Adapter{enginetest.Source: r.h.ATS})
	case o.lister:
		opts.Connector = lifecycle.NewMemoryConnector(map[string]ats.Adapter{enginetest.Source: listingLeverFiles{files}})
	default:
		opts.Connector = lifecycle.NewMemoryConnector(map[string]ats.Adapter{enginetest.Source: files})
	}
	r.vendor = &fetchingVendor{Vendor: r.h.Vendor, reports: map[string][]byte{}}
	if o.fetcher {
		opts.Vendor = r.vendor
	}
	// The same store (the position is configured there), a new engine.
	r.h.Engine = lifecycle.NewEngine(r.h.Store, opts)
	r.h.Disp = r.h.Engine.Dispatcher(lifecycle.DispatcherOptions{Owner: "d1", Lease: time.Minute, Backoff: fixedBackoff(time.Second)})
	return r
}

// complete drives the opportunity's interview to completed with result
// and delivers what is due; it returns the interview.
func (r *reportRig) complete(t *testing.T, result ats.Result) lifecycle.Interview {
	t.Helper()
	h := r.h
	h.Candidate(r.opp.ID)
	h.Move(r.opp.ID, enginetest.StageTrigger)
	h.Drain()
	iv := h.Only(r.opp.ID)
	for _, u := range []lifecycle.Update{
		{Kind: lifecycle.UpdateInvited, Link: "https://v.example/s/1"},
		{Kind: lifecycle.UpdateScheduled, At: enginetest.Start.Add(24 * time.Hour)},
		{Kind: lifecycle.UpdateCompleted, Result: &result},
	} {
		_, err := h.Engine.Report(ctx, iv.ID, u)
		require.NoError(t, err)
	}
	h.Drain()
	got, err := h.Engine.Interview(ctx, iv.ID)
	require.NoError(t, err)
	return got
}

// retry moves the clock past the dispatcher's backoff and delivers again.
func (r *reportRig) retry() {
	r.h.Clock.Advance(2 * time.Second)
	r.h.Drain()
}

func (r *reportRig) uploads() int {
	n := 0
	for _, req := range r.srv.Requests() {
		if req.Method == http.MethodPost && strings.HasSuffix(req.Path, "/files") {
			n++
		}
	}
	return n
}

func pdfLink() ats.Result {
	return ats.Result{Score: "88", Grade: ats.GradePassed, ReportURL: "https://vendor.example/r/1",
		Attachments: []ats.Attachment{{Name: "report.pdf", Description: "Interview report", ContentType: "application/pdf", URL: reportURL}}}
}

// TestReportFileLandsOnce: a completed interview's PDF report is uploaded
// to the Lever opportunity once, under perform_as, named with the
// effect's marker — fetched from the vendor when the result only links it,
// or taken from the result when it carries the bytes — and the interview
// is reported after it.
func TestReportFileLandsOnce(t *testing.T) {
	pdf := []byte("%PDF-1.7 the report")
	withData := pdfLink()
	withData.Attachments[0].Data = pdf
	tests := []struct {
		name    string
		fetcher bool
		result  ats.Result
		fetches int
	}{
		{"link fetched from the vendor", true, pdfLink(), 1},
		{"bytes in the result", false, withData, 0},
		{"bytes in the result win over fetching", true, withData, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReportRig(t, rigOptions{fetcher: tt.fetcher, lister: true})
			r.vendor.reports[reportURL] = pdf
			iv := r.complete(t, tt.result)
			r.h.Drain()

			files := r.srv.Files(r.opp.ID)
			require.Len(t, files, 1)
			effs := effectsOf(t, r.h, lifecycle.EffectAttachReport)
			require.Len(t, effs, 1)
			want := "report " + lifecycle.ReportMarker(effs[0].ID) + ".pdf"
			if d := cmp.Diff([]string{want, "application/pdf", r.bot.ID}, []string{files[0].Name, files[0].ContentType, files[0].PerformAs}); d != "" {
				t.Errorf("file (-want +got):\n%s", d)
			}
			require.True(t, bytes.Equal(pdf, files[0].Content))
			require.Equal(t, lifecycle.EffectDone, effs[0].State)
			require.NotContains(t, string(effs[0].Payload), "JVBER", "the effect row must not hold the file's bytes")
			require.Equal(t, lifecycle.StateReported, iv.State)
			require.Len(t, r.vendor.calls, tt.fetches)
			if tt.fetches > 0 {
				want := lifecycle.ReportRequest{InterviewID: iv.ID, VendorRef: iv.VendorRef, Connection: iv.Connection, CandidateID: r.opp.ID,
					Attachment: ats.Attachment{Name: "report.pdf", Description: "Interview report", ContentType: "application/pdf", URL: reportURL}}
				if d := cmp.Diff(want, r.vendor.calls[0]); d != "" {
					t.Errorf("FetchReport request (-want +got):\n%s", d)
				}
			}
		})
	}
}

// TestReportFileUnknownOutcome: the upload reached Lever but its answer
// was lost. With an adapter that lists files the retry finds the file by
// its marker and does not upload it again; without one the file is sent
// again (delivery is at least once), which is why the lever client lists
// files.
func TestReportFileUnknownOutcome(t *testing.T) {
	for _, tt := range []struct {
		name    string
		lister  bool
		uploads int
		files   int
	}{
		{"adapter lists files: once", true, 1, 1},
		{"adapter cannot list: at least once", false, 2, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newReportRig(t, rigOptions{fetcher: true, lister: tt.lister, transport: func(rt http.RoundTripper) http.RoundTripper {
				return &dropAfterUpload{next: rt}
			}})
			r.vendor.reports[reportURL] = []byte("%PDF-1.7")
			iv := r.complete(t, pdfLink())
			require.Equal(t, lifecycle.StateCompleted, iv.State, "not reported while the upload's outcome is unknown")
			effs := effectsOf(t, r.h, lifecycle.EffectAttachReport)
			require.Len(t, effs, 1)
			require.Equal(t, lifecycle.EffectPending, effs[0].State)
			require.Contains(t, effs[0].LastError, "connection reset")

			r.retry()
			require.Equal(t, tt.uploads, r.uploads())
			require.Len(t, r.srv.Files(r.opp.ID), tt.files)
			require.Equal(t, lifecycle.EffectDone, effectsOf(t, r.h, lifecycle.EffectAttachReport)[0].State)
			got, err := r.h.Engine.Interview(ctx, iv.ID)
			require.NoError(t, err)
			require.Equal(t, lifecycle.StateReported, got.State)
		})
	}
}

// TestReportFileRetriedAfter5xx: Lever answering 503 leaves the upload
// pending; once Lever is back it lands once.
func TestReportFileRetriedAfter5xx(t *testing.T) {
	r := newReportRig(t, rigOptions{fetcher: true, lister: true})
	r.vendor.reports[reportURL] = []byte("%PDF-1.7")
	restore := r.srv.FailRequests(http.StatusServiceUnavailable)
	iv := r.complete(t, pdfLink())
	restore()
	effs := effectsOf(t, r.h, lifecycle.EffectAttachReport)
	require.Len(t, effs, 1)
	require.Equal(t, lifecycle.EffectPending, effs[0].State)
	require.Empty(t, r.srv.Files(r.opp.ID))

	// The other effects of the completion were also held back by the
	// outage; retry until the outbox is done.
	for range 5 {
		r.retry()
	}
	require.Len(t, r.srv.Files(r.opp.ID), 1)
	require.Equal(t, lifecycle.EffectDone, effectsOf(t, r.h, lifecycle.EffectAttachReport)[0].State)
	got, err := r.h.Engine.Interview(ctx, iv.ID)
	require.NoError(t, err)
	require.Equal(t, lifecycle.StateReported, got.State)
}

// TestReportFileTooLarge: a report over 30 MB fails its effect for good
// with an error saying so, without a request to Lever; the completion note
// still links it.
func TestReportFileTooLarge(t *testing.T) {
	r := newReportRig(t, rigOptions{fetcher: true, lister: true})
	r.vendor.reports[reportURL] = make([]byte, lifecycle.MaxReportBytes+1)
	iv := r.complete(t, pdfLink())
	effs := effectsOf(t, r.h, lifecycle.EffectAttachReport)
	require.Len(t, effs, 1)
	require.Equal(t, lifecycle.EffectFailed, effs[0].State)
	require.Contains(t, effs[0].LastError, `report "report.pdf" is 30.0 MB; ATSs accept report files of at most 30 MB`)
	require.Zero(t, r.uploads())
	require.Len(t, r.vendor.calls, 1, "a permanent failure is not retried")
	// The report did not reach the ATS, but the completion note links
	// it: the interview is reported, and the failed effect stays for an
	// operator to see.
	require.Equal(t, lifecycle.StateReported, iv.State)
	notes := r.h.ATS.NotesOf(r.opp.ID)
	require.NotEmpty(t, notes)
	require.Contains(t, notes[len(notes)-1], reportURL)
}

// TestReportFileNotQueued: no upload is queued when the report cannot be
// had or stored — a link without a ReportFetcher, no PDF, an adapter
// without ats.ReportAttacher — and the completion note still carries the
// link.
func TestReportFileNotQueued(t *testing.T) {
	notPDF := pdfLink()
	notPDF.Attachments[0] = ats.Attachment{Name: "recording.mp4", ContentType: "video/mp4", URL: "https://vendor.example/rec.mp4"}
	for _, tt := range []struct {
		name   string
		o      rigOptions
		result ats.Result
	}{
		{"link only, vendor cannot fetch", rigOptions{lister: true}, pdfLink()},
		{"no PDF attachment", rigOptions{fetcher: true, lister: true}, notPDF},
		{"adapter stores no files", rigOptions{fetcher: true, noFiles: true}, pdfLink()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newReportRig(t, tt.o)
			r.vendor.reports[reportURL] = []byte("%PDF-1.7")
			iv := r.complete(t, tt.result)
			require.Empty(t, effectsOf(t, r.h, lifecycle.EffectAttachReport))
			require.Empty(t, r.srv.Files(r.opp.ID))
			require.Empty(t, r.vendor.calls)
			require.Equal(t, lifecycle.StateReported, iv.State)
			notes := r.h.ATS.NotesOf(r.opp.ID)
			require.NotEmpty(t, notes)
			require.Contains(t, notes[len(notes)-1], tt.result.Attachments[0].URL)
		})
	}
}
