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
// do, so the corpus keeps exercising the accepting path (and the replay
// rule after it) as well as each rejection: the fuzz target alone accepts
// either outcome. Every file must have an expectation here.
func TestFuzzCorpus(t *testing.T) {
	type expect struct {
		err    error
		events int // when err is nil
	}
	want := map[string]expect{
		"valid_stage_change":  {nil, 1},
		"valid_archive":       {nil, 1},
		"documented_no_id":    {nil, 1}, // Lever's example delivery has no id
		"test_request":        {nil, 0}, // settings-page test: data {}
		"stale":               {nil, 1}, // an hour late: a Lever retry
		"rerun_13_days":       {nil, 1}, // an admin's Rerun
		"expired_16_days":     {ats.ErrWebhookExpired, 0},
		"future_2min":         {ats.ErrWebhookExpired, 0},
		"digit_moved_to_time": {ats.ErrWebhookExpired, 0}, // same signed bytes, year 2521
		"beyond_int64":        {ats.ErrMalformedWebhook, 0},
		"bad_signature":       {ats.ErrSignatureInvalid, 0},
		"empty":               {ats.ErrMalformedWebhook, 0},
		"array":               {ats.ErrMalformedWebhook, 0},
		"float_time":          {ats.ErrMalformedWebhook, 0},
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzVerifyWebhook")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(want) {
		t.Errorf("corpus has %d files, expectations cover %d", len(entries), len(want))
	}
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			exp, ok := want[e.Name()]
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
			v := lever.WebhookVerifier{Secrets: []string{sigToken}, Now: clock, Replay: &ats.MemoryReplayGuard{Now: clock}}
			evs, err := v.VerifyWebhook([]byte(body), nil)
			if exp.err != nil {
				if !errors.Is(err, exp.err) {
					t.Errorf("VerifyWebhook err = %v, want %v", err, exp.err)
				}
				return
			}
			if err != nil || len(evs) != exp.events {
				t.Fatalf("VerifyWebhook = %+v, %v; want %d events", evs, err, exp.events)
			}
			if _, err := v.VerifyWebhook([]byte(body), nil); !errors.Is(err, ats.ErrWebhookReplayed) {
				t.Errorf("second VerifyWebhook err = %v, want ats.ErrWebhookReplayed", err)
			}
		})
	}
}
