package greenhouse

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/httpx"
)

// Attachment types Greenhouse knows (a subset).
const (
	AttachmentTakeHomeTest = "take_home_test"
	AttachmentOther        = "other"
)

// attachmentBody is the body of POST /v3/attachments. Its v3 schema is
// not documented; this is the v1 body (filename, type, content in base64
// or url, content_type, visibility,
// https://developers.greenhouse.io/harvest.html#post-add-attachment-to-application)
// plus the application_id that v3's flat resources carry.
type attachmentBody struct {
	ApplicationID int64  `json:"application_id"`
	Filename      string `json:"filename"`
	Type          string `json:"type"`
	Content       string `json:"content,omitempty"`
	URL           string `json:"url,omitempty"`
	ContentType   string `json:"content_type,omitempty"`
	Visibility    string `json:"visibility"`
}

// AttachReport attaches the vendor's report to the application (implements
// ats.ReportAttacher) as a take_home_test attachment visible to admins
// and the hiring team (POST /v3/attachments,
// https://harvestdocs.greenhouse.io/reference/post_v3-attachments).
// Greenhouse has historically accepted take_home_test only while the
// application has an outstanding test; when it refuses, the report is
// attached as "other".
func (c *Client) AttachReport(ctx context.Context, candidateID string, a ats.Attachment) error {
	op := "attach report to application " + candidateID
	id, err := parseID(op, "application_id", candidateID)
	if err != nil {
		return notFoundOr(op, candidateID, err)
	}
	if strings.TrimSpace(a.Name) == "" {
		return invalid(op, ats.FieldError{Field: "Name", Message: "a file name is required"})
	}
	if len(a.Data) == 0 && a.URL == "" {
		return invalid(op, ats.FieldError{Field: "Data", Message: "either Data or URL is required"})
	}
	body := attachmentBody{ApplicationID: id, Filename: a.Name, Type: AttachmentTakeHomeTest, ContentType: a.ContentType, Visibility: "admin_only"}
	if len(a.Data) > 0 {
		body.Content = base64.StdEncoding.EncodeToString(a.Data)
	} else {
		body.URL = a.URL
	}
	_, err = c.do(ctx, &httpx.Request{Op: op, Method: http.MethodPost, Path: "/attachments", Body: body}, nil)
	if err != nil && isValidation(err) {
		body.Type = AttachmentOther
		_, err = c.do(ctx, &httpx.Request{Op: op, Method: http.MethodPost, Path: "/attachments", Body: body}, nil)
	}
	return err
}
