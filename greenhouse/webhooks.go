package greenhouse

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strings"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/httpx"
)

// Webhook is a webhook as GET /v3/webhooks returns it (partners only,
// https://harvestdocs.greenhouse.io/reference/get_v3-webhooks). Greenhouse
// never returns the secret key.
type Webhook struct {
	ID              ID     `json:"id"`
	Name            string `json:"name"`
	EndpointURL     string `json:"endpoint_url"`
	EventActionType string `json:"event_action_type"`
	MaxAttempts     int    `json:"max_attempts"`
	Deactivated     bool   `json:"deactivated"`
}

// webhookBody is the body of POST /v3/webhooks.
type webhookBody struct {
	Name            string `json:"name"`
	EndpointURL     string `json:"endpoint_url"`
	EventActionType string `json:"event_action_type"`
	SecretKey       string `json:"secret_key"`
	MaxAttempts     int    `json:"max_attempts"`
}

// Subscriptions lists the partner's webhooks (GET /v3/webhooks). The
// webhook API is "Greenhouse partners exclusive": other credentials get
// ats.ErrForbidden, and customers configure webhooks in Greenhouse's UI
// (Configure » Dev Center » Web Hooks) instead.
func (c *Client) Subscriptions(ctx context.Context) iter.Seq2[ats.Subscription, error] {
	return func(yield func(ats.Subscription, error) bool) {
		for w, err := range list[Webhook](ctx, c, "list webhooks", "/webhooks", query("per_page", fmt.Sprint(MaxPageSize))) {
			if err != nil {
				yield(ats.Subscription{}, err)
				return
			}
			if !yield(ats.Subscription{ID: w.ID.String(), Event: w.EventActionType, Target: w.EndpointURL}, nil) {
				return
			}
		}
	}
}

// EnsureSubscription returns the partner's webhook for s.Event and
// s.Target, creating it (POST /v3/webhooks, signed with
// Options.WebhookSecret, 7 attempts) when there is none. Greenhouse
// webhooks carry one event each and cannot be restricted to a job or
// stage, so s.JobID and s.StageID must be empty. Greenhouse pings the
// endpoint on creation; serve WebhookHandler there first.
func (c *Client) EnsureSubscription(ctx context.Context, s ats.Subscription) (ats.Subscription, error) {
	op := "create webhook"
	switch {
	case c.opts.WebhookSecret == "":
		return ats.Subscription{}, invalid(op, ats.FieldError{Field: "Options.WebhookSecret", Message: "is required: Greenhouse signs deliveries with it"})
	case s.Event == "" || s.Target == "":
		return ats.Subscription{}, invalid(op, ats.FieldError{Field: "Event/Target", Message: "are required"})
	case s.JobID != "" || s.StageID != "":
		return ats.Subscription{}, invalid(op, ats.FieldError{Field: "JobID/StageID", Message: "Greenhouse webhooks cannot be restricted to a job or stage"})
	case !strings.HasPrefix(s.Target, "https://"):
		return ats.Subscription{}, invalid(op, ats.FieldError{Field: "Target", Message: "Greenhouse delivers to HTTPS endpoints only"})
	}
	for sub, err := range c.Subscriptions(ctx) {
		if err != nil {
			return ats.Subscription{}, err
		}
		if sub.Event == s.Event && sub.Target == s.Target {
			return sub, nil
		}
	}
	var w Webhook
	if _, err := c.do(ctx, &httpx.Request{Op: op, Method: http.MethodPost, Path: "/webhooks", Body: webhookBody{
		Name: "atskit " + s.Event, EndpointURL: s.Target, EventActionType: s.Event, SecretKey: c.opts.WebhookSecret, MaxAttempts: 7,
	}}, &w); err != nil {
		return ats.Subscription{}, err
	}
	return ats.Subscription{ID: w.ID.String(), Event: w.EventActionType, Target: w.EndpointURL}, nil
}

// DeleteSubscription deletes a partner webhook (DELETE /v3/webhooks/{id});
// one that no longer exists is not an error.
func (c *Client) DeleteSubscription(ctx context.Context, id string) error {
	op := "delete webhook " + id
	if _, err := parseID(op, "id", id); err != nil {
		return err
	}
	_, err := c.do(ctx, &httpx.Request{Op: op, Method: http.MethodDelete, Path: "/webhooks/" + id}, nil)
	if errors.Is(err, ats.ErrNotFound) {
		return nil
	}
	return err
}
