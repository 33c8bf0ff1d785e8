package ashby_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/atskit/atskit/ashby"
	"github.com/atskit/atskit/ats"
)

// corpusArgs reads a "go test fuzz v1" file into its literal arguments.
func corpusArgs(t *testing.T, path string) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if lines[0] != "go test fuzz v1" {
		t.Fatalf("%s is not a go test fuzz v1 file", path)
	}
	var out []string
	for _, l := range lines[1:] {
		open := strings.IndexByte(l, '(')
		lit := l[open+1 : len(l)-1]
		if strings.HasPrefix(lit, `"`) {
			s, err := strconv.Unquote(lit)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			lit = s
		}
		out = append(out, lit)
	}
	return out
}

// TestFuzzCorpus pins what each checked-in seed must do, so the corpus
// keeps exercising the accepting path as well as each rejection (the fuzz
// targets alone accept either outcome). Every file needs an expectation.
func TestFuzzCorpus(t *testing.T) {
	t.Run("FuzzVerifyWebhook", func(t *testing.T) {
		want := map[string]error{
			"valid_stage_change":            nil,
			"valid_archived":                nil,
			"valid_ping_explicit_signature": nil,
			"upper_case_signature":          nil,
			"wrong_signature":               ats.ErrSignatureInvalid,
			"missing_signature":             ats.ErrSignatureMissing,
			"bare_hex":                      ats.ErrSignatureInvalid,
			"malformed_json":                ats.ErrMalformedWebhook,
			"no_application":                ats.ErrMalformedWebhook,
			"trailing_data":                 ats.ErrMalformedWebhook,
		}
		checkCorpus(t, "FuzzVerifyWebhook", len(want), func(t *testing.T, name string, args []string) {
			target, ok := want[name]
			if !ok {
				t.Fatalf("no expectation for corpus file %s", name)
			}
			body := []byte(args[0])
			evs, err := ashby.WebhookVerifier{Secrets: []string{fuzzSecret}}.VerifyWebhook(body, fuzzHeader(body, args[1]))
			if target == nil && (err != nil || len(evs) != 1) {
				t.Fatalf("VerifyWebhook = %+v, %v; want one event", evs, err)
			}
			if target != nil && !errors.Is(err, target) {
				t.Fatalf("VerifyWebhook error %v; want %v", err, target)
			}
		})
	})
	t.Run("FuzzResponseDecoding", func(t *testing.T) {
		want := map[string]error{
			"success_application": nil,
			"not_found_in_200":    ats.ErrNotFound,
			"missing_success":     errAny,
			"more_without_cursor": errAny, // (list) checked below
			"forbidden":           ats.ErrForbidden,
			"millisecond_time":    nil,
			"bad_time":            errAny,
		}
		checkCorpus(t, "FuzzResponseDecoding", len(want), func(t *testing.T, name string, args []string) {
			target, ok := want[name]
			if !ok {
				t.Fatalf("no expectation for corpus file %s", name)
			}
			status, _ := strconv.Atoi(args[0])
			c, _ := ashby.NewClient(ashby.Options{APIKey: "k", BaseURL: "https://api.ashby.invalid", RateLimit: -1, MaxRetries: -1,
				HTTPClient: &http.Client{Transport: bodyTransport{status, []byte(args[1])}}})
			var err error
			if name == "more_without_cursor" {
				for _, e := range c.ListApplications(t.Context(), ashby.ListApplicationsOptions{}) {
					err = e
				}
			} else {
				_, err = c.ApplicationInfo(t.Context(), "a")
			}
			switch {
			case target == nil && err != nil:
				t.Fatalf("unexpected error %v", err)
			case target == errAny && err == nil, target != nil && target != errAny && !errors.Is(err, target):
				t.Fatalf("error %v; want %v", err, target)
			}
		})
	})
}

var errAny = errors.New("any error")

func checkCorpus(t *testing.T, target string, n int, check func(t *testing.T, name string, args []string)) {
	dir := filepath.Join("testdata", "fuzz", target)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != n {
		t.Errorf("corpus has %d files, expectations cover %d", len(entries), n)
	}
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) { check(t, e.Name(), corpusArgs(t, filepath.Join(dir, e.Name()))) })
	}
}
