package levertest

import (
	"errors"
	"io"
	"net/http"
	"path"
	"strconv"
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
	one(w, http.StatusCreated, s.fileJSON(x))
}

// listFiles answers GET /opportunities/:id/files with a bare JSON array,
// as Lever documents it
// (https://hire.lever.co/developer/documentation#list-all-files): no
// data envelope, no paging.
func (s *Server) listFiles(w http.ResponseWriter, r *http.Request, _ *auth) {
	id := r.PathValue("id")
	s.mu.Lock()
	_, ok := s.oppByID[id]
	out := []map[string]any{}
	for _, f := range s.files[id] {
		out = append(out, s.fileJSON(f))
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Opportunity not found")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// fileJSON is a file as Lever documents it: flat, with uploadedAt and
// size as quoted numbers and downloadUrl pointing into the web app.
func (s *Server) fileJSON(f File) map[string]any {
	return map[string]any{"id": f.ID, "name": f.Name, "ext": path.Ext(f.Name), "status": "processed",
		"uploadedAt": strconv.FormatInt(f.UploadedAt.UnixMilli(), 10), "size": strconv.Itoa(len(f.Content)),
		"downloadUrl": s.URL + "/candidates/" + f.OpportunityID + "/files/" + f.ID + "/download"}
}
