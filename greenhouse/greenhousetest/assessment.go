package greenhousetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// MaxPartnerKeyLength is the longest key Greenhouse accepts from an
// Assessment Partner ("must be less than 171 characters").
const MaxPartnerKeyLength = 170

// PartnerConfig configures a Partner: the URLs the vendor gave
// Greenhouse, and the key the vendor issued to the customer.
type PartnerConfig struct {
	ListTestsURL, SendTestURL, TestStatusURL, ResponseErrorURL string
	Key                                                        string
	// HTTPClient calls the vendor; nil uses http.DefaultClient.
	HTTPClient *http.Client
}

// Partner plays Greenhouse calling an Assessment Partner
// (https://developers.greenhouse.io/assessment.html): it calls the vendor's
// list_tests, send_test and test_status with HTTP Basic (the key, blank
// password), validates each answer exactly as the contract states, and on
// a violation POSTs response_error with api_call and errors. The vendor's
// 401 and 404 are terminal for the request. The Server also serves the
// callback PATCH /integrations/testing_partners/take_home_tests/{id},
// after which Greenhouse calls test_status (asynchronously; wait with
// WaitDeliveries).
type Partner struct {
	s   *Server
	cfg PartnerConfig
}

// PartnerTest is a test as list_tests returns it.
type PartnerTest struct{ ID, Name string }

// TakeHomeTest is a test Greenhouse sent through a Partner.
type TakeHomeTest struct {
	// ID numbers the callback URL .../take_home_tests/{ID}.
	ID                 int64
	ApplicationID      int64
	PartnerTestID      string
	PartnerInterviewID string
	// Status, ProfileURL, Score and Metadata are the last valid
	// test_status answer; Patches counts the vendor's PATCH callbacks.
	Status     string
	ProfileURL string
	Score      *float64
	Metadata   map[string]any
	Patches    int
	partner    *Partner
}

// PartnerError is a vendor answer the Partner refused.
type PartnerError struct {
	APICall string
	// StatusCode is the vendor's HTTP status (0 for a transport error).
	StatusCode int
	// Errors lists what was wrong, as sent to response_error.
	Errors []string
}

// Error implements error.
func (e *PartnerError) Error() string {
	return fmt.Sprintf("greenhousetest: %s: %d: %s", e.APICall, e.StatusCode, strings.Join(e.Errors, "; "))
}

// NewPartner returns a Partner calling the vendor at cfg's URLs. It
// refuses a key Greenhouse would refuse (empty or 171+ characters).
func (s *Server) NewPartner(cfg PartnerConfig) (*Partner, error) {
	if cfg.Key == "" || len(cfg.Key) > MaxPartnerKeyLength {
		return nil, errors.New("greenhousetest: the partner key must be 1 to 170 characters")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	return &Partner{s: s, cfg: cfg}, nil
}

// ReportedErrors returns the response_error reports sent so far.
func (s *Server) ReportedErrors() []PartnerError {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]PartnerError(nil), s.partnerErrs...)
}

// TakeHomeTests returns the tests sent through partners, oldest first.
func (s *Server) TakeHomeTests() []TakeHomeTest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TakeHomeTest, 0, len(s.takeHome))
	for _, th := range s.takeHome {
		out = append(out, *th)
	}
	return out
}

func (p *Partner) call(ctx context.Context, apiCall, method, target string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return err
	}
	req.SetBasicAuth(p.cfg.Key, "")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := p.cfg.HTTPClient.Do(req)
	if err != nil {
		return &PartnerError{APICall: apiCall, Errors: []string{err.Error()}}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// 401 and 404 are the contract's errors: terminal, not reported.
		return &PartnerError{APICall: apiCall, StatusCode: resp.StatusCode, Errors: []string{strings.TrimSpace(string(raw))}}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return &PartnerError{APICall: apiCall, StatusCode: resp.StatusCode, Errors: []string{"response is not valid JSON of the expected shape"}}
		}
	}
	return nil
}

// report posts a violation to response_error and records it.
func (p *Partner) report(ctx context.Context, pe *PartnerError, ids map[string]string) error {
	body := map[string]any{"api_call": pe.APICall, "errors": pe.Errors}
	for k, v := range ids {
		if v != "" {
			body[k] = v
		}
	}
	p.s.mu.Lock()
	p.s.partnerErrs = append(p.s.partnerErrs, *pe)
	p.s.mu.Unlock()
	if p.cfg.ResponseErrorURL != "" {
		_ = p.call(ctx, "response_error", http.MethodPost, p.cfg.ResponseErrorURL, body, nil)
	}
	return pe
}

// ListTests calls list_tests. Each item must have string partner_test_id
// and partner_test_name.
func (p *Partner) ListTests(ctx context.Context) ([]PartnerTest, error) {
	var raw []map[string]any
	if err := p.call(ctx, "list_tests", http.MethodGet, p.cfg.ListTestsURL, nil, &raw); err != nil {
		return nil, err
	}
	var out []PartnerTest
	var probs []string
	for i, it := range raw {
		id, ok1 := it["partner_test_id"].(string)
		name, ok2 := it["partner_test_name"].(string)
		if !ok1 || !ok2 || id == "" || name == "" {
			probs = append(probs, fmt.Sprintf("test %d lacks a string partner_test_id or partner_test_name", i))
			continue
		}
		out = append(out, PartnerTest{ID: id, Name: name})
	}
	if len(probs) > 0 {
		return nil, p.report(ctx, &PartnerError{APICall: "list_tests", StatusCode: 200, Errors: probs}, nil)
	}
	return out, nil
}

// SendTest sends test partnerTestID to the application's candidate, as a
// user clicking "Send Test" would, and returns the partner_interview_id.
func (p *Partner) SendTest(ctx context.Context, applicationID int64, partnerTestID, sentBy string) (string, error) {
	s := p.s
	s.mu.Lock()
	a := s.st.apps[applicationID]
	if a == nil || s.st.people[a.CandidateID] == nil {
		s.mu.Unlock()
		return "", fmt.Errorf("greenhousetest: no application %d", applicationID)
	}
	person := s.st.people[a.CandidateID]
	email := ""
	if len(person.Emails) > 0 {
		email = person.Emails[0]
	}
	th := &TakeHomeTest{ID: s.st.next(), ApplicationID: applicationID, PartnerTestID: partnerTestID, partner: p}
	body := map[string]any{
		"partner_test_id": partnerTestID,
		"candidate": map[string]any{
			"first_name": person.FirstName, "last_name": person.LastName, "preferred_name": nil, "email": email,
			"phone_number": nil, "resume_url": nil,
			"greenhouse_profile_url": fmt.Sprintf("https://app.greenhouse.io/people/%d?application_id=%d", person.ID, a.ID),
		},
		"sent_by": sentBy,
		"url":     fmt.Sprintf("%s/integrations/testing_partners/take_home_tests/%d", strings.TrimSuffix(s.URL, BasePath), th.ID),
	}
	s.mu.Unlock()
	var resp map[string]any
	if err := p.call(ctx, "send_test", http.MethodPost, p.cfg.SendTestURL, body, &resp); err != nil {
		return "", err
	}
	id, ok := resp["partner_interview_id"].(string)
	if !ok || id == "" {
		return "", p.report(ctx, &PartnerError{APICall: "send_test", StatusCode: 200, Errors: []string{"partner_interview_id must be a non-empty string"}},
			map[string]string{"partner_test_id": partnerTestID, "candidate_email": email})
	}
	th.PartnerInterviewID = id
	s.mu.Lock()
	s.takeHome = append(s.takeHome, th)
	s.mu.Unlock()
	return id, nil
}

// PartnerStatus is a validated test_status answer.
type PartnerStatus struct {
	Status     string
	ProfileURL string
	Score      *float64
	Metadata   map[string]any
}

// TestStatus calls test_status and validates the answer: a string
// partner_status; partner_profile_url required when complete; a numeric
// partner_score; metadata flat with primitive values.
func (p *Partner) TestStatus(ctx context.Context, partnerInterviewID string) (PartnerStatus, error) {
	var raw map[string]any
	target := p.cfg.TestStatusURL + "?partner_interview_id=" + urlQueryEscape(partnerInterviewID)
	if err := p.call(ctx, "test_status", http.MethodGet, target, nil, &raw); err != nil {
		return PartnerStatus{}, err
	}
	var st PartnerStatus
	var probs []string
	switch v := raw["partner_status"].(type) {
	case string:
		st.Status = v
	default:
		probs = append(probs, "partner_status must be a string")
	}
	switch v := raw["partner_profile_url"].(type) {
	case string:
		st.ProfileURL = v
	case nil:
	default:
		probs = append(probs, "partner_profile_url must be a string")
	}
	if st.Status == "complete" && st.ProfileURL == "" {
		probs = append(probs, "partner_status is 'complete' but partner_profile url is missing")
	}
	switch v := raw["partner_score"].(type) {
	case float64:
		st.Score = &v
	case nil:
	default:
		probs = append(probs, "partner_score must be a number")
	}
	switch v := raw["metadata"].(type) {
	case map[string]any:
		for k, mv := range v {
			switch mv.(type) {
			case string, float64, bool, nil:
			default:
				probs = append(probs, "metadata."+k+" must be a Javascript primitive")
			}
		}
		st.Metadata = v
	case nil:
	default:
		probs = append(probs, "metadata must be an object")
	}
	if len(probs) > 0 {
		return PartnerStatus{}, p.report(ctx, &PartnerError{APICall: "test_status", StatusCode: 200, Errors: probs}, map[string]string{"partner_interview_id": partnerInterviewID})
	}
	return st, nil
}

// handlePartnerPatch serves the vendor's PATCH callback: it checks the
// Basic key of the partner that sent the test, ignores any body, answers a
// bare 200 and then calls test_status. Updates are recorded only for
// active, unhired applications.
func (s *Server) handlePartnerPatch(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	var th *TakeHomeTest
	for _, t := range s.takeHome {
		if t.ID == id {
			th = t
		}
	}
	s.mu.Unlock()
	if th == nil {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	key, _, ok := r.BasicAuth()
	if !ok || key != th.partner.cfg.Key {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	s.mu.Lock()
	th.Patches++
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK)
	s.hooks.async(func(ctx context.Context) {
		st, err := th.partner.TestStatus(ctx, th.PartnerInterviewID)
		if err != nil {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if a := s.st.apps[th.ApplicationID]; a == nil || a.Status != "in_process" {
			return // "only ... active, unhired candidates"
		}
		th.Status, th.ProfileURL, th.Score, th.Metadata = st.Status, st.ProfileURL, st.Score, st.Metadata
	})
}

// async runs fn in a goroutine counted as a pending delivery, so
// WaitDeliveries and Close cover it.
func (d *deliverer) async(fn func(ctx context.Context)) {
	d.mu.Lock()
	if d.ctx.Err() != nil {
		d.mu.Unlock()
		return
	}
	d.pending.Add()
	d.wg.Add(1)
	d.mu.Unlock()
	go func() {
		defer d.wg.Done()
		defer d.pending.Done()
		fn(d.ctx)
	}()
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
