package workabletest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// activity is one entry of a candidate's timeline, shaped as
// https://workable.readme.io/reference/candidate-activities documents it:
// action, stage_name and target_stage (moves only), created_at, member, body
// (comment, rating, message, disqualification) and visibility_roles
// (comment, rating, message). Workable documents no "id" on activities, so
// the fake sends none; num is the fake's own paging cursor.
type activity struct {
	num       int
	action    string
	stageName string
	stageSlug string
	body      string
	memberID  string
	roles     []string
	createdAt time.Time
}

// Activity actions. Workable's docs name "comment", "rating", "message" and
// "disqualification" (the body-carrying actions); the names of move and
// revert activities are not documented, so the fake uses "move" and
// "revert" and clients should key on stage_name, not on these names.
const (
	actionComment          = "comment"
	actionRating           = "rating"
	actionDisqualification = "disqualification"
	actionMove             = "move"
	actionRevert           = "revert"
)

func (s *Server) addActivityLocked(candID string, a activity) {
	_, a.num = s.nextID(0x20000000)
	if s.acts == nil {
		s.acts = map[string][]activity{}
	}
	a.createdAt = s.cfg.now().UTC().Truncate(time.Second)
	s.acts[candID] = append(s.acts[candID], a)
}

// nz returns nil for "", since Workable v3 sends empty strings as null.
func nz(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func (s *Server) accountJSON() map[string]any {
	return map[string]any{"subdomain": s.cfg.subdomain, "name": s.cfg.accountName}
}

func (s *Server) jobJSON(j *job) map[string]any {
	return map[string]any{
		"id": j.ID, "title": j.Title, "full_title": j.Title + " - " + j.Shortcode,
		"shortcode": j.Shortcode, "code": nil, "state": j.State, "confidential": j.State == "closed",
		"department": nil, "department_hierarchy": []any{},
		"url":             fmt.Sprintf("https://%s.workable.com/jobs/%d", s.cfg.subdomain, j.num),
		"application_url": fmt.Sprintf("https://%s.workable.com/jobs/%d/candidates/new", s.cfg.subdomain, j.num),
		"shortlink":       fmt.Sprintf("https://apply.workable.com/j/%s", j.Shortcode),
		"created_at":      ts(j.CreatedAt),
	}
}

// candidateJSON renders a candidate. Listings report the stage slug (as
// the list docs say) and details report the stage's name (as the detail
// docs and examples show) — https://workable.readme.io/reference/job-candidates-show.
func (s *Server) candidateJSON(c *Candidate, detail bool) map[string]any {
	j := s.jobsByCode[c.JobShortcode]
	st, _ := j.stage(c.Stage)
	m := map[string]any{
		"id": c.ID, "name": c.Name, "firstname": nz(c.FirstName), "lastname": nz(c.LastName),
		"headline": nz(c.Headline), "account": s.accountJSON(),
		"job":   map[string]any{"shortcode": j.Shortcode, "title": j.Title},
		"stage": st.Slug, "stage_kind": st.Kind,
		"disqualified": c.Disqualified, "withdrew": false,
		"disqualification_reason": nz(c.DisqualificationReason),
		"sourced":                 true,
		"profile_url":             fmt.Sprintf("https://%s.workable.com/backend/candidates/%s", s.cfg.subdomain, c.ID),
		"email":                   nz(c.Email), "phone": nz(c.Phone), "address": nil, "domain": nil,
		"created_at": ts(c.CreatedAt), "updated_at": ts(c.UpdatedAt), "hired_at": nil,
	}
	if detail {
		m["stage"] = st.Name
		m["resume_url"] = nz(c.ResumeURL)
		m["tags"] = slices.Clone(c.Tags)
		m["image_url"] = nil
		m["cover_letter"] = nil
		m["summary"] = nil
		m["social_profiles"] = []any{}
		m["education_entries"] = []any{}
		m["experience_entries"] = []any{}
		m["skills"] = []any{}
		m["answers"] = []any{}
	}
	return m
}

func parseTime(v string) (time.Time, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0), nil
	}
	for _, layout := range []string{"20060102T150405Z", time.RFC3339, time.RFC3339Nano} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid timestamp %q", v)
}

func timeFilters(q url.Values) (created, updated time.Time, err error) {
	if v := q.Get("created_after"); v != "" {
		if created, err = parseTime(v); err != nil {
			return
		}
	}
	if v := q.Get("updated_after"); v != "" {
		updated, err = parseTime(v)
	}
	return
}

func (s *Server) listJobs(w http.ResponseWriter, r *http.Request) {
	limit, sinceID, err := pageParams(r)
	if err != nil {
		writeValidation(w, err.Error(), nil)
		return
	}
	q := r.URL.Query()
	state := q.Get("state")
	if state != "" && !slices.Contains([]string{"draft", "published", "archived", "closed"}, state) {
		writeValidation(w, "state is invalid", map[string]string{"state": "must be one of draft, published, archived, closed"})
		return
	}
	created, _, err := timeFilters(q)
	if err != nil {
		writeValidation(w, err.Error(), nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	since, err := resolveSince(sinceID, func(id string) (int, bool) {
		for _, j := range s.jobs {
			if j.ID == id {
				return j.num, true
			}
		}
		return 0, false
	})
	if err != nil {
		writeValidation(w, err.Error(), map[string]string{"since_id": "is invalid"})
		return
	}
	items := []any{}
	next := ""
	for _, j := range s.jobs {
		if j.num < since || (state != "" && j.State != state) || (!created.IsZero() && !j.CreatedAt.After(created)) {
			continue
		}
		if len(items) == limit {
			next = s.nextURL(r, j.ID)
			break
		}
		items = append(items, s.jobJSON(j))
	}
	out := map[string]any{"jobs": items}
	if next != "" {
		out["paging"] = map[string]any{"next": next}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getJob(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobsByCode[r.PathValue("shortcode")]
	if j == nil {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	// The job is returned at the top level, as in the published example
	// (https://workable.readme.io/reference/jobsshortcode; a wrapper is not documented — the client accepts both).
	m := s.jobJSON(j)
	m["description"] = nil
	m["full_description"] = nil
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) jobStages(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobsByCode[r.PathValue("shortcode")]
	if j == nil {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	items := make([]any, len(j.Stages))
	for i, st := range j.Stages {
		items[i] = map[string]any{"slug": st.Slug, "name": st.Name, "kind": st.Kind, "position": i}
	}
	writeJSON(w, http.StatusOK, map[string]any{"stages": items})
}

func (s *Server) listCandidates(w http.ResponseWriter, r *http.Request) {
	limit, sinceID, err := pageParams(r)
	if err != nil {
		writeValidation(w, err.Error(), nil)
		return
	}
	q := r.URL.Query()
	created, updated, err := timeFilters(q)
	if err != nil {
		writeValidation(w, err.Error(), nil)
		return
	}
	code, stage, email := q.Get("shortcode"), q.Get("stage"), q.Get("email")
	s.mu.Lock()
	defer s.mu.Unlock()
	if code != "" && s.jobsByCode[code] == nil {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	since, err := resolveSince(sinceID, func(id string) (int, bool) {
		if c := s.candsByID[id]; c != nil {
			return c.num, true
		}
		return 0, false
	})
	if err != nil {
		writeValidation(w, err.Error(), map[string]string{"since_id": "is invalid"})
		return
	}
	start := sort.Search(len(s.cands), func(i int) bool { return s.cands[i].num >= since })
	items := make([]any, 0, limit)
	next := ""
	for _, c := range s.cands[start:] {
		if (code != "" && c.JobShortcode != code) || (stage != "" && c.Stage != stage) ||
			(email != "" && !strings.EqualFold(c.Email, email)) ||
			(!created.IsZero() && !c.CreatedAt.After(created)) || (!updated.IsZero() && !c.UpdatedAt.After(updated)) {
			continue
		}
		if len(items) == limit {
			next = s.nextURL(r, c.ID)
			break
		}
		items = append(items, s.candidateJSON(c, false))
	}
	out := map[string]any{"candidates": items}
	if next != "" {
		out["paging"] = map[string]any{"next": next}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getCandidate(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.candsByID[r.PathValue("id")]
	if c == nil {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"candidate": s.candidateJSON(c, true)})
}

func (s *Server) createCandidate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Sourced   *bool `json:"sourced"`
		Candidate struct {
			Name      string   `json:"name"`
			FirstName string   `json:"firstname"`
			LastName  string   `json:"lastname"`
			Email     string   `json:"email"`
			Phone     string   `json:"phone"`
			Headline  string   `json:"headline"`
			ResumeURL string   `json:"resume_url"`
			Tags      []string `json:"tags"`
		} `json:"candidate"`
	}
	if !decode(w, r, &req) {
		return
	}
	rc := req.Candidate
	if rc.Email == "" || (rc.Name == "" && rc.FirstName == "") {
		writeValidation(w, "Validation failed", map[string]string{"email": "is required", "name": "or firstname and lastname are required"})
		return
	}
	s.mu.Lock()
	c, err := s.addCandidateLocked(Candidate{
		JobShortcode: r.PathValue("shortcode"), Stage: r.URL.Query().Get("stage"),
		Name: rc.Name, FirstName: rc.FirstName, LastName: rc.LastName, Email: rc.Email,
		Phone: rc.Phone, Headline: rc.Headline, ResumeURL: rc.ResumeURL, Tags: rc.Tags,
	})
	if err != nil {
		s.mu.Unlock()
		if s.jobsByCode[r.PathValue("shortcode")] == nil {
			writeError(w, http.StatusNotFound, "Not found")
		} else {
			writeValidation(w, err.Error(), nil)
		}
		return
	}
	s.fireLocked("candidate_created", c)
	out := map[string]any{"status": "created", "candidate": s.candidateJSON(c, true)}
	s.mu.Unlock()
	s.flushSync()
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) activities(w http.ResponseWriter, r *http.Request) {
	limit, sinceID, err := pageParams(r)
	if err != nil {
		writeValidation(w, err.Error(), nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("id")
	if s.candsByID[id] == nil {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	// Whether activities are paged with paging.next, and by what cursor,
	// is undocumented; the fake pages like other lists, with since_id set
	// to the hex of the next activity's insertion number (an opaque
	// cursor: activities carry no id).
	since, err := resolveSince(sinceID, func(string) (int, bool) { return 0, false })
	if err != nil {
		writeValidation(w, err.Error(), map[string]string{"since_id": "is invalid"})
		return
	}
	items := []any{}
	next := ""
	for _, a := range s.acts[id] {
		if a.num < since {
			continue
		}
		if len(items) == limit {
			next = s.nextURL(r, fmt.Sprintf("%08x", a.num))
			break
		}
		m := map[string]any{"action": a.action, "stage_name": nz(a.stageName),
			"body": nz(a.body), "created_at": ts(a.createdAt), "updated_at": ts(a.createdAt), "member": nil}
		if a.action == actionMove {
			m["target_stage"] = map[string]any{"id": a.stageSlug, "name": a.stageName}
		}
		if a.roles != nil {
			m["visibility_roles"] = a.roles
		}
		if mem := s.memberLocked(a.memberID); mem != nil {
			m["member"] = map[string]any{"id": mem.ID, "name": mem.Name}
		}
		items = append(items, m)
	}
	out := map[string]any{"activities": items}
	if next != "" {
		out["paging"] = map[string]any{"next": next}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) memberLocked(id string) *Member {
	for _, m := range s.members {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// decode reads a JSON request body, answering 400 on failure.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "Invalid JSON body: "+err.Error())
		return false
	}
	return true
}

// candidateWrite looks up the candidate and the acting member of a write
// call, answering 404 or 422 itself. It returns with s.mu held on success.
func (s *Server) candidateWrite(w http.ResponseWriter, r *http.Request, memberID string) (*Candidate, bool) {
	s.mu.Lock()
	c := s.candsByID[r.PathValue("id")]
	if c == nil {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Not found")
		return nil, false
	}
	if memberID == "" {
		s.mu.Unlock()
		writeValidation(w, "member_id is required", map[string]string{"member_id": "is required"})
		return nil, false
	}
	if m := s.memberLocked(memberID); m == nil || m.Inactive {
		s.mu.Unlock()
		writeValidation(w, "member_id is not an active member", map[string]string{"member_id": "is invalid"})
		return nil, false
	}
	return c, true
}

func (s *Server) move(w http.ResponseWriter, r *http.Request) {
	var req struct {
		MemberID    string `json:"member_id"`
		TargetStage string `json:"target_stage"`
	}
	if !decode(w, r, &req) {
		return
	}
	c, ok := s.candidateWrite(w, r, req.MemberID)
	if !ok {
		return
	}
	j := s.jobsByCode[c.JobShortcode]
	st, found := j.stage(req.TargetStage)
	if !found || st.Slug != req.TargetStage {
		s.mu.Unlock()
		writeValidation(w, fmt.Sprintf("target_stage is not a stage of job %s", j.Shortcode),
			map[string]string{"target_stage": "is invalid"})
		return
	}
	s.moveLocked(c, st.Slug, req.MemberID)
	s.addActivityLocked(c.ID, activity{action: actionMove, stageName: st.Name, stageSlug: st.Slug, memberID: req.MemberID})
	s.mu.Unlock()
	s.flushSync()
	// The status of a move is not in the primary docs; w6w reports 202
	// with an empty body (https://workable.readme.io/reference/move-candidate; not documented).
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) comment(w http.ResponseWriter, r *http.Request) {
	var req struct {
		MemberID string `json:"member_id"`
		Comment  struct {
			Body       string   `json:"body"`
			Policy     []string `json:"policy"`
			Attachment *struct {
				Name string `json:"name"`
				Data string `json:"data"`
			} `json:"attachment"`
		} `json:"comment"`
	}
	if !decode(w, r, &req) {
		return
	}
	c, ok := s.candidateWrite(w, r, req.MemberID)
	if !ok {
		return
	}
	cm := Comment{CandidateID: c.ID, MemberID: req.MemberID, Body: req.Comment.Body, Policy: req.Comment.Policy}
	fail := func(msg, field string) {
		s.mu.Unlock()
		writeValidation(w, msg, map[string]string{field: "is invalid"})
	}
	if strings.TrimSpace(cm.Body) == "" {
		fail("comment body is required", "comment.body")
		return
	}
	for _, p := range cm.Policy {
		if !slices.Contains(allRoles(), p) {
			fail("comment policy contains an unknown role: "+p, "comment.policy")
			return
		}
	}
	cm.Visibility = visibility(req.Comment.Policy)
	if a := req.Comment.Attachment; a != nil {
		data, err := base64.StdEncoding.DecodeString(a.Data)
		if a.Name == "" || a.Data == "" || err != nil {
			fail("attachment requires a name and base64 data", "comment.attachment")
			return
		}
		cm.AttachmentName, cm.AttachmentData = a.Name, data
	}
	s.comments = append(s.comments, cm)
	s.addActivityLocked(c.ID, activity{action: actionComment, body: cm.Body, memberID: req.MemberID, roles: cm.Visibility})
	s.mu.Unlock()
	// 201 with a blank body (withone, https://workable.readme.io/reference/comment-on-candidate).
	w.WriteHeader(http.StatusCreated)
}

// allRoles returns the comment policy roles Workable documents
// (https://workable.readme.io/reference/comment-on-candidate).
func allRoles() []string {
	return []string{"admin", "recruiting_admin", "hiring_manager", "simple", "reviewer", "recruiter"}
}

// visibility returns the roles that can read a comment with policy. Workable
// documents that an empty policy ([]) means admins only and that admins
// always see comments. What an omitted policy means is undocumented; the
// fake assumes the restrictive reading (admins only, like []), so a client
// that wants recruiters to see its notes must say so.
func visibility(policy []string) []string {
	out := []string{"admin"}
	for _, p := range policy {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func (s *Server) putTags(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Tags *[]string `json:"tags"`
	}
	if !decode(w, r, &req) {
		return
	}
	if req.Tags == nil {
		// Workable sometimes sends errors as an array of strings
		// (https://workable.readme.io/reference/rate-limits); the fake does so here.
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": []string{"tags is missing", "tags must be an array"}})
		return
	}
	s.mu.Lock()
	c := s.candsByID[r.PathValue("id")]
	if c == nil {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	c.Tags = normalizeTags(*req.Tags)
	c.UpdatedAt = s.cfg.now().UTC().Truncate(time.Second)
	tags := slices.Clone(c.Tags)
	s.tagSets = append(s.tagSets, TagWrite{CandidateID: c.ID, Tags: tags})
	s.mu.Unlock()
	writeJSON(w, http.StatusAccepted, map[string]any{"tags": tags})
}

func (s *Server) disqualify(w http.ResponseWriter, r *http.Request) {
	var req struct {
		MemberID string `json:"member_id"`
		ReasonID string `json:"disqualify_reason_id"`
		Note     string `json:"disqualify_note"`
		Withdrew bool   `json:"withdrew"`
		// Deprecated free text (https://workable.readme.io/reference/disqualify-candidate).
		Reason string `json:"disqualification_reason"`
	}
	if !decode(w, r, &req) {
		return
	}
	c, ok := s.candidateWrite(w, r, req.MemberID)
	if !ok {
		return
	}
	if len([]rune(req.Note)) > 256 {
		s.mu.Unlock()
		writeValidation(w, "disqualify_note is too long (maximum is 256 characters)", map[string]string{"disqualify_note": "is too long"})
		return
	}
	c.Disqualified = true
	c.DisqualificationReason = req.Note
	if c.DisqualificationReason == "" {
		c.DisqualificationReason = req.Reason
	}
	c.UpdatedAt = s.cfg.now().UTC().Truncate(time.Second)
	s.disq = append(s.disq, Disqualification{CandidateID: c.ID, MemberID: req.MemberID, ReasonID: req.ReasonID, Note: c.DisqualificationReason, Withdrew: req.Withdrew})
	s.addActivityLocked(c.ID, activity{action: actionDisqualification, body: c.DisqualificationReason, memberID: req.MemberID})
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
}

func (s *Server) revert(w http.ResponseWriter, r *http.Request) {
	var req struct {
		MemberID string `json:"member_id"`
	}
	if !decode(w, r, &req) {
		return
	}
	c, ok := s.candidateWrite(w, r, req.MemberID)
	if !ok {
		return
	}
	c.Disqualified = false
	c.DisqualificationReason = ""
	c.UpdatedAt = s.cfg.now().UTC().Truncate(time.Second)
	s.reverts = append(s.reverts, Revert{CandidateID: c.ID, MemberID: req.MemberID})
	s.addActivityLocked(c.ID, activity{action: actionRevert, memberID: req.MemberID})
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
}

func (s *Server) rate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		MemberID string `json:"member_id"`
		Comment  string `json:"comment"`
		Scale    string `json:"scale"`
		Grade    *int   `json:"grade"`
	}
	if !decode(w, r, &req) {
		return
	}
	c, ok := s.candidateWrite(w, r, req.MemberID)
	if !ok {
		return
	}
	if req.Scale == "" {
		req.Scale = "thumbs"
	}
	maxGrade := map[string]int{"thumbs": 2, "stars": 4, "numbers": 9}[req.Scale]
	switch {
	case strings.TrimSpace(req.Comment) == "":
		s.mu.Unlock()
		writeValidation(w, "comment is required", map[string]string{"comment": "is required"})
		return
	case maxGrade == 0 && req.Scale != "thumbs":
		s.mu.Unlock()
		writeValidation(w, "scale is invalid", map[string]string{"scale": "must be thumbs, stars or numbers"})
		return
	case req.Grade == nil || *req.Grade < 0 || *req.Grade > maxGrade:
		s.mu.Unlock()
		writeValidation(w, fmt.Sprintf("grade must be between 0 and %d for scale %s", maxGrade, req.Scale), map[string]string{"grade": "is out of range"})
		return
	}
	s.ratings = append(s.ratings, Rating{CandidateID: c.ID, MemberID: req.MemberID, Comment: req.Comment, Scale: req.Scale, Grade: *req.Grade})
	s.addActivityLocked(c.ID, activity{action: actionRating, body: req.Comment, memberID: req.MemberID, roles: allRoles()})
	s.mu.Unlock()
	// Status undocumented; the fake answers 201 with an empty body.
	w.WriteHeader(http.StatusCreated)
}

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) {
	// GET /members is "accessible with account tokens and user tokens"
	// (https://workable.readme.io/reference/members); partner tokens are not
	// mentioned. The fake takes the restrictive reading and refuses them,
	// unless WithPartnerMembers says otherwise.
	if ti := r.Context().Value(tokenKey{}).(*tokenInfo); ti.clientID != "" && !s.cfg.partnerMembers {
		writeError(w, http.StatusForbidden, "Forbidden: members are accessible with account tokens and user tokens")
		return
	}
	limit, sinceID, err := pageParams(r)
	if err != nil {
		writeValidation(w, err.Error(), nil)
		return
	}
	q := r.URL.Query()
	email, name, status := q.Get("email"), q.Get("name"), q.Get("status")
	s.mu.Lock()
	defer s.mu.Unlock()
	since, err := resolveSince(sinceID, func(id string) (int, bool) {
		if m := s.memberLocked(id); m != nil {
			return m.num, true
		}
		return 0, false
	})
	if err != nil {
		writeValidation(w, err.Error(), map[string]string{"since_id": "is invalid"})
		return
	}
	items := []any{}
	next := ""
	for _, m := range s.members {
		if m.num < since || (email != "" && !strings.EqualFold(m.Email, email)) || (name != "" && m.Name != name) {
			continue
		}
		if (status == "" || status == "active") && m.Inactive || status == "inactive" && !m.Inactive {
			continue
		}
		if len(items) == limit {
			next = s.nextURL(r, m.ID)
			break
		}
		items = append(items, map[string]any{"id": m.ID, "name": m.Name, "email": m.Email,
			"headline": nil, "roles": m.Roles, "active": !m.Inactive})
	}
	out := map[string]any{"members": items}
	if next != "" {
		out["paging"] = map[string]any{"next": next}
	}
	writeJSON(w, http.StatusOK, out)
}

var subscriptionEvents = []string{"candidate_created", "candidate_moved", "employee_created", "employee_updated",
	"employee_published", "onboarding_completed", "timeoff_updated"}

func (s *Server) subscribe(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Target string                      `json:"target"`
		Event  string                      `json:"event"`
		Args   map[string]*json.RawMessage `json:"args"`
	}
	if !decode(w, r, &req) {
		return
	}
	u, err := url.Parse(req.Target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		writeValidation(w, "target is not a valid URL", map[string]string{"target": "is invalid"})
		return
	}
	if !slices.Contains(subscriptionEvents, req.Event) {
		writeValidation(w, "event is not supported", map[string]string{"event": "is invalid"})
		return
	}
	sub := Subscription{Target: req.Target, Event: req.Event}
	if req.Args != nil {
		// args is all-or-nothing: account_id, job_shortcode and stage_slug
		// are all required, "" meaning any (https://workable.readme.io/reference/webhook-subscriptions).
		vals := map[string]string{}
		for _, k := range []string{"account_id", "job_shortcode", "stage_slug"} {
			raw := req.Args[k]
			var v string
			if raw == nil || json.Unmarshal(*raw, &v) != nil {
				writeValidation(w, "args."+k+" is required", map[string]string{"args." + k: "is required"})
				return
			}
			vals[k] = v
		}
		if vals["account_id"] != s.cfg.subdomain {
			writeValidation(w, "args.account_id does not match the account", map[string]string{"args.account_id": "is invalid"})
			return
		}
		sub.JobShortcode, sub.StageSlug = vals["job_shortcode"], vals["stage_slug"]
	}
	sub.secret = s.cfg.signingSecret
	if sub.secret == "" {
		// Deliveries are signed with the account token (https://workable.readme.io/reference/webhooks).
		sub.secret = strings.TrimSpace(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	}
	s.mu.Lock()
	for _, other := range s.subs {
		if other.Target == req.Target {
			s.mu.Unlock()
			writeError(w, http.StatusConflict, "Target already exists")
			return
		}
	}
	id := s.subscribeLocked(sub)
	s.mu.Unlock()
	// 201 per w6w (https://workable.readme.io/reference/webhook-subscriptions; not documented).
	writeJSON(w, http.StatusCreated, map[string]any{"id": id})
}

func (s *Server) listSubscriptions(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	items := []any{}
	for _, sub := range s.subs {
		items = append(items, map[string]any{"id": sub.ID, "target": sub.Target, "event": sub.Event,
			"valid_until": sub.ValidUntil.Format(time.RFC3339Nano), "created_at": sub.CreatedAt.Format(time.RFC3339Nano),
			"stage_slug": nz(sub.StageSlug), "job_shortcode": nz(sub.JobShortcode)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"subscriptions": items})
}

func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(r.PathValue("id"))
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, sub := range s.subs {
		if sub.ID == id {
			s.subs = slices.Delete(s.subs, i, i+1)
			writeJSON(w, http.StatusOK, map[string]any{})
			return
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]any{})
}
