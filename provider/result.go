package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/atskit/atskit/ats"
)

// Status is the state of an interview or assessment as reported to Workable.
type Status string

// The statuses of the Video Interview Provider contract
// (https://workable.readme.io/page/video-interview-providers). An
// invitation starts as StatusPending and then becomes completed, rejected
// (declined) or expired.
const (
	StatusPending   Status = "pending"
	StatusCompleted Status = "completed"
	StatusExpired   Status = "expired"
	// StatusRejected and StatusDeclined both mean the interview ended
	// without a result: the candidate declined, was moved out of the stage
	// or could not be scheduled. The contract contradicts itself: its prose
	// lists four statuses, "pending … completed, rejected or expired", while
	// its list of mandatory fields says "completed, declined or expired".
	// Both are accepted as input; what is sent is the DeclinedStatus option
	// of Publisher and Handler, by default DefaultDeclinedStatus.
	StatusRejected Status = "rejected"
	StatusDeclined Status = "declined"
)

// DefaultDeclinedStatus is the wire value sent for an interview or
// assessment that ended without a result: "rejected". The evidence for it
// is stronger than for "declined": it is the value of the contract's
// four-status prose list, the only public implementation of this contract
// (Jobma, consumed by github.com/mitodl/bootcamp-ecommerce, jobma/constants.py)
// sends "rejected" and knows no "declined", and the one reading of the
// assessment contract lists pending, completed, rejected and expired. Set
// PublisherOptions.DeclinedStatus (and HandlerOptions.DeclinedStatus) to
// StatusDeclined for the other reading.
const DefaultDeclinedStatus = StatusRejected

// Normalize returns s with the StatusRejected alias replaced by
// StatusDeclined: the canonical in-memory form, for comparisons. What goes
// on the wire is decided by Wire.
func (s Status) Normalize() Status {
	if s == StatusRejected {
		return StatusDeclined
	}
	return s
}

// Wire returns the value sent to Workable for s: StatusDeclined and
// StatusRejected become declined (DefaultDeclinedStatus when declined is
// empty); other statuses are unchanged.
func (s Status) Wire(declined Status) Status {
	if s == StatusDeclined || s == StatusRejected {
		if declined == "" {
			return DefaultDeclinedStatus
		}
		return declined
	}
	return s
}

// Valid reports whether s is one of the contract's statuses (including both
// spellings of a declined interview).
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusCompleted, StatusDeclined, StatusExpired, StatusRejected:
		return true
	}
	return false
}

// StatusDocument is the status/results document of an interview or assessment. The
// provider PUTs it to the callback URL whenever the status changes (see
// Publisher) and serves it from GET /interviews/{id} (or /assessments/{id})
// for Workable to poll.
//
// Where Workable reads the results is partly ambiguous, so what is sent
// places them where either reading finds them (see Wire):
//   - grade: the contract's JSON example nests it in "interview", its list
//     of optional fields gives it as a top-level field; it is sent at both
//     levels.
//   - assessments: the assessment page is a copy of the video page with
//     names changed, and the one reading of it puts the results under
//     "assessment"; an assessment's results (Assessment, or Interview for a
//     result served from GET /assessments/{id}) are sent under both
//     "assessment" and "interview".
type StatusDocument struct {
	// Status is mandatory.
	Status Status `json:"status"`
	// ResultsURL links to the full report on the provider's site. It is
	// mandatory when Status is StatusCompleted.
	ResultsURL string `json:"results_url,omitempty"`
	// Grade is the top-level copy of the results' grade. Leave it empty:
	// Wire fills it from Interview or Assessment.
	Grade ats.Grade `json:"grade,omitempty"`
	// Interview holds the results of an interview.
	Interview *InterviewResult `json:"interview,omitempty"`
	// Assessment holds the results of an assessment.
	Assessment *InterviewResult `json:"assessment,omitempty"`
	// Attachments are result reports; Workable currently supports PDF only.
	Attachments []ats.Attachment `json:"attachments,omitempty"`
}

// results returns the results object, Interview or else Assessment.
func (r StatusDocument) results() *InterviewResult {
	if r.Interview != nil {
		return r.Interview
	}
	return r.Assessment
}

// Wire returns r as it is sent to Workable: the status in its wire form
// (declined per Status.Wire), the grade at the top level and in the
// results, and, when assessment is true or r.Assessment is set, the results
// under both "assessment" and "interview". r is not modified.
func (r StatusDocument) Wire(declined Status, assessment bool) StatusDocument {
	r.Status = r.Status.Wire(declined)
	res := r.results()
	if res == nil {
		return r
	}
	c := *res
	if c.Grade == "" {
		c.Grade = r.Grade
	}
	if r.Grade == "" {
		r.Grade = c.Grade
	}
	r.Interview = &c
	if assessment || r.Assessment != nil {
		r.Assessment = &c
	}
	return r
}

// InterviewResult holds the results of a completed interview or assessment.
type InterviewResult struct {
	// Score is an overall score, preferably a percentage, e.g. "78".
	Score string `json:"score,omitempty"`
	// Grade is the final conclusion.
	Grade ats.Grade `json:"grade,omitempty"`
	// Summary is a short evaluation.
	Summary string `json:"summary,omitempty"`
	// Details is a deeper analysis shown to the user with minimal
	// formatting: at most two levels of nested objects, no arrays, dates in
	// ISO 8601. See StatusDocument.Validate for the exact rules.
	Details map[string]any `json:"details,omitempty"`
	// Duration is how long the candidate took, e.g. "01:01:17".
	Duration string `json:"duration,omitempty"`
}

// StatusDocumentFrom builds the status document of an interview or
// assessment in status from its result r (ats.Result, atskit's one result
// type). For StatusCompleted, r.ReportURL becomes results_url and r's
// score, grade, summary, duration and details (Details as name → value)
// the results under "interview" (Wire also copies them under "assessment"
// for an assessment). Attachments are r's attachments that have a URL:
// Workable links attachments and cannot receive a file's bytes, so one
// with only Data is left out. Other statuses carry no results.
func StatusDocumentFrom(status Status, r ats.Result) StatusDocument {
	d := StatusDocument{Status: status}
	if status != StatusCompleted {
		return d
	}
	d.ResultsURL = r.ReportURL
	res := &InterviewResult{Score: r.Score, Grade: r.Grade, Summary: r.Summary, Duration: r.Duration}
	for _, f := range r.Details {
		if res.Details == nil {
			res.Details = map[string]any{}
		}
		res.Details[f.Name] = f.Value
	}
	d.Interview = res
	d.Attachments = LinkedAttachments(r.Attachments)
	return d
}

// LinkedAttachments returns the attachments of atts that have a URL, the
// only ones Workable's contract can carry.
func LinkedAttachments(atts []ats.Attachment) []ats.Attachment {
	var out []ats.Attachment
	for _, a := range atts {
		if a.URL != "" {
			out = append(out, a)
		}
	}
	return out
}

// wireAttachment is an attachment as Workable's contract carries it:
// {"description": …, "url": …}. StatusDocument's JSON uses it so that the
// fields of ats.Attachment the contract does not know (name, content type,
// data) never reach the wire.
type wireAttachment struct {
	Description string `json:"description,omitempty"`
	URL         string `json:"url"`
}

// MarshalJSON encodes d as Workable's contract has it; each attachment is
// {"description": …, "url": …}.
func (d StatusDocument) MarshalJSON() ([]byte, error) {
	type plain StatusDocument
	w := struct {
		plain
		Attachments []wireAttachment `json:"attachments,omitempty"`
	}{plain: plain(d)}
	for _, a := range d.Attachments {
		w.Attachments = append(w.Attachments, wireAttachment{Description: a.Description, URL: a.URL})
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes Workable's form of d (see MarshalJSON).
func (d *StatusDocument) UnmarshalJSON(b []byte) error {
	type plain StatusDocument
	var w struct {
		plain
		Attachments []wireAttachment `json:"attachments,omitempty"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*d = StatusDocument(w.plain)
	d.Attachments = nil
	for _, a := range w.Attachments {
		d.Attachments = append(d.Attachments, ats.Attachment{Description: a.Description, URL: a.URL})
	}
	return nil
}

// ValidationError reports why a StatusDocument cannot be sent to Workable. Field is
// a dotted path such as "interview.details.behavior.score".
type ValidationError struct {
	Field  string
	Reason string
}

// Error implements error.
func (e *ValidationError) Error() string {
	return "provider: invalid result: " + e.Field + " " + e.Reason
}

// Validate reports whether r satisfies the Video Interview Provider contract.
// It returns a *ValidationError naming the first offending field when:
//   - Status is empty or not one of the contract's statuses;
//   - Status is completed and ResultsURL is empty;
//   - ResultsURL or an attachment URL is not an absolute http(s) URL;
//   - a grade (top-level or nested) is set and is not failed, passed or
//     excelled, or two grades that are set differ;
//   - Details nests objects deeper than two levels, holds an array (or
//     slice), or holds a value that is not a string, number, bool, nil,
//     time.Time or string-keyed map;
//   - a string in Details looks like a date but is not ISO 8601.
//
// A string "looks like a date" when it starts with three groups of digits
// separated by '-', '/' or '.', with either the first group of four digits
// (2024-03-12, 2024/03/12) or the last (12/03/2024, 12.03.2024). Such a
// string must then be an ISO 8601 calendar date, optionally followed by
// "T" and a time with optional fractional seconds and a "Z" or ±hh:mm
// offset (2024-03-12, 2024-03-12T09:30, 2024-03-12T09:30:00.5+02:00).
// Scores such as "7/10" or versions such as "1.2.3" are not date-like.
func (r StatusDocument) Validate() error {
	if r.Status == "" {
		return &ValidationError{"status", "should be provided"}
	}
	if !r.Status.Valid() {
		return &ValidationError{"status", fmt.Sprintf("%q is not one of pending, completed, rejected (declined), expired", string(r.Status))}
	}
	if r.Status == StatusCompleted && r.ResultsURL == "" {
		return &ValidationError{"results_url", "should be provided when status is completed"}
	}
	if r.ResultsURL != "" {
		if err := checkURL(r.ResultsURL); err != nil {
			return &ValidationError{"results_url", err.Error()}
		}
	}
	if r.Grade != "" && !r.Grade.Valid() {
		return &ValidationError{"grade", fmt.Sprintf("%q is not one of failed, passed, excelled", string(r.Grade))}
	}
	for _, part := range []struct {
		key string
		res *InterviewResult
	}{{"interview", r.Interview}, {"assessment", r.Assessment}} {
		iv := part.res
		if iv == nil {
			continue
		}
		if iv.Grade != "" && !iv.Grade.Valid() {
			return &ValidationError{part.key + ".grade", fmt.Sprintf("%q is not one of failed, passed, excelled", string(iv.Grade))}
		}
		if r.Grade != "" && iv.Grade != "" && iv.Grade != r.Grade {
			return &ValidationError{part.key + ".grade", fmt.Sprintf("%q differs from the top-level grade %q", string(iv.Grade), string(r.Grade))}
		}
		if err := validateDetails(part.key+".details", reflect.ValueOf(iv.Details), 0); err != nil {
			return err
		}
	}
	if r.Interview != nil && r.Assessment != nil && r.Interview.Grade != "" && r.Assessment.Grade != "" && r.Interview.Grade != r.Assessment.Grade {
		return &ValidationError{"assessment.grade", "differs from interview.grade"}
	}
	for i, a := range r.Attachments {
		field := fmt.Sprintf("attachments[%d].url", i)
		if a.URL == "" {
			return &ValidationError{field, "should be provided"}
		}
		if err := checkURL(a.URL); err != nil {
			return &ValidationError{field, err.Error()}
		}
	}
	return nil
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return errors.New("should be an absolute http(s) URL")
	}
	return nil
}

var timeType = reflect.TypeOf(time.Time{})

// validateDetails checks v, found at path, nested depth objects below
// details. Values of details itself are depth 1; objects at depth 1 may hold
// scalars only.
func validateDetails(path string, v reflect.Value, depth int) error {
	for v.IsValid() && (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if !v.IsValid() {
		return nil
	}
	if v.Type() == timeType {
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); looksLikeDate(s) && !isISO8601(s) {
			return &ValidationError{path, fmt.Sprintf("%q looks like a date but is not ISO 8601 (e.g. 2024-03-12 or 2024-03-12T09:30:00Z)", s)}
		}
		return nil
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return nil
	case reflect.Slice, reflect.Array:
		return &ValidationError{path, "should not be an array: details hold key: value pairs only"}
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return &ValidationError{path, "should be an object with string keys"}
		}
		if depth >= 2 {
			return &ValidationError{path, "nests objects deeper than the two levels details allow"}
		}
		keys := make([]string, 0, v.Len())
		for _, k := range v.MapKeys() {
			keys = append(keys, k.String())
		}
		sort.Strings(keys) // deterministic error for the same input
		for _, k := range keys {
			child := path + "." + k
			if err := validateDetails(child, v.MapIndex(reflect.ValueOf(k).Convert(v.Type().Key())), depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return &ValidationError{path, fmt.Sprintf("has unsupported type %s: use a string, number, bool or object", v.Type())}
}

// looksLikeDate reports whether s starts with a numeric date: three digit
// groups separated by '-', '/' or '.', the first or the last of four digits.
func looksLikeDate(s string) bool {
	var groups [3]int
	n, i := 0, 0
	for n < 3 {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		l := i - start
		if l == 0 || l > 4 {
			return false
		}
		groups[n] = l
		n++
		if n == 3 {
			break
		}
		if i >= len(s) || !strings.ContainsRune("-/.", rune(s[i])) {
			return false
		}
		i++
	}
	if i < len(s) && s[i] >= '0' && s[i] <= '9' {
		return false
	}
	return groups[0] == 4 || groups[2] == 4
}

var isoLayouts = []string{
	"2006-01-02",
	"2006-01-02T15:04",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04Z0700",
	"2006-01-02T15:04:05Z0700",
}

// isISO8601 reports whether s is an ISO 8601 calendar date or date-time in
// the extended format (the RFC 3339 profile, with the time and offset
// optional).
func isISO8601(s string) bool {
	// Fractional seconds: strip ".ddd" after the seconds so one layout list
	// covers any precision.
	if len(s) > 19 && s[19] == '.' {
		j := 20
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == 20 {
			return false
		}
		s = s[:19] + s[j:]
	}
	for _, layout := range isoLayouts {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}
