package lever_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
	"github.com/atskit/atskit/lever"
	"github.com/google/go-cmp/cmp"
)

func TestWebhookSubscriptions(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	s1, err := f.c.EnsureSubscription(ctx, ats.Subscription{Target: "https://vendor.test/hook"})
	if err != nil {
		t.Fatal(err)
	}
	wantRequest(t, f.last(t), "POST", "/webhooks", url.Values{}, `{"url":"https://vendor.test/hook","event":"candidateStageChange","configuration":{}}`)
	s2, err := f.c.EnsureSubscription(ctx, ats.Subscription{Event: lever.EventCandidateStageChange, Target: "https://vendor.test/hook"})
	if err != nil {
		t.Fatal(err)
	}
	wantRequest(t, f.last(t), "GET", "/webhooks", url.Values{"limit": {"100"}}, "")
	if got := f.srv.Webhooks(); len(got) != 1 || s1.Secret != got[0].SignatureToken {
		t.Errorf("server webhooks = %+v; EnsureSubscription's Secret %q is not the token", got, s1.Secret)
	}
	// The second call finds the webhook, whose token Lever lists nowhere.
	s1.Secret = ""
	if s1 != s2 || s1.ID == "" {
		t.Errorf("EnsureSubscription not idempotent: %+v vs %+v", s1, s2)
	}
	subs, err := paging.Collect(f.c.Subscriptions(ctx))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]ats.Subscription{{ID: s1.ID, Event: "candidateStageChange", Target: "https://vendor.test/hook"}}, subs); d != "" {
		t.Errorf("subscriptions (-want +got):\n%s", d)
	}
	if err := f.c.DeleteSubscription(ctx, s1.ID); err != nil {
		t.Fatal(err)
	}
	wantRequest(t, f.last(t), "DELETE", "/webhooks/"+s1.ID, nil, "")
	wantErr(t, f.c.DeleteSubscription(ctx, s1.ID), ats.ErrNotFound, "Webhook not found")
}

func TestCreateWebhookErrors(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	_, err := f.c.CreateWebhook(ctx, lever.Webhook{URL: "https://v.test/h", Event: "bogus"})
	wantErr(t, err, ats.ErrValidation, "Unknown event: bogus")
	_, err = f.c.CreateWebhook(ctx, lever.Webhook{URL: "not a url", Event: lever.EventCandidateHired})
	wantErr(t, err, ats.ErrValidation, "url must be an absolute https URL")
	// Lever delivers over HTTPS only.
	_, err = f.c.CreateWebhook(ctx, lever.Webhook{URL: "http://vendor.example/hook", Event: lever.EventCandidateHired})
	wantErr(t, err, ats.ErrValidation, "url must be an absolute https URL")
	_, err = f.c.CreateWebhook(ctx, lever.Webhook{})
	wantErr(t, err, ats.ErrValidation, "")
	w, err := f.c.CreateWebhook(ctx, lever.Webhook{URL: "https://v.test/h", Event: lever.EventCandidateHired})
	if err != nil || w.Configuration.SignatureToken == "" || w.ID == "" {
		t.Errorf("CreateWebhook = %+v, %v; want ID and signature token", w, err)
	}
}
