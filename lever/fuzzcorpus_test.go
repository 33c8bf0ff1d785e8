package lever_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lever"
)

// TestFuzzCorpus pins what each checked-in seed of FuzzVerifyWebhook must
// do, so the corpus keeps exercising the accepting path as well as each
// rejection: the fuzz target alone accepts either outcome. Every file must
// have an expectation here.
func TestFuzzCorpus(t *testing.T) {
	want := map[string]error{
		"valid_stage_change": nil,
		"valid_archive":      nil,
		"bad_signature":      ats.ErrSignatureInvalid,
		"stale":              ats.ErrWebhookExpired,
		"empty":              ats.ErrMalformedWebhook,
		"array":              ats.ErrMalformedWebhook,
		"float_time":         ats.ErrMalformedWebhook,
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzVerifyWebhook")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(want) {
		t.Errorf("corpus has %d files, expectations cover %d", len(entries), len(want))
	}
	v := lever.WebhookVerifier{SignatureToken: sigToken, Now: clock}
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			target, ok := want[e.Name()]
			if !ok {
				t.Fatalf("no expectation for corpus file %s", e.Name())
			}
			raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			header, arg, _ := strings.Cut(strings.TrimSpace(string(raw)), "\n")
			lit, ok := strings.CutPrefix(arg, "[]byte(")
			if header != "go test fuzz v1" || !ok || !strings.HasSuffix(lit, ")") {
				t.Fatalf("%s is not a go test fuzz v1 []byte entry", e.Name())
			}
			body, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
			if err != nil {
				t.Fatal(err)
			}
			evs, err := v.VerifyWebhook([]byte(body), nil)
			if target == nil {
				if err != nil || len(evs) != 1 {
					t.Fatalf("VerifyWebhook = %+v, %v; want one event", evs, err)
				}
				return
			}
			if !errors.Is(err, target) {
				t.Errorf("VerifyWebhook err = %v, want %v", err, target)
			}
		})
	}
}
