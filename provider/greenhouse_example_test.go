package provider_test

import (
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/atskit/atskit/provider"
)

// A vendor serves Greenhouse's Assessment Partner API from the same
// backend that serves Workable's assessment contract, and gives Greenhouse
// the four URLs under https://vendor.example/greenhouse/ with the key it
// issued to the customer.
func ExampleNewGreenhouseHandler() {
	backend := provider.NewMemoryBackend(provider.MemoryBackendOptions{
		Tests: []provider.Test{{ID: provider.NumberID(12345), Name: "My First Test"}},
	})
	keys := provider.NewStaticTokens(map[string]provider.Account{"key-issued-to-acme": "acme"})
	h, err := provider.NewGreenhouseHandler(provider.GreenhouseFromAssessments(backend), provider.GreenhouseHandlerOptions{
		Tokens: keys,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/greenhouse/", http.StripPrefix("/greenhouse", h))

	call := func(method, path, body string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.SetBasicAuth("key-issued-to-acme", "") // Greenhouse: key as user name, blank password
		rr := httptest.NewRecorder()
		mux.ServeHTTP(rr, req)
		b, _ := io.ReadAll(rr.Body)
		fmt.Println(rr.Code, strings.TrimSpace(string(b)))
	}
	call("GET", "/greenhouse/list_tests", "")
	call("POST", "/greenhouse/send_test", `{"partner_test_id":"12345","candidate":{"first_name":"Harry","last_name":"Potter",
		"email":"hpotter@hogwarts.edu","greenhouse_profile_url":"https://app.greenhouse.io/people/1?application_id=2"},
		"url":"https://app.greenhouse.io/integrations/testing_partners/take_home_tests/12345"}`)
	call("GET", "/greenhouse/test_status?partner_interview_id=unknown", "")
	// Output:
	// 200 [{"partner_test_id":"12345","partner_test_name":"My First Test"}]
	// 200 {"partner_interview_id":"as_1"}
	// 404 {"status":404,"message":"Not Found"}
}
