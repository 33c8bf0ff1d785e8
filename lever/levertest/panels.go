package levertest

import (
	"net/http"
	"slices"
	"time"
)

// Panel is an interview panel on an opportunity, as created through the
// API (externally managed).
type Panel struct {
	ID, OpportunityID string
	Timezone          string
	Note, ExternalURL string
	FeedbackReminder  string
	ExternallyManaged bool
	Interviews        []Interview
	// PerformAs is the user the panel was created or last updated as.
	PerformAs string
	CreatedAt time.Time
}

// Interview is one interview of a panel.
type Interview struct {
	ID, Subject, Note, Location string
	Interviewers                []string // user IDs
	Date                        time.Time
	Duration                    int // minutes
	FeedbackTemplate            string
	FeedbackReminder            string
}

// Panels returns the panels of an opportunity, oldest first.
func (s *Server) Panels(opportunityID string) []Panel {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Panel
	for _, p := range s.panels[opportunityID] {
		q := *p
		q.Interviews = slices.Clone(p.Interviews)
		out = append(out, q)
	}
	return out
}

// interviewOf reports whether interview belongs to panel on the
// opportunity. Caller holds s.mu.
func (s *Server) interviewOf(oppID, panel, interview string) bool {
	for _, p := range s.panels[oppID] {
		if p.ID == panel {
			return slices.ContainsFunc(p.Interviews, func(iv Interview) bool { return iv.ID == interview })
		}
	}
	return false
}

type panelBody struct {
	Applications     *[]string `json:"applications"`
	Timezone         string    `json:"timezone"`
	FeedbackReminder string    `json:"feedbackReminder"`
	Note             string    `json:"note"`
	ExternalURL      string    `json:"externalUrl"`
	Interviews       []struct {
		Subject      string `json:"subject"`
		Note         string `json:"note"`
		Location     string `json:"location"`
		Interviewers []struct {
			ID string `json:"id"`
		} `json:"interviewers"`
		Date             int64  `json:"date"`
		Duration         int    `json:"duration"`
		FeedbackTemplate string `json:"feedbackTemplate"`
		FeedbackReminder string `json:"feedbackReminder"`
	} `json:"interviews"`
}

// panelFrom validates a create or update body as Lever documents it
// (https://hire.lever.co/developer/documentation#panels) and fills p.
// Caller holds s.mu. It returns an error message, or "".
func (s *Server) panelFrom(b panelBody, p *Panel) string {
	switch {
	case b.Applications != nil && len(*b.Applications) == 0:
		return "applications must not be an empty array"
	case b.Timezone == "":
		return "timezone is required"
	case len(b.Interviews) == 0:
		return "interviews is required and must not be empty"
	}
	if _, err := time.LoadLocation(b.Timezone); err != nil {
		return "Invalid timezone: " + b.Timezone
	}
	p.Timezone, p.Note, p.ExternalURL, p.FeedbackReminder = b.Timezone, b.Note, b.ExternalURL, b.FeedbackReminder
	if p.FeedbackReminder == "" {
		p.FeedbackReminder = "daily"
	}
	p.Interviews = nil
	for _, iv := range b.Interviews {
		if len(iv.Interviewers) == 0 {
			return "each interview needs at least one interviewer"
		}
		if iv.Date <= 0 || iv.Duration < 1 {
			return "each interview needs a date (ms) and a duration of at least 1 minute"
		}
		x := Interview{ID: s.id(kInterview), Subject: iv.Subject, Note: iv.Note, Location: iv.Location, Date: time.UnixMilli(iv.Date).UTC(),
			Duration: iv.Duration, FeedbackTemplate: iv.FeedbackTemplate, FeedbackReminder: iv.FeedbackReminder}
		for _, u := range iv.Interviewers {
			if u.ID == "" || s.user(u.ID) == nil {
				return "interviewer " + u.ID + " is not a Lever user"
			}
			x.Interviewers = append(x.Interviewers, u.ID)
		}
		if x.FeedbackTemplate != "" && !slices.ContainsFunc(s.templates, func(t *FeedbackTemplate) bool { return t.ID == x.FeedbackTemplate }) {
			return "Invalid feedbackTemplate: " + x.FeedbackTemplate
		}
		p.Interviews = append(p.Interviews, x)
	}
	return ""
}

// panelJSON renders a panel as Lever does; caller holds s.mu.
func (s *Server) panelJSON(p *Panel) map[string]any {
	ivs := []map[string]any{}
	for _, iv := range p.Interviews {
		interviewers := []map[string]any{}
		for _, u := range iv.Interviewers {
			if x := s.user(u); x != nil {
				interviewers = append(interviewers, map[string]any{"id": x.ID, "name": x.Name, "email": x.Email})
			}
		}
		forms := []string{}
		for _, f := range s.feedback[p.OpportunityID] {
			if f.Panel == p.ID && f.Interview == iv.ID {
				forms = append(forms, f.ID)
			}
		}
		ivs = append(ivs, map[string]any{"id": iv.ID, "panel": p.ID, "subject": iv.Subject, "note": iv.Note, "location": iv.Location,
			"interviewers": interviewers, "timezone": p.Timezone, "date": iv.Date.UnixMilli(), "duration": iv.Duration,
			"feedbackTemplate": nilIfEmpty(iv.FeedbackTemplate), "feedbackForms": forms, "feedbackReminder": iv.FeedbackReminder,
			"user": p.PerformAs, "createdAt": ms(p.CreatedAt)})
	}
	return map[string]any{"id": p.ID, "applications": []string{}, "canceledAt": nil, "createdAt": ms(p.CreatedAt),
		"timezone": p.Timezone, "feedbackReminder": p.FeedbackReminder, "note": p.Note, "externalUrl": p.ExternalURL,
		"externallyManaged": p.ExternallyManaged, "interviews": ivs, "user": p.PerformAs}
}

// panelsEnvelope writes a panel as Lever's create and update answer it:
// {"data":{"data":[panel],"hasNext":false}}.
func (s *Server) panelsEnvelope(w http.ResponseWriter, status int, p *Panel) {
	writeJSON(w, status, map[string]any{"data": map[string]any{"data": []any{s.panelJSON(p)}, "hasNext": false}})
}

func (s *Server) listPanels(w http.ResponseWriter, r *http.Request, _ *auth) {
	s.listOfOpportunity(w, r, func(id string) (out []map[string]any) {
		for _, p := range s.panels[id] {
			out = append(out, s.panelJSON(p))
		}
		return out
	})
}

func (s *Server) postPanel(w http.ResponseWriter, r *http.Request, a *auth) {
	var b panelBody
	if !decode(w, r, &b) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, pa, ok := s.writeOppAs(w, r, a, true)
	if !ok {
		return
	}
	p := &Panel{ID: s.id(kPanel), OpportunityID: o.ID, ExternallyManaged: true, PerformAs: pa, CreatedAt: s.now()}
	if msg := s.panelFrom(b, p); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	s.panels[o.ID] = append(s.panels[o.ID], p)
	s.panelsEnvelope(w, http.StatusCreated, p)
}

// panel finds an opportunity's panel; only externally managed panels can
// be changed through the API. Caller holds s.mu.
func (s *Server) panel(w http.ResponseWriter, oppID, id string) (int, bool) {
	i := slices.IndexFunc(s.panels[oppID], func(p *Panel) bool { return p.ID == id })
	if i < 0 {
		writeError(w, http.StatusNotFound, "Panel not found")
		return 0, false
	}
	if !s.panels[oppID][i].ExternallyManaged {
		writeError(w, http.StatusForbidden, "Only externally managed panels can be changed through the API")
		return 0, false
	}
	return i, true
}

func (s *Server) putPanel(w http.ResponseWriter, r *http.Request, a *auth) {
	var b panelBody
	if !decode(w, r, &b) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, pa, ok := s.writeOppAs(w, r, a, true)
	if !ok {
		return
	}
	i, ok := s.panel(w, o.ID, r.PathValue("panel"))
	if !ok {
		return
	}
	// A full replace: the interviews are new.
	p := *s.panels[o.ID][i]
	p.PerformAs = pa
	if msg := s.panelFrom(b, &p); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	*s.panels[o.ID][i] = p
	s.panelsEnvelope(w, http.StatusOK, &p)
}

func (s *Server) deletePanel(w http.ResponseWriter, r *http.Request, a *auth) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, _, ok := s.writeOppAs(w, r, a, true)
	if !ok {
		return
	}
	i, ok := s.panel(w, o.ID, r.PathValue("panel"))
	if !ok {
		return
	}
	s.panels[o.ID] = slices.Delete(s.panels[o.ID], i, i+1)
	w.WriteHeader(http.StatusNoContent)
}
