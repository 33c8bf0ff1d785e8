package ats_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/atskit/atskit/ats"
)

// stubVerifier accepts the body "ok" and fails others with the error named
// by the body.
type stubVerifier struct{}

func (stubVerifier) VerifyWebhook(body []byte, _ http.Header) ([]ats.Event, error) {
	switch string(body) {
	case "ok", "fail-callback":
		return []ats.Event{{ID: string(body), Kind: ats.EventStageChanged}}, nil
	case "missing":
		return nil, fmt.Errorf("x: %w", ats.ErrSignatureMissing)
	case "invalid":
		return nil, fmt.Errorf("x: %w", ats.ErrSignatureInvalid)
	case "expired":
		return nil, fmt.Errorf("x: %w", ats.ErrWebhookExpired)
	case "malformed":
		return nil, fmt.Errorf("x: %w", ats.ErrMalformedWebhook)
	}
	return nil, errors.New("some other verification failure")
}

func TestNewWebhookHandler(t *testing.T) {
	var got []string
	h := ats.NewWebhookHandler(stubVerifier{}, func(_ context.Context, evs []ats.Event) error {
		if evs[0].ID == "fail-callback" {
			return errors.New("store down")
		}
		got = append(got, evs[0].ID)
		return nil
	}, ats.WebhookHandlerOptions{Source: "test", MaxBodyBytes: 64})
	tests := []struct {
		method, body string
		want         int
	}{
		{"POST", "ok", http.StatusOK},
		{"GET", "ok", http.StatusMethodNotAllowed},
		{"POST", strings.Repeat("x", 65), http.StatusRequestEntityTooLarge},
		{"POST", "missing", http.StatusUnauthorized},
		{"POST", "invalid", http.StatusUnauthorized},
		{"POST", "expired", http.StatusUnauthorized},
		{"POST", "unknown", http.StatusUnauthorized}, // fails closed
		{"POST", "malformed", http.StatusBadRequest},
		{"POST", "fail-callback", http.StatusInternalServerError},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.body[:min(len(tt.body), 12)], func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, "/hook", strings.NewReader(tt.body)))
			if rec.Code != tt.want {
				t.Errorf("status = %d, want %d", rec.Code, tt.want)
			}
			if tt.want == http.StatusMethodNotAllowed && rec.Header().Get("Allow") != "POST" {
				t.Errorf("Allow = %q, want POST", rec.Header().Get("Allow"))
			}
		})
	}
	if len(got) != 1 || got[0] != "ok" {
		t.Errorf("callback received %q, want only the verified delivery", got)
	}
}
