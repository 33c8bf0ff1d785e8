package greenhousetest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AttachmentURLTTL is how long an attachment URL stays valid (Greenhouse:
// "Attachments expire in 7 days").
const AttachmentURLTTL = 7 * 24 * time.Hour

var attachmentTypes = []string{"resume", "cover_letter", "take_home_test", "offer_packet", "offer_letter",
	"signed_offer_letter", "other", "form_attachment", "midfunnel_agreement", "automated_agreement"}

// fileKey signs attachment URLs; it is per server, never shared.
func (s *Server) fileSig(id, exp int64) string {
	m := hmac.New(sha256.New, []byte(s.URL+"/files"))
	fmt.Fprintf(m, "%d|%d", id, exp)
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Server) attachmentJSON(f *Attachment) map[string]any {
	exp := s.cfg.now().Add(AttachmentURLTTL).Unix()
	u := fmt.Sprintf("%s/files/%d?expires=%d&sig=%s", strings.TrimSuffix(s.URL, BasePath), f.ID, exp, s.fileSig(f.ID, exp))
	if f.URL != "" && len(f.Content) == 0 {
		u = f.URL
	}
	return map[string]any{
		"id": f.ID, "application_id": f.ApplicationID, "candidate_id": f.CandidateID, "type": f.Type,
		"filename": f.Filename, "url": u, "created_at": ts(f.CreatedAt), "updated_at": ts(f.CreatedAt),
	}
}

// handleFile serves an attachment's content through its signed,
// expiring URL; an expired or forged URL gets 403.
func (s *Server) handleFile(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	exp, _ := strconv.ParseInt(r.URL.Query().Get("expires"), 10, 64)
	if !hmac.Equal([]byte(r.URL.Query().Get("sig")), []byte(s.fileSig(id, exp))) || s.cfg.now().Unix() > exp {
		writeError(w, http.StatusForbidden, "Request has expired or the signature is invalid")
		return
	}
	s.mu.Lock()
	f := s.st.files[id]
	s.mu.Unlock()
	if f == nil {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	if f.ContentType != "" {
		w.Header().Set("Content-Type", f.ContentType)
	}
	w.Write(f.Content)
}

func (s *Server) listAttachments(w http.ResponseWriter, r *http.Request) {
	lr, ok := s.parseList(w, r, "attachments")
	if !ok {
		return
	}
	apps := idSet(lr.q, "application_ids")
	s.mu.Lock()
	items, next := s.page("attachments", lr, s.st.fileIDs, func(id int64) (any, bool) {
		f := s.st.files[id]
		if apps != nil && !apps[f.ApplicationID] {
			return nil, false
		}
		return s.attachmentJSON(f), true
	})
	s.mu.Unlock()
	s.writePage(w, "attachments", items, next)
}

// createAttachment serves POST /v3/attachments. Its v3 body is not
// documented; the fake takes v1's (filename, type, content in base64 or
// url, content_type, visibility) with application_id, and keeps v1's rule
// that a take_home_test needs an outstanding test: the application's
// current stage must hold a take-home-test interview.
func (s *Server) createAttachment(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ApplicationID int64  `json:"application_id"`
		Filename      string `json:"filename"`
		Type          string `json:"type"`
		Content       string `json:"content"`
		URL           string `json:"url"`
		ContentType   string `json:"content_type"`
		Visibility    string `json:"visibility"`
	}
	if !decodeBody(w, r, &body, false) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.apps[body.ApplicationID]
	var content []byte
	var err error
	if body.Content != "" {
		content, err = base64.StdEncoding.DecodeString(body.Content)
	}
	switch {
	case a == nil:
		writeError(w, http.StatusNotFound, "Application not found")
		return
	case strings.TrimSpace(body.Filename) == "":
		invalid(w, "filename", "can't be blank")
		return
	case !slices.Contains(attachmentTypes, body.Type):
		invalid(w, "type", "is not a valid attachment type")
		return
	case err != nil:
		invalid(w, "content", "must be base64")
		return
	case len(content) == 0 && body.URL == "":
		invalid(w, "content", "content or url is required")
		return
	case body.Type == "take_home_test" && !s.hasTakeHomeLocked(a):
		invalid(w, "type", "take_home_test needs an outstanding test on the application")
		return
	}
	f := &Attachment{ID: s.st.next(), ApplicationID: a.ID, CandidateID: a.CandidateID, Filename: body.Filename, Type: body.Type,
		ContentType: body.ContentType, Content: content, URL: body.URL, Visibility: body.Visibility, CreatedAt: s.cfg.now().UTC()}
	s.st.files[f.ID] = f
	s.st.fileIDs = append(s.st.fileIDs, f.ID)
	writeJSON(w, http.StatusCreated, s.attachmentJSON(f))
}

func (s *Server) hasTakeHomeLocked(a *Application) bool {
	for _, id := range s.st.jobIvIDs {
		if iv := s.st.jobIvs[id]; iv.StageID == a.StageID && iv.SchedulingType == "take_home_test" {
			return true
		}
	}
	return false
}
