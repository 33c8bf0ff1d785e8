package provider_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/atskit/atskit/provider"
)

// tests is a vendor's product in the one shape every partner contract
// shares: a catalogue, orders, their status.
type tests struct{}

func (tests) Catalogue(context.Context, provider.Account) ([]provider.Offering, error) {
	return []provider.Offering{{ID: "7", Name: "Go, level 2"}}, nil
}

func (tests) Order(_ context.Context, account provider.Account, o provider.Order) (string, error) {
	return "ord-" + string(account) + "-" + o.Contract, nil
}

func (tests) Status(context.Context, provider.Account, string) (provider.StatusDocument, error) {
	return provider.StatusDocument{Status: provider.StatusCompleted, ResultsURL: "https://vendor.example/r/1",
		Interview: &provider.InterviewResult{Score: "93"}}, nil
}

// ExampleBackend serves Workable's, Greenhouse's and Ashby's partner
// contracts from one Backend, each key resolving to its customer.
func ExampleBackend() {
	var b provider.Backend = tests{}
	keys := provider.NewStaticTokens(map[string]provider.Account{"key-acme": "acme"})
	mux := http.NewServeMux()
	wh, err := provider.NewHandler(provider.WorkableFrom(b), provider.HandlerOptions{Tokens: keys})
	if err != nil {
		log.Fatal(err)
	}
	mux.Handle("/workable/", http.StripPrefix("/workable", wh))
	gh, err := provider.NewGreenhouseHandler(provider.GreenhouseFrom(b), provider.GreenhouseHandlerOptions{Tokens: keys})
	if err != nil {
		log.Fatal(err)
	}
	mux.Handle("/greenhouse/", http.StripPrefix("/greenhouse", gh))
	ah, err := provider.NewAshbyHandler(provider.AshbyFrom(b), provider.AshbyHandlerOptions{Tokens: keys})
	if err != nil {
		log.Fatal(err)
	}
	mux.Handle("/ashby/", http.StripPrefix("/ashby", ah))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	call := func(method, path, body string) string {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.SetBasicAuth("key-acme", "")
		if strings.HasPrefix(path, "/workable/") {
			req.Header.Set("Authorization", "Bearer key-acme")
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.TrimSpace(string(b))
	}
	fmt.Println(call("GET", "/greenhouse/list_tests", ""))
	fmt.Println(call("POST", "/greenhouse/send_test", `{"partner_test_id":"7","candidate":{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com"},"url":"https://app.greenhouse.io/integrations/testing_partners/take_home_tests/1"}`))
	fmt.Println(call("GET", "/greenhouse/test_status?partner_interview_id=ord-acme-greenhouse", ""))
	fmt.Println(call("POST", "/workable/interviews", `{"interview_template_id":"7","callback_url":"https://acme.workable.com/cb/1","candidate":{"email":"ada@example.com"}}`))
	// Output:
	// [{"partner_test_id":"7","partner_test_name":"Go, level 2"}]
	// {"partner_interview_id":"ord-acme-greenhouse"}
	// {"partner_status":"complete","partner_profile_url":"https://vendor.example/r/1","partner_score":93,"metadata":null}
	// {"interview_id":"ord-acme-workable-interview"}
}
