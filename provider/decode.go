package provider

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
)

// requestError is a client error with the contract's status and message.
type requestError struct {
	status  int
	message string
}

// Error implements error.
func (e *requestError) Error() string { return e.message }

func invalidJSON() *requestError {
	return &requestError{http.StatusBadRequest, "Invalid JSON"}
}

func missingField(field string) *requestError {
	return &requestError{http.StatusUnprocessableEntity, "Missing field: " + field + " should be provided"}
}

func invalidField(field, want string) *requestError {
	return &requestError{http.StatusBadRequest, "Invalid field: " + field + " should be " + want}
}

// wireInterview is the body of POST /interviews as sent; the pointer
// distinguishes an absent candidate from an empty one.
//
// Identifiers are IDs (a JSON string or number): Workable's example sends
// "interview_template_id":"12345" and "job_id":"6789", but job_id is an
// internal numeric id on Workable's side and the contract marks it
// optional, so refusing an invitation over its JSON type would lose it
// (https://workable.readme.io/page/video-interview-providers).
type wireInterview struct {
	InterviewTemplateID ID             `json:"interview_template_id"`
	JobID               ID             `json:"job_id"`
	JobShortcode        ID             `json:"job_shortcode"`
	JobTitle            string         `json:"job_title"`
	CallbackURL         string         `json:"callback_url"`
	Candidate           *wireCandidate `json:"candidate"`
	Preferences         map[string]any `json:"preferences"`
}

// wireAssessment is the body of POST /assessments. The assessment page's
// body is not publicly readable past the tests list; the one third-party
// reading names the job "job_shortcode", the video contract "job_id", so
// both are accepted.
type wireAssessment struct {
	TestID       ID             `json:"test_id"`
	JobID        ID             `json:"job_id"`
	JobShortcode ID             `json:"job_shortcode"`
	JobTitle     string         `json:"job_title"`
	CallbackURL  string         `json:"callback_url"`
	Candidate    *wireCandidate `json:"candidate"`
	Preferences  map[string]any `json:"preferences"`
}

var idType = reflect.TypeFor[ID]()

// decodeJSON decodes body into v with encoding/json and maps its errors to
// the contract's messages: a syntax error (including trailing data) is
// "Invalid JSON"; a value of the wrong type is "Invalid field: <dotted
// path> should be <type>", naming the first such field. encoding/json's
// rules apply otherwise: null leaves a field unset, the last of duplicate
// keys wins, keys match exactly or else case-insensitively, unknown fields
// are ignored (so that Workable can add fields) and numbers in preferences
// decode to float64.
func decodeJSON(body []byte, v any) *requestError {
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return invalidJSON()
	}
	if te.Field == "" {
		return &requestError{http.StatusBadRequest, "Invalid JSON: the body should be an object"}
	}
	want := "a string"
	switch k := te.Type.Kind(); {
	case te.Type == idType:
		want = "a string or a number"
	case k == reflect.Slice:
		want = "an array"
	case k == reflect.Struct || k == reflect.Map || (k == reflect.Pointer && te.Type.Elem().Kind() == reflect.Struct):
		want = "an object"
	case k == reflect.Float64:
		// Only preferences hold numbers: one is out of float64's range.
		want = "an object whose numbers fit a float64"
	}
	return invalidField(te.Field, want)
}

// slowDecode decodes body with decodeJSON into a new T. It is apart so
// that only this path puts a T on the heap (encoding/json takes an any).
func slowDecode[T any](body []byte) (T, *requestError) {
	var v T
	err := decodeJSON(body, &v)
	return v, err
}

// decodeCreateInterview decodes and validates the body of POST /interviews.
func decodeCreateInterview(body []byte) (CreateInterviewRequest, *requestError) {
	var rc rawCreate
	return decodeCreateInterviewFrom(body, &rc, rc.readInterview(body)) // see rawcreate.go
}

// decodeCreateInterviewFrom is decodeCreateInterview for a body the fast
// path has read into rc already, if fast.
func decodeCreateInterviewFrom(body []byte, rc *rawCreate, fast bool) (CreateInterviewRequest, *requestError) {
	if fast {
		if err := rc.validate("interview_template_id"); err != nil {
			return CreateInterviewRequest{}, err
		}
		return rc.interviewRequest(), nil
	}
	w, err := slowDecode[wireInterview](body)
	if err != nil {
		return CreateInterviewRequest{}, err
	}
	if w.InterviewTemplateID.IsZero() {
		return CreateInterviewRequest{}, missingField("interview_template_id")
	}
	if err := validateCallback(w.CallbackURL); err != nil {
		return CreateInterviewRequest{}, err
	}
	return CreateInterviewRequest{
		InterviewTemplateID: w.InterviewTemplateID.String(),
		JobID:               w.JobID.String(),
		JobShortcode:        w.JobShortcode.String(),
		JobTitle:            w.JobTitle,
		CallbackURL:         w.CallbackURL,
		Candidate:           candidateOf(w.Candidate),
		Preferences:         w.Preferences,
	}, nil
}

// decodeCreateAssessmentFrom decodes and validates the body of POST
// /assessments, read by the fast path into rc already if fast.
func decodeCreateAssessmentFrom(body []byte, rc *rawCreate, fast bool) (CreateAssessmentRequest, *requestError) {
	if fast {
		if err := rc.validate("test_id"); err != nil {
			return CreateAssessmentRequest{}, err
		}
		return rc.assessmentRequest(), nil
	}
	w, err := slowDecode[wireAssessment](body)
	if err != nil {
		return CreateAssessmentRequest{}, err
	}
	if w.TestID.IsZero() {
		return CreateAssessmentRequest{}, missingField("test_id")
	}
	if err := validateCallback(w.CallbackURL); err != nil {
		return CreateAssessmentRequest{}, err
	}
	return CreateAssessmentRequest{
		TestID:       w.TestID,
		JobID:        w.JobID.String(),
		JobShortcode: w.JobShortcode.String(),
		JobTitle:     w.JobTitle,
		CallbackURL:  w.CallbackURL,
		Candidate:    candidateOf(w.Candidate),
		Preferences:  w.Preferences,
	}, nil
}

// wireCandidate is the candidate as sent. Its fields are read like
// identifiers, as a string or a number: a phone number sent as a JSON
// number is still the candidate's phone, and refusing the whole invitation
// over it would lose the invitation.
type wireCandidate struct {
	FirstName ID `json:"first_name"`
	LastName  ID `json:"last_name"`
	Phone     ID `json:"phone"`
	Email     ID `json:"email"`
}

func candidateOf(c *wireCandidate) Candidate {
	if c == nil {
		return Candidate{}
	}
	return Candidate{FirstName: c.FirstName.String(), LastName: c.LastName.String(), Phone: c.Phone.String(), Email: c.Email.String()}
}

// validateCallback requires what an invitation cannot do without besides
// the template: somewhere to report the result. Nothing else is required:
// the contract marks no candidate field required and job_id optional, so a
// missing name, e-mail, job or title is the backend's to handle (for
// example by asking for the data, as lifecycle's needs-info state does)
// rather than a 422 that loses the invitation.
//
// It takes the bytes of a body as well as a string, so the fast path need
// not make one.
func validateCallback[S ~string | ~[]byte](callbackURL S) *requestError {
	if len(callbackURL) == 0 {
		return missingField("callback_url")
	}
	// The Publisher enforces https and public addresses when it delivers;
	// here the URL only has to be usable.
	if plainCallbackURL(callbackURL) {
		return nil
	}
	if u, err := url.Parse(string(callbackURL)); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return invalidField("callback_url", "an absolute https URL")
	}
	return nil
}

// plainCallbackURL reports whether s is plainly a URL that validateCallback
// accepts, without url.Parse's allocation: "https://" or "http://", a
// non-empty host of ASCII letters, digits, '.' and '-', and optionally a
// path of RFC 3986 path characters without '%'. url.Parse accepts every
// such string with that scheme and host (TestPlainCallbackURL and
// FuzzPlainCallbackURL check it); anything else, including every string it
// would refuse, is left to url.Parse, so the rules are url.Parse's.
func plainCallbackURL[S ~string | ~[]byte](s S) bool {
	var rest S
	switch {
	case len(s) >= len("https://") && string(s[:len("https://")]) == "https://":
		rest = s[len("https://"):]
	case len(s) >= len("http://") && string(s[:len("http://")]) == "http://":
		rest = s[len("http://"):]
	default:
		return false
	}
	host := len(rest)
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if c == '/' {
			host = i
			break
		}
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	if host == 0 {
		return false
	}
	for i := host; i < len(rest); i++ {
		c := rest[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/!$&'()*+,;=:@", c) >= 0) {
			return false
		}
	}
	return true
}
