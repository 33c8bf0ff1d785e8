package ashbytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// DataValueTypes returns the types of an assessment data value
// (https://developers.ashbyhq.com/docs/assessmentupdate), in a new slice.
func DataValueTypes() []string { return slices.Clone(dataValueTypes) }

var dataValueTypes = []string{"numeric_score", "numeric_duration_minutes", "url", "string", "boolean_success"}

// DataValue is Ashby's {identifier, label, description?, type, value}.
type DataValue struct {
	Identifier  string `json:"identifier"`
	Label       string `json:"label"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type"`
	Value       any    `json:"value"`
}

// TerminalPolicy is how assessment.update treats an update to an
// assessment already complete or cancelled. Ashby does not document it.
type TerminalPolicy int

// Terminal policies.
const (
	// TerminalAccept applies later updates (the default).
	TerminalAccept TerminalPolicy = iota
	// TerminalReject answers invalid_input.
	TerminalReject
	// TerminalIgnore answers success but changes nothing.
	TerminalIgnore
)

// Assessment is an assessment Ashby started with a partner, as the fake
// tracks it from assessment.update calls.
type Assessment struct {
	ID         string
	StartedAt  time.Time
	Status     *DataValue
	Result     *DataValue
	ProfileURL *DataValue
	Cancelled  *DataValue
	Metadata   []DataValue
	Updates    int
}

// Complete reports whether an update carried a result.
func (a Assessment) Complete() bool { return a.Result != nil }

// CompletedAssessment is a call to assessment.addCompletedToCandidate.
type CompletedAssessment struct {
	CandidateID      string
	PartnerID        string
	Timestamp        time.Time
	AssessmentTypeID string
	AssessmentID     string
	AssessmentName   string
	Result           DataValue
	Metadata         []DataValue
}

// AddAssessment registers an assessment ID (as if Ashby had started it
// with the partner), so assessment.update accepts it.
func (s *Server) AddAssessment(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.d.assessments[id] == nil {
		s.d.assessments[id] = &Assessment{ID: id}
	}
}

// Assessment returns the assessment with id.
func (s *Server) Assessment(id string) (Assessment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.d.assessments[id]
	if a == nil {
		return Assessment{}, false
	}
	out := *a
	out.Metadata = slices.Clone(a.Metadata)
	return out, true
}

// CompletedAssessments returns the assessment.addCompletedToCandidate calls.
func (s *Server) CompletedAssessments() []CompletedAssessment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.d.completed)
}

// checkValue validates a data value; "" when it is well formed.
func checkValue(field string, v *DataValue) string {
	if v == nil {
		return ""
	}
	switch {
	case v.Identifier == "":
		return field + ".identifier is required"
	case v.Label == "":
		return field + ".label is required"
	case !slices.Contains(dataValueTypes, v.Type):
		return fmt.Sprintf("%s.type must be one of %v", field, dataValueTypes)
	case v.Value == nil:
		return field + ".value is required"
	}
	switch v.Value.(type) {
	case string, float64, bool:
	default:
		return field + ".value must be a string, number or boolean"
	}
	return ""
}

func (s *Server) assessmentUpdate(w http.ResponseWriter, body []byte, _ *apiKey) {
	if code, msg := s.applyAssessmentUpdate(body, false); code != "" {
		writeFail(w, http.StatusOK, code, msg)
		return
	}
	// The response body is undocumented; the fake answers an empty object.
	writeOK(w, map[string]any{}, nil)
}

// applyAssessmentUpdate validates an assessment.update body and applies
// it; it returns Ashby's error code and message, or "" when applied.
// register makes an unknown assessment known (an inline update_request
// for an assessment the fake just started).
func (s *Server) applyAssessmentUpdate(body []byte, register bool) (code, msg string) {
	var req struct {
		AssessmentID         string      `json:"assessment_id"`
		Timestamp            *int64      `json:"timestamp"`
		AssessmentStatus     *DataValue  `json:"assessment_status"`
		AssessmentProfileURL *DataValue  `json:"assessment_profile_url"`
		AssessmentResult     *DataValue  `json:"assessment_result"`
		CancelledReason      *DataValue  `json:"cancelled_reason"`
		Metadata             []DataValue `json:"metadata"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return "invalid_input", "Request payload is malformed: " + err.Error()
	}
	switch {
	case req.AssessmentID == "":
		return "invalid_input", "assessment_id is required"
	case req.Timestamp == nil:
		return "invalid_input", "timestamp (ms since the epoch) is required"
	case *req.Timestamp <= 0:
		// Ashby documents timestamp as the update's time in ms since the
		// epoch; 0 would record the assessment as started in 1970, which
		// only a client that forgot to set it sends.
		return "invalid_input", "timestamp must be a positive number of ms since the epoch"
	case req.AssessmentStatus == nil && req.CancelledReason == nil:
		return "invalid_input", "assessment_status is required unless cancelled_reason is set"
	case req.AssessmentResult != nil && req.AssessmentProfileURL == nil:
		return "invalid_input", "assessment_profile_url is required when assessment_result is set"
	case req.AssessmentProfileURL != nil && req.AssessmentProfileURL.Type != "url":
		return "invalid_input", "assessment_profile_url must be of type url"
	}
	for _, x := range []struct {
		name string
		v    *DataValue
	}{{"assessment_status", req.AssessmentStatus}, {"assessment_profile_url", req.AssessmentProfileURL},
		{"assessment_result", req.AssessmentResult}, {"cancelled_reason", req.CancelledReason}} {
		if m := checkValue(x.name, x.v); m != "" {
			return "invalid_input", m
		}
	}
	for i := range req.Metadata {
		if m := checkValue(fmt.Sprintf("metadata[%d]", i), &req.Metadata[i]); m != "" {
			return "invalid_input", m
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.d.assessments[req.AssessmentID]
	if a == nil && register {
		a = &Assessment{ID: req.AssessmentID}
		s.d.assessments[a.ID] = a
	}
	if a == nil {
		return "assessment_not_found", "No assessment with that id"
	}
	if a.Result != nil || a.Cancelled != nil {
		switch s.terminalAfter {
		case TerminalReject:
			return "invalid_input", "the assessment is already complete or cancelled"
		case TerminalIgnore:
			return "", ""
		}
	}
	a.Updates++
	if st := req.AssessmentStatus; st != nil {
		a.Status = st
		if v, _ := st.Value.(string); v == "Started" && a.StartedAt.IsZero() {
			a.StartedAt = time.UnixMilli(*req.Timestamp).UTC()
		}
	}
	if req.AssessmentProfileURL != nil {
		a.ProfileURL = req.AssessmentProfileURL
	}
	if req.AssessmentResult != nil {
		a.Result = req.AssessmentResult
	}
	if req.CancelledReason != nil {
		a.Cancelled = req.CancelledReason
	}
	if req.Metadata != nil {
		a.Metadata = req.Metadata
	}
	return "", ""
}

func (s *Server) assessmentAddCompleted(w http.ResponseWriter, body []byte, _ *apiKey) {
	var req struct {
		CandidateID string `json:"candidateId"`
		PartnerID   string `json:"partnerId"`
		Timestamp   *int64 `json:"timestamp"`
		Assessment  *struct {
			AssessmentTypeID string          `json:"assessmentTypeId"`
			AssessmentID     string          `json:"assessmentId"`
			AssessmentName   string          `json:"assessmentName"`
			Result           *DataValue      `json:"result"`
			Metadata         json.RawMessage `json:"metadata"`
		} `json:"assessment"`
	}
	if !decode(w, body, &req) {
		return
	}
	fail := func(msg string) { writeFail(w, http.StatusOK, "invalid_input", msg) }
	a := req.Assessment
	if req.CandidateID == "" || req.PartnerID == "" || req.Timestamp == nil || a == nil {
		fail("candidateId, partnerId, timestamp and assessment are required")
		return
	}
	if a.AssessmentTypeID == "" || a.AssessmentID == "" || a.AssessmentName == "" || a.Result == nil || a.Metadata == nil {
		fail("assessment.assessmentTypeId, assessmentId, assessmentName, result and metadata are required")
		return
	}
	if msg := checkValue("assessment.result", a.Result); msg != "" {
		fail(msg)
		return
	}
	var meta []DataValue
	if err := json.Unmarshal(a.Metadata, &meta); err != nil {
		fail("assessment.metadata must be an array of data values")
		return
	}
	for i := range meta {
		if msg := checkValue(fmt.Sprintf("assessment.metadata[%d]", i), &meta[i]); msg != "" {
			fail(msg)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.d.candByID[req.CandidateID] == nil {
		writeFail(w, http.StatusOK, "candidate_not_found", "No candidate with that id")
		return
	}
	ca := CompletedAssessment{CandidateID: req.CandidateID, PartnerID: req.PartnerID, Timestamp: time.UnixMilli(*req.Timestamp).UTC(),
		AssessmentTypeID: a.AssessmentTypeID, AssessmentID: a.AssessmentID, AssessmentName: a.AssessmentName, Result: *a.Result, Metadata: meta}
	s.d.completed = append(s.d.completed, ca)
	writeOK(w, map[string]any{"assessmentId": ca.AssessmentID, "assessmentName": ca.AssessmentName, "assessmentTypeId": ca.AssessmentTypeID,
		"candidateId": ca.CandidateID, "metadata": meta, "result": ca.Result}, nil)
}
