package provider_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/provider"
)

// A vendor mounts the handler under a prefix of the server it already runs.
// Workable is then configured with the base URL https://vendor.example/workable
// and the token issued to the customer.
func ExampleNewHandler() {
	backend := provider.NewMemoryBackend(provider.MemoryBackendOptions{
		InterviewTemplates: []provider.InterviewTemplate{{ID: "1", Name: "Aptitude Interview"}},
	})
	tokens := provider.NewStaticTokens(map[string]provider.Account{"tok-acme": "acme"})
	h, err := provider.NewHandler(backend, provider.HandlerOptions{Tokens: tokens})
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.Handle("/workable/", http.StripPrefix("/workable", h))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	body := `{"interview_template_id":"1","job_title":"Operations Manager",
	  "callback_url":"https://groove-tech.workable.com/interviews/8823119",
	  "candidate":{"first_name":"Lakita","last_name":"Marrero","email":"lakita@example.com"}}`
	req, _ := http.NewRequest("POST", srv.URL+"/workable/interviews", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer tok-acme")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(out))

	inv, _ := backend.Invitation("iv_1")
	fmt.Println(inv.Account, inv.CallbackURL)
	// Output:
	// 201 {"interview_id":"iv_1"}
	// acme https://groove-tech.workable.com/interviews/8823119
}

// When the candidate finishes, the vendor publishes the result to the
// callback URL with the token Workable issued for the integration.
func ExamplePublisher() {
	// A stand-in for Workable's results endpoint.
	workable := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Println(r.Method, r.URL.Path, r.Header.Get("Authorization"))
		fmt.Println(string(b))
	}))
	defer workable.Close()

	p := provider.NewPublisher(provider.PublisherOptions{
		// Only because the stand-in is a local http server; production
		// callbacks must be https on *.workable.com.
		AllowLoopback: true, AllowInsecureHTTP: true,
		Logger: slog.New(slog.DiscardHandler),
	})
	d, err := p.Publish(context.Background(), workable.URL+"/interviews/8823119", "workable-issued-token", provider.StatusDocument{
		Status:     provider.StatusCompleted,
		ResultsURL: "https://vendor.example/interviews/iv_1",
		Interview:  &provider.InterviewResult{Score: "78", Grade: ats.GradeExcelled},
	})
	fmt.Println(d.Attempts, d.StatusCode, err)
	// Output:
	// PUT /interviews/8823119 Bearer workable-issued-token
	// {"status":"completed","results_url":"https://vendor.example/interviews/iv_1","grade":"excelled","interview":{"score":"78","grade":"excelled"}}
	// 1 200 <nil>
}

// Tokens resolve to the account they were issued to; during a rotation the
// old and the new token are valid together.
func ExampleStaticTokens() {
	tokens := provider.NewStaticTokens(map[string]provider.Account{"tok-acme-old": "acme"})
	tokens.Add("tok-acme-new", "acme") // give the customer the new token…
	for _, tok := range []string{"tok-acme-old", "tok-acme-new"} {
		acct, err := tokens.ResolveToken(context.Background(), tok)
		fmt.Println(acct, err)
	}
	tokens.Remove("tok-acme-old") // …and revoke the old one once Workable uses it
	_, err := tokens.ResolveToken(context.Background(), "tok-acme-old")
	fmt.Println(err)
	// Output:
	// acme <nil>
	// acme <nil>
	// provider: invalid token
}

// Validate refuses a result Workable could not display before anything is
// sent.
func ExampleStatusDocument_Validate() {
	r := provider.StatusDocument{
		Status:     provider.StatusCompleted,
		ResultsURL: "https://vendor.example/interviews/iv_1",
		Interview: &provider.InterviewResult{Details: map[string]any{
			"behavior": map[string]any{"Influence": 97, "taken": "12/03/2024"},
		}},
	}
	fmt.Println(r.Validate())
	// Output:
	// provider: invalid result: interview.details.behavior.taken "12/03/2024" looks like a date but is not ISO 8601 (e.g. 2024-03-12 or 2024-03-12T09:30:00Z)
}

// A completed assessment with the four report kinds Harver offers: the
// details page becomes results_url, the PDFs attachments, and every link
// is listed in the results' details.
func ExampleStatusDocument_WithReports() {
	r, err := provider.StatusDocument{Status: provider.StatusCompleted, Assessment: &provider.InterviewResult{Score: "82", Grade: ats.GradePassed}}.WithReports(
		provider.Report{Kind: provider.ReportDetailsPage, URL: "https://vendor.example/c/1"},
		provider.Report{Kind: provider.ReportReadOnlyDetailsPage, URL: "https://vendor.example/c/1/ro"},
		provider.Report{Kind: provider.ReportPDF, URL: "https://vendor.example/c/1.pdf"},
		provider.Report{Kind: provider.ReportSigned, URL: "https://vendor.example/c/1-signed.pdf"},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.ResultsURL)
	for _, a := range r.Attachments {
		fmt.Println(a.Description, a.URL)
	}
	fmt.Println(len(r.Assessment.Details[provider.ReportsKey].(map[string]any)), "report links in details")
	// Output:
	// https://vendor.example/c/1
	// PDF report https://vendor.example/c/1.pdf
	// Signed report https://vendor.example/c/1-signed.pdf
	// 4 report links in details
}
