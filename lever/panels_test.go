package lever_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/google/go-cmp/cmp"
)

// TestScheduledInterviewOnProfile: the vendor's interview becomes an
// externally managed panel on the candidate's page, moves on reschedule,
// carries the feedback under its interview and disappears on
// cancellation.
func TestScheduledInterviewOnProfile(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	start := time.Date(2025, 3, 4, 15, 0, 0, 0, time.UTC)
	si := ats.ScheduledInterview{Subject: "InterviewVector – Technical", Start: start, Duration: 45 * time.Minute,
		TimeZone: "Europe/Berlin", URL: "https://iv.example/i/42", Note: "Live coding"}

	created, err := f.c.CreateScheduledInterview(ctx, f.opp.ID, si)
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == "" || created.InterviewID == "" {
		t.Fatalf("created = %+v, want panel and interview IDs", created)
	}
	panels := f.srv.Panels(f.opp.ID)
	want := []levertest.Panel{{ID: created.ID, OpportunityID: f.opp.ID, Timezone: "Europe/Berlin", Note: "Live coding", ExternalURL: "https://iv.example/i/42",
		FeedbackReminder: "none", ExternallyManaged: true, PerformAs: f.bot.ID, Interviews: []levertest.Interview{{
			ID: created.InterviewID, Subject: si.Subject, Note: "Live coding", Location: "https://iv.example/i/42", Interviewers: []string{f.bot.ID},
			Date: start, Duration: 45, FeedbackReminder: "none"}}}}
	if d := cmp.Diff(want, panels, cmpIgnoreAt); d != "" {
		t.Errorf("panels (-want +got):\n%s", d)
	}
	if r := f.last(t); r.PerformAs != f.bot.ID || r.Method != "POST" || r.Path != "/opportunities/"+f.opp.ID+"/panels" {
		t.Errorf("request = %s %s perform_as=%q", r.Method, r.Path, r.PerformAs)
	}

	// Reschedule.
	si2 := created
	si2.Start = start.Add(24 * time.Hour)
	moved, err := f.c.UpdateScheduledInterview(ctx, f.opp.ID, si2)
	if err != nil {
		t.Fatal(err)
	}
	panels = f.srv.Panels(f.opp.ID)
	if len(panels) != 1 || panels[0].ID != created.ID || !panels[0].Interviews[0].Date.Equal(si2.Start) || panels[0].Interviews[0].ID != moved.InterviewID {
		t.Errorf("after reschedule: %+v, moved %+v", panels, moved)
	}

	// Feedback under the interview.
	tpl := f.srv.AddFeedbackTemplate(levertest.FeedbackTemplate{Text: "Vendor", Fields: []levertest.FeedbackField{
		{Type: "score-system", Text: "Rating", Options: levertest.DefaultRatingOptions()}, {Type: "textarea", Text: "Summary"}}})
	f.c, _ = lever.NewClient(lever.Options{APIKey: levertest.DefaultAPIKey, BaseURL: f.srv.URL, PerformAs: f.bot.ID, RateLimit: -1,
		Feedback: lever.FeedbackMapping{Template: tpl.ID}})
	if err := f.c.SubmitFeedback(ctx, f.opp.ID, ats.Feedback{Grade: "passed", Summary: "Solid", ScheduledInterview: &moved}); err != nil {
		t.Fatal(err)
	}
	fb := f.srv.Feedback(f.opp.ID)
	if len(fb) != 1 || fb[0].Panel != moved.ID || fb[0].Interview != moved.InterviewID {
		t.Errorf("feedback = %+v, want it under panel %s interview %s", fb, moved.ID, moved.InterviewID)
	}

	// Cancellation, twice.
	for i := range 2 {
		if err := f.c.DeleteScheduledInterview(ctx, f.opp.ID, moved.ID); err != nil {
			t.Fatalf("delete %d: %v", i, err)
		}
	}
	if p := f.srv.Panels(f.opp.ID); len(p) != 0 {
		t.Errorf("panels after cancellation = %+v", p)
	}
}

// TestScheduledInterviewErrors: what Lever would refuse is refused before
// any request, with a message that says what to set.
func TestScheduledInterviewErrors(t *testing.T) {
	start := time.Now().Add(time.Hour)
	tests := []struct {
		name string
		opts func(*lever.Options)
		si   ats.ScheduledInterview
	}{
		{"no interviewer and no perform_as user", func(o *lever.Options) { o.PerformAs = "" }, ats.ScheduledInterview{Start: start, Duration: time.Hour}},
		{"bad time zone", nil, ats.ScheduledInterview{Start: start, Duration: time.Hour, TimeZone: "Mars/Olympus"}},
		{"no start", nil, ats.ScheduledInterview{Duration: time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.opts)
			_, err := f.c.CreateScheduledInterview(context.Background(), f.opp.ID, tt.si)
			if !errors.Is(err, ats.ErrValidation) {
				t.Errorf("err = %v, want ats.ErrValidation", err)
			}
			if n := f.srv.RequestCount(); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
	t.Run("interviewer not a Lever user", func(t *testing.T) {
		f := newFixture(t, nil)
		_, err := f.c.CreateScheduledInterview(context.Background(), f.opp.ID, ats.ScheduledInterview{Start: start, Duration: time.Hour, Interviewers: []string{"nobody"}})
		wantErr(t, err, ats.ErrValidation, "interviewer nobody is not a Lever user")
	})
}

// TestCreatePanelDocumentedEnvelope: Lever answers panel writes with
// {"data":{"data":[panel],"hasNext":false}}.
func TestCreatePanelDocumentedEnvelope(t *testing.T) {
	c := rawClient(t, 201, `{"data":{"data":[{"id":"p1","timezone":"UTC","externallyManaged":true,"interviews":[{"id":"i1","date":1,"duration":30,"interviewers":[{"id":"u1"}]}]}],"hasNext":false}}`)
	got, err := c.CreateScheduledInterview(context.Background(), "o1", ats.ScheduledInterview{Start: time.UnixMilli(1), Duration: 30 * time.Minute})
	if err != nil || got.ID != "p1" || got.InterviewID != "i1" {
		t.Errorf("= %+v, %v", got, err)
	}
	c = rawClient(t, 201, `{"data":{"data":[],"hasNext":false}}`)
	if _, err := c.CreateScheduledInterview(context.Background(), "o1", ats.ScheduledInterview{Start: time.UnixMilli(1), Duration: 30 * time.Minute}); !errors.Is(err, lever.ErrIncompleteResponse) {
		t.Errorf("empty list: %v, want lever.ErrIncompleteResponse", err)
	}
}

// TestAttachReport: a PDF report is uploaded to the opportunity's files as
// multipart, under perform_as; more than 30 MB is refused before sending;
// OAuth needs files:write:admin.
func TestAttachReport(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	pdf := []byte("%PDF-1.7 report")
	if err := f.c.AttachReport(ctx, f.opp.ID, ats.Attachment{Name: "report.pdf", ContentType: "application/pdf", Data: pdf}); err != nil {
		t.Fatal(err)
	}
	files := f.srv.Files(f.opp.ID)
	if len(files) != 1 || !bytes.Equal(files[0].Content, pdf) || files[0].Name != "report.pdf" || files[0].ContentType != "application/pdf" || files[0].PerformAs != f.bot.ID {
		t.Errorf("files = %+v", files)
	}
	n := f.srv.RequestCount()
	err := f.c.AttachReport(ctx, f.opp.ID, ats.Attachment{Name: "big.pdf", Data: make([]byte, lever.MaxFileBytes+1)})
	if !errors.Is(err, ats.ErrValidation) || f.srv.RequestCount() != n {
		t.Errorf("oversized: %v (%d requests)", err, f.srv.RequestCount()-n)
	}
	scopes := slices.DeleteFunc(lever.VendorScopes(), func(s string) bool { return s == "files:write:admin" })
	at, _ := f.srv.IssueToken(scopes...)
	c, _ := lever.NewClient(lever.Options{TokenSource: staticToken(at), BaseURL: f.srv.URL, PerformAs: f.bot.ID, RateLimit: -1})
	if _, err := c.UploadFile(ctx, f.opp.ID, "r.pdf", "application/pdf", pdf); !errors.Is(err, ats.ErrForbidden) {
		t.Errorf("without files:write:admin: %v", err)
	}
}
