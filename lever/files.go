package lever

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/httpx"
)

// MaxFileBytes is the largest file Lever accepts on an opportunity (30 MB).
const MaxFileBytes = 30 << 20

// UploadedFile is a file Lever stored on an opportunity.
type UploadedFile struct {
	ID   string `json:"id"`
	File struct {
		Name string `json:"name"`
		Size int64  `json:"size"`
	} `json:"file"`
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
		Body: body.Bytes(), ContentType: mw.FormDataContentType()}, func(f UploadedFile) string {
		if f.ID == "" {
			return "the file id"
		}
		return ""
	})
	return f.ID, err
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
