package levertest

import (
	"errors"
	"io"
	"net/http"
	"time"
)

// MaxFileBytes is the largest file Lever accepts on
// POST /opportunities/:id/files (30 MB).
const MaxFileBytes = 30 << 20

// File is a file uploaded to an opportunity.
type File struct {
	ID, OpportunityID, Name, ContentType, PerformAs string
	Content                                         []byte
	UploadedAt                                      time.Time
}

// Files returns the files uploaded to an opportunity, oldest first.
func (s *Server) Files(opportunityID string) []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]File(nil), s.files[opportunityID]...)
}

// postFile stores a multipart upload (field "file", at most 30 MB,
// perform_as required), as Lever documents
// (https://hire.lever.co/developer/documentation#upload-a-single-file).
func (s *Server) postFile(w http.ResponseWriter, r *http.Request, a *auth) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxFileBytes+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "File exceeds the 30 MB limit")
			return
		}
		writeError(w, http.StatusBadRequest, "Invalid multipart body: "+err.Error())
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		writeError(w, http.StatusBadRequest, "file is required")
		return
	}
	defer f.Close()
	content, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil || len(content) > MaxFileBytes {
		writeError(w, http.StatusRequestEntityTooLarge, "File exceeds the 30 MB limit")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, pa, ok := s.writeOppAs(w, r, a, true)
	if !ok {
		return
	}
	x := File{ID: s.id(kFile), OpportunityID: o.ID, Name: hdr.Filename, ContentType: hdr.Header.Get("Content-Type"), PerformAs: pa, Content: content, UploadedAt: s.now()}
	s.files[o.ID] = append(s.files[o.ID], x)
	one(w, http.StatusCreated, map[string]any{"id": x.ID, "file": map[string]any{"name": x.Name, "ext": "", "uploadedAt": ms(x.UploadedAt), "size": len(content), "status": "processing"}})
}
