package ashbytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Partner plays Ashby calling an assessment partner's endpoints
// (https://developers.ashbyhq.com/docs/creating-an-assessments-integration):
// POST {BaseURL}/assessment.list, .start, .cancel and
// .customField.list, authenticated with the partner's secret key. How
// Ashby presents the key is not documented in prose; the assessment
// OpenAPI declares HTTP Basic, so the fake sends the key as the Basic user
// name with a blank password.
type Partner struct {
	// BaseURL is the base URL the partner gave Ashby.
	BaseURL string
	// Key is the secret key the partner gave Ashby.
	Key string
	// HTTPClient sends the calls; nil uses http.DefaultClient.
	HTTPClient *http.Client

	srv *Server
}

// Partner returns a Partner that applies start's inline update_request to
// this server's assessments.
func (s *Server) Partner(baseURL, key string) *Partner {
	return &Partner{BaseURL: strings.TrimRight(baseURL, "/"), Key: key, srv: s}
}

// PartnerAssessmentType is one entry of assessment.list.
type PartnerAssessmentType struct {
	ID          string `json:"assessment_type_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// PartnerError is an answer Ashby would not accept, or a documented
// refusal: Status 409 means "already being assessed", 422 carries
// Message, which Ashby shows its user.
type PartnerError struct {
	Status  int
	Message string
}

// Error implements error.
func (e *PartnerError) Error() string {
	return fmt.Sprintf("ashbytest: partner answered %d: %s", e.Status, e.Message)
}

func (p *Partner) call(ctx context.Context, method string, body any, out any) error {
	data, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.BaseURL+"/"+method, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.SetBasicAuth(p.Key, "")
	req.Header.Set("Content-Type", "application/json")
	hc := p.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		var m struct {
			Message string `json:"message"`
		}
		json.Unmarshal(raw, &m)
		return &PartnerError{Status: resp.StatusCode, Message: m.Message}
	}
	var env struct {
		Success *bool `json:"success"`
	}
	if err := json.Unmarshal(raw, &env); err != nil || env.Success == nil {
		return &PartnerError{Status: 200, Message: "response is not Ashby's envelope (no success field)"}
	}
	if !*env.Success {
		return &PartnerError{Status: 200, Message: "success:false: " + string(raw)}
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &PartnerError{Status: 200, Message: "response does not match the schema: " + err.Error()}
	}
	return nil
}

// ListAssessments calls assessment.list and checks each entry has
// assessment_type_id, name and description.
func (p *Partner) ListAssessments(ctx context.Context) ([]PartnerAssessmentType, error) {
	var out struct {
		Results *[]PartnerAssessmentType `json:"results"`
	}
	if err := p.call(ctx, "assessment.list", struct{}{}, &out); err != nil {
		return nil, err
	}
	if out.Results == nil {
		return nil, &PartnerError{Status: 200, Message: "assessment.list answered without results"}
	}
	for _, t := range *out.Results {
		if t.ID == "" || t.Name == "" {
			return nil, &PartnerError{Status: 200, Message: "an assessment type lacks assessment_type_id or name"}
		}
	}
	return *out.Results, nil
}

// StartOutcome is what StartAssessment observed.
type StartOutcome struct {
	AssessmentID string
	// Updated reports whether the answer carried an update_request,
	// which was applied as an assessment.update.
	Updated bool
}

// StartAssessment calls assessment.start for the application, as Ashby
// does when a user starts the assessment, with additional fields when the
// partner has custom fields. An inline update_request is validated and
// applied like assessment.update; a 409 or 422 comes back as a
// *PartnerError.
func (p *Partner) StartAssessment(ctx context.Context, applicationID, assessmentTypeID string, additional map[string]any) (StartOutcome, error) {
	body, err := p.startBody(applicationID, assessmentTypeID, additional)
	if err != nil {
		return StartOutcome{}, err
	}
	var out struct {
		Results *struct {
			AssessmentID  string          `json:"assessment_id"`
			UpdateRequest json.RawMessage `json:"update_request"`
		} `json:"results"`
	}
	if err := p.call(ctx, "assessment.start", body, &out); err != nil {
		return StartOutcome{}, err
	}
	if out.Results == nil || out.Results.AssessmentID == "" {
		return StartOutcome{}, &PartnerError{Status: 200, Message: "assessment.start answered without results.assessment_id"}
	}
	o := StartOutcome{AssessmentID: out.Results.AssessmentID}
	p.srv.AddAssessment(o.AssessmentID)
	if u := out.Results.UpdateRequest; len(u) > 0 && string(u) != "null" {
		if code, msg := p.srv.applyAssessmentUpdate(u, true); code != "" {
			return o, &PartnerError{Status: 200, Message: "update_request rejected: " + msg}
		}
		o.Updated = true
	}
	return o, nil
}

func (p *Partner) startBody(applicationID, typeID string, additional map[string]any) (map[string]any, error) {
	s := p.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.d.appByID[applicationID]
	if a == nil {
		return nil, errorf("no application %q", applicationID)
	}
	c, j := s.d.candByID[a.CandidateID], s.d.jobByID[a.JobID]
	first, last, _ := strings.Cut(c.Name, " ")
	email := ""
	if len(c.Emails) > 0 {
		email = c.Emails[0]
	}
	body := map[string]any{
		"assessment_type_id": typeID,
		"candidate": map[string]any{"ashby_id": c.ID, "first_name": first, "last_name": last, "email": email,
			"ashby_profile_url": s.root + "/candidates/" + c.ID},
		"application": map[string]any{"ashby_id": a.ID, "status": a.Status},
		"job":         map[string]any{"ashby_id": j.ID, "name": j.Title, "ashby_job_url": s.root + "/jobs/" + j.ID, "hiringTeam": []any{}},
	}
	if additional != nil {
		body["additional_fields"] = additional
	}
	return body, nil
}

// CancelAssessment calls assessment.cancel.
func (p *Partner) CancelAssessment(ctx context.Context, assessmentID string) error {
	var out struct{}
	return p.call(ctx, "assessment.cancel", map[string]any{"assessment_id": assessmentID}, &out)
}

// PartnerCustomField is an entry of assessment.customField.list.
type PartnerCustomField struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Type           string `json:"type"`
	IsRequired     bool   `json:"isRequired"`
	PossibleValues []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"possible_values"`
}

// CustomFields calls assessment.customField.list and checks the fields
// (id, name, a known type, possible_values for select types).
func (p *Partner) CustomFields(ctx context.Context) ([]PartnerCustomField, error) {
	var out struct {
		Fields *[]PartnerCustomField `json:"fields"`
	}
	if err := p.call(ctx, "assessment.customField.list", struct{}{}, &out); err != nil {
		return nil, err
	}
	if out.Fields == nil {
		return nil, &PartnerError{Status: 200, Message: "assessment.customField.list answered without fields"}
	}
	known := "String Date DateRange Number ValueSelect MultiValueSelect Boolean LongText Email Phone Score SocialLink Url Currency Location"
	for _, f := range *out.Fields {
		if f.ID == "" || f.Name == "" || !strings.Contains(" "+known+" ", " "+f.Type+" ") {
			return nil, &PartnerError{Status: 200, Message: fmt.Sprintf("custom field %q lacks id or name, or has unknown type %q", f.ID, f.Type)}
		}
		if (f.Type == "ValueSelect" || f.Type == "MultiValueSelect") && len(f.PossibleValues) == 0 {
			return nil, &PartnerError{Status: 200, Message: fmt.Sprintf("select field %q has no possible_values", f.ID)}
		}
	}
	return *out.Fields, nil
}
