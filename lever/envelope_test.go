package lever_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lever"
)

// rawClient returns a client whose every request is answered status with
// body.
func rawClient(t *testing.T, status int, body string) *lever.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	c, err := lever.NewClient(lever.Options{APIKey: "k", BaseURL: srv.URL + "/v1", PerformAs: "u1", RateLimit: -1, MaxRetries: -1, RetryWaitMin: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestWriteEnvelopes: every write decodes each envelope Lever documents
// (bare, data, data.data, data.data list) and fails with
// lever.ErrIncompleteResponse when the output it returns is absent, instead
// of returning a zero value as success.
func TestWriteEnvelopes(t *testing.T) {
	ctx := context.Background()
	webhook := func(c *lever.Client) (string, error) {
		w, err := c.CreateWebhook(ctx, lever.Webhook{URL: "https://v.test/h", Event: lever.EventCandidateStageChange})
		return w.ID + "/" + w.Configuration.SignatureToken, err
	}
	feedback := func(c *lever.Client) (string, error) {
		return c.CreateFeedback(ctx, "o1", lever.FeedbackInput{TemplateID: "t1"})
	}
	note := func(c *lever.Client) (string, error) {
		return c.CreateNote(ctx, "o1", lever.NoteInput{Value: "hi"})
	}
	const hook = `{"id":"w1","url":"https://v.test/h","event":"candidateStageChange","createdAt":1,"configuration":{"conditions":{},"signatureToken":"tok48"}}`
	tests := []struct {
		name string
		call func(*lever.Client) (string, error)
		body string
		want string
		err  error
	}{
		// POST /webhooks: documented double-wrapped; clients in the wild
		// parse it single-wrapped.
		{"webhook data.data (documented)", webhook, `{"data":{"data":` + hook + `}}`, "w1/tok48", nil},
		{"webhook data", webhook, `{"data":` + hook + `}`, "w1/tok48", nil},
		{"webhook bare", webhook, hook, "w1/tok48", nil},
		{"webhook without token", webhook, `{"data":{"data":{"id":"w1","configuration":{}}}}`, "", lever.ErrIncompleteResponse},
		{"webhook without id", webhook, `{"data":{"data":{"configuration":{"signatureToken":"x"}}}}`, "", lever.ErrIncompleteResponse},
		{"webhook empty object", webhook, `{}`, "", lever.ErrIncompleteResponse},
		{"webhook empty body", webhook, ``, "", lever.ErrIncompleteResponse},
		// POST /feedback: documented unwrapped.
		{"feedback bare (documented)", feedback, `{"id":"f1","type":"interview","text":"Feedback","baseTemplateId":"t1","fields":[]}`, "f1", nil},
		{"feedback data", feedback, `{"data":{"id":"f1"}}`, "f1", nil},
		{"feedback without id", feedback, `{"data":{}}`, "", lever.ErrIncompleteResponse},
		{"feedback array", feedback, `[]`, "", lever.ErrIncompleteResponse},
		// POST /notes: documented {"data":{"noteId"}}; a sandbox recording
		// returns the whole note.
		{"note noteId (documented)", note, `{"data":{"noteId":"n1"}}`, "n1", nil},
		{"note full", note, `{"data":{"id":"n1","noteId":"n1","text":"Note","fields":[{"type":"note","value":"hi"}]}}`, "n1", nil},
		{"note without id", note, `{"data":{"text":"Note"}}`, "", lever.ErrIncompleteResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.call(rawClient(t, 201, tt.body))
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if tt.err == nil && got != tt.want {
				t.Errorf("result = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestEnsureSubscriptionReturnsToken: against Lever's documented create
// response EnsureSubscription hands the signature token to the caller.
func TestEnsureSubscriptionReturnsToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == "GET" {
			w.Write([]byte(`{"data":[],"hasNext":false}`))
			return
		}
		w.WriteHeader(201)
		w.Write([]byte(`{"data":{"data":{"id":"w1","url":"https://v.test/h","event":"candidateStageChange","configuration":{"signatureToken":"be58f711f349c7780e4579cd7c63341ac6f881e4dccc3154"}}}}`))
	}))
	defer srv.Close()
	c, err := lever.NewClient(lever.Options{APIKey: "k", BaseURL: srv.URL + "/v1", RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.EnsureSubscription(context.Background(), ats.Subscription{Target: "https://v.test/h"})
	want := ats.Subscription{ID: "w1", Event: "candidateStageChange", Target: "https://v.test/h", Secret: "be58f711f349c7780e4579cd7c63341ac6f881e4dccc3154"}
	if err != nil || got != want {
		t.Errorf("EnsureSubscription = %+v, %v; want %+v", got, err, want)
	}
}

// FuzzWriteEnvelope: whatever a write's response body is, CreateWebhook
// either returns both outputs or an error; it never reports an empty ID or
// token as success.
func FuzzWriteEnvelope(f *testing.F) {
	f.Add(`{"data":{"data":{"id":"w1","configuration":{"signatureToken":"t"}}}}`)
	f.Add(`{"data":{"id":"w1","configuration":{"signatureToken":"t"}}}`)
	f.Add(`{"id":"w1","configuration":{"signatureToken":"t"}}`)
	f.Add(`{"data":{"data":[{"id":"w1","configuration":{"signatureToken":"t"}}],"hasNext":false}}`)
	f.Add(`{"data":null}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(201)
			w.Write([]byte(body))
		}))
		defer srv.Close()
		c, err := lever.NewClient(lever.Options{APIKey: "k", BaseURL: srv.URL + "/v1", RateLimit: -1, MaxRetries: -1})
		if err != nil {
			t.Fatal(err)
		}
		w, err := c.CreateWebhook(context.Background(), lever.Webhook{URL: "https://v.test/h", Event: lever.EventCandidateStageChange})
		if err == nil && (w.ID == "" || w.Configuration.SignatureToken == "") {
			t.Fatalf("CreateWebhook(%q) = %+v with no error", body, w)
		}
	})
}
