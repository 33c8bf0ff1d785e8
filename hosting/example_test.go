package hosting_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/atskit/atskit/examples/custom-adapter/memats"
	"github.com/atskit/atskit/hosting"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/memstore"
)

// ExampleNewHandler serves two customers of one ATS (here the in-memory
// memats from examples/custom-adapter) whose candidate IDs collide: each
// connection has its own route and webhook secret, a delivery signed with
// one customer's secret is refused on the other's route, and one for a
// connection the host does not know is acknowledged and dropped.
func ExampleNewHandler() {
	conns, hooks := &lifecycle.MemoryConnector{}, &hosting.MemoryVerifiers{}
	for _, id := range []string{"acme", "globex"} {
		conns.Set(id, memats.NewAdapter(memats.NewService("token-"+id), "token-"+id))
		hooks.Set("memats", id, memats.Verifier{Secrets: []string{"secret-" + id}})
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	engine := lifecycle.NewEngine(memstore.New(), lifecycle.Options{Connector: conns, Logger: log})
	h, err := hosting.NewHandler(hosting.Options{Engine: engine, Webhooks: hooks, Logger: log})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	deliver := func(route, secret string) int {
		body, _ := json.Marshal(memats.Delivery{ID: "d1", Event: "note_added", CandidateID: "cand0002", JobID: "job0001"})
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/hooks/memats/"+route, bytes.NewReader(body))
		for k, v := range memats.Sign(body, secret, time.Now()) {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	fmt.Println("acme's delivery on acme's route:", deliver("acme", "secret-acme"))
	fmt.Println("acme's delivery on globex's route:", deliver("globex", "secret-acme"))
	fmt.Println("unknown connection:", deliver("initech", "secret-acme"))
	// Output:
	// acme's delivery on acme's route: 200
	// acme's delivery on globex's route: 401
	// unknown connection: 200
}
