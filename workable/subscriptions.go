package workable

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/httpx"
)

// Webhook events (https://workable.readme.io/reference/webhooks).
const (
	EventCandidateCreated = "candidate_created"
	EventCandidateMoved   = "candidate_moved"
)

// SubscriptionInfo is a webhook subscription as Workable lists it.
type SubscriptionInfo struct {
	ats.Subscription
	CreatedAt time.Time
	// ValidUntil suggests subscriptions expire (about a year in Workable's
	// example); renewal rules are undocumented (https://workable.readme.io/reference/webhook-subscriptions).
	ValidUntil time.Time
}

type wireSubscription struct {
	ID           json.RawMessage `json:"id"`
	Target       string          `json:"target"`
	Event        string          `json:"event"`
	JobShortcode string          `json:"job_shortcode"`
	StageSlug    string          `json:"stage_slug"`
	CreatedAt    wtime           `json:"created_at"`
	ValidUntil   wtime           `json:"valid_until"`
}

func (w wireSubscription) info() SubscriptionInfo {
	return SubscriptionInfo{
		Subscription: ats.Subscription{ID: rawID(w.ID), Event: w.Event, Target: w.Target, JobID: w.JobShortcode, StageID: w.StageSlug},
		CreatedAt:    w.CreatedAt.Time, ValidUntil: w.ValidUntil.Time,
	}
}

// CreateSubscription subscribes s.Target to s.Event (POST /subscriptions).
// JobID (shortcode) and StageID (slug) restrict deliveries; when either is
// set the client sends args with account_id, job_shortcode and stage_slug
// ("" meaning any), which Workable requires together (https://workable.readme.io/reference/webhook-subscriptions).
// Workable allows one subscription per target: a 409 is answered by
// returning the existing subscription for the target (which may be for
// another event — EnsureSubscription checks).
// https://workable.readme.io/reference/webhook-subscriptions
func (c *Client) CreateSubscription(ctx context.Context, s ats.Subscription) (ats.Subscription, error) {
	op := fmt.Sprintf("subscribe %s to %s", redactURL(s.Target), s.Event)
	if s.Target == "" || s.Event == "" {
		return ats.Subscription{}, invalid(op, ats.FieldError{Field: "target", Message: "target and event are required"})
	}
	body := map[string]any{"target": s.Target, "event": s.Event}
	if s.JobID != "" || s.StageID != "" {
		body["args"] = map[string]string{"account_id": c.subdomain, "job_shortcode": s.JobID, "stage_slug": s.StageID}
	}
	var out struct {
		ID json.RawMessage `json:"id"`
	}
	_, err := c.do(ctx, &httpx.Request{Op: op, Method: http.MethodPost, Path: "/subscriptions", Body: body}, &out)
	if errors.Is(err, ats.ErrConflict) {
		existing, ok, lerr := c.findSubscription(ctx, s.Target)
		if lerr != nil {
			return ats.Subscription{}, lerr
		}
		if ok {
			return existing.Subscription, nil
		}
	}
	if err != nil {
		return ats.Subscription{}, err
	}
	s.ID = rawID(out.ID)
	return s, nil
}

// ListSubscriptions returns the account's subscriptions with their
// timestamps (GET /subscriptions; not paginated).
func (c *Client) ListSubscriptions(ctx context.Context) ([]SubscriptionInfo, error) {
	var page struct {
		Subscriptions []wireSubscription `json:"subscriptions"`
	}
	if _, err := c.do(ctx, &httpx.Request{Op: "list subscriptions", Path: "/subscriptions"}, &page); err != nil {
		return nil, err
	}
	out := make([]SubscriptionInfo, len(page.Subscriptions))
	for i, w := range page.Subscriptions {
		out[i] = w.info()
	}
	return out, nil
}

// Subscriptions lists the account's subscriptions.
func (c *Client) Subscriptions(ctx context.Context) iter.Seq2[ats.Subscription, error] {
	return func(yield func(ats.Subscription, error) bool) {
		subs, err := c.ListSubscriptions(ctx)
		if err != nil {
			yield(ats.Subscription{}, err)
			return
		}
		for _, s := range subs {
			if !yield(s.Subscription, nil) {
				return
			}
		}
	}
}

func (c *Client) findSubscription(ctx context.Context, target string) (SubscriptionInfo, bool, error) {
	subs, err := c.ListSubscriptions(ctx)
	if err != nil {
		return SubscriptionInfo{}, false, err
	}
	for _, s := range subs {
		if s.Target == target {
			return s, true, nil
		}
	}
	return SubscriptionInfo{}, false, nil
}

// DeleteSubscription deletes a subscription (DELETE /subscriptions/{id}).
func (c *Client) DeleteSubscription(ctx context.Context, id string) error {
	if err := requireID("delete subscription", "id", id); err != nil {
		return err
	}
	_, err := c.do(ctx, &httpx.Request{Op: "delete subscription " + id, Method: http.MethodDelete, Path: "/subscriptions/" + pathEscape(id)}, nil)
	return err
}

// EnsureSubscription returns the subscription for s.Target, creating it
// if there is none. Since Workable allows one subscription per target, an
// existing subscription of the same target for another event, job or
// stage is reported as an error matching ats.ErrConflict (use one target
// URL per event, e.g. with a query parameter).
func (c *Client) EnsureSubscription(ctx context.Context, s ats.Subscription) (ats.Subscription, error) {
	existing, ok, err := c.findSubscription(ctx, s.Target)
	if err != nil {
		return ats.Subscription{}, err
	}
	if !ok {
		if existing.Subscription, err = c.CreateSubscription(ctx, s); err != nil {
			return ats.Subscription{}, err
		}
	}
	e := existing.Subscription
	if e.Event != s.Event || e.JobID != s.JobID || e.StageID != s.StageID {
		return ats.Subscription{}, &ats.APIError{ATS: "workable", Op: "ensure subscription for " + redactURL(s.Target), StatusCode: http.StatusConflict,
			Message: fmt.Sprintf("target is already subscribed (id %s) to %s job %q stage %q; Workable allows one subscription per target", e.ID, e.Event, e.JobID, e.StageID)}
	}
	return e, nil
}
