package workabletest

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// CallbackToken is the token a Server's callback endpoint accepts by
// default: the token Workable generates "upon the integration creation"
// and the provider sends as a Bearer token on result PUTs.
const CallbackToken = "workabletest-callback-token"

// DefaultCallbackStatuses returns the statuses a callback endpoint accepts
// by default: the four of the contract's prose ("pending … completed,
// rejected or expired",
// https://workable.readme.io/page/video-interview-providers). The page's
// list of mandatory fields says "declined" instead; configure
// WithCallbackStatuses (or Callbacks.Statuses) to test that reading.
func DefaultCallbackStatuses() []string {
	return []string{"pending", "completed", "rejected", "expired"}
}

// CallbackPut is one PUT a callback endpoint received.
type CallbackPut struct {
	// Path is the callback URL's path, e.g. "/interviews/8823119".
	Path string
	// Status is the body's status ("" if it had none).
	Status string
	// Body is the request body as sent.
	Body []byte
	// Code is the status code answered.
	Code int
}

// Callbacks plays Workable's side of the Video Interview and Assessment
// Provider contracts: the callback_url a provider PUTs results to. It
// checks what Workable documents and nothing more:
//
//   - PUT with "Authorization: Bearer <Token>" (401 otherwise);
//   - a JSON object (400 "Invalid JSON");
//   - "status" present (422) and one of Statuses (400);
//   - "results_url" present when the status is completed (422);
//   - grades, top-level or under "interview"/"assessment", one of failed,
//     passed, excelled (400);
//   - attachments with a url (422);
//   - once a final status (anything but pending) was accepted for a path,
//     every later PUT there is answered 409 "Entity is already updated",
//     the contract's error for it.
//
// Errors use the contract's shape {"status":…,"message":…}. Workable's own
// answers to callback PUTs are undocumented: the success code (200 with an
// empty body here), whether unknown keys are ignored (assumed so), and
// whether a repeated PUT is 409 (assumed from the contract's error table).
type Callbacks struct {
	// Token is the Bearer token required (default CallbackToken).
	Token string
	// Statuses are the accepted statuses (default DefaultCallbackStatuses).
	Statuses []string

	mu    sync.Mutex
	puts  []CallbackPut
	final map[string]bool
}

// NewCallbacks returns a callback endpoint accepting token and statuses
// (DefaultCallbackStatuses when none are given).
func NewCallbacks(token string, statuses ...string) *Callbacks {
	if len(statuses) == 0 {
		statuses = DefaultCallbackStatuses()
	}
	return &Callbacks{Token: token, Statuses: statuses}
}

type callbackResults struct {
	Grade string `json:"grade"`
}

type callbackBody struct {
	Status      *string          `json:"status"`
	ResultsURL  string           `json:"results_url"`
	Grade       string           `json:"grade"`
	Interview   *callbackResults `json:"interview"`
	Assessment  *callbackResults `json:"assessment"`
	Attachments []struct {
		URL string `json:"url"`
	} `json:"attachments"`
}

// ServeHTTP implements http.Handler. It serves any path: the path
// identifies the interview or assessment.
func (c *Callbacks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := readAllLimited(r)
	put := CallbackPut{Path: r.URL.Path, Body: body}
	code, msg := c.check(r, body, &put)
	put.Code = code
	c.mu.Lock()
	c.puts = append(c.puts, put)
	c.mu.Unlock()
	if code == http.StatusOK {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, code, map[string]any{"status": code, "message": msg})
}

func (c *Callbacks) check(r *http.Request, body []byte, put *CallbackPut) (int, string) {
	if r.Method != http.MethodPut {
		return http.StatusMethodNotAllowed, "Method Not Allowed"
	}
	token := c.Token
	if token == "" {
		token = CallbackToken
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch {
	case !ok || got == "":
		return http.StatusUnauthorized, "Missing Token"
	case subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1:
		return http.StatusUnauthorized, "Invalid Token"
	}
	var b callbackBody
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&b); err != nil || dec.More() || !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		return http.StatusBadRequest, "Invalid JSON"
	}
	if b.Status == nil || *b.Status == "" {
		return http.StatusUnprocessableEntity, "Missing field: status"
	}
	put.Status = *b.Status
	statuses := c.Statuses
	if len(statuses) == 0 {
		statuses = DefaultCallbackStatuses()
	}
	if !slices.Contains(statuses, *b.Status) {
		return http.StatusBadRequest, "Invalid field: status should be one of " + strings.Join(statuses, ", ")
	}
	if *b.Status == "completed" && b.ResultsURL == "" {
		return http.StatusUnprocessableEntity, "Missing field: results_url"
	}
	grades := []string{"failed", "passed", "excelled"}
	for _, g := range []struct {
		field string
		res   *callbackResults
	}{{"grade", &callbackResults{Grade: b.Grade}}, {"interview.grade", b.Interview}, {"assessment.grade", b.Assessment}} {
		if g.res != nil && g.res.Grade != "" && !slices.Contains(grades, g.res.Grade) {
			return http.StatusBadRequest, "Invalid field: " + g.field
		}
	}
	for _, a := range b.Attachments {
		if a.URL == "" {
			return http.StatusUnprocessableEntity, "Missing field: attachments.url"
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.final[r.URL.Path] {
		return http.StatusConflict, "Entity is already updated"
	}
	if *b.Status != "pending" {
		if c.final == nil {
			c.final = map[string]bool{}
		}
		c.final[r.URL.Path] = true
	}
	return http.StatusOK, ""
}

// Puts returns every PUT received, oldest first, with the code answered.
func (c *Callbacks) Puts() []CallbackPut {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.puts)
}

// Accepted returns the PUTs to path that were answered 200, oldest first.
func (c *Callbacks) Accepted(path string) []CallbackPut {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []CallbackPut
	for _, p := range c.puts {
		if p.Path == path && p.Code == http.StatusOK {
			out = append(out, p)
		}
	}
	return out
}

func readAllLimited(r *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, MaxRequestBytes))
	return buf.Bytes(), err
}
