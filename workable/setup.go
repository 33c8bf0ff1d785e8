package workable

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/httpx"
)

// SetupReport is what CheckSetup returns.
//
// Deprecated: use ats.SetupReport, which it is an alias of.
type SetupReport = ats.SetupReport

// SetupCheck is one line of a SetupReport. Its Detail says what was found
// and, when Status is not ats.SetupOK, how to fix it.
//
// Deprecated: use ats.SetupCheck, which it is an alias of.
type SetupCheck = ats.SetupCheck

// CheckStatus is the outcome of one setup check.
//
// Deprecated: use ats.SetupStatus, which it is an alias of.
type CheckStatus = ats.SetupStatus

// Check outcomes.
//
// Deprecated: use ats.SetupOK, ats.SetupWarning, ats.SetupFailed and
// ats.SetupSkipped, which they are.
const (
	CheckOK      = ats.SetupOK
	CheckWarning = ats.SetupWarning
	CheckFailed  = ats.SetupFailed
	CheckSkipped = ats.SetupSkipped
)

const tokenFix = "generate an API token in Workable under Settings → Integrations → Apps → API Access Tokens with the scopes r_jobs, r_candidates and w_candidates"

// CheckSetup validates the integration for an onboarding screen: the token
// is valid; it has the scopes the vendor flow needs (r_jobs, r_candidates,
// w_candidates, probed with cheap calls); write calls have an acting
// member; at least one job's pipeline has the vendor stage; and, when
// Options.WebhookURL is set, a subscription targets it and does not expire
// within 30 days (valid_until). For partner tokens it says what Workable
// leaves undocumented: the acting member should be configured by ID
// (Options.MemberID), since GET /members is documented for account and user
// tokens only, and the webhook signing key must be confirmed. Failures are
// reported in the report; the error is non-nil only when ctx ends. The
// checks are named "token", "scope r_jobs", "scope r_candidates", "scope
// w_candidates", "acting member", "vendor stage", "webhook signing key"
// (partner tokens) and "webhook"; a check's Detail also says how to fix it.
//
// The w_candidates probe writes nothing: it replaces the tags of a
// candidate ID that cannot exist and expects 404 (scope present) rather
// than 403 — an assumption, since Workable does not document the order of
// its checks; an unexpected answer is reported as a warning.
func (c *Client) CheckSetup(ctx context.Context) (*ats.SetupReport, error) {
	r := &ats.SetupReport{}
	probe := func(op, method, path string, body any) error {
		_, err := c.do(ctx, &httpx.Request{Op: op, Method: method, Path: path, Query: url.Values{"limit": {"1"}}, Body: body}, nil)
		return err
	}

	// Token validity and r_jobs.
	err := probe("setup: list jobs", http.MethodGet, "/jobs", nil)
	if ctx.Err() != nil {
		return r, ctx.Err()
	}
	switch {
	case errors.Is(err, ats.ErrUnauthorized):
		r.Addf("token", ats.SetupFailed, "Workable rejected the token (it may be mistyped, expired or revoked): %s", tokenFix)
		for _, n := range []string{"scope r_jobs", "scope r_candidates", "scope w_candidates", "acting member", "vendor stage", "webhook"} {
			r.Addf(n, ats.SetupSkipped, "Not checked: the token is invalid.")
		}
		return r, nil
	case err == nil:
		r.Addf("token", ats.SetupOK, "The token is valid for %s.workable.com.", c.subdomain)
		r.Addf("scope r_jobs", ats.SetupOK, "The token can read jobs.")
	case errors.Is(err, ats.ErrForbidden):
		r.Addf("token", ats.SetupOK, "The token is valid for %s.workable.com.", c.subdomain)
		r.Addf("scope r_jobs", ats.SetupFailed, "The token cannot read jobs and stages (scope r_jobs missing): %s", tokenFix)
	default:
		r.Addf("token", ats.SetupWarning, "Could not check the token: %v", err)
		r.Addf("scope r_jobs", ats.SetupWarning, "Could not check: %v", err)
	}
	jobsOK := err == nil

	err = probe("setup: list candidates", http.MethodGet, "/candidates", nil)
	candsOK := err == nil
	scopeLine(r, "scope r_candidates", err, "The token can read candidates and manage webhook subscriptions.",
		"The token cannot read candidates (scope r_candidates missing)")

	err = probe("setup: probe candidate write", http.MethodPut, "/candidates/atskit-setup-probe/tags", map[string][]string{"tags": {}})
	switch {
	case errors.Is(err, ats.ErrNotFound), err == nil:
		r.Addf("scope w_candidates", ats.SetupOK, "The token can update candidates (move, comment, rate).")
	case errors.Is(err, ats.ErrForbidden):
		r.Addf("scope w_candidates", ats.SetupFailed, "The token cannot update candidates (scope w_candidates missing): %s", tokenFix)
	default:
		r.Addf("scope w_candidates", ats.SetupWarning, "Could not confirm the w_candidates scope: %v", err)
	}

	partnerByEmail := c.kind == PartnerToken && c.opts.MemberID == ""
	if c.kind == PartnerToken && c.opts.MemberID == "" && c.opts.ActingMemberEmail == "" {
		r.Addf("acting member", ats.SetupFailed, "Partner token without an acting member: set Options.MemberID to the ID of an active Workable member (an admin or recruiter) that moves, comments and ratings are attributed to. GET /members, which an e-mail look-up needs, is documented for account and user tokens only, so ask the customer's Workable admin for the member ID (shown in the member's profile URL) or look it up once with an account token.")
	} else if id, err := c.ActingMemberID(ctx); err == nil && partnerByEmail {
		r.Addf("acting member", ats.SetupWarning, "Moves and comments will be attributed to member %s, found by e-mail through GET /members, which Workable documents for account and user tokens only: set Options.MemberID = %q so writes do not depend on it.", id, id)
	} else if err == nil {
		r.Addf("acting member", ats.SetupOK, "Moves and comments will be attributed to member %s.", id)
	} else if partnerByEmail && (errors.Is(err, ats.ErrForbidden) || errors.Is(err, ats.ErrUnauthorized)) {
		r.Addf("acting member", ats.SetupFailed, "The partner token may not list members (GET /members is documented for account and user tokens only), so %s cannot be looked up: set Options.MemberID to the ID of an active Workable member (ask the customer's Workable admin) instead of Options.ActingMemberEmail.", c.opts.ActingMemberEmail)
	} else if errors.Is(err, ats.ErrNotFound) {
		r.Addf("acting member", ats.SetupFailed, "No active Workable member has the email %s: enter the email of an active Workable user (an admin or recruiter).", c.opts.ActingMemberEmail)
	} else {
		r.Addf("acting member", ats.SetupFailed, "Cannot determine the member write calls are attributed to: %v", err)
	}

	if jobsOK {
		c.checkVendorStage(ctx, r)
	} else {
		r.Addf("vendor stage", ats.SetupSkipped, "Not checked: the token cannot read jobs.")
	}
	if ctx.Err() != nil {
		return r, ctx.Err()
	}

	if c.kind == PartnerToken {
		// Workable signs deliveries with "the account token or the oauth
		// application secret" (https://workable.readme.io/reference/webhooks);
		// partner tokens are not mentioned.
		r.Addf("webhook signing key", ats.SetupWarning, "Workable does not document which key signs webhook deliveries for partner-token integrations: confirm it with Workable (partner support) and configure it in WebhookVerifier.Secrets; until then a delivery signed with another key is refused (401).")
	}
	switch {
	case c.opts.WebhookURL == "":
		r.Addf("webhook", ats.SetupWarning, "No webhook URL configured, so stage changes are only seen by polling: set Options.WebhookURL and call EnsureSubscription.")
	case !candsOK:
		r.Addf("webhook", ats.SetupSkipped, "Not checked: the token cannot read candidates (needed for subscriptions).")
	default:
		c.checkWebhook(ctx, r)
	}
	return r, ctx.Err()
}

func scopeLine(r *ats.SetupReport, name string, err error, ok, missing string) {
	switch {
	case err == nil:
		r.Addf(name, ats.SetupOK, "%s", ok)
	case errors.Is(err, ats.ErrForbidden):
		r.Addf(name, ats.SetupFailed, "%s: %s", missing, tokenFix)
	default:
		r.Addf(name, ats.SetupWarning, "Could not check: %v", err)
	}
}

func (c *Client) checkVendorStage(ctx context.Context, r *ats.SetupReport) {
	stage := c.opts.VendorStage
	for j, err := range c.LinkedJobs(ctx) {
		if err != nil {
			r.Addf("vendor stage", ats.SetupWarning, "Could not list the jobs' pipelines: %v", err)
			return
		}
		r.Addf("vendor stage", ats.SetupOK, "Job %q (%s) has the stage %q in its pipeline.", j.Title, j.ID, j.Link.Marker)
		return
	}
	r.Addf("vendor stage", ats.SetupFailed, "No job has a stage named %q: add it to a pipeline in Settings → Recruiting → Workflow (stage type Interview) and use that pipeline for the jobs to link.", stage)
}

func (c *Client) checkWebhook(ctx context.Context, r *ats.SetupReport) {
	subs, err := c.ListSubscriptions(ctx)
	if err != nil {
		r.Addf("webhook", ats.SetupWarning, "Could not list webhook subscriptions: %v", err)
		return
	}
	// Targets are shown without query strings: a URL may carry a secret,
	// and the account's other subscriptions belong to other integrations.
	for _, s := range subs {
		if s.Target != c.opts.WebhookURL {
			continue
		}
		now := c.opts.Now()
		target := redactURL(s.Target)
		switch {
		case !s.ValidUntil.IsZero() && !s.ValidUntil.After(now):
			r.Addf("webhook", ats.SetupFailed, "The subscription for %s expired on %s: delete it and subscribe again.", target, s.ValidUntil.Format("2006-01-02"))
		case s.Event != "" && s.Event != EventCandidateMoved:
			r.Addf("webhook", ats.SetupWarning, "The subscription for %s is for %s events, but the vendor flow follows %s: use another target URL for %s and call EnsureSubscription.", target, s.Event, EventCandidateMoved, EventCandidateMoved)
		case !s.ValidUntil.IsZero() && s.ValidUntil.Sub(now) < 30*24*time.Hour:
			r.Addf("webhook", ats.SetupWarning, "The subscription for %s (%s) expires on %s: renew it soon.", target, s.Event, s.ValidUntil.Format("2006-01-02"))
		default:
			r.Addf("webhook", ats.SetupOK, "Workable sends %s events to %s.", s.Event, target)
		}
		return
	}
	var events []string
	for _, s := range subs {
		events = append(events, s.Event+" → "+redactURL(s.Target))
	}
	msg := fmt.Sprintf("No webhook subscription targets %s: subscribe with EnsureSubscription (event candidate_moved).", redactURL(c.opts.WebhookURL))
	if len(events) > 0 {
		msg += " Existing subscriptions: " + strings.Join(events, ", ") + "."
	}
	r.Addf("webhook", ats.SetupFailed, "%s", msg)
}
