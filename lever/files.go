package lever

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"mime"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"path"
	"strings"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/httpx"
	"github.com/atskit/atskit/internal/paging"
)

// MaxFileBytes is the largest file Lever accepts on an opportunity (30 MB).
const MaxFileBytes = 30 << 20

// UploadedFile is a file stored on an opportunity, as Lever lists it
// (https://hire.lever.co/developer/documentation#files). Lever's examples
// give uploadedAt and size as quoted numbers; both forms decode.
type UploadedFile struct {
	ID string `json:"id"`
	// Name is the file name as uploaded, e.g. "JaneSmithArticle.pdf";
	// Ext its extension with the dot, e.g. ".pdf".
	Name string `json:"name"`
	Ext  string `json:"ext"`
	// DownloadURL is the web app's link (hire.lever.co), not an API
	// route; download through the API with
	// GET /opportunities/:id/files/:file/download.
	DownloadURL string `json:"downloadUrl"`
	UploadedAt  Millis `json:"uploadedAt"`
	// Status is Lever's processing state: processing, processed,
	// unsupported, error, or empty.
	Status string `json:"status"`
	// Size is the file's length in bytes.
	Size ByteSize `json:"size"`
}

// ByteSize is a length in bytes. Lever's examples give it as a number or a
// quoted number; both decode, as does null (zero).
type ByteSize int64

// UnmarshalJSON accepts a number, a quoted number or null.
func (b *ByteSize) UnmarshalJSON(raw []byte) error {
	n, err := flexInt(raw)
	*b = ByteSize(n)
	return err
}

// UploadFile uploads a file to an opportunity
// (POST /opportunities/:id/files?perform_as=, multipart field "file", at
// most 30 MB, scope files:write:admin; perform_as is required) and returns
// its ID.
//
// https://hire.lever.co/developer/documentation#upload-a-single-file
func (c *Client) UploadFile(ctx context.Context, opportunityID, name, contentType string, data []byte) (string, error) {
	op := "upload file to opportunity " + short(opportunityID)
	switch {
	case len(data) == 0:
		return "", &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "file", Message: "is empty"}}}
	case len(data) > MaxFileBytes:
		return "", &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "file", Message: fmt.Sprintf("is %d bytes; Lever accepts at most 30 MB", len(data))}}}
	}
	q, err := c.requiredPerformAs(ctx, op, "")
	if err != nil {
		return "", err
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="%s"`, strings.NewReplacer(`"`, "", "\r", "", "\n", "").Replace(name)))
	h.Set("Content-Type", contentType)
	part, err := mw.CreatePart(h)
	if err != nil {
		return "", err
	}
	part.Write(data)
	if err := mw.Close(); err != nil {
		return "", err
	}
	f, err := write(ctx, c, &httpx.Request{Op: op, Method: "POST", Path: "/opportunities/" + url.PathEscape(opportunityID) + "/files", Query: q,
		Body: body.Bytes(), ContentType: mw.FormDataContentType()}, fileRequired)
	return f.ID, err
}

func fileRequired(f UploadedFile) string {
	if f.ID == "" {
		return "the file id"
	}
	return ""
}

// AttachReport uploads a report file (a.Data) to the opportunity's files,
// where recruiters find it next to the resume. A report given only as a
// link (a.URL) is posted as a note instead. It implements
// ats.ReportAttacher.
func (c *Client) AttachReport(ctx context.Context, candidateID string, a ats.Attachment) error {
	if len(a.Data) == 0 {
		if a.URL == "" {
			return &ats.ValidationError{Op: "attach report", Fields: []ats.FieldError{{Field: "attachment", Message: "has neither data nor a URL"}}}
		}
		return c.AddNote(ctx, candidateID, ats.Note{Body: "Report: " + a.URL})
	}
	name := a.Name
	if name == "" {
		name = "report.pdf"
	}
	_, err := c.UploadFile(ctx, candidateID, name, a.ContentType, a.Data)
	return err
}

// ListFiles lists the files stored on an opportunity
// (GET /opportunities/:id/files, scope files:read:admin or
// files:write:admin, which Lever describes as "view and manage"). Lever
// documents the answer as a bare JSON array; the usual {"data": [...],
// "hasNext", "next"} list envelope is accepted too, and followed page by
// page.
//
// https://hire.lever.co/developer/documentation#list-all-files
func (c *Client) ListFiles(ctx context.Context, opportunityID string) iter.Seq2[UploadedFile, error] {
	op := "list files of opportunity " + short(opportunityID)
	path := "/opportunities/" + url.PathEscape(opportunityID) + "/files"
	return paging.Seq(ctx, func(ctx context.Context, cursor string) ([]UploadedFile, string, error) {
		q := url.Values{}
		if cursor != "" {
			q.Set("offset", cursor)
		}
		resp, err := c.do(ctx, &httpx.Request{Op: op, Path: path, Query: q}, nil)
		if err != nil {
			return nil, "", err
		}
		files, next, err := decodeFileList(resp.Body)
		if err != nil {
			return nil, "", fmt.Errorf("lever: %s: %w", op, err)
		}
		return files, next, nil
	})
}

// decodeFileList decodes a file listing: a bare array (as Lever documents
// it) or a list envelope. A file without an id, or an envelope without a
// data array, is an error, never an empty success.
func decodeFileList(raw []byte) (files []UploadedFile, next string, err error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) > 0 && raw[0] == '[':
		err = json.Unmarshal(raw, &files)
	case len(raw) > 0 && raw[0] == '{':
		var p page[UploadedFile]
		if err = json.Unmarshal(raw, &p); err != nil {
			break
		}
		if p.Data == nil {
			return nil, "", errNoData
		}
		if p.HasNext && p.Next == "" {
			return nil, "", errors.New("hasNext without a next token")
		}
		files = *p.Data
		if p.HasNext {
			next = p.Next
		}
	default:
		return nil, "", errors.New("the file listing is neither a JSON array nor an object")
	}
	if err != nil {
		return nil, "", fmt.Errorf("decoding the file listing: %w", err)
	}
	for i, f := range files {
		if f.ID == "" {
			return nil, "", fmt.Errorf("file %d of the listing has no id", i)
		}
	}
	return files, next, nil
}

// CandidateFiles returns the files on an opportunity as attachments (Name,
// ContentType from the extension, URL = the web app's download link, no
// Data). It implements lifecycle.FileLister, so the lifecycle dispatcher
// can tell whether a report file it may have uploaded before is already
// there: it looks for its marker in the file name.
//
// Assumed: Lever lists a file under the name it was uploaded with (its
// documented listing shows uploaded names such as "JaneSmithArticle.pdf",
// https://hire.lever.co/developer/documentation#list-all-files). Were Lever
// to rename uploads, the marker would not be found and a retry after an
// unknown outcome would upload a second copy: a duplicate, never a lost
// report.
func (c *Client) CandidateFiles(ctx context.Context, candidateID string) ([]ats.Attachment, error) {
	var out []ats.Attachment
	for f, err := range c.ListFiles(ctx, candidateID) {
		if err != nil {
			return nil, err
		}
		ext := f.Ext
		if ext == "" {
			ext = path.Ext(f.Name)
		}
		out = append(out, ats.Attachment{Name: f.Name, ContentType: mime.TypeByExtension(ext), URL: f.DownloadURL})
	}
	return out, nil
}
