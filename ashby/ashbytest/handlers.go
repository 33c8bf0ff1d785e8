package ashbytest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

func (s *Server) routes() http.Handler {
	rpc := map[string]route{
		"apiKey.info":                        {"apiKeysRead", s.apiKeyInfo},
		"job.list":                           {"jobsRead", s.jobList},
		"job.info":                           {"jobsRead", s.jobInfo},
		"jobInterviewPlan.info":              {"jobsRead", s.jobInterviewPlanInfo},
		"interviewStage.list":                {"interviewsRead", s.interviewStageList},
		"interviewStage.info":                {"interviewsRead", s.interviewStageInfo},
		"application.list":                   {"candidatesRead", s.applicationList},
		"application.info":                   {"candidatesRead", s.applicationInfo},
		"application.listHistory":            {"candidatesRead", s.applicationListHistory},
		"application.changeStage":            {"candidatesWrite", s.applicationChangeStage},
		"candidate.info":                     {"candidatesRead", s.candidateInfo},
		"candidate.createNote":               {"candidatesWrite", s.candidateCreateNote},
		"candidate.listNotes":                {"candidatesRead", s.candidateListNotes},
		"candidate.addTag":                   {"candidatesWrite", s.candidateAddTag},
		"candidate.uploadFile":               {"candidatesWrite", s.candidateUploadFile},
		"candidateTag.create":                {"hiringProcessMetadataWrite", s.tagCreate},
		"candidateTag.list":                  {"hiringProcessMetadataRead", s.tagList},
		"archiveReason.list":                 {"hiringProcessMetadataRead", s.archiveReasonList},
		"file.createFileUploadHandle":        {"candidatesWrite", s.fileCreateUploadHandle},
		"file.info":                          {"candidatesRead", s.fileInfo},
		"user.search":                        {"organizationRead", s.userSearch},
		"user.info":                          {"organizationRead", s.userInfo},
		"webhook.create":                     {"apiKeysWrite", s.webhookCreate},
		"webhook.info":                       {"apiKeysRead", s.webhookInfo},
		"webhook.update":                     {"apiKeysWrite", s.webhookUpdate},
		"webhook.delete":                     {"apiKeysWrite", s.webhookDelete},
		"interviewSchedule.create":           {"interviewsWrite", s.scheduleCreate},
		"interviewSchedule.update":           {"interviewsWrite", s.scheduleUpdate},
		"interviewSchedule.cancel":           {"interviewsWrite", s.scheduleCancel},
		"assessment.update":                  {"candidatesWrite", s.assessmentUpdate},
		"assessment.addCompletedToCandidate": {"candidatesWrite", s.assessmentAddCompleted},
	}
	m := http.NewServeMux()
	m.Handle(BasePath+"/", s.api(rpc))
	m.HandleFunc("POST /upload/{token}", s.handleUpload)
	m.HandleFunc("GET /files/{handle}", s.handleFile)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeFail(w, http.StatusNotFound, "not_found", "ashbytest: "+r.URL.Path+" is outside the API base path "+BasePath+"; did the client drop the base URL's path?")
	})
	return m
}

func (s *Server) apiKeyInfo(w http.ResponseWriter, body []byte, k *apiKey) {
	var req struct{}
	if !decode(w, body, &req) {
		return
	}
	var scopes []string
	for p := range k.perms {
		// apiKey.info reports scopes as "module:access", e.g. "candidates:read".
		for _, acc := range []string{"Read", "Write"} {
			if mod, ok := strings.CutSuffix(p, acc); ok {
				scopes = append(scopes, mod+":"+strings.ToLower(acc))
			}
		}
	}
	slices.Sort(scopes)
	writeOK(w, map[string]any{"title": k.title, "createdAt": ts(time.Unix(0, 0)), "scopes": scopes}, nil)
}

func (s *Server) jobList(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		listFields
		Status                           []string `json:"status"`
		OpenedAfter, OpenedBefore        *int64
		ClosedAfter, ClosedBefore        *int64
		IncludeUnpublishedJobPostingsIds *bool    `json:"includeUnpublishedJobPostingsIds"`
		Expand                           []string `json:"expand"`
	}
	if !decode(w, body, &req) {
		return
	}
	for _, st := range req.Status {
		if !slices.Contains([]string{"Draft", "Open", "Closed", "Archived"}, st) {
			writeFail(w, http.StatusOK, "invalid_input", "status must be one of Draft, Open, Closed, Archived")
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var recs []record
	for i, j := range s.d.jobs {
		if len(req.Status) > 0 && !slices.Contains(req.Status, j.Status) || len(req.Status) == 0 && j.Status == "Draft" {
			continue
		}
		recs = append(recs, record{i, j.rev, j.CreatedAt, j})
	}
	s.page(w, req.listFields, recs, true, func(v any) any { return s.jobJSON(v.(*Job)) })
}

func (s *Server) jobInfo(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		ID                               string   `json:"id"`
		IncludeUnpublishedJobPostingsIds *bool    `json:"includeUnpublishedJobPostingsIds"`
		Expand                           []string `json:"expand"`
	}
	if !decode(w, body, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.d.jobByID[req.ID]
	if j == nil {
		writeFail(w, http.StatusOK, "job_not_found", "No job with that id")
		return
	}
	writeOK(w, s.jobJSON(j), nil)
}

func (s *Server) jobInterviewPlanInfo(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		JobID string `json:"jobId"`
	}
	if !decode(w, body, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.d.jobByID[req.JobID]
	if j == nil {
		writeFail(w, http.StatusOK, "job_not_found", "No job with that id")
		return
	}
	var stages []any
	for i := range j.Stages {
		st := s.stageJSON(s.d.stageByID[j.Stages[i].ID])
		delete(st, "interviewPlanId")
		st["activities"] = []any{}
		stages = append(stages, st)
	}
	writeOK(w, map[string]any{"jobId": j.ID, "interviewPlanId": j.PlanID, "stages": stages}, nil)
}

func (s *Server) interviewStageList(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		InterviewPlanID string `json:"interviewPlanId"`
	}
	if !decode(w, body, &req) {
		return
	}
	if req.InterviewPlanID == "" {
		writeFail(w, http.StatusOK, "invalid_input", "interviewPlanId is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range s.d.jobs {
		if j.PlanID == req.InterviewPlanID {
			var out []any
			for _, st := range j.Stages {
				out = append(out, s.stageJSON(s.d.stageByID[st.ID]))
			}
			writeOK(w, out, map[string]any{"moreDataAvailable": false})
			return
		}
	}
	writeFail(w, http.StatusOK, "interview_plan_not_found", "No interview plan with that id")
}

func (s *Server) interviewStageInfo(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		InterviewStageID string `json:"interviewStageId"`
	}
	if !decode(w, body, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.d.stageByID[req.InterviewStageID]
	if st == nil {
		writeFail(w, http.StatusOK, "interview_stage_not_found", "No interview stage with that id")
		return
	}
	writeOK(w, s.stageJSON(st), nil)
}

func (s *Server) applicationList(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		listFields
		Status string   `json:"status"`
		JobID  string   `json:"jobId"`
		Expand []string `json:"expand"`
	}
	if !decode(w, body, &req) {
		return
	}
	if req.Status != "" && !slices.Contains([]string{"Hired", "Archived", "Active", "Lead"}, req.Status) {
		writeFail(w, http.StatusOK, "invalid_input", "status must be one of Hired, Archived, Active, Lead")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	recs := make([]record, 0, len(s.d.apps))
	for i, a := range s.d.apps {
		if req.JobID != "" && a.JobID != req.JobID || req.Status != "" && a.Status != req.Status {
			continue
		}
		recs = append(recs, record{i, a.rev, a.CreatedAt, a})
	}
	s.page(w, req.listFields, recs, true, func(v any) any { return s.appJSON(v.(*Application)) })
}

func (s *Server) applicationInfo(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		ApplicationID           string   `json:"applicationId"`
		SubmittedFormInstanceID string   `json:"submittedFormInstanceId"`
		Expand                  []string `json:"expand"`
	}
	if !decode(w, body, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.d.appByID[req.ApplicationID]
	if a == nil {
		writeFail(w, http.StatusOK, "application_not_found", "No application with that id")
		return
	}
	out := s.appJSON(a)
	var hist []any
	for i, h := range a.History {
		hist = append(hist, map[string]any{"id": h.ID, "stageId": h.StageID, "title": h.Title, "stageNumber": i,
			"enteredStageAt": ts(h.EnteredStageAt), "leftStageAt": ts(h.LeftStageAt)})
	}
	out["applicationHistory"] = hist
	writeOK(w, out, nil)
}

func (s *Server) applicationListHistory(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		ApplicationID string `json:"applicationId"`
		listFields
	}
	if !decode(w, body, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.d.appByID[req.ApplicationID]
	if a == nil {
		writeFail(w, http.StatusOK, "application_not_found", "No application with that id")
		return
	}
	var recs []record
	for i, h := range a.History {
		recs = append(recs, record{i, int64(i + 1), h.EnteredStageAt, i})
	}
	s.page(w, req.listFields, recs, false, func(v any) any {
		i := v.(int)
		h := a.History[i]
		return map[string]any{"id": h.ID, "stageId": h.StageID, "title": h.Title, "stageNumber": i,
			"enteredStageAt": ts(h.EnteredStageAt), "leftStageAt": ts(h.LeftStageAt), "allowedActions": []string{}}
	})
}

func (s *Server) applicationChangeStage(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		ApplicationID    string `json:"applicationId"`
		InterviewStageID string `json:"interviewStageId"`
		ArchiveReasonID  string `json:"archiveReasonId"`
		ArchiveEmail     *struct {
			CommunicationTemplateID string `json:"communicationTemplateId"`
			SendAt                  string `json:"sendAt"`
		} `json:"archiveEmail"`
	}
	if !decode(w, body, &req) {
		return
	}
	if req.ApplicationID == "" || req.InterviewStageID == "" {
		writeFail(w, http.StatusOK, "invalid_input", "applicationId and interviewStageId are required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.d.appByID[req.ApplicationID]
	if a == nil {
		writeFail(w, http.StatusOK, "application_not_found", "No application with that id")
		return
	}
	j := s.d.jobByID[a.JobID]
	st := s.d.stageByID[req.InterviewStageID]
	if st == nil || st.PlanID != j.PlanID {
		writeFail(w, http.StatusOK, "interview_stage_not_found", "No interview stage with that id in the application's interview plan")
		return
	}
	archiving := st.Type == "Archived"
	switch {
	case archiving && req.ArchiveReasonID == "":
		writeFail(w, http.StatusOK, "invalid_input", "archiveReasonId is required when moving to an Archived stage")
		return
	case !archiving && (req.ArchiveReasonID != "" || req.ArchiveEmail != nil):
		writeFail(w, http.StatusOK, "invalid_input", "archiveReasonId and archiveEmail are only allowed when moving to an Archived stage")
		return
	}
	if archiving && !slices.ContainsFunc(s.d.reasons, func(r *ArchiveReason) bool { return r.ID == req.ArchiveReasonID && !r.IsArchived }) {
		writeFail(w, http.StatusOK, "archive_reason_not_found", "No archive reason with that id")
		return
	}
	if req.ArchiveEmail != nil {
		if req.ArchiveEmail.CommunicationTemplateID == "" {
			writeFail(w, http.StatusOK, "invalid_input", "archiveEmail.communicationTemplateId is required")
			return
		}
		if s.failEmail && a.Status != "Archived" {
			// Ashby: if the email cannot be sent, the stage is not changed.
			writeFail(w, http.StatusOK, "archive_email_send_failed", "The archive email could not be scheduled; the stage was not changed. Retry without archiveEmail")
			return
		}
	}
	s.moveLocked(a, st, req.ArchiveReasonID)
	writeOK(w, s.appJSON(a), nil)
}

// moveLocked moves a to st and fires Ashby's webhooks. Caller holds s.mu.
// A move to the current stage changes nothing and fires nothing.
func (s *Server) moveLocked(a *Application, st *Stage, reasonID string) {
	if a.StageID == st.ID {
		return
	}
	now := s.now().UTC()
	if n := len(a.History); n > 0 {
		a.History[n-1].LeftStageAt = now
	}
	a.History = append(a.History, HistoryEntry{ID: newUUID(), StageID: st.ID, Title: st.Title, EnteredStageAt: now})
	a.StageID = st.ID
	switch st.Type {
	case "Archived":
		a.Status, a.ArchiveReasonID, a.ArchivedAt = "Archived", reasonID, now
	case "Hired":
		a.Status, a.ArchiveReasonID, a.ArchivedAt = "Hired", "", time.Time{}
	default:
		a.Status, a.ArchiveReasonID, a.ArchivedAt = "Active", "", time.Time{}
	}
	a.UpdatedAt, a.rev = now, s.d.bump()
	data := map[string]any{"application": s.appJSON(a)}
	// Ashby fires candidateHire, candidateStageChange and applicationUpdate
	// for a hire, and the last two for any other stage change.
	if st.Type == "Hired" {
		s.fireLocked("candidateHire", map[string]any{"application": data["application"], "offer": nil})
	}
	s.fireLocked("candidateStageChange", data)
	s.fireLocked("applicationUpdate", data)
}

// MoveCandidate moves application id to stage stageID as a recruiter would
// in Ashby's UI (archiving with the account's first archive reason when
// the stage is of type Archived), firing Ashby's webhooks.
func (s *Server) MoveCandidate(applicationID, stageID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.d.appByID[applicationID]
	if a == nil {
		return errorf("no application %q", applicationID)
	}
	st := s.d.stageByID[stageID]
	if st == nil || st.PlanID != s.d.jobByID[a.JobID].PlanID {
		return errorf("stage %q is not in application %q's interview plan", stageID, applicationID)
	}
	reason := ""
	if st.Type == "Archived" {
		if len(s.d.reasons) == 0 {
			return errorf("archiving needs an archive reason: AddArchiveReason first")
		}
		reason = s.d.reasons[0].ID
	}
	s.moveLocked(a, st, reason)
	return nil
}

func (s *Server) candidateInfo(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		ID                string `json:"id"`
		ExternalMappingID string `json:"externalMappingId"`
	}
	if !decode(w, body, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.d.candByID[req.ID]
	if c == nil {
		writeFail(w, http.StatusOK, "candidate_not_found", "No candidate with that id")
		return
	}
	writeOK(w, s.candJSON(c), nil)
}

func (s *Server) candidateCreateNote(w http.ResponseWriter, body []byte, k *apiKey) {
	var req struct {
		CandidateID       string          `json:"candidateId"`
		Note              json.RawMessage `json:"note"`
		SendNotifications *bool           `json:"sendNotifications"`
		IsPrivate         *bool           `json:"isPrivate"`
		CreatedAt         string          `json:"createdAt"`
	}
	if !decode(w, body, &req) {
		return
	}
	// note is a string or {type: text/plain|text/html, value}.
	typ, value := "text/plain", ""
	if err := json.Unmarshal(req.Note, &value); err != nil {
		var n struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		}
		if err := json.Unmarshal(req.Note, &n); err != nil || n.Value == "" || (n.Type != "text/plain" && n.Type != "text/html") {
			writeFail(w, http.StatusOK, "invalid_input", `note must be a string or {"type": "text/plain"|"text/html", "value": "…"}`)
			return
		}
		typ, value = n.Type, n.Value
	}
	if strings.TrimSpace(value) == "" {
		writeFail(w, http.StatusOK, "invalid_input", "note is empty")
		return
	}
	created := s.now().UTC()
	if req.CreatedAt != "" {
		t, err := time.Parse(time.RFC3339Nano, req.CreatedAt)
		if err != nil {
			writeFail(w, http.StatusOK, "invalid_input", "createdAt must be an ISO 8601 date-time")
			return
		}
		created = t.UTC()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.d.candByID[req.CandidateID]
	if c == nil {
		writeFail(w, http.StatusOK, "candidate_not_found", "No candidate with that id")
		return
	}
	content := value
	if typ == "text/html" {
		content = StripNoteHTML(value)
	}
	n := Note{ID: newUUID(), CandidateID: c.ID, Content: content, Type: typ, CreatedAt: created, AuthorKey: k.key,
		IsPrivate: req.IsPrivate != nil && *req.IsPrivate, SendNotifications: req.SendNotifications != nil && *req.SendNotifications}
	s.d.notes[c.ID] = append(s.d.notes[c.ID], n)
	// Ashby attributes API notes to the key's user; the fake reports the
	// first user, or a synthetic API user.
	author := map[string]any{"id": "api-key-user", "firstName": "API", "lastName": "Key", "email": "api@ashbytest.invalid"}
	if len(s.d.users) > 0 {
		u := s.d.users[0]
		author = map[string]any{"id": u.ID, "firstName": u.FirstName, "lastName": u.LastName, "email": u.Email}
	}
	writeOK(w, map[string]any{"id": n.ID, "createdAt": ts(n.CreatedAt), "isPrivate": n.IsPrivate, "content": n.Content, "author": author}, nil)
}

func (s *Server) tagCreate(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		Title string `json:"title"`
	}
	if !decode(w, body, &req) {
		return
	}
	if strings.TrimSpace(req.Title) == "" {
		writeFail(w, http.StatusOK, "invalid_input", "title is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// "If a tag already exists with that title, the existing tag will be returned."
	writeOK(w, tagJSON(s.tagLocked(req.Title)), nil)
}

func (s *Server) tagList(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		listFields
		IncludeArchived *bool `json:"includeArchived"`
	}
	if !decode(w, body, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var recs []record
	for i, t := range s.d.tags {
		if t.IsArchived && (req.IncludeArchived == nil || !*req.IncludeArchived) {
			continue
		}
		recs = append(recs, record{i, int64(i + 1), time.Time{}, t})
	}
	s.page(w, req.listFields, recs, true, func(v any) any { return tagJSON(v.(*Tag)) })
}

func (s *Server) candidateAddTag(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		CandidateID string `json:"candidateId"`
		TagID       string `json:"tagId"`
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
	i := slices.IndexFunc(s.d.tags, func(t *Tag) bool { return t.ID == req.TagID })
	if i < 0 {
		writeFail(w, http.StatusOK, "tag_not_found", "No tag with that id; create it with candidateTag.create")
		return
	}
	t := s.d.tags[i]
	if !slices.ContainsFunc(c.Tags, func(x string) bool { return strings.EqualFold(x, t.Title) }) {
		c.Tags = append(c.Tags, t.Title)
		c.UpdatedAt, c.rev = s.now().UTC(), s.d.bump()
	}
	writeOK(w, s.candJSON(c), nil)
}

func (s *Server) archiveReasonList(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		IncludeArchived *bool `json:"includeArchived"`
	}
	if !decode(w, body, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []any{}
	for _, r := range s.d.reasons {
		if !r.IsArchived || req.IncludeArchived != nil && *req.IncludeArchived {
			out = append(out, reasonJSON(r))
		}
	}
	writeOK(w, out, nil)
}

func (s *Server) userSearch(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		Email string `json:"email"`
	}
	if !decode(w, body, &req) {
		return
	}
	if req.Email == "" {
		writeFail(w, http.StatusOK, "invalid_input", "email is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []any{}
	for _, u := range s.d.users {
		if strings.EqualFold(u.Email, req.Email) {
			out = append(out, userJSON(u))
		}
	}
	writeOK(w, out, nil)
}

func (s *Server) userInfo(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		UserID string `json:"userId"`
	}
	if !decode(w, body, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.d.users {
		if u.ID == req.UserID {
			writeOK(w, userJSON(u), nil)
			return
		}
	}
	writeFail(w, http.StatusOK, "user_not_found", "No user with that id")
}

func (s *Server) candidateListNotes(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		CandidateID string `json:"candidateId"`
		listFields
	}
	if !decode(w, body, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.d.candByID[req.CandidateID] == nil {
		writeFail(w, http.StatusOK, "candidate_not_found", "No candidate with that id")
		return
	}
	notes := s.d.notes[req.CandidateID]
	recs := make([]record, len(notes))
	for i := range notes {
		recs[i] = record{i, int64(i + 1), notes[i].CreatedAt, i}
	}
	s.page(w, req.listFields, recs, false, func(v any) any {
		n := notes[v.(int)]
		return map[string]any{"id": n.ID, "createdAt": ts(n.CreatedAt), "isPrivate": n.IsPrivate, "content": n.Content,
			"author": map[string]any{"id": "api-key-user", "firstName": "API", "lastName": "Key", "email": "api@ashbytest.invalid"}}
	})
}
