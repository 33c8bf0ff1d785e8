package workable

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/httpx"
)

// errorBody is the envelope of Workable's error responses, as the examples
// of https://workable.readme.io/reference show them. "error" comes in three shapes: a string ({"error":"Not found"}),
// a nested object whose innermost "description" is the message (the
// invalid-token 401), or an array of strings.
type errorBody struct {
	Error            json.RawMessage `json:"error"`
	ValidationErrors json.RawMessage `json:"validation_errors"`
}

// decodeError fills e.Code, e.Message and e.RequestID from an error
// response. It is httpx.Config.DecodeError.
func decodeError(resp *http.Response, body []byte, e *ats.APIError) {
	e.RequestID = resp.Header.Get("X-Request-Id")
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err != nil {
		return // httpx falls back to a printable excerpt of the body
	}
	msg, code := errorMessage(eb.Error, 0)
	if ve := validationMessage(eb.ValidationErrors); ve != "" {
		if msg == "" {
			msg = ve
		} else {
			msg += " (" + ve + ")"
		}
	}
	e.Message, e.Code = msg, code
}

// errorMessage extracts the human message (and a machine code, when the
// nested form carries a "name") from the "error" value.
func errorMessage(raw json.RawMessage, depth int) (msg, code string) {
	if len(raw) == 0 || depth > 8 {
		return "", ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, ""
	}
	var arr []json.RawMessage
	if json.Unmarshal(raw, &arr) == nil {
		var parts []string
		for _, a := range arr {
			if m, c := errorMessage(a, depth+1); m != "" {
				parts = append(parts, m)
				if code == "" {
					code = c
				}
			}
		}
		return strings.Join(parts, "; "), code
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return "", ""
	}
	if n, ok := obj["name"]; ok {
		_ = json.Unmarshal(n, &code)
	}
	for _, k := range []string{"description", "message"} {
		if v, ok := obj[k]; ok {
			if json.Unmarshal(v, &msg) == nil && msg != "" {
				break
			}
		}
	}
	if inner, ok := obj["error"]; ok {
		m, c := errorMessage(inner, depth+1)
		if msg == "" {
			msg = m
		}
		if code == "" {
			code = c
		}
	}
	return msg, code
}

// validationMessage renders validation_errors (an object of field →
// message(s), or anything else) as "field: message; ...".
func validationMessage(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil {
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			m, _ := errorMessage(obj[k], 0)
			parts = append(parts, k+": "+m)
		}
		return strings.Join(parts, "; ")
	}
	m, _ := errorMessage(raw, 0)
	return m
}

// serverBudget reads X-Rate-Limit-Remaining and X-Rate-Limit-Reset. It is
// httpx.Config.ServerBudget.
func serverBudget(h http.Header, now time.Time) (remaining int, reset time.Time, ok bool) {
	rem := h.Get("X-Rate-Limit-Remaining")
	if rem == "" {
		return 0, time.Time{}, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(rem))
	if err != nil {
		return 0, time.Time{}, false
	}
	// X-Rate-Limit-Reset is the "timestamp of next interval" in a unit
	// Workable does not document
	// (https://workable.readme.io/reference/rate-limits); ParseReset
	// accepts every plausible form.
	reset, ok = httpx.ParseReset(h.Get("X-Rate-Limit-Reset"), now)
	if !ok {
		// Unknown reset: assume the documented 10 s window ends within one
		// window from now.
		reset = now.Add(RateWindow)
	}
	return n, reset, true
}

// notFound builds an ats.ErrNotFound error for lookups that found nothing.
func notFound(op, format string, args ...any) error {
	return &ats.APIError{ATS: "workable", Op: op, StatusCode: http.StatusNotFound, Message: fmt.Sprintf(format, args...)}
}
