package sqlstore_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/atskit/atskit/lifecycle/sqlstore"
	"github.com/atskit/atskit/provider"
)

// Two replicas of a vendor's server, each with its own provider.Handler
// and memory, share one database: Workable's retry of POST /interviews
// reaching the other replica gets the same interview id, and the backend
// creates one invitation.
func ExampleStore_ClaimIdempotency() {
	dir, _ := os.MkdirTemp("", "atskit")
	defer os.RemoveAll(dir)
	store, err := sqlstore.Open(context.Background(), "sqlite", filepath.Join(dir, "atskit.db"))
	if err != nil {
		panic(err)
	}
	defer store.Close()

	tokens := provider.NewStaticTokens(map[string]provider.Account{"tok-acme": "acme"})
	backend := provider.NewMemoryBackend(provider.MemoryBackendOptions{}) // the vendor's own, shared, backend
	replica := func() http.Handler {
		h, err := provider.NewHandler(backend, provider.HandlerOptions{Tokens: tokens, IdempotencyStore: store})
		if err != nil {
			panic(err)
		}
		return h
	}
	body := `{"interview_template_id":"1","callback_url":"https://groove-tech.workable.com/interviews/8823119",
	  "candidate":{"first_name":"Lakita","last_name":"Marrero","email":"lakita@example.com"}}`
	for _, h := range []http.Handler{replica(), replica()} {
		r := httptest.NewRequest("POST", "/interviews", strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer tok-acme")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body.String())
	}
	fmt.Println(len(backend.Invitations()), "invitation")
	// Output:
	// 201 {"interview_id":"iv_1"}
	// 201 {"interview_id":"iv_1"}
	// 1 invitation
}
