package workable

import (
	"net/http"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/google/go-cmp/cmp"
)

func TestDecodeError(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want ats.APIError
	}{
		{"string", `{"error":"Not found"}`, ats.APIError{Message: "Not found"}},
		{"nested", `{"error":{"error":{"error":{"name":"invalid_token","state":"unauthorized"},"reason":"unknown","description":"The access token is invalid"}}}`,
			ats.APIError{Code: "invalid_token", Message: "The access token is invalid"}},
		{"array", `{"error":["tags is missing","tags must be an array"]}`, ats.APIError{Message: "tags is missing; tags must be an array"}},
		{"validation errors", `{"error":"Validation failed","validation_errors":{"email":["is required"],"name":"is blank"}}`,
			ats.APIError{Message: "Validation failed (email: is required; name: is blank)"}},
		{"only validation errors", `{"validation_errors":{"email":"is required"}}`, ats.APIError{Message: "email: is required"}},
		{"empty object", `{}`, ats.APIError{}},
		{"not JSON", `<html>oops</html>`, ats.APIError{}},
		{"object with message", `{"error":{"message":"Boom"}}`, ats.APIError{Message: "Boom"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := &http.Response{Header: http.Header{"X-Request-Id": {"req-1"}}}
			var got ats.APIError
			decodeError(resp, []byte(tc.body), &got)
			tc.want.RequestID = "req-1"
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Error(d)
			}
		})
	}
}

func TestServerBudget(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct {
		name      string
		remaining string
		reset     string
		wantOK    bool
		wantRem   int
		wantReset time.Time
	}{
		{"epoch seconds", "3", "1700000010", true, 3, time.Unix(1_700_000_010, 0)},
		{"fractional epoch", "0", "1700000000.250", true, 0, time.Unix(1_700_000_000, 250e6)},
		{"epoch millis", "0", "1700000005000", true, 0, time.Unix(1_700_000_005, 0)},
		{"delta seconds", "0", "4", true, 0, now.Add(4 * time.Second)},
		{"RFC 3339", "1", "2023-11-14T22:13:30Z", true, 1, time.Date(2023, 11, 14, 22, 13, 30, 0, time.UTC)},
		{"unparseable reset", "0", "soon", true, 0, now.Add(RateWindow)},
		{"absurd reset", "0", "1e300", true, 0, now.Add(RateWindow)},
		{"no headers", "", "", false, 0, time.Time{}},
		{"bad remaining", "x", "1", false, 0, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.remaining != "" {
				h.Set("X-Rate-Limit-Remaining", tc.remaining)
			}
			if tc.reset != "" {
				h.Set("X-Rate-Limit-Reset", tc.reset)
			}
			rem, reset, ok := serverBudget(h, now)
			if ok != tc.wantOK || rem != tc.wantRem || !reset.Equal(tc.wantReset) {
				t.Errorf("got (%d, %v, %v), want (%d, %v, %v)", rem, reset, ok, tc.wantRem, tc.wantReset, tc.wantOK)
			}
		})
	}
}

func TestPacing(t *testing.T) {
	for _, tc := range []struct {
		name   string
		kind   TokenKind
		opts   Options
		n      int
		window time.Duration // before the margin
	}{
		{"account", AccountToken, Options{}, 10, 10 * time.Second},
		{"partner", PartnerToken, Options{ClientID: "x"}, 50, 10 * time.Second},
		{"oauth", OAuthToken, Options{}, 50, 10 * time.Second},
		{"legacy partner", AccountToken, Options{ClientID: "x"}, 50, 10 * time.Second},
		{"override", AccountToken, Options{RateLimit: 50, RateWindow: 200 * time.Millisecond}, 50, 200 * time.Millisecond},
		{"disabled", AccountToken, Options{RateLimit: -1}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, w := pacing(tc.kind, tc.opts)
			if n != tc.n {
				t.Errorf("limit %d per window, want %d", n, tc.n)
			}
			// The client's window is a little longer than the server's,
			// never shorter, and never more than 5% longer.
			if w < tc.window || float64(w) > float64(tc.window)*1.05 {
				t.Errorf("window %v, want within 5%% over %v", w, tc.window)
			}
		})
	}
}
