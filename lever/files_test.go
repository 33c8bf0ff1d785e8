package lever_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
	"github.com/atskit/atskit/lever"
	"github.com/google/go-cmp/cmp"
)

// documentedFileList is Lever's "List all files" example, abridged: a bare
// array whose uploadedAt and size are quoted numbers.
const documentedFileList = `[
  {"id":"b02a3b97","downloadUrl":"https://hire.lever.co/candidates/5d14b167/files/b02a3b97/download","ext":".pdf","name":"JaneSmithArticle.pdf","uploadedAt":"1468953420000","status":"processed","size":"1000"},
  {"id":"49c3d4d5","downloadUrl":"https://hire.lever.co/candidates/5d14b167/files/49c3d4d5/download","ext":".png","name":"logo.png","uploadedAt":"1469353420000","status":"processed","size":"2000"}
]`

// TestListFilesDocumentedBodies: the documented bare array, the usual
// list envelope and numbers given either way all decode; a listing that is
// not a list, or a file without an id, is an error rather than "no files".
func TestListFilesDocumentedBodies(t *testing.T) {
	want := []lever.UploadedFile{
		{ID: "b02a3b97", Name: "JaneSmithArticle.pdf", Ext: ".pdf", DownloadURL: "https://hire.lever.co/candidates/5d14b167/files/b02a3b97/download",
			UploadedAt: 1468953420000, Status: "processed", Size: 1000},
		{ID: "49c3d4d5", Name: "logo.png", Ext: ".png", DownloadURL: "https://hire.lever.co/candidates/5d14b167/files/49c3d4d5/download",
			UploadedAt: 1469353420000, Status: "processed", Size: 2000},
	}
	tests := []struct {
		name, body string
		want       []lever.UploadedFile
		wantErr    bool
	}{
		{name: "documented bare array", body: documentedFileList, want: want},
		{name: "list envelope, numbers unquoted", body: `{"data":[{"id":"b02a3b97","downloadUrl":"https://hire.lever.co/candidates/5d14b167/files/b02a3b97/download","ext":".pdf","name":"JaneSmithArticle.pdf","uploadedAt":1468953420000,"status":"processed","size":1000}],"hasNext":false}`, want: want[:1]},
		{name: "empty array", body: `[]`},
		{name: "null size and time", body: `[{"id":"x","name":"a.pdf","size":null,"uploadedAt":null,"status":null}]`, want: []lever.UploadedFile{{ID: "x", Name: "a.pdf"}}},
		{name: "envelope without data", body: `{"hasNext":false}`, wantErr: true},
		{name: "file without id", body: `[{"name":"a.pdf"}]`, wantErr: true},
		{name: "size not a number", body: `[{"id":"x","size":"big"}]`, wantErr: true},
		{name: "a string", body: `"files"`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := rawClient(t, 200, tt.body)
			got, err := paging.Collect(c.ListFiles(context.Background(), "o1"))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ListFiles = %+v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("ListFiles (-want +got):\n%s", d)
			}
		})
	}
}

// TestUploadFileDocumentedResponse: Lever answers an upload with the file
// flat in "data" (quoted size and time); the id is read from it, and a
// 2xx without an id is ErrIncompleteResponse.
func TestUploadFileDocumentedResponse(t *testing.T) {
	c := rawClient(t, 201, `{"data":{"id":"b02a3b97","downloadUrl":"https://hire.lever.co/candidates/5d14b167/files/b02a3b97/download","ext":".pdf","name":"JaneSmithArticle.pdf","uploadedAt":"1468953420000","status":"processed","size":"1000"}}`)
	id, err := c.UploadFile(context.Background(), "o1", "a.pdf", "application/pdf", []byte("%PDF"))
	if err != nil || id != "b02a3b97" {
		t.Errorf("UploadFile = %q, %v", id, err)
	}
	c = rawClient(t, 201, `{"data":{"name":"a.pdf"}}`)
	if _, err := c.UploadFile(context.Background(), "o1", "a.pdf", "application/pdf", []byte("%PDF")); !errors.Is(err, lever.ErrIncompleteResponse) {
		t.Errorf("no id: %v, want lever.ErrIncompleteResponse", err)
	}
}

// TestCandidateFilesOnFake: uploaded files are listed back (by API key, and
// under OAuth with either files scope, as Lever's "view and manage"
// description of files:write:admin says).
func TestCandidateFilesOnFake(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	if err := f.c.AttachReport(ctx, f.opp.ID, ats.Attachment{Name: "report [ref fx_1].pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.7")}); err != nil {
		t.Fatal(err)
	}
	got, err := f.c.CandidateFiles(ctx, f.opp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Name != "report [ref fx_1].pdf" || got[0].ContentType != "application/pdf" || got[0].URL == "" {
		t.Errorf("CandidateFiles = %+v", got)
	}
	for _, tt := range []struct {
		name   string
		drop   []string
		forbid bool
	}{
		{"files:write:admin only", []string{"files:read:admin"}, false},
		{"no files scope", []string{"files:read:admin", "files:write:admin"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			scopes := slices.DeleteFunc(append(lever.VendorScopes(), "files:read:admin"), func(s string) bool { return slices.Contains(tt.drop, s) })
			at, _ := f.srv.IssueToken(scopes...)
			c, _ := lever.NewClient(lever.Options{TokenSource: staticToken(at), BaseURL: f.srv.URL, PerformAs: f.bot.ID, RateLimit: -1, MaxRetries: -1, RetryWaitMin: time.Millisecond})
			_, err := c.CandidateFiles(ctx, f.opp.ID)
			if tt.forbid != errors.Is(err, ats.ErrForbidden) {
				t.Errorf("CandidateFiles err = %v, want forbidden %v", err, tt.forbid)
			}
		})
	}
}
