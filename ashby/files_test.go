package ashby_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ashby"
	"github.com/atskit/atskit/ashby/ashbytest"
	"github.com/atskit/atskit/ats"
)

func TestAttachReport(t *testing.T) {
	pdf := []byte("%PDF-1.4 report")
	cases := []struct {
		name      string
		a         ats.Attachment
		wantFile  bool
		wantNote  string
		wantError error
	}{
		{"file", ats.Attachment{Name: "report.pdf", ContentType: "application/pdf", Data: pdf}, true, "", nil},
		{"link", ats.Attachment{Name: "Report", URL: "https://vendor.test/r/1?a=b&c=d"}, false, `<a href="https://vendor.test/r/1?a=b&amp;c=d">Report</a>`, nil},
		{"empty", ats.Attachment{Name: "x"}, false, "", ats.ErrValidation},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			err := f.c.AttachReport(ctx(t), f.app.ID, tc.a)
			if !errors.Is(err, tc.wantError) || (err == nil) != (tc.wantError == nil) {
				t.Fatalf("AttachReport = %v; want %v", err, tc.wantError)
			}
			files := f.srv.Files(f.person.ID)
			if tc.wantFile != (len(files) == 1) {
				t.Fatalf("files = %+v", files)
			}
			if tc.wantFile {
				if !bytes.Equal(files[0].Data, pdf) || files[0].Name != "report.pdf" || files[0].ContentType != "application/pdf" {
					t.Errorf("stored file %+v", files[0])
				}
				p, _ := f.c.CandidateInfo(ctx(t), f.person.ID)
				u, err := f.c.FileURL(ctx(t), p.FileHandles[0].Handle)
				if err != nil || !strings.Contains(u, p.FileHandles[0].Handle) {
					t.Errorf("FileURL = %q, %v", u, err)
				}
			}
			notes := f.srv.Notes(f.person.ID)
			if tc.wantNote != "" && (len(notes) != 1 || notes[0].Content != tc.wantNote) {
				t.Errorf("notes = %+v; want one %q", notes, tc.wantNote)
			}
		})
	}
}

func TestUploadURLExpires(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	f := newFixture(t, nil, ashbytest.WithClock(clock))
	h, err := f.c.CreateFileUploadHandle(ctx(t), "r.pdf", "application/pdf", 3)
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(ashbytest.UploadURLTTL + time.Second)
	err = f.c.UploadFile(ctx(t), h, "r.pdf", "application/pdf", []byte("abc"))
	var ae *ats.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 403 {
		t.Fatalf("upload after 10 minutes = %v; want the storage's 403", err)
	}
	bad := ashby.FileUploadHandle{URL: "ftp://x"}
	if err := f.c.UploadFile(ctx(t), bad, "r", "text/plain", []byte("x")); err == nil {
		t.Error("an ftp upload URL was accepted")
	}
}

func TestNoteHTMLHelpers(t *testing.T) {
	cases := []struct{ got, want string }{
		{ashby.NoteHTML("b", "a<b>&"), "<b>a&lt;b&gt;&amp;</b>"},
		{ashby.NoteHTML("h1", "x"), "x"},
		{ashby.NoteLink(`https://x.test/?q="1"`, "r"), `<a href="https://x.test/?q=&#34;1&#34;">r</a>`},
		{ashby.NoteList(true, "one", "<two>"), "<ol><li>one</li><li>&lt;two&gt;</li></ol>"},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
		// What the helpers build survives Ashby's stripping unchanged.
		if s := ashbytest.StripNoteHTML(tc.got); s != tc.got {
			t.Errorf("Ashby would strip %q to %q", tc.got, s)
		}
	}
}

func TestAddNote(t *testing.T) {
	f := newFixture(t, nil)
	err := f.c.AddNote(ctx(t), f.app.ID, ats.Note{Body: "Scheduled <Tuesday>", Visibility: ats.VisibilityRestricted,
		Attachment: &ats.Attachment{Name: "r.txt", ContentType: "text/plain", Data: []byte("hi")}})
	if err != nil {
		t.Fatal(err)
	}
	notes := f.srv.Notes(f.person.ID)
	if len(notes) != 1 || notes[0].Content != "Scheduled <Tuesday>" || notes[0].Type != "text/plain" || !notes[0].IsPrivate || notes[0].SendNotifications {
		t.Errorf("notes = %+v", notes)
	}
	if files := f.srv.Files(f.person.ID); len(files) != 1 {
		t.Errorf("attachment not uploaded: %+v", files)
	}
	if _, err := f.c.CreateNote(ctx(t), f.person.ID, ashby.Note{Text: "a", HTML: "b"}); !errors.Is(err, ats.ErrValidation) {
		t.Errorf("CreateNote with Text and HTML = %v; want a validation error", err)
	}
}

// uploadRT records upload requests and answers 204.
type uploadRT struct{ urls []string }

func (rt *uploadRT) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.urls = append(rt.urls, r.URL.String())
	return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Request: r}, nil
}

// TestUploadFileScheme: an http upload URL is refused, before any request,
// unless the client's BaseURL is itself http (a local fake, as ashbytest's
// upload URLs are).
func TestUploadFileScheme(t *testing.T) {
	cases := []struct {
		name, base, upload string
		wantErr            bool
	}{
		{"https base, https upload", "https://api.ashbyhq.com", "https://s3.example/upload", false},
		{"https base, http upload", "https://api.ashbyhq.com", "http://s3.example/upload", true},
		{"upper-case HTTP upload", "https://api.ashbyhq.com", "HTTP://s3.example/upload", true},
		{"http base (local fake), http upload", "http://127.0.0.1:1", "http://127.0.0.1:2/upload", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rt := &uploadRT{}
			c, err := ashby.NewClient(ashby.Options{APIKey: "k", BaseURL: tc.base, HTTPClient: &http.Client{Transport: rt}})
			if err != nil {
				t.Fatal(err)
			}
			err = c.UploadFile(context.Background(), ashby.FileUploadHandle{URL: tc.upload, Fields: map[string]string{"key": "k1"}}, "r.pdf", "application/pdf", []byte("%PDF"))
			if (err != nil) != tc.wantErr {
				t.Fatalf("UploadFile = %v; want error %v", err, tc.wantErr)
			}
			wantURLs := []string{tc.upload}
			if tc.wantErr {
				wantURLs = nil
			}
			if diff := cmp.Diff(wantURLs, rt.urls); diff != "" {
				t.Errorf("upload requests (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUploadFileAgainstFake: the fake's http upload URL is accepted for a
// client on the fake's http base URL, end to end.
func TestUploadFileAgainstFake(t *testing.T) {
	f := newFixture(t, nil)
	h, err := f.c.CreateFileUploadHandle(ctx(t), "r.pdf", "application/pdf", 4)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h.URL, "http://") {
		t.Fatalf("fake upload URL %q; the test needs an http one", h.URL)
	}
	if err := f.c.UploadFile(ctx(t), h, "r.pdf", "application/pdf", []byte("%PDF")); err != nil {
		t.Fatalf("UploadFile to the fake = %v", err)
	}
}
