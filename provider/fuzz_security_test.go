package provider

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzAnonymousRequest: whatever the method, path, Authorization header
// and body, a caller without a valid token gets exactly 401 and nothing
// from the backend.
func FuzzAnonymousRequest(f *testing.F) {
	f.Add("GET", "/nope", "", "")
	f.Add("POST", "/interviews", "Bearer guess", validInterview)
	f.Add("DELETE", "/interviews/iv_1", "bearer", "")
	f.Add("GET", "/interviews/a%2Fb/shared-link", "Basic dG9rOg==", "")
	f.Add("PUT", "/tests", "Bearer "+tokenAcme+"x", "{}")
	backend := &scriptedBackend{}
	h := newTestHandler(f, backend)
	f.Fuzz(func(t *testing.T, method, path, authz, body string) {
		if !validMethod(method) || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t#?") {
			return
		}
		if strings.Contains(authz, tokenAcme) || strings.Contains(authz, tokenGlobex) || strings.ContainsAny(authz, "\r\n") {
			return // a valid token, or a header net/http would refuse
		}
		u, err := url.Parse("http://x" + path)
		if err != nil {
			return // net/http refuses such a request line before any handler
		}
		r := httptest.NewRequest(method, "http://x/", strings.NewReader(body))
		r.URL, r.RequestURI = u, path
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("%s %s with Authorization %q: %d, want 401", method, path, authz, w.Code)
		}
		if w.Header().Get("Allow") != "" {
			t.Fatalf("Allow header leaked to an anonymous caller")
		}
		if n := backend.calls.Load(); n != 0 {
			t.Fatalf("backend called %d times for an anonymous caller", n)
		}
	})
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if !(c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
