package ashby

import (
	"context"
	"errors"
	"iter"
	"slices"
	"strings"

	"github.com/atskit/atskit/ats"
)

// Webhook is an Ashby webhook: one event type delivered to one URL
// (https://developers.ashbyhq.com/reference/webhookcreate). SecretToken
// is only returned by create and update.
type Webhook struct {
	ID          string `json:"id"`
	Enabled     bool   `json:"enabled"`
	RequestURL  string `json:"requestUrl"`
	SecretToken string `json:"secretToken,omitempty"`
	WebhookType string `json:"webhookType"`
}

// CreateWebhook creates a webhook (webhook.create). Ashby pings the URL at
// once and saves the webhook disabled if the ping fails, so serve the URL
// first. Permission: apiKeysWrite.
func (c *Client) CreateWebhook(ctx context.Context, webhookType, requestURL, secretToken string) (Webhook, error) {
	op := "create webhook"
	var fields []ats.FieldError
	if webhookType == "" {
		fields = append(fields, ats.FieldError{Field: "webhookType", Message: "is empty"})
	}
	if requestURL == "" {
		fields = append(fields, ats.FieldError{Field: "requestUrl", Message: "is empty"})
	}
	if secretToken == "" {
		fields = append(fields, ats.FieldError{Field: "secretToken", Message: "is empty; Ashby requires a secret (set Options.WebhookSecret)"})
	}
	if fields != nil {
		return Webhook{}, &ats.ValidationError{Op: op, Fields: fields}
	}
	w, err := call[Webhook](ctx, c, op, "webhook.create", map[string]string{"webhookType": webhookType, "requestUrl": requestURL, "secretToken": secretToken}, false)
	if err == nil {
		c.mu.Lock()
		if !slices.Contains(c.hookIDs, w.ID) {
			c.hookIDs = append(c.hookIDs, w.ID)
		}
		c.mu.Unlock()
	}
	return w, err
}

// WebhookInfo reads a webhook (webhook.info). Permission: apiKeysRead.
func (c *Client) WebhookInfo(ctx context.Context, id string) (Webhook, error) {
	return call[Webhook](ctx, c, "read webhook "+short(id), "webhook.info", map[string]string{"webhookId": id}, true)
}

// WebhookUpdate changes a webhook (webhook.update); nil fields are left
// as they are, and at least one must be set. Permission: apiKeysWrite.
type WebhookUpdate struct {
	Enabled     *bool   `json:"enabled,omitempty"`
	RequestURL  *string `json:"requestUrl,omitempty"`
	SecretToken *string `json:"secretToken,omitempty"`
}

// UpdateWebhook applies u to the webhook id (webhook.update). Rotate a
// secret by first adding the new one to WebhookVerifier.Secrets, then
// updating Ashby, then dropping the old one.
func (c *Client) UpdateWebhook(ctx context.Context, id string, u WebhookUpdate) (Webhook, error) {
	if u.Enabled == nil && u.RequestURL == nil && u.SecretToken == nil {
		return Webhook{}, &ats.ValidationError{Op: "update webhook", Fields: []ats.FieldError{{Field: "update", Message: "set at least one of Enabled, RequestURL and SecretToken"}}}
	}
	body := struct {
		WebhookID string `json:"webhookId"`
		WebhookUpdate
	}{id, u}
	return call[Webhook](ctx, c, "update webhook "+short(id), "webhook.update", body, true)
}

// DeleteWebhook deletes a webhook (webhook.delete). Permission:
// apiKeysWrite.
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	_, err := call[struct {
		WebhookID string `json:"webhookId"`
	}](ctx, c, "delete webhook "+short(id), "webhook.delete", map[string]string{"webhookId": id}, true)
	if err == nil {
		c.mu.Lock()
		c.hookIDs = slices.DeleteFunc(c.hookIDs, func(s string) bool { return s == id })
		c.mu.Unlock()
	}
	return err
}

// knownWebhookIDs are Options.WebhookIDs plus the IDs this Client created.
func (c *Client) knownWebhookIDs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	ids := slices.Clone(c.opts.WebhookIDs)
	for _, id := range c.hookIDs {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// Subscriptions implements ats.WebhookSubscriber. Ashby has no
// webhook.list, so it reads the webhooks named in Options.WebhookIDs and
// those this Client created; webhooks deleted in Ashby are skipped.
func (c *Client) Subscriptions(ctx context.Context) iter.Seq2[ats.Subscription, error] {
	return func(yield func(ats.Subscription, error) bool) {
		for _, id := range c.knownWebhookIDs() {
			w, err := c.WebhookInfo(ctx, id)
			if errors.Is(err, ats.ErrNotFound) {
				continue
			}
			if err != nil {
				yield(ats.Subscription{}, err)
				return
			}
			if !yield(ats.Subscription{ID: w.ID, Event: w.WebhookType, Target: w.RequestURL}, nil) {
				return
			}
		}
	}
}

// EnsureSubscription implements ats.WebhookSubscriber: it returns the
// known webhook for s.Event (an Ashby webhook type such as
// "candidateStageChange") and s.Target, enabling it if Ashby disabled it
// (after a failed ping), or creates one with Options.WebhookSecret. Store
// the returned ID and pass it in Options.WebhookIDs next time. Ashby
// webhooks cannot be restricted to a job or stage.
func (c *Client) EnsureSubscription(ctx context.Context, s ats.Subscription) (ats.Subscription, error) {
	for _, id := range c.knownWebhookIDs() {
		w, err := c.WebhookInfo(ctx, id)
		if errors.Is(err, ats.ErrNotFound) {
			continue
		}
		if err != nil {
			return ats.Subscription{}, err
		}
		if w.WebhookType == s.Event && strings.TrimRight(w.RequestURL, "/") == strings.TrimRight(s.Target, "/") {
			if !w.Enabled {
				on := true
				if _, err := c.UpdateWebhook(ctx, w.ID, WebhookUpdate{Enabled: &on}); err != nil {
					return ats.Subscription{}, err
				}
			}
			return ats.Subscription{ID: w.ID, Event: w.WebhookType, Target: w.RequestURL}, nil
		}
	}
	w, err := c.CreateWebhook(ctx, s.Event, s.Target, c.opts.WebhookSecret)
	if err != nil {
		return ats.Subscription{}, err
	}
	return ats.Subscription{ID: w.ID, Event: w.WebhookType, Target: w.RequestURL}, nil
}

// DeleteSubscription implements ats.WebhookSubscriber. Deleting a webhook
// that no longer exists is not an error.
func (c *Client) DeleteSubscription(ctx context.Context, id string) error {
	err := c.DeleteWebhook(ctx, id)
	if errors.Is(err, ats.ErrNotFound) {
		return nil
	}
	return err
}
