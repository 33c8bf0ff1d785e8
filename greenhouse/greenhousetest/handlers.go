package greenhousetest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// decodeBody decodes a JSON request body into v. strict refuses unknown
// fields (Greenhouse's move body has additionalProperties: false).
func decodeBody(w http.ResponseWriter, r *http.Request, v any, strict bool) bool {
	dec := json.NewDecoder(r.Body)
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		invalid(w, "", "the request body is not valid JSON for this endpoint: %v", err)
		return false
	}
	return true
}

func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusNotFound, "Resource not found")
		return 0, false
	}
	return n, true
}

func (s *Server) listJobs(w http.ResponseWriter, r *http.Request) {
	lr, ok := s.parseList(w, r, "jobs")
	if !ok {
		return
	}
	status := lr.q.Get("status")
	if status != "" && status != "open" && status != "draft" && status != "closed" {
		invalid(w, "status", "must be open, draft or closed")
		return
	}
	ids := idSet(lr.q, "ids")
	s.mu.Lock()
	items, next := s.page("jobs", lr, narrow(ids, s.st.jobIDs, s.st.jobs), func(id int64) (any, bool) {
		j := s.st.jobs[id]
		if (ids != nil && !ids[id]) || (status != "" && j.Status != status) {
			return nil, false
		}
		return map[string]any{
			"id": j.ID, "name": j.Name, "requisition_id": nil, "status": j.Status, "confidential": false,
			"is_template": j.IsTemplate, "opened_at": ts(j.CreatedAt), "closed_at": nil,
			"created_at": ts(j.CreatedAt), "updated_at": ts(j.CreatedAt), "department_id": nil, "office_ids": []int64{},
		}, true
	})
	s.mu.Unlock()
	s.writePage(w, "jobs", items, next)
}

func (s *Server) listStages(w http.ResponseWriter, r *http.Request) {
	lr, ok := s.parseList(w, r, "job_interview_stages")
	if !ok {
		return
	}
	jobs, ids := idSet(lr.q, "job_ids"), idSet(lr.q, "ids")
	active := lr.q.Get("active")
	s.mu.Lock()
	items, next := s.page("job_interview_stages", lr, s.st.stageIDs, func(id int64) (any, bool) {
		sg := s.st.stages[id]
		if (jobs != nil && !jobs[sg.JobID]) || (ids != nil && !ids[id]) ||
			(active == "true" && sg.Inactive) || (active == "false" && !sg.Inactive) {
			return nil, false
		}
		created := s.st.jobs[sg.JobID].CreatedAt
		return map[string]any{
			"id": sg.ID, "job_id": sg.JobID, "name": sg.Name, "sort_order": sg.SortOrder, "active": !sg.Inactive,
			"created_at": ts(created), "updated_at": ts(created),
		}, true
	})
	s.mu.Unlock()
	s.writePage(w, "job_interview_stages", items, next)
}

func (s *Server) listJobInterviews(w http.ResponseWriter, r *http.Request) {
	lr, ok := s.parseList(w, r, "job_interviews")
	if !ok {
		return
	}
	jobs := idSet(lr.q, "job_ids")
	s.mu.Lock()
	items, next := s.page("job_interviews", lr, s.st.jobIvIDs, func(id int64) (any, bool) {
		iv := s.st.jobIvs[id]
		if jobs != nil && !jobs[iv.JobID] {
			return nil, false
		}
		return map[string]any{
			"id": iv.ID, "job_id": iv.JobID, "job_interview_stage_id": iv.StageID, "name": iv.Name,
			"scheduling_type": iv.SchedulingType, "sort_order": iv.SortOrder, "duration": 60, "active": true,
		}, true
	})
	s.mu.Unlock()
	s.writePage(w, "job_interviews", items, next)
}

// applicationJSON renders an application as GET /v3/applications does.
// The caller holds s.mu.
func (s *Server) applicationJSON(a *Application) map[string]any {
	stageName := ""
	if sg := s.st.stages[a.StageID]; sg != nil {
		stageName = sg.Name
	}
	var instance int64
	if n := len(a.History); n > 0 {
		instance = a.History[n-1].ID
	}
	return map[string]any{
		"id": a.ID, "candidate_id": a.CandidateID, "job_id": a.JobID, "job_interview_stage_id": a.StageID,
		"stage_id": instance, "stage_name": stageName, "status": a.Status, "prospect": false,
		"rejected_at": ts(a.RejectedAt), "last_activity_at": ts(a.LastActivityAt),
		"created_at": ts(a.CreatedAt), "updated_at": ts(a.LastActivityAt), "prospective_job_ids": []int64{},
	}
}

func (s *Server) listApplications(w http.ResponseWriter, r *http.Request) {
	lr, ok := s.parseList(w, r, "applications")
	if !ok {
		return
	}
	// Queried with active, answered with in_process.
	status := lr.q.Get("status")
	want := map[string]string{"": "", "active": "in_process", "rejected": "rejected", "hired": "hired", "converted": "converted"}
	st, known := want[status]
	if !known {
		invalid(w, "status", "must be active, rejected, hired or converted")
		return
	}
	tr, hasRange, err := parseRange(lr.q, "last_activity_at")
	if err != nil {
		invalid(w, "last_activity_at", "%v", err)
		return
	}
	ids, jobs, cands := idSet(lr.q, "ids"), idSet(lr.q, "job_ids"), idSet(lr.q, "candidate_ids")
	stageName, hasStage := lr.q.Get("stage_name"), lr.q.Has("stage_name")
	s.mu.Lock()
	items, next := s.page("applications", lr, narrow(ids, s.st.appIDs, s.st.apps), func(id int64) (any, bool) {
		a := s.st.apps[id]
		if (ids != nil && !ids[id]) || (jobs != nil && !jobs[a.JobID]) || (cands != nil && !cands[a.CandidateID]) ||
			(st != "" && a.Status != st) || (hasRange && !tr.has(a.LastActivityAt)) {
			return nil, false
		}
		if hasStage {
			if sg := s.st.stages[a.StageID]; sg == nil || sg.Name != stageName {
				return nil, false
			}
		}
		return s.applicationJSON(a), true
	})
	s.mu.Unlock()
	s.writePage(w, "applications", items, next)
}

func (s *Server) moveApplication(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var body struct {
		FromStageID     *int64 `json:"from_stage_id"`
		ToStageID       int64  `json:"to_stage_id"`
		ToJobID         int64  `json:"to_job_id"`
		EmailFromUserID int64  `json:"email_from_user_id"`
	}
	if !decodeBody(w, r, &body, true) {
		return
	}
	s.mu.Lock()
	a := s.st.apps[id]
	if a == nil {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Application not found")
		return
	}
	fail := func(field, msg string) {
		s.mu.Unlock()
		invalid(w, field, "%s", msg)
	}
	switch {
	case body.FromStageID == nil:
		fail("from_stage_id", "is required")
		return
	case a.Status != "in_process":
		fail("application", "only active applications can be moved")
		return
	case *body.FromStageID != a.StageID:
		fail("from_stage_id", "does not match the application's current stage")
		return
	}
	jobID := a.JobID
	if body.ToJobID != 0 {
		if s.st.jobs[body.ToJobID] == nil {
			fail("to_job_id", "is not a job of this organization")
			return
		}
		jobID = body.ToJobID
	}
	to := body.ToStageID
	switch {
	case to != 0:
		if sg := s.st.stages[to]; sg == nil || sg.JobID != jobID || sg.Inactive {
			fail("to_stage_id", "is not an active stage of the job")
			return
		}
	case body.ToJobID != 0:
		to = s.st.firstStage(jobID)
	default:
		cur := s.st.stages[a.StageID]
		best := 1 << 30
		for _, sid := range s.st.stageIDs {
			sg := s.st.stages[sid]
			if sg.JobID == jobID && !sg.Inactive && sg.SortOrder > cur.SortOrder && sg.SortOrder < best {
				to, best = sid, sg.SortOrder
			}
		}
		if to == 0 {
			fail("to_stage_id", "the application is in the last stage; nothing to advance to")
			return
		}
	}
	a.JobID = jobID
	s.st.moveLocked(a, to, callerOf(r).userID)
	s.fireLocked("candidate_stage_change", a)
	s.fireLocked("application_updated", a)
	s.mu.Unlock()
	s.hooks.flushSync()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) rejectApplication(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var body struct {
		RejectionReasonID int64           `json:"rejection_reason_id"`
		Notes             string          `json:"notes"`
		CustomFields      json.RawMessage `json:"custom_fields"`
		RejectionEmail    json.RawMessage `json:"rejection_email"`
	}
	if !decodeBody(w, r, &body, true) {
		return
	}
	s.mu.Lock()
	a := s.st.apps[id]
	if a == nil {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Application not found")
		return
	}
	known := slices.ContainsFunc(s.st.reasons, func(rr RejectionReason) bool { return rr.ID == body.RejectionReasonID })
	switch {
	case body.RejectionReasonID == 0:
		s.mu.Unlock()
		invalid(w, "rejection_reason_id", "is required")
		return
	case !known:
		s.mu.Unlock()
		invalid(w, "rejection_reason_id", "is not a rejection reason of this organization")
		return
	case a.Status != "in_process":
		s.mu.Unlock()
		invalid(w, "application", "only active applications can be rejected")
		return
	}
	now := s.cfg.now().UTC()
	a.Status, a.RejectionReasonID, a.RejectionNotes, a.RejectedAt, a.LastActivityAt = "rejected", body.RejectionReasonID, body.Notes, now, now
	s.fireLocked("reject_candidate", a)
	s.mu.Unlock()
	s.hooks.flushSync()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) unrejectApplication(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var body struct{}
	if r.ContentLength != 0 && !decodeBody(w, r, &body, true) {
		return
	}
	s.mu.Lock()
	a := s.st.apps[id]
	if a == nil {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Application not found")
		return
	}
	if a.Status != "rejected" {
		s.mu.Unlock()
		invalid(w, "application", "is not rejected")
		return
	}
	a.Status, a.RejectionReasonID, a.RejectionNotes, a.RejectedAt = "in_process", 0, "", time.Time{}
	a.LastActivityAt = s.cfg.now().UTC()
	s.fireLocked("unreject_candidate", a)
	s.mu.Unlock()
	s.hooks.flushSync()
	w.WriteHeader(http.StatusNoContent)
}

// personJSON renders a candidate as GET /v3/candidates does. The caller
// holds s.mu.
func (s *Server) personJSON(p *Candidate) map[string]any {
	emails := []map[string]string{}
	for _, e := range p.Emails {
		emails = append(emails, map[string]string{"value": e, "type": "personal"})
	}
	phones := []map[string]string{}
	for _, ph := range p.Phones {
		phones = append(phones, map[string]string{"value": ph, "type": "mobile"})
	}
	created := s.st.apps[p.ApplicationID]
	var at time.Time
	if created != nil {
		at = created.CreatedAt
	}
	return map[string]any{
		"id": p.ID, "first_name": p.FirstName, "last_name": p.LastName, "preferred_name": nil,
		"company": nil, "title": nil, "private": false, "can_email": true,
		"email_addresses": emails, "phone_numbers": phones, "tags": s.st.tagsOf(p.ID),
		"created_at": ts(at), "updated_at": ts(at), "linked_user_ids": []int64{},
	}
}

func (s *Server) listCandidates(w http.ResponseWriter, r *http.Request) {
	lr, ok := s.parseList(w, r, "candidates")
	if !ok {
		return
	}
	ids := idSet(lr.q, "ids")
	email, tag := lr.q.Get("email"), lr.q.Get("tag")
	s.mu.Lock()
	items, next := s.page("candidates", lr, narrow(ids, s.st.peopleIDs, s.st.people), func(id int64) (any, bool) {
		p := s.st.people[id]
		if ids != nil && !ids[id] {
			return nil, false
		}
		if email != "" && !slices.ContainsFunc(p.Emails, func(e string) bool { return strings.EqualFold(e, email) }) {
			return nil, false
		}
		if tag != "" && !slices.Contains(s.st.tagsOf(id), tag) {
			return nil, false
		}
		return s.personJSON(p), true
	})
	s.mu.Unlock()
	s.writePage(w, "candidates", items, next)
}

var noteVisibility = map[string]string{"admin_only": "admin_only_visible", "private": "privately_visible", "public": "publicly_visible"}

func noteJSON(n *Note) map[string]any {
	return map[string]any{
		"id": n.ID, "candidate_id": n.CandidateID, "application_id": nullID(n.ApplicationID), "user_id": n.UserID,
		"body": n.Body, "type": n.Type, "visibility": noteVisibility[n.Visibility],
		"created_at": ts(n.CreatedAt), "updated_at": ts(n.CreatedAt),
	}
}

func (s *Server) listNotes(w http.ResponseWriter, r *http.Request) {
	lr, ok := s.parseList(w, r, "notes")
	if !ok {
		return
	}
	cands, apps := idSet(lr.q, "candidate_ids"), idSet(lr.q, "application_ids")
	s.mu.Lock()
	ids := make([]int64, len(s.st.notes))
	byID := make(map[int64]*Note, len(s.st.notes))
	for i, n := range s.st.notes {
		ids[i], byID[n.ID] = n.ID, n
	}
	items, next := s.page("notes", lr, ids, func(id int64) (any, bool) {
		n := byID[id]
		if (cands != nil && !cands[n.CandidateID]) || (apps != nil && !apps[n.ApplicationID]) {
			return nil, false
		}
		return noteJSON(n), true
	})
	s.mu.Unlock()
	s.writePage(w, "notes", items, next)
}

// createNote serves POST /v3/notes. Its request schema is not in
// Greenhouse's prose: the fake takes candidate_id, application_id,
// user_id (default: the token's user), body, visibility (admin_only,
// private or public; default public) and note_type (default NOTE), and
// answers 201 with the note, its visibility rendered as *_visible.
func (s *Server) createNote(w http.ResponseWriter, r *http.Request) {
	var body struct {
		CandidateID   int64  `json:"candidate_id"`
		ApplicationID int64  `json:"application_id"`
		UserID        int64  `json:"user_id"`
		Body          string `json:"body"`
		Visibility    string `json:"visibility"`
		NoteType      string `json:"note_type"`
	}
	if !decodeBody(w, r, &body, false) {
		return
	}
	if body.Visibility == "" {
		body.Visibility = "public"
	}
	if body.NoteType == "" {
		body.NoteType = "NOTE"
	}
	if body.UserID == 0 {
		body.UserID = callerOf(r).userID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.people[body.CandidateID]
	switch {
	case p == nil:
		writeError(w, http.StatusNotFound, "Candidate not found")
		return
	case strings.TrimSpace(body.Body) == "":
		invalid(w, "body", "can't be blank")
		return
	case noteVisibility[body.Visibility] == "":
		invalid(w, "visibility", "must be admin_only, private or public")
		return
	case s.st.users[body.UserID] == nil:
		invalid(w, "user_id", "is not a user of this organization")
		return
	case body.ApplicationID != 0 && (s.st.apps[body.ApplicationID] == nil || s.st.apps[body.ApplicationID].CandidateID != body.CandidateID):
		invalid(w, "application_id", "is not an application of this candidate")
		return
	}
	n := &Note{ID: s.st.next(), CandidateID: body.CandidateID, ApplicationID: body.ApplicationID, UserID: body.UserID,
		Body: body.Body, Visibility: body.Visibility, Type: body.NoteType, CreatedAt: s.cfg.now().UTC()}
	s.st.notes = append(s.st.notes, n)
	writeJSON(w, http.StatusCreated, noteJSON(n))
}

func (s *Server) listTags(w http.ResponseWriter, r *http.Request) {
	lr, ok := s.parseList(w, r, "candidate_tags")
	if !ok {
		return
	}
	s.mu.Lock()
	items, next := s.page("candidate_tags", lr, s.st.tagIDs, func(id int64) (any, bool) {
		return map[string]any{"id": id, "name": s.st.tags[id]}, true
	})
	s.mu.Unlock()
	s.writePage(w, "candidate_tags", items, next)
}

// createTag serves POST /v3/candidate_tags; its body is not documented,
// {"name"} is assumed. A name already taken is refused with 422.
func (s *Server) createTag(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name string `json:"name"`
	}
	if !decodeBody(w, r, &body, false) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case strings.TrimSpace(body.Name) == "":
		invalid(w, "name", "can't be blank")
		return
	case s.st.tagNamed(body.Name, false) != 0:
		invalid(w, "name", "has already been taken")
		return
	}
	id := s.st.tagNamed(body.Name, true)
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "name": s.st.tags[id]})
}

func (s *Server) listAppliedTags(w http.ResponseWriter, r *http.Request) {
	lr, ok := s.parseList(w, r, "applied_candidate_tags")
	if !ok {
		return
	}
	cands, tags := idSet(lr.q, "candidate_ids"), idSet(lr.q, "candidate_tag_ids")
	s.mu.Lock()
	items, next := s.page("applied_candidate_tags", lr, s.st.appliedIDs, func(id int64) (any, bool) {
		at := s.st.applied[id]
		if at == nil || (cands != nil && !cands[at.CandidateID]) || (tags != nil && !tags[at.TagID]) {
			return nil, false
		}
		return map[string]any{"id": at.ID, "candidate_id": at.CandidateID, "candidate_tag_id": at.TagID}, true
	})
	s.mu.Unlock()
	s.writePage(w, "applied_candidate_tags", items, next)
}

func (s *Server) applyTag(w http.ResponseWriter, r *http.Request) {
	var body struct {
		CandidateID    int64 `json:"candidate_id"`
		CandidateTagID int64 `json:"candidate_tag_id"`
	}
	if !decodeBody(w, r, &body, true) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.st.people[body.CandidateID] == nil:
		invalid(w, "candidate_id", "is not a candidate of this organization")
		return
	case s.st.tags[body.CandidateTagID] == "":
		invalid(w, "candidate_tag_id", "is not a candidate tag of this organization")
		return
	}
	at := s.st.applyTagLocked(body.CandidateID, body.CandidateTagID)
	writeJSON(w, http.StatusCreated, map[string]any{"id": at.ID, "candidate_id": at.CandidateID, "candidate_tag_id": at.TagID})
}

func (s *Server) unapplyTag(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.applied[id] == nil {
		writeError(w, http.StatusNotFound, "Applied candidate tag not found")
		return
	}
	delete(s.st.applied, id)
	s.st.appliedIDs = slices.DeleteFunc(s.st.appliedIDs, func(x int64) bool { return x == id })
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	lr, ok := s.parseList(w, r, "users")
	if !ok {
		return
	}
	ids := idSet(lr.q, "ids")
	email := lr.q.Get("primary_email")
	s.mu.Lock()
	items, next := s.page("users", lr, narrow(ids, s.st.userIDs, s.st.users), func(id int64) (any, bool) {
		u := s.st.users[id]
		if (ids != nil && !ids[id]) || (email != "" && !strings.EqualFold(u.Email, email)) {
			return nil, false
		}
		return map[string]any{
			"id": u.ID, "name": strings.TrimSpace(u.FirstName + " " + u.LastName), "first_name": u.FirstName, "last_name": u.LastName,
			"primary_email": u.Email, "emails": append([]string{u.Email}, u.SecondaryEmails...),
			"deactivated": u.Deactivated, "site_admin": u.SiteAdmin,
		}, true
	})
	s.mu.Unlock()
	s.writePage(w, "users", items, next)
}

func (s *Server) listUserEmails(w http.ResponseWriter, r *http.Request) {
	lr, ok := s.parseList(w, r, "user_emails")
	if !ok {
		return
	}
	email := lr.q.Get("email")
	s.mu.Lock()
	items, next := s.page("user_emails", lr, s.st.userIDs, func(id int64) (any, bool) {
		u := s.st.users[id]
		for _, e := range append([]string{u.Email}, u.SecondaryEmails...) {
			if email == "" || strings.EqualFold(e, email) {
				return map[string]any{"id": u.ID, "user_id": u.ID, "email": e, "verified": true}, true
			}
		}
		return nil, false
	})
	s.mu.Unlock()
	s.writePage(w, "user_emails", items, next)
}

func (s *Server) listReasons(w http.ResponseWriter, r *http.Request) {
	lr, ok := s.parseList(w, r, "rejection_reasons")
	if !ok {
		return
	}
	s.mu.Lock()
	ids := make([]int64, len(s.st.reasons))
	byID := map[int64]RejectionReason{}
	for i, rr := range s.st.reasons {
		ids[i], byID[rr.ID] = rr.ID, rr
	}
	items, next := s.page("rejection_reasons", lr, ids, func(id int64) (any, bool) {
		rr := byID[id]
		return map[string]any{"id": rr.ID, "name": rr.Name, "type": map[string]any{"id": 1, "key": "we_rejected", "name": "We rejected them"}}, true
	})
	s.mu.Unlock()
	s.writePage(w, "rejection_reasons", items, next)
}
