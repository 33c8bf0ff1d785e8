package ats_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
)

type ctxKey struct{}

// plainVerifier implements only ats.WebhookVerifier.
type plainVerifier struct{ got *string }

func (p plainVerifier) VerifyWebhook([]byte, http.Header) ([]ats.Event, error) {
	*p.got = "VerifyWebhook"
	return []ats.Event{{ID: "e"}}, nil
}

// ctxVerifier also implements ats.WebhookContextVerifier.
type ctxVerifier struct{ plainVerifier }

func (c ctxVerifier) VerifyWebhookContext(ctx context.Context, _ []byte, _ http.Header) ([]ats.Event, error) {
	v, _ := ctx.Value(ctxKey{}).(string)
	*c.got = "VerifyWebhookContext " + v
	return []ats.Event{{ID: "e"}}, nil
}

// TestNewWebhookHandlerVerifiesWithRequestContext: a verifier that takes a
// context is given the request's; one that does not is still called.
func TestNewWebhookHandlerVerifiesWithRequestContext(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    func(got *string) ats.WebhookVerifier
		want string
	}{
		{"context verifier", func(got *string) ats.WebhookVerifier { return ctxVerifier{plainVerifier{got}} }, "VerifyWebhookContext request"},
		{"plain verifier", func(got *string) ats.WebhookVerifier { return plainVerifier{got} }, "VerifyWebhook"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			h := ats.NewWebhookHandler(tc.v(&got), func(context.Context, []ats.Event) error { return nil }, ats.WebhookHandlerOptions{})
			req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader([]byte("{}")))
			req = req.WithContext(context.WithValue(req.Context(), ctxKey{}, "request"))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			type result struct {
				Status int
				Called string
			}
			if diff := cmp.Diff(result{http.StatusOK, tc.want}, result{rec.Code, got}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
