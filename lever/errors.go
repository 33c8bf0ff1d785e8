package lever

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/atskit/atskit/ats"
)

// ErrorBody is the JSON body Lever sends with an error response,
// e.g. {"code":"BadRequestError","message":"Invalid stage"}.
//
// Assumed (Lever's documentation does not show the shape): a flat object with
// code and message. A body of another shape keeps its text as the
// message.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Error is accepted as an alternative to Code, as some gateways answer
	// {"error": "...", "message": "..."}.
	Error string `json:"error,omitempty"`
}

// decodeError fills the Lever code, message and request ID into e.
func decodeError(resp *http.Response, body []byte, e *ats.APIError) {
	var eb ErrorBody
	if json.Unmarshal(body, &eb) == nil {
		e.Code = eb.Code
		if e.Code == "" {
			e.Code = eb.Error
		}
		e.Message = strings.TrimSpace(eb.Message)
	}
	for _, h := range []string{"X-Request-Id", "Request-Id", "X-Amzn-Requestid"} {
		if v := resp.Header.Get(h); v != "" {
			e.RequestID = v
			break
		}
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
