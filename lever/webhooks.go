package lever

import (
	"context"
	"iter"
	"net/url"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/httpx"
	"github.com/atskit/atskit/internal/paging"
)

// Webhook is a webhook registered through Lever's API
// (https://hire.lever.co/developer/documentation#webhooks). Lever returns
// Configuration.SignatureToken only in the response to POST /webhooks; the
// list carries none, so the token must be stored when the webhook is
// created.
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
// its ID and signature token, which Lever hands out only here: store it
// for WebhookVerifier. A response without an ID or a token is an error
// wrapping ErrIncompleteResponse (the webhook may exist; delete and
// recreate it). Lever documents the response double-wrapped
// ({"data":{"data":{…}}}); the single-wrapped and bare forms are accepted
// too.
//
// The webhook delivers nothing until a Super Admin switches its group
// (e.g. "Candidate Stage Change") on in Lever's webhook settings.
//
// https://hire.lever.co/developer/documentation#create-a-webhook
func (c *Client) CreateWebhook(ctx context.Context, w Webhook) (Webhook, error) {
	if w.URL == "" || w.Event == "" {
		return Webhook{}, &ats.ValidationError{Op: "create webhook", Fields: []ats.FieldError{{Field: "url, event", Message: "are required"}}}
	}
	return write(ctx, c, &httpx.Request{Op: "create " + w.Event + " webhook", Method: "POST", Path: "/webhooks",
		Body: Webhook{URL: w.URL, Event: w.Event, Configuration: WebhookConfig{Conditions: w.Configuration.Conditions}}},
		func(w Webhook) string {
			switch {
			case w.ID == "":
				return "the webhook id"
			case w.Configuration.SignatureToken == "":
				return "configuration.signatureToken"
			}
			return ""
		})
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
//
// When it creates the webhook the result's Secret is the webhook's
// signature token; store it for WebhookVerifier, because Lever never
// returns it again. When the webhook already existed Secret is empty: if
// the token was lost, delete the subscription and ensure it again. Either
// way a Super Admin must switch the webhook group on before Lever sends
// anything.
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
	sub := webhookSubscription(w)
	sub.Secret = w.Configuration.SignatureToken
	return sub, nil
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
