package httpx_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/httpx"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/workable"
)

// TestAdaptersKeepCredentialsOnRedirect drives each existing adapter's
// client (with its own transport construction and credentials) against an
// API that redirects to another host, and checks the other host never
// receives a credential.
func TestAdaptersKeepCredentialsOnRedirect(t *testing.T) {
	var mu sync.Mutex
	var leaked []string
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		leaked = append(leaked, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(evil.Close)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, evil.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(api.Close)

	tests := []struct {
		name string
		new  func() (ats.Adapter, error)
	}{
		{"workable", func() (ats.Adapter, error) {
			return workable.NewClient(workable.Options{Subdomain: "acme", Token: "workable-token-secret", BaseURL: api.URL + "/spi/v3", MaxRetries: -1})
		}},
		{"lever", func() (ats.Adapter, error) {
			return lever.NewClient(lever.Options{APIKey: "lever-key-secret", BaseURL: api.URL + "/v1"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.new()
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			leaked = nil
			mu.Unlock()
			_, err = c.Candidate(context.Background(), "cand1")
			if !errors.Is(err, httpx.ErrForeignHost) {
				t.Errorf("Candidate = %v, want ErrForeignHost", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(leaked) != 0 {
				t.Errorf("the redirect target received %d request(s), Authorization %q", len(leaked), leaked)
			}
		})
	}
}
