package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/atskit/atskit/provider"
)

// TestGreenhouseContract checks that the server also serves Greenhouse's
// Assessment Partner API under /greenhouse/, with -token as the Basic key.
func TestGreenhouseContract(t *testing.T) {
	h, _ := newServer(config{Token: "provider-token", Logger: slog.New(slog.DiscardHandler),
		Publisher: provider.PublisherOptions{Logger: slog.New(slog.DiscardHandler)}})
	srv := httptest.NewServer(h)
	defer srv.Close()
	tests := []struct {
		name, method, path, key, body string
		want                          int
		wantBody                      string
	}{
		{"list_tests", "GET", "/greenhouse/list_tests", "provider-token", "", 200, `[{"partner_test_id":"1","partner_test_name":"Aptitude Test"}]`},
		{"send_test", "POST", "/greenhouse/send_test", "provider-token", `{"partner_test_id":"1","candidate":{"first_name":"A","last_name":"B","email":"a@example.com"},"url":"https://app.greenhouse.io/integrations/testing_partners/take_home_tests/1"}`, 200, `{"partner_interview_id":`},
		{"test_status unknown", "GET", "/greenhouse/test_status?partner_interview_id=x", "provider-token", "", 404, ""},
		{"response_error", "POST", "/greenhouse/response_error", "provider-token", `{"api_call":"test_status","errors":["x"]}`, 200, `{"status":200}`},
		{"wrong key", "GET", "/greenhouse/list_tests", "nope", "", 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			req.SetBasicAuth(tt.key, "")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.want || !strings.Contains(string(b), tt.wantBody) {
				t.Errorf("%s %s = %d %s, want %d containing %q", tt.method, tt.path, resp.StatusCode, b, tt.want, tt.wantBody)
			}
		})
	}
}
