package ashby

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
)

// FileUploadHandle is what file.createFileUploadHandle returns: a
// presigned URL to POST the file to as multipart/form-data with every
// field of Fields and then the file as the part "file", and the handle to
// attach once uploaded. The URL expires after 10 minutes.
type FileUploadHandle struct {
	Handle string            `json:"handle"`
	URL    string            `json:"url"`
	Fields map[string]string `json:"fields"`
}

// CreateFileUploadHandle asks Ashby where to upload a candidate file
// (file.createFileUploadHandle with fileUploadContext CandidateFiles,
// https://developers.ashbyhq.com/reference/filecreatefileuploadhandle).
// Permission: candidatesWrite.
func (c *Client) CreateFileUploadHandle(ctx context.Context, filename, contentType string, size int) (FileUploadHandle, error) {
	body := map[string]any{"fileUploadContext": "CandidateFiles", "filename": filename, "contentType": contentType, "contentLength": size}
	return call[FileUploadHandle](ctx, c, "create file upload handle", "file.createFileUploadHandle", body, false)
}

// UploadFile uploads data to the presigned URL of h. The request carries
// no Ashby credentials: the URL is a storage host's, not Ashby's API. The
// URL must be https — the file is a candidate's report — unless the
// client's own BaseURL is http (a local fake such as ashbytest), so a
// tampered or misconfigured handle cannot send the report in clear text.
func (c *Client) UploadFile(ctx context.Context, h FileUploadHandle, filename, contentType string, data []byte) error {
	u, err := url.Parse(h.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("ashby: upload file: Ashby returned an unusable upload URL")
	}
	if u.Scheme == "http" && !c.plainHTTP {
		return fmt.Errorf("ashby: upload file: Ashby returned an http:// upload URL (host %s); refusing to send the file unencrypted: only a client whose BaseURL is http (a local test server) uploads over http", u.Hostname())
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	keys := make([]string, 0, len(h.Fields))
	for k := range h.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := mw.WriteField(k, h.Fields[k]); err != nil {
			return errfmt.Errorf("ashby: upload file: %w", err)
		}
	}
	// The file goes last: storage services ignore fields after it.
	hdr := make(map[string][]string)
	hdr["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name="file"; filename=%q`, filename)}
	hdr["Content-Type"] = []string{contentType}
	part, err := mw.CreatePart(hdr)
	if err != nil {
		return errfmt.Errorf("ashby: upload file: %w", err)
	}
	part.Write(data)
	mw.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), &buf)
	if err != nil {
		return errfmt.Errorf("ashby: upload file: %w", err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.up.Do(req)
	if err != nil {
		return errfmt.Errorf("ashby: upload file: %w", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &ats.APIError{ATS: "ashby", Op: "upload file to storage", StatusCode: resp.StatusCode, Message: strings.ToValidUTF8(strings.TrimSpace(string(msg)), "")}
	}
	return nil
}

// AttachFileToCandidate attaches an uploaded file to an Ashby candidate (a
// person ID) (candidate.uploadFile with fileHandle). Permission:
// candidatesWrite.
func (c *Client) AttachFileToCandidate(ctx context.Context, candidateID, handle string) (Person, error) {
	return call[Person](ctx, c, "attach file to candidate "+short(candidateID), "candidate.uploadFile", map[string]string{"candidateId": candidateID, "fileHandle": handle}, true)
}

// FileURL resolves a file handle to a signed download URL (file.info).
func (c *Client) FileURL(ctx context.Context, handle string) (string, error) {
	r, err := call[struct {
		URL string `json:"url"`
	}](ctx, c, "read file", "file.info", map[string]string{"fileHandle": handle}, true)
	return r.URL, err
}

// AttachReport implements ats.ReportAttacher: candidateID is an
// application ID, and the file lands on its candidate (Ashby files belong
// to the candidate). With Data it runs Ashby's three-step upload
// (handle, presigned POST, candidate.uploadFile); with only a URL it adds
// a note linking to the report.
func (c *Client) AttachReport(ctx context.Context, candidateID string, a ats.Attachment) error {
	op := "attach report to application " + short(candidateID)
	if len(a.Data) == 0 && a.URL == "" {
		return &ats.ValidationError{Op: op, Fields: []ats.FieldError{{Field: "attachment", Message: "has neither Data nor URL"}}}
	}
	pid, err := c.personID(ctx, candidateID)
	if err != nil {
		return err
	}
	name := a.Name
	if name == "" {
		name = "report"
	}
	if len(a.Data) == 0 {
		_, err := c.CreateNote(ctx, pid, Note{HTML: NoteLink(a.URL, name)})
		return err
	}
	ctype := a.ContentType
	if ctype == "" {
		ctype = http.DetectContentType(a.Data)
	}
	h, err := c.CreateFileUploadHandle(ctx, name, ctype, len(a.Data))
	if err != nil {
		return err
	}
	if err := c.UploadFile(ctx, h, name, ctype, a.Data); err != nil {
		return err
	}
	_, err = c.AttachFileToCandidate(ctx, pid, h.Handle)
	return err
}
