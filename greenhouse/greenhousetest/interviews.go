package greenhousetest

import (
	"net/http"
	"slices"
	"time"
)

func interviewJSON(iv *Interview) map[string]any {
	return map[string]any{
		"id": iv.ID, "application_id": iv.ApplicationID, "job_id": iv.JobID, "job_interview_id": iv.JobInterviewID,
		"starts_at": ts(iv.StartsAt), "ends_at": ts(iv.EndsAt), "status": iv.Status, "external_event_id": iv.ExternalEventID,
		"location": iv.Location, "video_conferencing_url": iv.VideoConferencingURL, "organizer_id": nullID(iv.OrganizerID),
	}
}

func (s *Server) listInterviews(w http.ResponseWriter, r *http.Request) {
	lr, ok := s.parseList(w, r, "interviews")
	if !ok {
		return
	}
	apps := idSet(lr.q, "application_ids")
	ext := lr.q.Get("external_event_id")
	s.mu.Lock()
	items, next := s.page("interviews", lr, s.st.ivIDs, func(id int64) (any, bool) {
		iv := s.st.ivs[id]
		if iv == nil || (apps != nil && !apps[iv.ApplicationID]) || (ext != "" && iv.ExternalEventID != ext) {
			return nil, false
		}
		return interviewJSON(iv), true
	})
	s.mu.Unlock()
	s.writePage(w, "interviews", items, next)
}

// interviewBody is what POST/PATCH /v3/interviews take. The v3 body is not
// documented: the fake takes the v3 object's names (job_interview_id,
// starts_at, ends_at) and v2's (interview_id, start, end).
type interviewBody struct {
	ApplicationID        int64      `json:"application_id"`
	JobInterviewID       int64      `json:"job_interview_id"`
	InterviewID          int64      `json:"interview_id"`
	StartsAt             *time.Time `json:"starts_at"`
	EndsAt               *time.Time `json:"ends_at"`
	Start                *time.Time `json:"start"`
	End                  *time.Time `json:"end"`
	ExternalEventID      string     `json:"external_event_id"`
	Location             *string    `json:"location"`
	VideoConferencingURL *string    `json:"video_conferencing_url"`
	Interviewers         []struct {
		UserID int64  `json:"user_id"`
		Email  string `json:"email"`
	} `json:"interviewers"`
}

func (b *interviewBody) times() (start, end *time.Time) {
	start, end = b.StartsAt, b.EndsAt
	if start == nil {
		start = b.Start
	}
	if end == nil {
		end = b.End
	}
	return start, end
}

// interviewers resolves interviewer entries; the caller holds s.mu.
func (s *Server) interviewersLocked(b *interviewBody) ([]int64, bool) {
	var out []int64
	for _, iv := range b.Interviewers {
		id := iv.UserID
		if id == 0 && iv.Email != "" {
			for _, uid := range s.st.userIDs {
				if s.st.users[uid].Email == iv.Email {
					id = uid
				}
			}
		}
		if s.st.users[id] == nil {
			return nil, false
		}
		out = append(out, id)
	}
	return out, true
}

// createInterview serves POST /v3/interviews: it records an
// already-scheduled event for an active application; external_event_id is
// required and unique.
func (s *Server) createInterview(w http.ResponseWriter, r *http.Request) {
	var b interviewBody
	if !decodeBody(w, r, &b, false) {
		return
	}
	if b.JobInterviewID == 0 {
		b.JobInterviewID = b.InterviewID
	}
	start, end := b.times()
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.apps[b.ApplicationID]
	jiv := s.st.jobIvs[b.JobInterviewID]
	ids, okUsers := s.interviewersLocked(&b)
	dup := slices.ContainsFunc(s.st.ivIDs, func(id int64) bool { iv := s.st.ivs[id]; return iv != nil && iv.ExternalEventID == b.ExternalEventID })
	switch {
	case a == nil:
		invalid(w, "application_id", "is not an application of this organization")
		return
	case a.Status != "in_process":
		invalid(w, "application_id", "interviews can be scheduled only for active applications")
		return
	case jiv == nil || jiv.JobID != a.JobID:
		invalid(w, "job_interview_id", "is not an interview of the application's job")
		return
	case start == nil || end == nil || !end.After(*start):
		invalid(w, "ends_at", "starts_at and ends_at are required, and ends_at must be after starts_at")
		return
	case b.ExternalEventID == "":
		invalid(w, "external_event_id", "is required")
		return
	case dup:
		invalid(w, "external_event_id", "has already been taken")
		return
	case !okUsers:
		invalid(w, "interviewers", "names a user that does not exist")
		return
	}
	iv := &Interview{ID: s.st.next(), ApplicationID: a.ID, JobID: a.JobID, JobInterviewID: jiv.ID, StartsAt: start.UTC(), EndsAt: end.UTC(),
		Status: "scheduled", ExternalEventID: b.ExternalEventID, InterviewerIDs: ids, OrganizerID: callerOf(r).userID, CreatedViaAPI: true}
	if b.Location != nil {
		iv.Location = *b.Location
	}
	if b.VideoConferencingURL != nil {
		iv.VideoConferencingURL = *b.VideoConferencingURL
	}
	s.st.ivs[iv.ID] = iv
	s.st.ivIDs = append(s.st.ivIDs, iv.ID)
	writeJSON(w, http.StatusCreated, interviewJSON(iv))
}

// changeable reports whether an interview may be updated or deleted:
// created through the API and still scheduled or awaiting feedback.
func changeable(iv *Interview) bool {
	return iv.CreatedViaAPI && (iv.Status == "scheduled" || iv.Status == "awaiting_feedback")
}

func (s *Server) updateInterview(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var b interviewBody
	if !decodeBody(w, r, &b, false) {
		return
	}
	start, end := b.times()
	s.mu.Lock()
	defer s.mu.Unlock()
	iv := s.st.ivs[id]
	if iv == nil {
		writeError(w, http.StatusNotFound, "Interview not found")
		return
	}
	if !changeable(iv) {
		invalid(w, "status", "only interviews created through the API that are scheduled or awaiting feedback can be updated")
		return
	}
	ns, ne := iv.StartsAt, iv.EndsAt
	if start != nil {
		ns = start.UTC()
	}
	if end != nil {
		ne = end.UTC()
	}
	if !ne.After(ns) {
		invalid(w, "ends_at", "must be after starts_at")
		return
	}
	if b.Interviewers != nil {
		ids, ok := s.interviewersLocked(&b)
		if !ok {
			invalid(w, "interviewers", "names a user that does not exist")
			return
		}
		iv.InterviewerIDs = ids // replaces the whole list
	}
	iv.StartsAt, iv.EndsAt = ns, ne
	if b.Location != nil {
		iv.Location = *b.Location
	}
	if b.VideoConferencingURL != nil {
		iv.VideoConferencingURL = *b.VideoConferencingURL
	}
	writeJSON(w, http.StatusOK, interviewJSON(iv))
}

func (s *Server) deleteInterview(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	iv := s.st.ivs[id]
	switch {
	case iv == nil:
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Interview not found")
		return
	case !changeable(iv):
		s.mu.Unlock()
		invalid(w, "status", "only interviews created through the API that are scheduled or awaiting feedback can be deleted")
		return
	}
	delete(s.st.ivs, id)
	s.st.ivIDs = slices.DeleteFunc(s.st.ivIDs, func(x int64) bool { return x == id })
	if a := s.st.apps[iv.ApplicationID]; a != nil {
		s.fireInterviewDeletedLocked(iv)
	}
	s.mu.Unlock()
	s.hooks.flushSync()
	w.WriteHeader(http.StatusNoContent)
}
