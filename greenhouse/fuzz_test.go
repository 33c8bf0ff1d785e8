package greenhouse_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/greenhouse"
)

const fuzzSecret = "fuzz-secret"

func fuzzVerifier() greenhouse.WebhookVerifier {
	return greenhouse.WebhookVerifier{Secrets: []string{"other", fuzzSecret}, Now: func() time.Time { return webhookNow }}
}

// FuzzVerifyWebhook checks that the verifier never panics, accepts a
// delivery only when its Signature is the HMAC of the exact body, and
// wraps every refusal in one of the ats sentinels.
func FuzzVerifyWebhook(f *testing.F) {
	f.Add([]byte(`{"action":"ping"}`), greenhouse.Sign([]byte(`{"action":"ping"}`), fuzzSecret))
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		h := http.Header{}
		h.Set(greenhouse.SignatureHeader, sig)
		evs, err := fuzzVerifier().VerifyWebhook(body, h)
		if err == nil && len(evs) == 0 {
			// Only a ping is accepted with nothing to act on, signed or
			// not (its signing is not documented).
			var env struct {
				Action string `json:"action"`
			}
			if json.Unmarshal(body, &env) != nil || env.Action != "ping" {
				t.Fatalf("accepted a non-ping delivery with no events: %q", body)
			}
			return
		}
		if err == nil {
			got, want := strings.Fields(sig), strings.Fields(greenhouse.Sign(body, fuzzSecret))
			if len(got) != 2 || !strings.EqualFold(got[0], want[0]) || !strings.EqualFold(got[1], want[1]) {
				t.Fatalf("accepted signature %q for a body signed %q", sig, greenhouse.Sign(body, fuzzSecret))
			}
			if len(evs) != 1 || evs[0].Type == "" || evs[0].ID == "" {
				t.Fatalf("accepted delivery decoded to %+v", evs)
			}
			// The freshness window: an accepted stage change carries an
			// event time inside [now-MaxAge, now+FutureSkew].
			if ev := evs[0]; ev.Type == greenhouse.ActionCandidateStageChange && !ev.Time.IsZero() &&
				(ev.Time.Before(webhookNow.Add(-greenhouse.DefaultWebhookMaxAge)) || ev.Time.After(webhookNow.Add(greenhouse.DefaultWebhookFutureSkew))) {
				t.Fatalf("accepted a stage change at %v, outside the window around %v", ev.Time, webhookNow)
			}
			// The replay rule: through a guard, an accepted delivery is
			// acted on once per connection.
			g := &ats.MemoryReplayGuard{Now: func() time.Time { return webhookNow }}
			for i, conn := range []string{"acme", "acme", "globex"} {
				v := fuzzVerifier()
				v.Replay, v.Connection = g, conn
				_, err := v.VerifyWebhook(body, h)
				if replayed := errors.Is(err, ats.ErrWebhookReplayed); replayed != (i == 1) || (!replayed && err != nil) {
					t.Fatalf("presentation %d through the replay guard: %v", i+1, err)
				}
			}
			return
		}
		for _, s := range []error{ats.ErrSignatureMissing, ats.ErrSignatureInvalid, ats.ErrWebhookExpired, ats.ErrMalformedWebhook} {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("error %v wraps no ats sentinel", err)
	})
}

// FuzzParseEvent checks the payload decoder: no panics, and errors are
// ats.ErrMalformedWebhook.
func FuzzParseEvent(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, _, err := greenhouse.ParseEvent(body, nil)
		if err != nil {
			if !errors.Is(err, ats.ErrMalformedWebhook) {
				t.Fatalf("error %v is not ats.ErrMalformedWebhook", err)
			}
			return
		}
		if ev.Type == "" || ev.Source != "greenhouse" || ev.ID == "" {
			t.Fatalf("decoded %+v", ev)
		}
	})
}

// FuzzNextLink checks that the Link parser never panics and returns a
// URL that was inside angle brackets of the input.
func FuzzNextLink(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		got := greenhouse.NextLink([]string{v})
		if got != "" && !strings.Contains(v, "<"+got+">") {
			t.Fatalf("NextLink(%q) = %q, not a bracketed target", v, got)
		}
	})
}

// TestFuzzCorpus pins what each checked-in seed of FuzzVerifyWebhook must
// do, so the corpus keeps exercising the accepting path and each refusal.
func TestFuzzCorpus(t *testing.T) {
	want := map[string]error{
		"valid_stage_change":         nil,
		"valid_ping":                 nil,
		"bad_signature":              ats.ErrSignatureInvalid,
		"missing_signature":          ats.ErrSignatureMissing,
		"stale":                      ats.ErrWebhookExpired,
		"future":                     ats.ErrWebhookExpired,
		"array":                      ats.ErrMalformedWebhook,
		"trailing":                   ats.ErrMalformedWebhook,
		"stage_change_without_stage": ats.ErrMalformedWebhook,
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
			target, ok := want[e.Name()]
			if !ok {
				t.Fatalf("no expectation for corpus file %s", e.Name())
			}
			raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
			if len(lines) != 3 || lines[0] != "go test fuzz v1" {
				t.Fatalf("%s is not a two-argument go test fuzz v1 entry", e.Name())
			}
			body := unquoteArg(t, lines[1], "[]byte(")
			sig := unquoteArg(t, lines[2], "string(")
			h := http.Header{}
			h.Set(greenhouse.SignatureHeader, sig)
			evs, err := fuzzVerifier().VerifyWebhook([]byte(body), h)
			if target == nil {
				wantEvents := 1
				if strings.Contains(body, `"action":"ping"`) {
					wantEvents = 0 // a ping is answered, never acted on
				}
				if err != nil || len(evs) != wantEvents {
					t.Fatalf("VerifyWebhook = %+v, %v; want %d events", evs, err, wantEvents)
				}
				return
			}
			if !errors.Is(err, target) {
				t.Errorf("err = %v, want %v", err, target)
			}
		})
	}
}

func unquoteArg(t *testing.T, line, prefix string) string {
	t.Helper()
	lit, ok := strings.CutPrefix(line, prefix)
	if !ok || !strings.HasSuffix(lit, ")") {
		t.Fatalf("%q is not a %s…) argument", line, prefix)
	}
	s, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
