package lever

import (
	"context"
	"iter"
	"net/url"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/httpx"
	"github.com/atskit/atskit/internal/paging"
)

// Webhook is a webhook registered through Lever's API.
//
// Assumed (the reference marks the webhook API "verify"): GET and POST
// /webhooks and DELETE /webhooks/:id, with {url, event, configuration:
// {conditions}} and the signature token returned on the webhook object as
// configuration.signatureToken.
type Webhook struct {
	ID            string        `json:"id,omitempty"`
	URL           string        `json:"url"`
	Event         string        `json:"event"`
	Configuration WebhookConfig `json:"configuration"`
	CreatedAt     Millis        `json:"createdAt,omitempty"`
}

// WebhookConfig restricts deliveries and carries the signature token.
type WebhookConfig struct {
	Conditions     map[string]any `json:"conditions,omitempty"`
	SignatureToken string         `json:"signatureToken,omitempty"`
}

// ListWebhooks lists the account's webhooks (GET /webhooks).
func (c *Client) ListWebhooks(ctx context.Context) iter.Seq2[Webhook, error] {
	return paging.Seq(ctx, func(ctx context.Context, cursor string) ([]Webhook, string, error) {
		return fetchPage[Webhook](ctx, c, "list webhooks", "/webhooks", nil, 100, cursor)
	})
}

// CreateWebhook registers a webhook (POST /webhooks) and returns it with
// its ID and signature token.
func (c *Client) CreateWebhook(ctx context.Context, w Webhook) (Webhook, error) {
	if w.URL == "" || w.Event == "" {
		return Webhook{}, &ats.ValidationError{Op: "create webhook", Fields: []ats.FieldError{{Field: "url, event", Message: "are required"}}}
	}
	var r one[Webhook]
	_, err := c.do(ctx, &httpx.Request{Op: "create " + w.Event + " webhook", Method: "POST", Path: "/webhooks", Body: Webhook{URL: w.URL, Event: w.Event, Configuration: WebhookConfig{Conditions: w.Configuration.Conditions}}}, &r)
	return r.Data, err
}

// DeleteWebhook removes a webhook (DELETE /webhooks/:id).
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	_, err := c.do(ctx, &httpx.Request{Op: "delete webhook " + short(id), Method: "DELETE", Path: "/webhooks/" + url.PathEscape(id)}, nil)
	return err
}

// EnsureSubscription returns the webhook for s.Event (default
// candidateStageChange) and s.Target, creating it if there is none. It
// implements ats.WebhookSubscriber. Lever webhooks are account-wide, so
// s.JobID and s.StageID are not used.
func (c *Client) EnsureSubscription(ctx context.Context, s ats.Subscription) (ats.Subscription, error) {
	if s.Event == "" {
		s.Event = EventCandidateStageChange
	}
	for w, err := range c.ListWebhooks(ctx) {
		if err != nil {
			return ats.Subscription{}, err
		}
		if w.Event == s.Event && w.URL == s.Target {
			return webhookSubscription(w), nil
		}
	}
	w, err := c.CreateWebhook(ctx, Webhook{URL: s.Target, Event: s.Event})
	if err != nil {
		return ats.Subscription{}, err
	}
	return webhookSubscription(w), nil
}

// Subscriptions lists the account's webhooks. It implements
// ats.WebhookSubscriber.
func (c *Client) Subscriptions(ctx context.Context) iter.Seq2[ats.Subscription, error] {
	return func(yield func(ats.Subscription, error) bool) {
		for w, err := range c.ListWebhooks(ctx) {
			if err != nil {
				yield(ats.Subscription{}, err)
				return
			}
			if !yield(webhookSubscription(w), nil) {
				return
			}
		}
	}
}

// DeleteSubscription deletes a webhook. It implements ats.WebhookSubscriber.
func (c *Client) DeleteSubscription(ctx context.Context, id string) error {
	return c.DeleteWebhook(ctx, id)
}

func webhookSubscription(w Webhook) ats.Subscription {
	return ats.Subscription{ID: w.ID, Event: w.Event, Target: w.URL}
}
