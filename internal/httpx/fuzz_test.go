package httpx

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParseRetryAfter: whatever the server sends, the delay is within
// [0, MaxRetryAfter] — never a wrapped negative or centuries-long wait.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"5", "0.5", "-3", "1e12", "1e400", "Inf", "NaN", "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "9223372036.854775807"} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := ParseRetryAfter(v, now)
		if d < 0 || d > MaxRetryAfter {
			t.Fatalf("ParseRetryAfter(%q) = %v, outside [0, %v]", v, d, MaxRetryAfter)
		}
		if !ok && d != 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v but not ok", v, d)
		}
	})
}

// FuzzRedactError: a transport error's text never carries the query,
// stays bounded, and still unwraps to *url.Error.
func FuzzRedactError(f *testing.F) {
	f.Add("https://acme.workable.com/spi/v3/candidates", "email=jane@example.com")
	f.Add("http://[::1]:8080/x", "q="+strings.Repeat("a", 1000))
	f.Add("https://h/"+strings.Repeat("\xff", 300), "secret=1")
	f.Fuzz(func(t *testing.T, base, query string) {
		if query == "" {
			return
		}
		full := base + "?" + query
		err := redactError(&url.Error{Op: "Get", URL: full, Err: errors.New("connection refused")})
		msg := err.Error()
		if len(query) >= 8 && strings.Contains(msg, "?"+query) {
			t.Fatalf("error %q carries the query %q", msg, query)
		}
		if len(msg) > 300 {
			t.Fatalf("error is %d bytes", len(msg))
		}
		if !utf8.ValidString(msg) {
			t.Fatalf("error %q is not valid UTF-8", msg)
		}
		var ue *url.Error
		if !errors.As(err, &ue) {
			t.Fatal("no longer a *url.Error")
		}
	})
}
