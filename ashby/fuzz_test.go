package ashby_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/atskit/atskit/ashby"
	"github.com/atskit/atskit/ashby/ashbytest"
	"github.com/atskit/atskit/ats"
)

const fuzzSecret = "fuzz-secret"

// fuzzHeader turns the fuzzed header argument into a header: "sign" signs
// the body correctly, so the decoder is reached; anything else is sent as
// the Ashby-Signature value as is.
func fuzzHeader(body []byte, sig string) http.Header {
	if sig == "sign" {
		sig = ashbytest.Sign(body, fuzzSecret)
	}
	return http.Header{"Ashby-Signature": {sig}}
}

// FuzzVerifyWebhook feeds arbitrary bodies and signatures to the verifier:
// it must never panic, must accept only a correct signature, and what it
// accepts must carry the raw body and a stable ID.
func FuzzVerifyWebhook(f *testing.F) {
	f.Add(stageChangeBody("app-1", "job-1", "stage-1", hookTime), "sign")
	f.Add([]byte(`{"action":"ping","data":{"webhookActionType":"ping"}}`), "sign")
	f.Add([]byte(`{"action":"candidateStageChange","data":{}}`), "sign")
	f.Add([]byte(`{}`), "sha256=00")
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		h := fuzzHeader(body, sig)
		v := ashby.WebhookVerifier{Secrets: []string{"other", fuzzSecret}}
		evs, err := v.VerifyWebhook(body, h)
		if err != nil {
			if !errors.Is(err, ats.ErrSignatureMissing) && !errors.Is(err, ats.ErrSignatureInvalid) && !errors.Is(err, ats.ErrMalformedWebhook) {
				t.Fatalf("error %v wraps none of the verification sentinels", err)
			}
			return
		}
		if sig != "sign" {
			want := ashbytest.Sign(body, fuzzSecret)
			if !bytes.Contains(bytes.ToLower([]byte(sig)), []byte(want[len("sha256="):])) {
				t.Fatalf("accepted signature %q that is not the body's", sig)
			}
		}
		if len(evs) != 1 || evs[0].Source != "ashby" || evs[0].ID == "" || !bytes.Equal(evs[0].Raw, body) {
			t.Fatalf("accepted delivery decoded to %+v", evs)
		}
		again, _ := v.VerifyWebhook(body, h)
		if len(again) != 1 || again[0].ID != evs[0].ID {
			t.Fatal("the same delivery got a different ID")
		}
		// The replay rule: through a guard, an accepted delivery is acted
		// on once per connection (a ping is acted on never, so it is not
		// remembered).
		if evs[0].Type == ashby.EventPing {
			return
		}
		g := &ats.MemoryReplayGuard{}
		for i, conn := range []string{"acme", "acme", "globex"} {
			gv := ashby.WebhookVerifier{Secrets: []string{fuzzSecret}, Replay: g, Connection: conn}
			_, err := gv.VerifyWebhook(body, h)
			if replayed := errors.Is(err, ats.ErrWebhookReplayed); replayed != (i == 1) || (!replayed && err != nil) {
				t.Fatalf("presentation %d through the replay guard: %v", i+1, err)
			}
		}
	})
}

// bodyTransport answers every request with a fixed status and body,
// without a network.
type bodyTransport struct {
	status int
	body   []byte
}

func (b bodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	return &http.Response{StatusCode: b.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(b.body)), Request: r}, nil
}

// FuzzResponseDecoding feeds arbitrary API answers to the envelope and
// results decoders through a single and a list call: they must never
// panic, and an error must be typed when Ashby said success:false.
func FuzzResponseDecoding(f *testing.F) {
	f.Add(200, []byte(`{"success":true,"results":{"id":"a","candidate":{"id":"p"},"currentInterviewStage":{"id":"s"},"job":{"id":"j"}}}`))
	f.Add(200, []byte(`{"success":false,"errorInfo":{"code":"application_not_found","message":"x","requestId":"r"}}`))
	f.Add(200, []byte(`{"success":true,"results":[],"moreDataAvailable":true}`))
	f.Add(403, []byte(`{"success":false,"errors":["missing_endpoint_permission"]}`))
	f.Add(200, []byte(`{"success":true,"results":{"createdAt":12345}}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 599 {
			return
		}
		c, err := ashby.NewClient(ashby.Options{APIKey: "k", BaseURL: "https://api.ashby.invalid", RateLimit: -1, MaxRetries: -1,
			HTTPClient: &http.Client{Transport: bodyTransport{status, body}}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ApplicationInfo(t.Context(), "a")
		if bytes.Contains(body, []byte(`"success":false`)) && err == nil {
			t.Fatalf("success:false answer %q was accepted", body)
		}
		n := 0
		for _, err := range c.ListApplications(t.Context(), ashby.ListApplicationsOptions{}) {
			if n++; n > 1000 || err != nil {
				break
			}
		}
	})
}
