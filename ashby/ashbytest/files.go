package ashbytest

import (
	"io"
	"net/http"
	"strconv"
	"time"
)

// UploadURLTTL is how long a presigned upload URL stays valid (Ashby: 10
// minutes).
const UploadURLTTL = 10 * time.Minute

func (s *Server) fileCreateUploadHandle(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		FileUploadContext string `json:"fileUploadContext"`
		Filename          string `json:"filename"`
		ContentType       string `json:"contentType"`
		ContentLength     *int   `json:"contentLength"`
	}
	if !decode(w, body, &req) {
		return
	}
	switch {
	case req.FileUploadContext != "CandidateFiles" && req.FileUploadContext != "CandidateResume" && req.FileUploadContext != "ApplicationForm":
		writeFail(w, http.StatusOK, "invalid_input", "fileUploadContext must be CandidateFiles, CandidateResume or ApplicationForm")
		return
	case req.Filename == "" || req.ContentType == "" || req.ContentLength == nil || *req.ContentLength < 0:
		writeFail(w, http.StatusOK, "invalid_input", "filename, contentType and contentLength are required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	token, handle := randHex(12), newUUID()
	u := &upload{handle: handle, expires: s.now().Add(UploadURLTTL), length: *req.ContentLength,
		fields: map[string]string{"key": "uploads/" + handle, "policy": randHex(8), "x-signature": randHex(16)}}
	s.d.uploads[token] = u
	s.d.files[handle] = &File{Handle: handle, Name: req.Filename, ContentType: req.ContentType}
	writeOK(w, map[string]any{"handle": handle, "url": s.root + "/upload/" + token, "fields": u.fields}, nil)
}

// handleUpload is the presigned storage URL: multipart/form-data with
// every field handed out and the file last as "file". No Ashby key is
// needed (or wanted: a storage host must not see it).
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "" {
		http.Error(w, "ashbytest: credentials sent to the storage URL", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	u := s.d.uploads[r.PathValue("token")]
	now := s.now()
	s.mu.Unlock()
	if u == nil {
		http.Error(w, "NoSuchUpload", http.StatusNotFound)
		return
	}
	if now.After(u.expires) {
		http.Error(w, "Request has expired", http.StatusForbidden)
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		http.Error(w, "expected multipart/form-data", http.StatusBadRequest)
		return
	}
	got := map[string]string{}
	var data []byte
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			http.Error(w, "bad multipart body", http.StatusBadRequest)
			return
		}
		b, _ := io.ReadAll(io.LimitReader(p, MaxRequestBytes))
		if p.FormName() == "file" {
			data = b
			continue
		}
		if data != nil {
			http.Error(w, "fields after the file part are ignored by storage; send the file last", http.StatusBadRequest)
			return
		}
		got[p.FormName()] = string(b)
	}
	for k, v := range u.fields {
		if got[k] != v {
			http.Error(w, "missing or wrong form field "+k, http.StatusForbidden)
			return
		}
	}
	if data == nil {
		http.Error(w, "no file part", http.StatusBadRequest)
		return
	}
	if len(data) != u.length {
		http.Error(w, "file length "+strconv.Itoa(len(data))+" differs from contentLength", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	f := s.d.files[u.handle]
	f.Data, f.Uploaded = data, true
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) candidateUploadFile(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		CandidateID string `json:"candidateId"`
		FileHandle  string `json:"fileHandle"`
	}
	if !decode(w, body, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.d.candByID[req.CandidateID]
	if c == nil {
		writeFail(w, http.StatusOK, "candidate_not_found", "No candidate with that id")
		return
	}
	f := s.d.files[req.FileHandle]
	if f == nil || !f.Uploaded {
		writeFail(w, http.StatusOK, "file_not_found", "No uploaded file with that handle; upload to the presigned URL first")
		return
	}
	c.FileHandles = append(c.FileHandles, f.Handle)
	c.UpdatedAt, c.rev = s.now().UTC(), s.d.bump()
	writeOK(w, s.candJSON(c), nil)
}

func (s *Server) fileInfo(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		FileHandle string `json:"fileHandle"`
	}
	if !decode(w, body, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.d.files[req.FileHandle]
	if f == nil || !f.Uploaded {
		writeFail(w, http.StatusOK, "file_not_found", "No file with that handle")
		return
	}
	writeOK(w, map[string]any{"url": s.root + "/files/" + f.Handle}, nil)
}

func (s *Server) handleFile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f := s.d.files[r.PathValue("handle")]
	s.mu.Unlock()
	if f == nil || !f.Uploaded {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Write(f.Data)
}
