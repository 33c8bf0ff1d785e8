package greenhouse

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/httpx"
)

// ErrorBody is an error response of Harvest. The v3 shape is not
// documented; v3 clients decode {"errors":[{"message","field"}]} and fall
// back to {"message"}, and v1 documented a 422 as
// {"message":"Validation error","errors":[{"message","field"}]}
// (https://developers.greenhouse.io/harvest.html#errors). Both are
// accepted, as is "error" in place of "message".
type ErrorBody struct {
	Message string       `json:"message"`
	Error   string       `json:"error"`
	Errors  []ErrorField `json:"errors"`
}

// ErrorField is one entry of ErrorBody.Errors.
type ErrorField struct {
	Message string `json:"message"`
	Field   string `json:"field"`
}

// decodeError fills e.Message from an error response. It is
// httpx.Config.DecodeError.
func decodeError(resp *http.Response, body []byte, e *ats.APIError) {
	e.RequestID = resp.Header.Get("X-Request-Id")
	var eb ErrorBody
	if json.Unmarshal(body, &eb) != nil {
		// errors may be a list of plain strings.
		var alt struct {
			Message string   `json:"message"`
			Errors  []string `json:"errors"`
		}
		if json.Unmarshal(body, &alt) != nil {
			return
		}
		eb.Message = alt.Message
		for _, s := range alt.Errors {
			eb.Errors = append(eb.Errors, ErrorField{Message: s})
		}
	}
	msg := strings.TrimSpace(eb.Message)
	if msg == "" {
		msg = strings.TrimSpace(eb.Error)
	}
	var parts []string
	for _, f := range eb.Errors {
		switch {
		case f.Field != "" && f.Message != "":
			parts = append(parts, f.Field+": "+f.Message)
		case f.Message != "":
			parts = append(parts, f.Message)
		}
	}
	if len(parts) > 0 {
		if msg != "" {
			msg += " (" + strings.Join(parts, "; ") + ")"
		} else {
			msg = strings.Join(parts, "; ")
		}
	}
	e.Message = msg
}

// serverBudget reads X-RateLimit-Remaining and X-RateLimit-Reset (the
// headers Greenhouse documented for Harvest v1; v3's are not documented,
// so the IETF RateLimit-Remaining/RateLimit-Reset names are accepted too).
// It is httpx.Config.ServerBudget.
func serverBudget(h http.Header, now time.Time) (remaining int, reset time.Time, ok bool) {
	rem := h.Get("X-RateLimit-Remaining")
	resetV := h.Get("X-RateLimit-Reset")
	if rem == "" {
		rem, resetV = h.Get("RateLimit-Remaining"), h.Get("RateLimit-Reset")
	}
	if rem == "" {
		return 0, time.Time{}, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(rem))
	if err != nil {
		return 0, time.Time{}, false
	}
	// The reset's unit is not documented for v3; ParseReset accepts
	// every plausible form.
	reset, ok = httpx.ParseReset(resetV, now)
	if !ok {
		d, ok2 := parseRetryAfter(h.Get("Retry-After"))
		if !ok2 {
			// Harvest v1 sent the reset only with a 429. Without it the
			// client cannot know when the window ends; it keeps pacing by
			// its own budget and, should it overrun, waits out the 429's
			// Retry-After, rather than stall for a guessed window.
			return 0, time.Time{}, false
		}
		reset = now.Add(d)
	}
	return n, reset, true
}

func parseRetryAfter(v string) (time.Duration, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 || f > 3600 || math.IsNaN(f) {
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}
