package ashbytest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Schedule is an interview schedule created through the API.
type Schedule struct {
	ID            string
	ApplicationID string
	StageID       string
	Status        string // Scheduled or Cancelled
	// CreatedByKey is the API key that created it: Ashby lets only that
	// key update it.
	CreatedByKey string
	Events       []ScheduleEvent
}

// ScheduleEvent is one interview of a schedule.
type ScheduleEvent struct {
	ID           string
	Start, End   time.Time
	Interviewers []string // emails
	ExtraData    json.RawMessage
	Cancelled    bool
}

// Schedules returns the interview schedules of an application.
func (s *Server) Schedules(applicationID string) []Schedule {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Schedule
	for _, sc := range s.d.schedules {
		if sc.ApplicationID == applicationID {
			c := *sc
			c.Events = slices.Clone(sc.Events)
			out = append(out, c)
		}
	}
	return out
}

type eventIn struct {
	InterviewEventID string `json:"interviewEventId"`
	StartTime        string `json:"startTime"`
	EndTime          string `json:"endTime"`
	Interviewers     []struct {
		Email            string `json:"email"`
		FeedbackRequired *bool  `json:"feedbackRequired"`
	} `json:"interviewers"`
	InterviewID string          `json:"interviewId"`
	ExtraData   json.RawMessage `json:"extraData"`
}

// event validates an incoming event; "" code when it is fine. Caller
// holds s.mu.
func (s *Server) eventLocked(in eventIn) (ScheduleEvent, string, string) {
	start, err1 := time.Parse(time.RFC3339, in.StartTime)
	end, err2 := time.Parse(time.RFC3339, in.EndTime)
	if err1 != nil || err2 != nil || !end.After(start) {
		return ScheduleEvent{}, "invalid_input", "startTime and endTime must be ISO 8601 date-times, endTime after startTime"
	}
	if len(in.Interviewers) == 0 {
		return ScheduleEvent{}, "invalid_input", "interviewers is required"
	}
	ev := ScheduleEvent{ID: in.InterviewEventID, Start: start.UTC(), End: end.UTC(), ExtraData: in.ExtraData}
	for _, iv := range in.Interviewers {
		if !slices.ContainsFunc(s.d.users, func(u *User) bool { return strings.EqualFold(u.Email, iv.Email) }) {
			return ScheduleEvent{}, "user_not_found", "No Ashby user has the interviewer email " + iv.Email
		}
		ev.Interviewers = append(ev.Interviewers, iv.Email)
	}
	return ev, "", ""
}

func (s *Server) scheduleJSON(sc *Schedule) map[string]any {
	evs := []any{}
	for _, e := range sc.Events {
		if e.Cancelled {
			continue
		}
		evs = append(evs, map[string]any{"id": e.ID, "startTime": ts(e.Start), "endTime": ts(e.End),
			"interviewerEmails": e.Interviewers, "extraData": e.ExtraData})
	}
	return map[string]any{"id": sc.ID, "status": sc.Status, "applicationId": sc.ApplicationID,
		"interviewStageId": sc.StageID, "scheduledBy": nil, "interviewEvents": evs,
		"createdAt": ts(s.now()), "updatedAt": ts(s.now())}
}

func (s *Server) scheduleCreate(w http.ResponseWriter, body []byte, k *apiKey) {
	var req struct {
		ApplicationID   string    `json:"applicationId"`
		InterviewEvents []eventIn `json:"interviewEvents"`
	}
	if !decode(w, body, &req) {
		return
	}
	if len(req.InterviewEvents) == 0 {
		writeFail(w, http.StatusOK, "invalid_input", "interviewEvents is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.d.appByID[req.ApplicationID]
	if a == nil {
		writeFail(w, http.StatusOK, "application_not_found", "No application with that id")
		return
	}
	sc := &Schedule{ID: newUUID(), ApplicationID: a.ID, StageID: a.StageID, Status: "Scheduled", CreatedByKey: k.key}
	for _, in := range req.InterviewEvents {
		if in.InterviewEventID != "" {
			writeFail(w, http.StatusOK, "invalid_input", "interviewEventId is only allowed in interviewSchedule.update")
			return
		}
		ev, code, msg := s.eventLocked(in)
		if code != "" {
			writeFail(w, http.StatusOK, code, msg)
			return
		}
		ev.ID = newUUID()
		sc.Events = append(sc.Events, ev)
	}
	s.d.schedules = append(s.d.schedules, sc)
	out := s.scheduleJSON(sc)
	// Ashby: create also triggers interviewScheduleUpdate.
	s.fireLocked("interviewScheduleCreate", map[string]any{"interviewSchedule": out})
	s.fireLocked("interviewScheduleUpdate", map[string]any{"interviewSchedule": out, "candidateId": a.CandidateID})
	writeOK(w, out, nil)
}

func (s *Server) scheduleByIDLocked(w http.ResponseWriter, id string) *Schedule {
	for _, sc := range s.d.schedules {
		if sc.ID == id {
			return sc
		}
	}
	writeFail(w, http.StatusOK, "interview_schedule_not_found", "No interview schedule with that id")
	return nil
}

func (s *Server) scheduleUpdate(w http.ResponseWriter, body []byte, k *apiKey) {
	var req struct {
		InterviewScheduleID      string          `json:"interviewScheduleId"`
		InterviewEvent           json.RawMessage `json:"interviewEvent"`
		InterviewEventIDToCancel json.RawMessage `json:"interviewEventIdToCancel"`
		AllowFeedbackDeletion    *bool           `json:"allowFeedbackDeletion"`
	}
	if !decode(w, body, &req) {
		return
	}
	var events []eventIn
	if len(req.InterviewEvent) > 0 {
		var one eventIn
		if json.Unmarshal(req.InterviewEvent, &one) == nil {
			events = []eventIn{one}
		} else if json.Unmarshal(req.InterviewEvent, &events) != nil {
			writeFail(w, http.StatusOK, "invalid_input", "interviewEvent must be an event or an array of events")
			return
		}
	}
	var cancel []string
	if len(req.InterviewEventIDToCancel) > 0 {
		var one string
		if json.Unmarshal(req.InterviewEventIDToCancel, &one) == nil {
			cancel = []string{one}
		} else if json.Unmarshal(req.InterviewEventIDToCancel, &cancel) != nil {
			writeFail(w, http.StatusOK, "invalid_input", "interviewEventIdToCancel must be an id or an array of ids")
			return
		}
	}
	if events == nil && cancel == nil {
		writeFail(w, http.StatusOK, "invalid_input", "one of interviewEvent and interviewEventIdToCancel is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.scheduleByIDLocked(w, req.InterviewScheduleID)
	if sc == nil {
		return
	}
	if sc.CreatedByKey != k.key {
		// "Only interview schedules created using the API key making the
		// request can be updated." The code Ashby uses is undocumented.
		writeFail(w, http.StatusOK, "interview_schedule_not_updatable", "Only interview schedules created by this API key can be updated")
		return
	}
	for _, in := range events {
		ev, code, msg := s.eventLocked(in)
		if code != "" {
			writeFail(w, http.StatusOK, code, msg)
			return
		}
		if in.InterviewEventID == "" {
			ev.ID = newUUID()
			sc.Events = append(sc.Events, ev)
			continue
		}
		i := slices.IndexFunc(sc.Events, func(e ScheduleEvent) bool { return e.ID == in.InterviewEventID && !e.Cancelled })
		if i < 0 {
			writeFail(w, http.StatusOK, "interview_event_not_found", "No interview event with that id in the schedule")
			return
		}
		sc.Events[i] = ev
	}
	for _, id := range cancel {
		i := slices.IndexFunc(sc.Events, func(e ScheduleEvent) bool { return e.ID == id })
		if i < 0 {
			writeFail(w, http.StatusOK, "interview_event_not_found", "No interview event with that id in the schedule")
			return
		}
		sc.Events[i].Cancelled = true
	}
	out := s.scheduleJSON(sc)
	s.fireLocked("interviewScheduleUpdate", map[string]any{"interviewSchedule": out, "candidateId": s.d.appByID[sc.ApplicationID].CandidateID})
	writeOK(w, out, nil)
}

func (s *Server) scheduleCancel(w http.ResponseWriter, body []byte, k *apiKey) {
	var req struct {
		ID              string `json:"id"`
		AllowReschedule *bool  `json:"allowReschedule"`
	}
	if !decode(w, body, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.scheduleByIDLocked(w, req.ID)
	if sc == nil {
		return
	}
	sc.Status = "Cancelled"
	out := s.scheduleJSON(sc)
	s.fireLocked("interviewScheduleUpdate", map[string]any{"interviewSchedule": out, "candidateId": s.d.appByID[sc.ApplicationID].CandidateID})
	writeOK(w, out, nil)
}
