package greenhouse_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/greenhouse"
	"github.com/atskit/atskit/greenhouse/greenhousetest"
	"github.com/atskit/atskit/internal/paging"
)

func TestWebhookSubscriptions(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	hook := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer hook.Close()
	partner := func(secret string) *greenhouse.Client {
		return newClient(t, srv, func(o *greenhouse.Options) {
			o.ClientID, o.ClientSecret, o.UserID = "", "", ""
			o.TokenSource = staticToken(srv.IssueToken(greenhousetest.PartnerClientID, srv.AdminUserID()))
			o.WebhookSecret = secret
		})
	}
	c := partner("s3cret")
	// An https endpoint on loopback, so no test traffic leaves the machine
	// (the fake's ping does not trust its certificate; the webhook is
	// created disabled, as Greenhouse does after a failed ping).
	sub := ats.Subscription{Event: "candidate_stage_change", Target: hook.URL + "/hooks/greenhouse"}
	tests := []struct {
		name    string
		c       *greenhouse.Client
		sub     ats.Subscription
		wantErr error
	}{
		{"creates", c, sub, nil},
		{"idempotent", c, sub, nil},
		{"no secret", partner(""), sub, ats.ErrValidation},
		{"job filter", c, ats.Subscription{Event: sub.Event, Target: sub.Target, JobID: "1"}, ats.ErrValidation},
		{"http target", c, ats.Subscription{Event: sub.Event, Target: "http://vendor.example/h"}, ats.ErrValidation},
		{"unknown event", c, ats.Subscription{Event: "interview_scheduled", Target: sub.Target}, ats.ErrValidation},
		{"not a partner", newClient(t, srv, func(o *greenhouse.Options) { o.WebhookSecret = "s" }), sub, ats.ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.EnsureSubscription(ctx, tt.sub)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && (got.ID == "" || got.Event != tt.sub.Event || got.Target != tt.sub.Target) {
				t.Errorf("got %+v", got)
			}
		})
	}
	subs, err := paging.Collect(c.Subscriptions(ctx))
	if err != nil || len(subs) != 1 {
		t.Fatalf("Subscriptions = %+v, %v; want one", subs, err)
	}
	for range 2 {
		if err := c.DeleteSubscription(ctx, subs[0].ID); err != nil {
			t.Fatal(err)
		}
	}
	if subs, _ := paging.Collect(c.Subscriptions(ctx)); len(subs) != 0 {
		t.Errorf("after delete: %+v", subs)
	}
}
