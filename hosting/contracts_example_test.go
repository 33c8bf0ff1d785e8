package hosting_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/atskit/atskit/hosting"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/memstore"
	"github.com/atskit/atskit/provider"
)

// ExampleOptions_partnerContracts mounts Greenhouse's Assessment Partner
// API for two customers: each key resolves to its connection, a send_test
// becomes an interview of that connection, and one customer's key cannot
// read the other's test.
func ExampleOptions_partnerContracts() {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	engine := lifecycle.NewEngine(memstore.New(), lifecycle.Options{Vendor: vendor{}, Logger: log,
		// Publishes the PATCH when an interview completes.
		Publisher: lifecycle.ContractPublisher{Greenhouse: provider.NewGreenhousePublisher(provider.PublisherOptions{})}})
	keys := provider.NewStaticTokens(map[string]provider.Account{"key-acme": "acme-gh", "key-globex": "globex-gh"})
	h, err := hosting.NewHandler(hosting.Options{Engine: engine, GreenhouseKeys: keys,
		ContractVendor: contractVendor{"acme-gh": "key-acme", "globex-gh": "key-globex"}, Logger: log})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	call := func(key, method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.SetBasicAuth(key, "")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(b))
	}
	_, sent := call("key-acme", "POST", "/greenhouse/send_test", `{"partner_test_id":"7","candidate":{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com"},
"url":"https://app.greenhouse.io/integrations/testing_partners/take_home_tests/1"}`)
	id := strings.TrimSuffix(strings.TrimPrefix(sent, `{"partner_interview_id":"`), `"}`)
	iv, _ := engine.Interview(ctx, id)
	fmt.Println("interview of", iv.Connection, "published as", iv.Callback.Kind)
	fmt.Println(call("key-acme", "GET", "/greenhouse/test_status?partner_interview_id="+id, ""))
	fmt.Println(call("key-globex", "GET", "/greenhouse/test_status?partner_interview_id="+id, ""))
	// Output:
	// interview of acme-gh published as greenhouse
	// 200 {"partner_status":"pending","partner_profile_url":null,"partner_score":null,"metadata":null}
	// 404 {"status":404,"message":"Not Found"}
}
