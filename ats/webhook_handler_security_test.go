package ats_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/safehttp/safehttptest"
	"github.com/google/go-cmp/cmp"
)

// replayVerifier reports every delivery after the first of the same body
// as replayed, and records releases.
type replayVerifier struct {
	seen     map[string]bool
	released []string
}

func (v *replayVerifier) VerifyWebhook(body []byte, _ http.Header) ([]ats.Event, error) {
	if v.seen[string(body)] {
		return nil, fmt.Errorf("lever: token seen before: %w", ats.ErrWebhookReplayed)
	}
	v.seen[string(body)] = true
	return []ats.Event{{ID: string(body)}}, nil
}

func (v *replayVerifier) ReleaseWebhook(_ context.Context, body []byte, _ http.Header) error {
	delete(v.seen, string(body))
	v.released = append(v.released, string(body))
	return nil
}

func TestWebhookHandlerReplay(t *testing.T) {
	v := &replayVerifier{seen: map[string]bool{}}
	var acted []string
	h := ats.NewWebhookHandler(v, func(_ context.Context, evs []ats.Event) error {
		if evs[0].ID == "flaky" && !contains(acted, "flaky-failed") {
			acted = append(acted, "flaky-failed")
			return errors.New("store down")
		}
		acted = append(acted, evs[0].ID)
		return nil
	}, ats.WebhookHandlerOptions{})
	steps := []struct {
		body string
		want int
	}{
		{"a", http.StatusOK},
		{"a", http.StatusOK}, // replayed: acknowledged, not acted on
		{"flaky", http.StatusInternalServerError},
		{"flaky", http.StatusOK}, // the ATS's retry, accepted because the claim was released
		{"flaky", http.StatusOK}, // and now a replay
	}
	for i, s := range steps {
		t.Run(fmt.Sprintf("%d %s", i, s.body), func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", "/hook", strings.NewReader(s.body)))
			if rec.Code != s.want {
				t.Errorf("status = %d, want %d", rec.Code, s.want)
			}
		})
	}
	if diff := cmp.Diff([]string{"a", "flaky-failed", "flaky"}, acted); diff != "" {
		t.Errorf("acted on (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"flaky"}, v.released); diff != "" {
		t.Errorf("released (-want +got):\n%s", diff)
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// echoVerifier fails with an error quoting the whole body, as a careless
// verifier might.
type echoVerifier struct{}

func (echoVerifier) VerifyWebhook(body []byte, _ http.Header) ([]ats.Event, error) {
	return nil, fmt.Errorf("bad delivery %q: %w", body, ats.ErrSignatureInvalid)
}

func TestWebhookHandlerLogsBounded(t *testing.T) {
	var logs bytes.Buffer
	h := ats.NewWebhookHandler(echoVerifier{}, func(context.Context, []ats.Event) error { return nil },
		ats.WebhookHandlerOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	body := strings.Repeat("personal-data ", 50_000) // ~700 KB, under the 1 MiB limit
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/hook", strings.NewReader(body)))
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("status = %d, want 401", rec.Code)
	}
	if logs.Len() == 0 || logs.Len() > 1024 {
		t.Errorf("the rejection logged %d bytes, want one short record", logs.Len())
	}
}

func TestWebhookHandlerSlowloris(t *testing.T) {
	h := ats.NewWebhookHandler(stubVerifier{}, func(context.Context, []ats.Event) error { return nil },
		ats.WebhookHandlerOptions{ReadTimeout: 300 * time.Millisecond})
	// A host that set no server timeouts at all: the handler alone must
	// bound the time an anonymous caller holds a connection.
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	attack := safehttptest.Trickle{Conns: 100, Method: "POST", Path: "/hook", BodyBytes: 4096,
		Every: 20 * time.Millisecond, GiveUp: 5 * time.Second}
	out, err := attack.Run(context.Background(), srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	held, statuses := 0, map[int]int{}
	for _, o := range out {
		if o.Held {
			held++
		}
		statuses[o.Status]++
	}
	if held > 0 {
		t.Errorf("%d of %d trickling connections were still held after %v", held, attack.Conns, attack.GiveUp)
	}
	if diff := cmp.Diff(map[int]int{http.StatusRequestTimeout: attack.Conns}, statuses); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
}
