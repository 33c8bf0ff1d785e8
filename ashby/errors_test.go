package ashby_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/atskit/atskit/ashby"
	"github.com/atskit/atskit/ashby/ashbytest"
	"github.com/atskit/atskit/ats"
)

// TestErrorEnvelope serves canned Ashby answers and checks how each maps
// onto the ats errors.
func TestErrorEnvelope(t *testing.T) {
	cases := []struct {
		name      string
		status    int
		header    map[string]string
		body      string
		want      []error // each must match
		notWant   []error
		code      string
		permanent bool
	}{
		{"not found in a 200", 200, nil, `{"success":false,"errors":["application_not_found"],"errorInfo":{"code":"application_not_found","message":"gone","requestId":"R1"}}`,
			[]error{ats.ErrNotFound}, nil, "application_not_found", true},
		{"invalid input in a 200", 200, nil, `{"success":false,"errorInfo":{"code":"invalid_input","message":"Request payload is malformed","requestId":"R2"}}`,
			[]error{ats.ErrValidation}, nil, "invalid_input", true},
		{"deprecated errors array only", 200, nil, `{"success":false,"errors":["interview_stage_not_found"]}`,
			[]error{ats.ErrNotFound}, nil, "interview_stage_not_found", true},
		{"unknown code is a rejected request", 200, nil, `{"success":false,"errorInfo":{"code":"communication_template_not_allowed","message":"no"}}`,
			[]error{ats.ErrValidation}, nil, "communication_template_not_allowed", true},
		{"expired sync token", 200, nil, `{"success":false,"errorInfo":{"code":"sync_token_expired","message":"do a full sync"}}`,
			[]error{ashby.ErrResyncRequired, ats.ErrValidation}, nil, "sync_token_expired", true},
		{"incremental sync too large", 200, nil, `{"success":false,"errorInfo":{"code":"incremental_sync_too_large","message":"full sync"}}`,
			[]error{ashby.ErrResyncRequired}, nil, "incremental_sync_too_large", true},
		{"report rate limit in a 200", 200, nil, `{"success":false,"errorInfo":{"code":"rate_limit_exceeded","message":"slow down"}}`,
			[]error{ats.ErrRateLimited}, nil, "rate_limit_exceeded", false},
		{"missing key", 401, nil, `{"success":false,"errorInfo":{"code":"unauthenticated","message":"no key"}}`,
			[]error{ats.ErrUnauthorized}, nil, "unauthenticated", true},
		{"wrong key", 403, nil, `{"success":false,"errorInfo":{"code":"invalid_api_key","message":"bad key"}}`,
			[]error{ats.ErrUnauthorized, ats.ErrForbidden}, nil, "invalid_api_key", true},
		{"missing permission", 403, nil, `{"success":false,"errorInfo":{"code":"missing_endpoint_permission","message":"needs candidatesWrite"}}`,
			[]error{ats.ErrForbidden}, []error{ats.ErrUnauthorized}, "missing_endpoint_permission", true},
		{"permission code in a 200", 200, nil, `{"success":false,"errorInfo":{"code":"missing_endpoint_permission","message":"x"}}`,
			[]error{ats.ErrForbidden}, []error{ats.ErrUnauthorized}, "missing_endpoint_permission", true},
		{"partner-wide 429", 429, map[string]string{"X-RateLimit-Scope": "integration-partner"}, `{"success":false,"errorInfo":{"code":"rate_limit_exceeded","message":"partner"}}`,
			[]error{ats.ErrRateLimited}, nil, ashby.PartnerRateLimitCode, false},
		{"server error with HTML body", 502, nil, `<html>bad gateway</html>`, nil, []error{ats.ErrNotFound}, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c, err := ashby.NewClient(ashby.Options{APIKey: "k", BaseURL: srv.URL, RateLimit: -1, MaxRetries: -1})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ApplicationInfo(ctx(t), "a1")
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Errorf("%v does not match %v", err, w)
				}
			}
			for _, w := range tc.notWant {
				if errors.Is(err, w) {
					t.Errorf("%v matches %v", err, w)
				}
			}
			var ae *ats.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("%T is not an *ats.APIError", err)
			}
			if ae.Code != tc.code {
				t.Errorf("Code = %q, want %q", ae.Code, tc.code)
			}
			if got := ats.IsPermanent(err); got != tc.permanent {
				t.Errorf("IsPermanent = %v, want %v", got, tc.permanent)
			}
		})
	}
}

func TestMalformedSuccess(t *testing.T) {
	cases := map[string]string{
		"no success field":   `{"results":{}}`,
		"no results":         `{"success":true}`,
		"not JSON":           `ok`,
		"results wrong type": `{"success":true,"results":"x"}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
			defer srv.Close()
			c, _ := ashby.NewClient(ashby.Options{APIKey: "k", BaseURL: srv.URL, RateLimit: -1, MaxRetries: -1})
			if _, err := c.ApplicationInfo(ctx(t), "a1"); err == nil {
				t.Errorf("body %s was accepted", body)
			}
		})
	}
}

func TestNewClientValidation(t *testing.T) {
	cases := map[string]ashby.Options{
		"no key":   {},
		"blank":    {APIKey: "  "},
		"bad base": {APIKey: "k", BaseURL: "not a url"},
	}
	for name, o := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := ashby.NewClient(o); err == nil {
				t.Error("NewClient accepted bad options")
			}
		})
	}
}

// TestAuthAgainstFake checks Ashby's auth rules end to end: basic auth
// with the key and a blank password; 401 without a key; 403 for a
// deactivated key or a missing permission.
func TestAuthAgainstFake(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.AddAPIKey("read-only", "candidatesRead", "jobsRead")
	f.srv.AddAPIKey("disabled", ashbytest.AllPermissions()...)
	f.srv.DisableAPIKey("disabled")
	cases := []struct {
		key     string
		want    error
		notWant error
	}{
		{"read-only", ats.ErrForbidden, ats.ErrUnauthorized},
		{"disabled", ats.ErrUnauthorized, nil},
	}
	for _, tc := range cases {
		t.Run(tc.key, func(t *testing.T) {
			c := newClient(t, f.srv, tc.key, nil)
			_, err := c.CreateNote(ctx(t), f.person.ID, ashby.Note{Text: "x"})
			if !errors.Is(err, tc.want) || tc.notWant != nil && errors.Is(err, tc.notWant) {
				t.Errorf("CreateNote = %v; want %v and not %v", err, tc.want, tc.notWant)
			}
		})
	}
	last, _ := f.srv.LastRequest()
	if last.APIKey != "disabled" {
		t.Errorf("the key was not sent as the basic-auth user name: %q", last.APIKey)
	}
}

func TestRateLimitAgainstFake(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.SetPartnerThrottle(true)
	c := newClient(t, f.srv, ashbytest.DefaultAPIKey, func(o *ashby.Options) { o.MaxRetries = -1 })
	_, err := c.JobInfo(ctx(t), f.job.ID)
	var ae *ats.APIError
	if !errors.Is(err, ats.ErrRateLimited) || !errors.As(err, &ae) || ae.Code != ashby.PartnerRateLimitCode {
		t.Fatalf("JobInfo under partner throttling = %v; want a rate limit with code %s", err, ashby.PartnerRateLimitCode)
	}
	f.srv.SetPartnerThrottle(false)
	if _, err := c.JobInfo(ctx(t), f.job.ID); err != nil {
		t.Errorf("JobInfo after the throttle lifted: %v", err)
	}
}

// TestRetries429 checks that a 429 (Ashby refused before acting) is retried
// even for a write, and a transient 5xx only for calls safe to repeat.
func TestRetries429(t *testing.T) {
	cases := []struct {
		name     string
		status   int
		write    bool
		attempts int
		ok       bool
	}{
		{"429 read", 429, false, 3, true},
		{"429 write", 429, true, 3, true},
		{"503 read", 503, false, 3, true},
		{"503 note is not repeated", 503, true, 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n++
				if n < 3 {
					w.WriteHeader(tc.status)
					w.Write([]byte(`{"success":false,"errorInfo":{"code":"x","message":"later"}}`))
					return
				}
				w.Write([]byte(`{"success":true,"results":{"id":"n1","content":"x"}}`))
			}))
			defer srv.Close()
			c, _ := ashby.NewClient(ashby.Options{APIKey: "k", BaseURL: srv.URL, RateLimit: -1, MaxRetries: 5, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
			var err error
			if tc.write {
				_, err = c.CreateNote(ctx(t), "c1", ashby.Note{Text: "x"})
			} else {
				_, err = c.CandidateInfo(ctx(t), "c1")
			}
			if (err == nil) != tc.ok || n != tc.attempts {
				t.Errorf("err = %v after %d attempts; want ok=%v after %d", err, n, tc.ok, tc.attempts)
			}
		})
	}
}

func TestTimeForms(t *testing.T) {
	want := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{`"2026-11-30T08:00:00Z"`, want, true},
		{`"2026-11-30T09:00:00.000+01:00"`, want, true},
		{`"2026-11-30T08:00:00"`, want, true},
		{`"2026-11-30"`, want.Truncate(24 * time.Hour), true},
		{`1796025600000`, want, true},
		{`null`, time.Time{}, true},
		{`"yesterday"`, time.Time{}, false},
		{`12a`, time.Time{}, false},
	}
	for _, tc := range cases {
		var v ashby.Time
		err := v.UnmarshalJSON([]byte(tc.in))
		if (err == nil) != tc.ok || !v.Equal(tc.want) {
			t.Errorf("UnmarshalJSON(%s) = %v, %v; want %v (ok=%v)", tc.in, v.Time, err, tc.want, tc.ok)
		}
	}
}
