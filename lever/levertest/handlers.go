package levertest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

func ms(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func archiveJSON(a *Archive) any {
	if a == nil {
		return nil
	}
	return map[string]any{"reason": a.ReasonID, "archivedAt": a.At.UnixMilli()}
}

func (s *Server) routes() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("GET /authorize", s.handleAuthorize)
	m.HandleFunc("POST /oauth/token", s.handleToken)

	m.HandleFunc("GET /v1/postings", s.api("postings:read:admin", s.listPostings))
	m.HandleFunc("GET /v1/postings/{id}", s.api("postings:read:admin", s.getPosting))
	m.HandleFunc("GET /v1/stages", s.api("stages:read:admin", s.listStages))
	m.HandleFunc("GET /v1/stages/{id}", s.api("stages:read:admin", s.getStage))
	m.HandleFunc("GET /v1/users", s.api("users:read:admin", s.listUsers))
	m.HandleFunc("GET /v1/users/{id}", s.api("users:read:admin", s.getUser))
	m.HandleFunc("GET /v1/archive_reasons", s.api("archive_reasons:read:admin", s.listReasons))
	m.HandleFunc("GET /v1/feedback_templates", s.api("feedback_templates:read:admin", s.listTemplates))
	m.HandleFunc("POST /v1/feedback_templates", s.api("feedback_templates:write:admin", s.postTemplate))
	m.HandleFunc("GET /v1/opportunities", s.api("opportunities:read:admin", s.listOpps))
	m.HandleFunc("GET /v1/opportunities/{id}", s.api("opportunities:read:admin", s.getOpp))
	m.HandleFunc("GET /v1/opportunities/{id}/resumes", s.api("resumes:read:admin", s.listResumes))
	m.HandleFunc("GET /v1/opportunities/{id}/resumes/{resume}/download", s.api("resumes:read:admin", s.downloadResume))
	m.HandleFunc("PUT /v1/opportunities/{id}/stage", s.api("opportunities:write:admin", s.putStage))
	m.HandleFunc("POST /v1/opportunities/{id}/addTags", s.api("opportunities:write:admin", s.tags(true)))
	m.HandleFunc("POST /v1/opportunities/{id}/removeTags", s.api("opportunities:write:admin", s.tags(false)))
	m.HandleFunc("PUT /v1/opportunities/{id}/archived", s.api("opportunities:write:admin", s.putArchived))
	m.HandleFunc("GET /v1/opportunities/{id}/notes", s.api("notes:read:admin", s.listNotes))
	m.HandleFunc("POST /v1/opportunities/{id}/notes", s.api("notes:write:admin", s.postNote))
	m.HandleFunc("GET /v1/opportunities/{id}/feedback", s.api("feedback:read:admin", s.listFeedback))
	m.HandleFunc("POST /v1/opportunities/{id}/feedback", s.api("feedback:write:admin", s.postFeedback))
	m.HandleFunc("GET /v1/opportunities/{id}/panels", s.api("panels:read:admin", s.listPanels))
	m.HandleFunc("POST /v1/opportunities/{id}/panels", s.api("panels:write:admin", s.postPanel))
	m.HandleFunc("PUT /v1/opportunities/{id}/panels/{panel}", s.api("panels:write:admin", s.putPanel))
	m.HandleFunc("DELETE /v1/opportunities/{id}/panels/{panel}", s.api("panels:write:admin", s.deletePanel))
	m.HandleFunc("POST /v1/opportunities/{id}/files", s.api("files:write:admin", s.postFile))
	// Lever describes files:write:admin as "view and manage": either
	// scope lists files.
	m.HandleFunc("GET /v1/opportunities/{id}/files", s.api("files:read:admin|files:write:admin", s.listFiles))
	m.HandleFunc("GET /v1/webhooks", s.api("webhooks:read:admin", s.listWebhooks))
	m.HandleFunc("POST /v1/webhooks", s.api("webhooks:write:admin", s.postWebhook))
	m.HandleFunc("DELETE /v1/webhooks/{id}", s.api("webhooks:write:admin", s.deleteWebhook))
	// Everything outside the API's base path (and the OAuth endpoints) is
	// a loud 404, so a client that drops "/v1" from the base URL fails at
	// once; the web app's links (hire.lever.co resume downloadUrl) land
	// here too.
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "levertest: no such route "+r.Method+" "+r.URL.Path+": the API is under "+s.URL+" (did the client drop the /v1 base path?)")
	})
	m.HandleFunc("/v1/", s.api("", func(w http.ResponseWriter, r *http.Request, _ *auth) {
		writeError(w, http.StatusNotFound, "No such endpoint: "+r.Method+" "+r.URL.Path)
	}))
	return m
}

// paginate answers a list request with the page at the request's offset
// token. Tokens are opaque to clients; the fake encodes the position.
func paginate[T any](w http.ResponseWriter, r *http.Request, items []T) {
	pg, env, ok := pageOf(w, r, items)
	if !ok {
		return
	}
	env["data"] = nonNil(pg)
	writeJSON(w, http.StatusOK, env)
}

// pageOf cuts the requested page out of items and returns it with the
// envelope (hasNext, next) still lacking data. A bad limit or offset is
// answered 400 and ok is false.
func pageOf[T any](w http.ResponseWriter, r *http.Request, items []T) (page []T, env map[string]any, ok bool) {
	start, limit, ok := pageParams(w, r)
	if !ok {
		return nil, nil, false
	}
	start = min(start, len(items))
	end := min(start+limit, len(items))
	return items[start:end], envelope(end, len(items)), true
}

// pageParams reads limit (default 100) and the offset token's position.
func pageParams(w http.ResponseWriter, r *http.Request) (start, limit int, ok bool) {
	q := r.URL.Query()
	if limit, ok = limitParam(w, q); !ok {
		return 0, 0, false
	}
	if v := q.Get("offset"); v != "" {
		n, ok := decodeOffset(v)
		if !ok {
			writeError(w, http.StatusBadRequest, "Invalid offset token")
			return 0, 0, false
		}
		start = n
	}
	return start, limit, true
}

// limitParam reads limit (default 100); a bad one is answered 400.
func limitParam(w http.ResponseWriter, q url.Values) (int, bool) {
	v := q.Get("limit")
	if v == "" {
		return 100, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100 {
		writeError(w, http.StatusBadRequest, "Invalid limit: must be an integer between 1 and 100")
		return 0, false
	}
	return n, true
}

// encodeOffset makes an offset token shaped like Lever's: percent-encoded
// JSON, e.g. "%5B1%2C3%2C%22levertest%22%5D" (seen in recorded sandbox
// responses), which a client must send back as given, i.e. encoded again
// in the query string.
func encodeOffset(pos int) string {
	return url.QueryEscape(fmt.Sprintf(`[1,%d,"levertest"]`, pos))
}

// decodeOffset reads a token made by encodeOffset, sent back as issued
// (percent-encoded once more in the query, as the Go client does) or
// decoded once (Lever's handling of that form is not documented, so the
// fake accepts it).
func decodeOffset(v string) (int, bool) {
	t, ok := offsetTuple(v)
	var tag string
	// The third element tells a position token from an opportunity
	// listing's (oppOffset), so neither is read as the other.
	if !ok || json.Unmarshal(t[2], &tag) != nil || tag != "levertest" {
		return 0, false
	}
	n, err := strconv.Atoi(string(t[1]))
	return n, err == nil && n >= 0
}

// offsetTuple reads an offset token, sent back as issued or decoded once,
// as the three-element JSON array the fake's tokens are.
func offsetTuple(v string) ([]json.RawMessage, bool) {
	raw, err := url.QueryUnescape(v)
	if err != nil {
		return nil, false
	}
	var t []json.RawMessage
	return t, json.Unmarshal([]byte(raw), &t) == nil && len(t) == 3
}

// envelope is a list response's hasNext and next for a page ending at end
// of total items.
func envelope(end, total int) map[string]any {
	env := map[string]any{"hasNext": end < total}
	if end < total {
		env["next"] = encodeOffset(end)
	}
	return env
}

func one(w http.ResponseWriter, status int, v any) { writeJSON(w, status, map[string]any{"data": v}) }

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "Invalid JSON body: "+err.Error())
		return false
	}
	return true
}

func (s *Server) postingJSON(p *Posting) map[string]any {
	return map[string]any{
		"id": p.ID, "text": p.Text, "state": p.State, "tags": nonNil(p.Tags),
		"categories": map[string]any{"team": p.Team, "location": p.Location},
		"createdAt":  ms(p.CreatedAt), "updatedAt": ms(p.UpdatedAt),
		"urls": map[string]string{"show": s.root + "/jobs/" + p.ID, "list": s.root + "/jobs"},
	}
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// confidentiality reads the confidentiality parameter: which records a
// listing includes ("non-confidential" by default, "confidential", "all").
// Asking for confidential records without confidential access is an access
// error, as Lever documents. ok is false when an error was written.
func confidentiality(w http.ResponseWriter, r *http.Request, a *auth) (conf, nonConf, ok bool) {
	switch v := r.URL.Query().Get("confidentiality"); v {
	case "", "non-confidential":
		return false, true, true
	case "confidential", "all":
		if !a.has("confidential:access:admin") {
			writeError(w, http.StatusForbidden, "Insufficient scope: confidential data requires confidential:access:admin")
			return false, false, false
		}
		return true, v == "all", true
	default:
		writeError(w, http.StatusBadRequest, "Invalid confidentiality: "+v)
		return false, false, false
	}
}

func (s *Server) listPostings(w http.ResponseWriter, r *http.Request, a *auth) {
	q := r.URL.Query()
	conf, nonConf, ok := confidentiality(w, r, a)
	if !ok {
		return
	}
	channels := q["distributionChannel"]
	s.mu.Lock()
	var out []map[string]any
	for _, p := range s.postings {
		if st := q["state"]; len(st) > 0 && !slices.Contains(st, p.State) {
			continue
		}
		if (p.Confidential && !conf) || (!p.Confidential && !nonConf) {
			continue
		}
		pc := p.DistributionChannels
		if pc == nil {
			pc = []string{"public", "internal"}
		}
		switch {
		case len(channels) > 0 && !slices.ContainsFunc(channels, func(c string) bool { return slices.Contains(pc, c) }):
			continue
		case len(channels) == 0 && p.State == "published" && slices.Contains(q["state"], "published") && !slices.Contains(pc, "public"):
			// "List requests for published postings will only return
			// postings that appear on your public job site."
			continue
		}
		if tag := q.Get("tag"); tag != "" && !slices.Contains(p.Tags, tag) {
			continue
		}
		out = append(out, s.postingJSON(p))
	}
	s.mu.Unlock()
	paginate(w, r, out)
}

func (s *Server) getPosting(w http.ResponseWriter, r *http.Request, _ *auth) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.postings {
		if p.ID == r.PathValue("id") {
			one(w, http.StatusOK, s.postingJSON(p))
			return
		}
	}
	writeError(w, http.StatusNotFound, "Posting not found")
}

func (s *Server) listStages(w http.ResponseWriter, r *http.Request, _ *auth) {
	paginate(w, r, s.Stages())
}

func (s *Server) getStage(w http.ResponseWriter, r *http.Request, _ *auth) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.stage(r.PathValue("id")); st != nil {
		one(w, http.StatusOK, st)
		return
	}
	writeError(w, http.StatusNotFound, "Stage not found")
}

func userJSON(u *User) map[string]any {
	return map[string]any{"id": u.ID, "name": u.Name, "email": u.Email, "accessRole": u.AccessRole, "username": strings.Split(u.Email, "@")[0]}
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, _ *auth) {
	email := r.URL.Query().Get("email")
	s.mu.Lock()
	var out []map[string]any
	for _, u := range s.users {
		if email == "" || strings.EqualFold(u.Email, email) {
			out = append(out, userJSON(u))
		}
	}
	s.mu.Unlock()
	paginate(w, r, out)
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, _ *auth) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.user(r.PathValue("id")); u != nil {
		one(w, http.StatusOK, userJSON(u))
		return
	}
	writeError(w, http.StatusNotFound, "User not found")
}

func (s *Server) listReasons(w http.ResponseWriter, r *http.Request, _ *auth) {
	s.mu.Lock()
	var out []map[string]any
	for _, x := range s.reasons {
		out = append(out, map[string]any{"id": x.ID, "text": x.Text, "type": x.Type, "status": x.Status})
	}
	s.mu.Unlock()
	paginate(w, r, out)
}

func (s *Server) listTemplates(w http.ResponseWriter, r *http.Request, _ *auth) {
	s.mu.Lock()
	var out []map[string]any
	for _, t := range s.templates {
		fields := make([]map[string]any, len(t.Fields))
		for i, f := range t.Fields {
			opts := []map[string]string{}
			for _, o := range f.Options {
				opts = append(opts, map[string]string{"text": o})
			}
			fields[i] = map[string]any{"id": f.ID, "type": f.Type, "text": f.Text, "required": f.Required}
			if len(f.Options) > 0 {
				fields[i]["options"] = opts
			}
		}
		out = append(out, map[string]any{"id": t.ID, "text": t.Text, "fields": fields})
	}
	s.mu.Unlock()
	paginate(w, r, out)
}

// oppJSON renders an opportunity; expand is the set of expanded fields.
func (s *Server) oppJSON(o *Opportunity, expand []string) map[string]any {
	phones := []map[string]string{}
	for _, p := range o.Phones {
		phones = append(phones, map[string]string{"type": "mobile", "value": p})
	}
	var stage, owner any = nilIfEmpty(o.StageID), nilIfEmpty(o.OwnerID)
	if slices.Contains(expand, "stage") {
		if st := s.stage(o.StageID); st != nil {
			stage = map[string]any{"id": st.ID, "text": st.Text}
		}
	}
	if slices.Contains(expand, "owner") {
		if u := s.user(o.OwnerID); u != nil {
			owner = userJSON(u)
		}
	}
	var apps any = []string{o.ApplicationID}
	if slices.Contains(expand, "applications") {
		apps = []map[string]any{{"id": o.ApplicationID, "type": "posting", "posting": nilIfEmpty(o.PostingID), "opportunityId": o.ID, "createdAt": ms(o.CreatedAt)}}
	}
	return map[string]any{
		"id": o.ID, "name": o.Name, "contact": o.Contact, "headline": o.Headline,
		"stage": stage, "owner": owner, "emails": nonNil(o.Emails), "phones": phones,
		"links": nonNil(o.Links), "tags": nonNil(o.Tags), "sources": []string{},
		"applications": apps, "archived": archiveJSON(o.Archived),
		"urls":      map[string]string{"show": s.root + "/candidates/" + o.ID, "list": s.root + "/candidates"},
		"createdAt": ms(o.CreatedAt), "updatedAt": ms(o.UpdatedAt),
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func msParam(q url.Values, name string) (time.Time, bool, bool) {
	v := q.Get(name)
	if v == "" {
		return time.Time{}, false, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, false, false
	}
	return time.UnixMilli(n), true, true
}

func (s *Server) listOpps(w http.ResponseWriter, r *http.Request, a *auth) {
	q := r.URL.Query()
	conf, nonConf, ok0 := confidentiality(w, r, a)
	if !ok0 {
		return
	}
	upd, hasUpd, ok1 := msParam(q, "updated_at_start")
	updEnd, hasUpdEnd, ok2 := msParam(q, "updated_at_end")
	crt, hasCrt, ok3 := msParam(q, "created_at_start")
	if !ok1 || !ok2 || !ok3 {
		writeError(w, http.StatusBadRequest, "Invalid timestamp: use Unix epoch milliseconds")
		return
	}
	archived := q.Get("archived")
	if archived != "" && archived != "true" && archived != "false" {
		writeError(w, http.StatusBadRequest, "Invalid archived: must be true or false")
		return
	}
	limit, ok := limitParam(w, q)
	if !ok {
		return
	}
	after, ok := oppCursor(q.Get("offset"))
	if !ok {
		writeError(w, http.StatusBadRequest, "Invalid offset token")
		return
	}
	postingIDs, stageIDs, tag, email, expand := q["posting_id"], q["stage_id"], q.Get("tag"), q.Get("email"), q["expand"]
	s.mu.Lock()
	// The page starts after the opportunity the offset token names, not
	// at a count of matches: an opportunity that stops matching between
	// two pages (moved out of the listed stage) must not shift the next
	// page past one that still matches. Lever's tokens name a record too
	// (F15: [1, <ms>, "<id>"]). Rendering only the page's opportunities
	// keeps a long sync O(opportunities) per page without copying.
	data := []map[string]any{}
	start, ok := s.oppsAfter(after)
	if !ok {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "Invalid offset token")
		return
	}
	var last *Opportunity
	more := false
	for _, o := range s.opps[start:] {
		switch {
		case o.Confidential && !conf, !o.Confidential && !nonConf,
			len(postingIDs) > 0 && !slices.Contains(postingIDs, o.PostingID),
			len(stageIDs) > 0 && !slices.Contains(stageIDs, o.StageID),
			tag != "" && !slices.Contains(o.Tags, tag),
			email != "" && !slices.ContainsFunc(o.Emails, func(e string) bool { return strings.EqualFold(e, email) }),
			archived == "true" && o.Archived == nil,
			archived == "false" && o.Archived != nil,
			hasUpd && o.UpdatedAt.Before(upd),
			hasUpdEnd && o.UpdatedAt.After(updEnd),
			hasCrt && o.CreatedAt.Before(crt):
			continue
		}
		if len(data) == limit {
			more = true
			break
		}
		data = append(data, s.oppJSON(o, expand))
		last = o
	}
	env := map[string]any{"hasNext": more, "data": data}
	if more {
		env["next"] = oppOffset(last)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, env)
}

// oppOffset is the offset token of the page after the one ending with o,
// shaped like Lever's (F15): percent-encoded JSON [1, <ms>, "<id>"].
func oppOffset(o *Opportunity) string {
	id, _ := json.Marshal(o.ID)
	return url.QueryEscape(fmt.Sprintf(`[1,%d,%s]`, ms(o.CreatedAt), id))
}

// oppCursor reads the opportunity ID out of an offset token made by
// oppOffset, sent back as issued or decoded once (see decodeOffset; an ID
// with '+' or '%' survives only the first form, as the query is decoded
// before this sees it); "" for the first page. ok is false for a token the
// fake did not make.
func oppCursor(v string) (id string, ok bool) {
	if v == "" {
		return "", true
	}
	t, ok := offsetTuple(v)
	if !ok || json.Unmarshal(t[2], &id) != nil || id == "" {
		return "", false
	}
	return id, true
}

// oppsAfter returns the index in s.opps (creation order, never shrunk) of
// the first opportunity after the one with ID after; 0 for "". ok is false
// for an ID the fake never had. s.mu is held.
func (s *Server) oppsAfter(after string) (i int, ok bool) {
	if after == "" {
		return 0, true
	}
	i = slices.IndexFunc(s.opps, func(o *Opportunity) bool { return o.ID == after })
	return i + 1, i >= 0
}

func (s *Server) getOpp(w http.ResponseWriter, r *http.Request, a *auth) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.oppByID[r.PathValue("id")]
	if o == nil {
		writeError(w, http.StatusNotFound, "Opportunity not found")
		return
	}
	if o.Confidential && !a.has("confidential:access:admin") {
		writeError(w, http.StatusForbidden, "Insufficient scope: confidential data requires confidential:access:admin")
		return
	}
	one(w, http.StatusOK, s.oppJSON(o, r.URL.Query()["expand"]))
}

func (s *Server) listResumes(w http.ResponseWriter, r *http.Request, _ *auth) {
	s.mu.Lock()
	o := s.oppByID[r.PathValue("id")]
	var out []map[string]any
	if o != nil && o.ResumeURL != "" {
		// Lever's downloadUrl points into the web app (hire.lever.co), not
		// the API; this fake's web app answers it with a loud 404.
		rid := o.ID + "-resume"
		out = append(out, map[string]any{"id": rid, "createdAt": ms(o.CreatedAt), "file": map[string]any{
			"name": "resume.pdf", "ext": "pdf", "downloadUrl": s.root + "/candidates/" + o.ID + "/resumes/" + rid + "/download",
			"uploadedAt": ms(o.CreatedAt), "size": 1024, "status": "processed",
		}})
	}
	s.mu.Unlock()
	if o == nil {
		writeError(w, http.StatusNotFound, "Opportunity not found")
		return
	}
	paginate(w, r, out)
}

// ResumeBody returns the content the fake serves for every resume
// download, in a new slice.
func ResumeBody() []byte { return []byte(resumeBody) }

const resumeBody = "%PDF-1.4 levertest resume\n"

func (s *Server) downloadResume(w http.ResponseWriter, r *http.Request, _ *auth) {
	s.mu.Lock()
	o := s.oppByID[r.PathValue("id")]
	ok := o != nil && o.ResumeURL != "" && r.PathValue("resume") == o.ID+"-resume"
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Resume not found")
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Write([]byte(resumeBody))
}

// writeOpp looks up the opportunity of a write and checks perform_as for
// an endpoint where Lever marks it optional (notes, stage, tags, archive):
// absent is fine, present must name an active user.
func (s *Server) writeOpp(w http.ResponseWriter, r *http.Request, a *auth) (*Opportunity, string, bool) {
	return s.writeOppAs(w, r, a, false)
}

// writeOppAs is writeOpp; required makes perform_as mandatory, as Lever
// documents for feedback, panels, interviews and files, whatever the
// credentials.
func (s *Server) writeOppAs(w http.ResponseWriter, r *http.Request, a *auth, required bool) (*Opportunity, string, bool) {
	o := s.oppByID[r.PathValue("id")]
	if o == nil {
		writeError(w, http.StatusNotFound, "Opportunity not found")
		return nil, "", false
	}
	pa := r.URL.Query().Get("perform_as")
	if pa == "" && required {
		writeError(w, http.StatusBadRequest, "perform_as is required for this request")
		return nil, "", false
	}
	if pa != "" && s.user(pa) == nil {
		// Status and message assumed: Lever documents neither for an
		// unknown or deactivated perform_as user.
		writeError(w, http.StatusBadRequest, "perform_as must be the ID of an active user")
		return nil, "", false
	}
	return o, pa, true
}

func (s *Server) putStage(w http.ResponseWriter, r *http.Request, a *auth) {
	var body struct {
		Stage string `json:"stage"`
	}
	if !decode(w, r, &body) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, pa, ok := s.writeOpp(w, r, a)
	if !ok {
		return
	}
	if s.stage(body.Stage) == nil {
		writeError(w, http.StatusBadRequest, "Invalid stage: "+body.Stage)
		return
	}
	s.move(o.ID, body.Stage, pa)
	one(w, http.StatusOK, s.oppJSON(o, nil))
}

func (s *Server) tags(add bool) func(w http.ResponseWriter, r *http.Request, a *auth) {
	return func(w http.ResponseWriter, r *http.Request, a *auth) {
		var body struct {
			Tags []string `json:"tags"`
		}
		if !decode(w, r, &body) {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		o, _, ok := s.writeOpp(w, r, a)
		if !ok {
			return
		}
		if len(body.Tags) == 0 {
			writeError(w, http.StatusBadRequest, "tags must be a non-empty array")
			return
		}
		for _, t := range body.Tags {
			i := slices.Index(o.Tags, t)
			switch {
			case add && i < 0:
				o.Tags = append(o.Tags, t)
			case !add && i >= 0:
				o.Tags = slices.Delete(o.Tags, i, i+1)
			}
		}
		o.UpdatedAt = s.now()
		one(w, http.StatusOK, s.oppJSON(o, nil))
	}
}

func (s *Server) putArchived(w http.ResponseWriter, r *http.Request, a *auth) {
	var body struct {
		Reason *string `json:"reason"`
	}
	if !decode(w, r, &body) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, _, ok := s.writeOpp(w, r, a)
	if !ok {
		return
	}
	reason := ""
	if body.Reason != nil {
		reason = *body.Reason
		if rs := s.reason(reason); rs == nil || rs.Status == "inactive" {
			writeError(w, http.StatusBadRequest, "Invalid archive reason: "+reason)
			return
		}
	}
	s.archive(o.ID, reason)
	one(w, http.StatusOK, s.oppJSON(o, nil))
}

// listOfOpportunity answers a list nested under /opportunities/{id}: 404
// for an unknown opportunity, else the page of what items returns (called
// with the server locked).
func (s *Server) listOfOpportunity(w http.ResponseWriter, r *http.Request, items func(oppID string) []map[string]any) {
	id := r.PathValue("id")
	s.mu.Lock()
	_, ok := s.oppByID[id]
	out := items(id)
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Opportunity not found")
		return
	}
	paginate(w, r, out)
}

func (s *Server) listNotes(w http.ResponseWriter, r *http.Request, _ *auth) {
	s.listOfOpportunity(w, r, func(id string) (out []map[string]any) {
		for _, n := range s.notes[id] {
			// As Lever lists notes: text is the form title, the body is
			// in fields[].value.
			out = append(out, map[string]any{"id": n.ID, "text": "Note", "user": nilIfEmpty(n.PerformAs), "secret": n.Secret, "createdAt": ms(n.CreatedAt),
				"fields": []map[string]any{{"type": "note", "text": "Note", "value": n.Value, "user": nilIfEmpty(n.PerformAs), "score": n.Score, "createdAt": ms(n.CreatedAt)}}})
		}
		return out
	})
}

func (s *Server) postNote(w http.ResponseWriter, r *http.Request, a *auth) {
	var body struct {
		Value           string `json:"value"`
		Secret          bool   `json:"secret"`
		Score           *int   `json:"score"`
		NotifyFollowers bool   `json:"notifyFollowers"`
	}
	if !decode(w, r, &body) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, pa, ok := s.writeOpp(w, r, a)
	if !ok {
		return
	}
	if strings.TrimSpace(body.Value) == "" {
		writeError(w, http.StatusBadRequest, "value is required")
		return
	}
	n := Note{ID: s.id(kNote), OpportunityID: o.ID, Value: body.Value, PerformAs: pa, Secret: body.Secret, NotifyFollowers: body.NotifyFollowers, Score: body.Score, CreatedAt: s.now()}
	s.notes[o.ID] = append(s.notes[o.ID], n)
	one(w, http.StatusCreated, map[string]string{"noteId": n.ID})
}

func (s *Server) listFeedback(w http.ResponseWriter, r *http.Request, _ *auth) {
	s.listOfOpportunity(w, r, func(id string) (out []map[string]any) {
		for _, f := range s.feedback[id] {
			out = append(out, s.feedbackJSONLocked(f))
		}
		return out
	})
}

// feedbackJSONLocked renders a submitted form as Lever lists it
// (https://hire.lever.co/developer/documentation#feedback): the template's
// text and fields, each field carrying its answer in value (null when
// unanswered), with baseTemplateId, panel, interview, user and completedAt.
func (s *Server) feedbackJSONLocked(f Feedback) map[string]any {
	var tpl *FeedbackTemplate
	for _, t := range s.templates {
		if t.ID == f.TemplateID {
			tpl = t
		}
	}
	m := map[string]any{"id": f.ID, "type": "interview", "baseTemplateId": f.TemplateID, "panel": nilIfEmpty(f.Panel),
		"interview": nilIfEmpty(f.Interview), "user": f.PerformAs, "createdAt": f.CompletedAt, "completedAt": f.CompletedAt}
	fields := []map[string]any{}
	if tpl != nil {
		m["text"] = tpl.Text
		for _, tf := range tpl.Fields {
			var v any
			for _, fv := range f.FieldValues {
				if fv.ID == tf.ID {
					v = fv.Value
				}
			}
			typ := tf.Type
			if typ == "" {
				typ = "text"
			}
			fields = append(fields, map[string]any{"id": tf.ID, "type": typ, "text": tf.Text, "required": tf.Required, "value": v})
		}
	}
	m["fields"] = fields
	return m
}

func (s *Server) postFeedback(w http.ResponseWriter, r *http.Request, a *auth) {
	var body struct {
		BaseTemplateID string       `json:"baseTemplateId"`
		Panel          string       `json:"panel"`
		Interview      string       `json:"interview"`
		FieldValues    []FieldValue `json:"fieldValues"`
		CompletedAt    int64        `json:"completedAt"`
	}
	if !decode(w, r, &body) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, pa, ok := s.writeOppAs(w, r, a, true)
	if !ok {
		return
	}
	var tpl *FeedbackTemplate
	for _, t := range s.templates {
		if t.ID == body.BaseTemplateID {
			tpl = t
		}
	}
	if tpl == nil {
		writeError(w, http.StatusBadRequest, "Invalid baseTemplateId: "+body.BaseTemplateID)
		return
	}
	if (body.Panel == "") != (body.Interview == "") {
		writeError(w, http.StatusBadRequest, "panel and interview must be given together")
		return
	}
	if body.Panel != "" && !s.interviewOf(o.ID, body.Panel, body.Interview) {
		writeError(w, http.StatusBadRequest, "interview "+body.Interview+" does not belong to panel "+body.Panel)
		return
	}
	if msg := validateFieldValues(tpl, body.FieldValues); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	if body.CompletedAt == 0 {
		body.CompletedAt = s.now().UnixMilli() // Lever: "defaults to now"
	}
	f := Feedback{ID: s.id(kFeedback), OpportunityID: o.ID, TemplateID: tpl.ID, Panel: body.Panel, Interview: body.Interview, PerformAs: pa, FieldValues: body.FieldValues, CompletedAt: body.CompletedAt}
	s.feedback[o.ID] = append(s.feedback[o.ID], f)
	// Lever documents the created form without a data wrapper.
	writeJSON(w, http.StatusCreated, s.feedbackJSONLocked(f))
}

var knownEvents = []string{"applicationCreated", "candidateHired", "candidateStageChange", "candidateArchiveChange", "candidateDeleted",
	"interviewCreated", "interviewUpdated", "interviewDeleted", "contactCreated", "contactUpdated"}

// webhookJSON is a webhook as GET /webhooks lists it: without its
// signature token, which Lever returns only when the webhook is created.
func webhookJSON(h *Webhook) map[string]any {
	return map[string]any{"id": h.ID, "url": h.URL, "event": h.Event, "createdAt": ms(h.CreatedAt), "updatedAt": ms(h.CreatedAt),
		"configuration": map[string]any{"conditions": h.Conditions}}
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request, _ *auth) {
	s.mu.Lock()
	var out []map[string]any
	for _, h := range s.webhooks {
		out = append(out, webhookJSON(h))
	}
	s.mu.Unlock()
	paginate(w, r, out)
}

func (s *Server) postWebhook(w http.ResponseWriter, r *http.Request, _ *auth) {
	var body struct {
		URL           string `json:"url"`
		Event         string `json:"event"`
		Configuration struct {
			Conditions map[string]any `json:"conditions"`
		} `json:"configuration"`
	}
	if !decode(w, r, &body) {
		return
	}
	// Lever delivers over HTTPS only. The fake also accepts http:// to a
	// loopback host, where tests run their receivers.
	if u, err := url.Parse(body.URL); err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		writeError(w, http.StatusBadRequest, "url must be an absolute https URL")
		return
	}
	if !slices.Contains(knownEvents, body.Event) {
		writeError(w, http.StatusBadRequest, "Unknown event: "+body.Event)
		return
	}
	s.mu.Lock()
	h := s.addWebhook(body.URL, body.Event, body.Configuration.Conditions)
	s.mu.Unlock()
	// Lever documents the create response double-wrapped, and it is the
	// only answer that carries the signature token; the webhook delivers
	// nothing until a Super Admin switches its group on (SetWebhookGroup).
	j := webhookJSON(&h)
	j["configuration"].(map[string]any)["signatureToken"] = h.SignatureToken
	one(w, http.StatusCreated, map[string]any{"data": j})
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request, _ *auth) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.webhooks, func(h *Webhook) bool { return h.ID == r.PathValue("id") })
	if i < 0 {
		writeError(w, http.StatusNotFound, "Webhook not found")
		return
	}
	s.webhooks = slices.Delete(s.webhooks, i, i+1)
	w.WriteHeader(http.StatusNoContent)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
