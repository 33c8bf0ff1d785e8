package httpx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/google/go-cmp/cmp"
)

// recorder records the Authorization header of every request it receives.
type recorder struct {
	mu    sync.Mutex
	auths []string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.auths = append(r.auths, req.Header.Get("Authorization"))
	r.mu.Unlock()
	io.WriteString(w, `{}`)
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.auths...)
}

func TestRedirectNeverCarriesCredentialsToAnotherHost(t *testing.T) {
	// The attacker's host: anything it receives is a leak.
	evil := &recorder{}
	evilSrv := httptest.NewServer(evil)
	t.Cleanup(evilSrv.Close)
	// Same hostname, other port: a different origin too.
	evilURL, _ := url.Parse(evilSrv.URL)

	tests := []struct {
		name     string
		location func(api string) string
		// client is the caller's *http.Client; its CheckRedirect, if any,
		// must not loosen the rule.
		client *http.Client
		// wantSameHost: the redirect stays on the API host and is followed.
		wantSameHost bool
	}{
		{name: "absolute other host", location: func(string) string { return evilSrv.URL + "/steal?email=a@b.example" }},
		{name: "scheme-relative other host", location: func(string) string { return "//" + evilURL.Host + "/steal" }},
		{name: "caller allows every redirect", location: func(string) string { return evilSrv.URL + "/steal" },
			client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}},
		{name: "same host is followed", location: func(api string) string { return api + "/v1/moved" }, wantSameHost: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &recorder{}
			var apiURL string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/v1/moved" {
					api.ServeHTTP(w, r)
					return
				}
				http.Redirect(w, r, tt.location(apiURL), http.StatusFound)
			}))
			t.Cleanup(srv.Close)
			apiURL = srv.URL
			hc := tt.client
			c, err := New(Config{
				ATS: "testats", BaseURL: srv.URL + "/v1", HTTPClient: hc, MaxRetries: -1,
				Authorize: func(r *http.Request) error { r.Header.Set("Authorization", "Bearer "+secret); return nil },
			})
			if err != nil {
				t.Fatal(err)
			}
			before := len(evil.got())
			_, err = c.Do(context.Background(), &Request{Op: "get", Path: "/x"}, nil)
			if leaked := evil.got()[before:]; len(leaked) != 0 {
				t.Fatalf("the other host received %d request(s) with Authorization %q", len(leaked), leaked)
			}
			if tt.wantSameHost {
				if err != nil {
					t.Fatalf("Do = %v, want the same-host redirect followed", err)
				}
				if diff := cmp.Diff([]string{"Bearer " + secret}, api.got()); diff != "" {
					t.Errorf("same-host redirect credentials (-want +got):\n%s", diff)
				}
				return
			}
			if !errors.Is(err, ErrForeignHost) {
				t.Fatalf("Do = %v, want ErrForeignHost", err)
			}
			if strings.Contains(err.Error(), "a@b.example") || strings.Contains(err.Error(), secret) {
				t.Errorf("error carries the query or the credential: %v", err)
			}
		})
	}
}

func TestTransportErrorsAreRedacted(t *testing.T) {
	// A server that is closed: every attempt fails in the transport, and
	// net/http's *url.Error would carry the full URL, query included.
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	c, err := New(Config{ATS: "testats", BaseURL: srv.URL + "/v1", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do(context.Background(), &Request{Op: "find candidate", Path: "/candidates",
		Query: url.Values{"email": {"jane.doe@example.com"}}}, nil)
	if err == nil {
		t.Fatal("Do succeeded against a closed server")
	}
	if strings.Contains(err.Error(), "jane.doe") {
		t.Errorf("error carries the query: %v", err)
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Errorf("error %v no longer unwraps to *url.Error", err)
	}
	if !strings.Contains(err.Error(), "/v1/candidates") {
		t.Errorf("error %q lost the path, which is needed to debug", err)
	}
}

func TestErrorMessagesBounded(t *testing.T) {
	long := strings.Repeat("x", 10_000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, `{"error":"`+long+`"}`)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{ATS: "testats", BaseURL: srv.URL, MaxRetries: -1,
		DecodeError: func(_ *http.Response, body []byte, e *ats.APIError) { e.Message = string(body) }})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do(context.Background(), &Request{Op: "get", Path: "/x"}, nil)
	if err == nil || len(err.Error()) > 600 {
		t.Errorf("error is %d bytes, want a bounded message", len(err.Error()))
	}
	_, err = c.Do(context.Background(), &Request{Op: "get", Path: "https://other.example/" + long}, nil)
	if !errors.Is(err, ErrForeignHost) || len(err.Error()) > 600 {
		t.Errorf("foreign absolute URL: error %d bytes (%v), want bounded ErrForeignHost", len(err.Error()), errors.Is(err, ErrForeignHost))
	}
}
