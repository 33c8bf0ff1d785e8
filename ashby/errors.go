package ashby

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/atskit/atskit/ats"
)

// ErrResyncRequired is matched (errors.Is) by the errors Ashby returns for
// a pagination cursor or sync token it no longer accepts:
// next_cursor_expired, invalid_next_cursor, sync_token_expired,
// sync_token_invalid and incremental_sync_too_large. Discard the cursor
// or token and start a full sync
// (https://developers.ashbyhq.com/docs/pagination-and-incremental-sync).
var ErrResyncRequired = errors.New("ashby: cursor or sync token rejected; start a full sync")

// ErrorInfo is the errorInfo object of Ashby's error envelope, e.g.
// {"code":"application_not_found","message":"…","requestId":"01JS…"}.
type ErrorInfo struct {
	Code      string          `json:"code"`
	Message   string          `json:"message"`
	RequestID string          `json:"requestId"`
	Meta      json.RawMessage `json:"meta,omitempty"`
}

// envelope is Ashby's response body. Every endpoint answers HTTP 200 with
// either {"success": true, "results": …} or {"success": false, "errors":
// [codes], "errorInfo": {…}} (Ashby's OpenAPI, every operation's 200
// response). List calls add moreDataAvailable, nextCursor and, on the last
// page, syncToken.
type envelope[T any] struct {
	Success           *bool      `json:"success"`
	Results           *T         `json:"results"`
	MoreDataAvailable bool       `json:"moreDataAvailable"`
	NextCursor        string     `json:"nextCursor"`
	SyncToken         string     `json:"syncToken"`
	Errors            []string   `json:"errors"`
	ErrorInfo         *ErrorInfo `json:"errorInfo"`
}

// code returns the error code: errorInfo.code, or (errors is deprecated
// but older answers may carry only it) the first of errors.
func (e *envelope[T]) code() (code, msg, reqID string) {
	if e.ErrorInfo != nil {
		code, msg, reqID = e.ErrorInfo.Code, e.ErrorInfo.Message, e.ErrorInfo.RequestID
	}
	if code == "" && len(e.Errors) > 0 {
		code = e.Errors[0]
	}
	if msg == "" && len(e.Errors) > 1 {
		msg = strings.Join(e.Errors, "; ")
	}
	return code, strings.TrimSpace(msg), reqID
}

// statusForCode maps an Ashby error code onto the HTTP status with the
// same meaning, so that the ats sentinels match: Ashby sends application
// errors inside HTTP 200, and ats.APIError.StatusCode then holds this
// equivalent status rather than 200. Codes Ashby documents: *_not_found,
// invalid_input, missing_endpoint_permission, rate_limit_exceeded,
// concurrent_limit_exceeded and the pagination codes. An unknown code is
// treated as a rejected request (422): Ashby refused it after reading it.
func statusForCode(code string) int {
	switch {
	case code == "missing_endpoint_permission" || code == "forbidden" || strings.HasSuffix(code, "_not_allowed") && strings.Contains(code, "permission"):
		return http.StatusForbidden
	case code == "unauthorized" || code == "invalid_api_key":
		return http.StatusUnauthorized
	case code == "not_found" || strings.HasSuffix(code, "_not_found"):
		return http.StatusNotFound
	case code == "rate_limit_exceeded" || code == "concurrent_limit_exceeded":
		return http.StatusTooManyRequests
	case code == "conflict" || strings.HasSuffix(code, "_already_exists"):
		return http.StatusConflict
	case code == "invalid_input" || isResyncCode(code):
		return http.StatusBadRequest
	case code == "internal_error" || code == "internal_server_error":
		return http.StatusInternalServerError
	}
	return http.StatusUnprocessableEntity
}

func isResyncCode(code string) bool {
	switch code {
	case "next_cursor_expired", "invalid_next_cursor", "sync_token_expired", "sync_token_invalid", "incremental_sync_too_large":
		return true
	}
	return false
}

// envelopeError turns a success:false envelope into an ats error.
func envelopeError(op, code, msg, reqID string) error {
	if code == "" {
		code = "unknown_error"
	}
	e := &ats.APIError{ATS: "ashby", Op: op, StatusCode: statusForCode(code), Code: code, Message: msg, RequestID: reqID}
	var err error = e
	switch e.StatusCode {
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		err = &ats.ValidationError{Err: e}
	case http.StatusTooManyRequests:
		err = &ats.RateLimitError{Err: e}
	}
	if isResyncCode(code) {
		return &resyncError{err}
	}
	return err
}

type resyncError struct{ error }

// Unwrap returns the ats error and ErrResyncRequired.
func (e *resyncError) Unwrap() []error { return []error{e.error, ErrResyncRequired} }

// PartnerRateLimitCode is the ats.APIError.Code of a 429 that Ashby sent
// with X-RateLimit-Scope: integration-partner: Ashby throttled the
// partner's combined traffic across all customers, not this key
// (https://developers.ashbyhq.com/changelog/2026-10-14-identify-integration-partner-rate-limit-responses).
const PartnerRateLimitCode = "integration_partner_rate_limit"

// decodeHTTPError reads Ashby's envelope from a non-2xx answer (401, 403,
// 429, 5xx) into e.
func decodeHTTPError(resp *http.Response, body []byte, e *ats.APIError) {
	var env envelope[json.RawMessage]
	if json.Unmarshal(body, &env) == nil {
		e.Code, e.Message, e.RequestID = env.code()
	}
	if resp.StatusCode == http.StatusTooManyRequests && strings.EqualFold(resp.Header.Get("X-RateLimit-Scope"), "integration-partner") {
		e.Code = PartnerRateLimitCode
	}
	if e.RequestID == "" {
		e.RequestID = resp.Header.Get("X-Request-Id")
	}
}

// badKeyError marks Ashby's 403 for a wrong or deactivated key: Ashby
// answers 401 only when the key is missing and 403 when it is not
// accepted (https://developers.ashbyhq.com/docs/authentication), so a 403
// whose code is not missing_endpoint_permission means the credentials are
// bad. It matches ats.ErrUnauthorized as well as ats.ErrForbidden, and
// errors.As still finds the *ats.APIError with the real status 403.
type badKeyError struct{ *ats.APIError }

// Unwrap returns the *ats.APIError.
func (e *badKeyError) Unwrap() error { return e.APIError }

// Is reports true for ats.ErrUnauthorized.
func (e *badKeyError) Is(target error) bool { return target == ats.ErrUnauthorized }

func classifyHTTPError(err error) error {
	var ae *ats.APIError
	if errors.As(err, &ae) && ae.StatusCode == http.StatusForbidden && ae.Code != "missing_endpoint_permission" {
		return &badKeyError{ae}
	}
	return err
}
