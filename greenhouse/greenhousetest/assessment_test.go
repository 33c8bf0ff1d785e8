package greenhousetest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/atskit/atskit/greenhouse/greenhousetest"
	"github.com/google/go-cmp/cmp"
)

// fakeVendor answers every call with the given bodies and records the
// response_error reports and the auth it saw.
type fakeVendor struct {
	mu      sync.Mutex
	reports []map[string]any
	users   []string
	answers map[string]string
}

func (v *fakeVendor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, _ := r.BasicAuth()
	v.mu.Lock()
	defer v.mu.Unlock()
	v.users = append(v.users, user+":"+pass)
	if r.URL.Path == "/response_error" {
		var m map[string]any
		json.NewDecoder(r.Body).Decode(&m)
		v.reports = append(v.reports, m)
		w.Write([]byte(`{"status":200}`))
		return
	}
	_, _ = io.Copy(io.Discard, r.Body)
	w.Write([]byte(v.answers[r.URL.Path]))
}

func TestPartnerValidatesVendorAnswers(t *testing.T) {
	tests := []struct {
		name     string
		call     func(context.Context, *greenhousetest.Partner, int64) error
		answers  map[string]string
		wantCall string
		wantErrs []string
	}{
		{
			name: "list_tests with a numeric id",
			call: func(ctx context.Context, p *greenhousetest.Partner, _ int64) error {
				_, err := p.ListTests(ctx)
				return err
			},
			answers: map[string]string{"/list_tests": `[{"partner_test_id":1,"partner_test_name":"x"}]`}, wantCall: "list_tests",
			wantErrs: []string{"test 0 lacks a string partner_test_id or partner_test_name"},
		},
		{
			name: "send_test without an id",
			call: func(ctx context.Context, p *greenhousetest.Partner, app int64) error {
				_, err := p.SendTest(ctx, app, "1", "")
				return err
			},
			answers: map[string]string{"/send_test": `{"partner_interview_id":98765}`}, wantCall: "send_test",
			wantErrs: []string{"partner_interview_id must be a non-empty string"},
		},
		{
			name: "complete without profile url, nested metadata",
			call: func(ctx context.Context, p *greenhousetest.Partner, _ int64) error {
				_, err := p.TestStatus(ctx, "1")
				return err
			},
			answers: map[string]string{"/test_status": `{"partner_status":"complete","partner_score":"high","metadata":{"a":{"b":1}}}`}, wantCall: "test_status",
			wantErrs: []string{"partner_status is 'complete' but partner_profile url is missing", "partner_score must be a number", "metadata.a must be a Javascript primitive"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := greenhousetest.NewServer()
			defer srv.Close()
			j := srv.AddJob(greenhousetest.Job{})
			c := srv.AddCandidate(greenhousetest.Candidate{JobID: j.ID, FirstName: "A", LastName: "B", Emails: []string{"a@example.com"}})
			v := &fakeVendor{answers: tt.answers}
			vs := httptest.NewServer(v)
			defer vs.Close()
			p, err := srv.NewPartner(greenhousetest.PartnerConfig{ListTestsURL: vs.URL + "/list_tests", SendTestURL: vs.URL + "/send_test",
				TestStatusURL: vs.URL + "/test_status", ResponseErrorURL: vs.URL + "/response_error", Key: "k"})
			if err != nil {
				t.Fatal(err)
			}
			err = tt.call(context.Background(), p, c.ApplicationID)
			var pe *greenhousetest.PartnerError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *PartnerError", err)
			}
			if diff := cmp.Diff([]any{tt.wantCall, tt.wantErrs}, []any{pe.APICall, pe.Errors}); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			v.mu.Lock()
			defer v.mu.Unlock()
			if len(v.reports) != 1 || v.reports[0]["api_call"] != tt.wantCall {
				t.Errorf("response_error reports: %v", v.reports)
			}
			for _, u := range v.users {
				if u != "k:" {
					t.Errorf("auth %q, want the key and a blank password", u)
				}
			}
		})
	}
	t.Run("171-character key refused", func(t *testing.T) {
		srv := greenhousetest.NewServer()
		defer srv.Close()
		if _, err := srv.NewPartner(greenhousetest.PartnerConfig{Key: strings.Repeat("k", 171)}); err == nil {
			t.Error("accepted")
		}
	})
}
