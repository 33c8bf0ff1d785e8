package lever

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/httpx"
	"github.com/atskit/atskit/internal/paging"
)

// DefaultVendorStages returns the stage names CheckSetup looks for when
// Options.VendorStages is nil: the five stages a typical interview vendor
// maps, as in Intervue.io's Lever setup
// (https://help.lever.co/hc/en-us/articles/20087399808541-Enabling-and-using-the-Intervue-io-integration).
// Each call returns a fresh slice.
func DefaultVendorStages() []string {
	return []string{"To be scheduled", "Scheduled", "Passed", "Failed", "Unable to schedule"}
}

// SetupReport is what CheckSetup returns.
//
// Deprecated: use ats.SetupReport, which it is an alias of.
type SetupReport = ats.SetupReport

// SetupCheck is one line of a SetupReport.
//
// Deprecated: use ats.SetupCheck, which it is an alias of.
type SetupCheck = ats.SetupCheck

// SetupStatus is the outcome of one setup check.
//
// Deprecated: use ats.SetupStatus, which it is an alias of.
type SetupStatus = ats.SetupStatus

// Setup statuses.
//
// Deprecated: use ats.SetupOK, ats.SetupFailed, ats.SetupWarning and
// ats.SetupSkipped, which they are (their text is now "ok", "failed",
// "warning" and "skipped").
const (
	SetupPass = ats.SetupOK
	SetupFail = ats.SetupFailed
	SetupWarn = ats.SetupWarning
	SetupSkip = ats.SetupSkipped
)

// CheckSetup checks that the Lever account is ready for the vendor: the
// credentials work, they grant the scopes the flow needs (including
// confidential data, panels, feedback and files), a perform_as user is set,
// at least one posting carries the vendor tag exactly as configured (a tag
// that differs only in case is reported), the vendor's stages exist, and a
// candidate-stage-change webhook exists whose signature token the host
// holds (Options.WebhookSecrets) and which delivers (Options.LastWebhook;
// Lever does not report whether a Super Admin switched its group on). The
// error is non-nil only when the checks could not be run (context
// cancelled); problems found are lines of the report. The checks are
// named "credentials", "scopes", "perform_as user", "vendor tag", "vendor
// stages" and "stage-change webhook"; one not configured is a warning.
func (c *Client) CheckSetup(ctx context.Context) (*ats.SetupReport, error) {
	r := &ats.SetupReport{}
	reauth := "Reconnect Lever: grant access again (OAuth) or paste a valid API key from Settings → Integrations and API → API Credentials."

	// 1. Credentials.
	var users page[User]
	_, err := c.do(ctx, &httpx.Request{Op: "check credentials", Path: "/users", Query: map[string][]string{"limit": {"1"}}}, &users)
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, ctxErr
	}
	switch {
	case err == nil, errors.Is(err, ats.ErrForbidden):
		r.Add("credentials", ats.SetupOK, "Lever accepted the credentials", "")
	case errors.Is(err, ats.ErrUnauthorized):
		r.Add("credentials", ats.SetupFailed, "Lever rejected the credentials: "+apiMessage(err), reauth)
		for _, n := range []string{"scopes", "perform_as user", "vendor tag", "vendor stages", "stage-change webhook"} {
			r.Add(n, ats.SetupSkipped, "not checked: the credentials do not work", "")
		}
		return r, nil
	default:
		r.Add("credentials", ats.SetupWarning, "could not reach Lever: "+err.Error(), "Try again later; if it persists check status.lever.co and the network path to api.lever.co.")
	}

	// 2. Scopes: probe one read per resource the flow needs. A 403 means
	// the token (or API key) lacks that permission.
	probes := []struct{ scope, path string }{
		{"postings:read:admin", "/postings"},
		{"confidential:access:admin", "/opportunities?confidentiality=all"},
		{"stages:read:admin", "/stages"},
		{"opportunities:read:admin", "/opportunities"},
		{"users:read:admin", "/users"},
		{"archive_reasons:read:admin", "/archive_reasons"},
		{"feedback_templates:read:admin", "/feedback_templates"},
		{"webhooks:read:admin", "/webhooks"},
	}
	var missing []string
	// With OAuth the token says which scopes were granted (the token
	// response's scope field, assumed to be returned as by any Auth0
	// tenant); that also covers the write scopes no read can probe.
	if c.ts != nil {
		if tok, err := c.ts.Token(); err == nil {
			if granted, ok := tok.Extra("scope").(string); ok {
				have := strings.Fields(granted)
				for _, s := range VendorScopes() {
					if !slices.Contains(have, s) {
						missing = append(missing, s)
					}
				}
			}
		}
	}
	for _, p := range probes {
		path, rawq, _ := strings.Cut(p.path, "?")
		q, _ := url.ParseQuery(rawq)
		q.Set("limit", "1")
		_, err := c.do(ctx, &httpx.Request{Op: "check scope " + p.scope, Path: path, Query: q}, nil)
		if errors.Is(err, ats.ErrForbidden) && !slices.Contains(missing, p.scope) {
			missing = append(missing, p.scope)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	if len(missing) == 0 {
		r.Add("scopes", ats.SetupOK, "the credentials can read postings, stages, opportunities, users, archive reasons, feedback templates and webhooks, and every scope the vendor flow needs was granted", "")
	} else {
		var needed []string
		for _, m := range missing {
			if why := scopeUse[m]; why != "" && !slices.Contains(needed, why) {
				needed = append(needed, why)
			}
		}
		detail := "missing permissions: " + strings.Join(missing, ", ")
		if len(needed) > 0 {
			detail += " (needed for " + strings.Join(needed, ", ") + ")"
		}
		r.Add("scopes", ats.SetupFailed, detail,
			"Reconnect Lever and accept every requested permission (a Super Admin must grant access), or give the API key these permissions (and access to confidential data) in Settings → Integrations and API → API Credentials.")
	}

	// 3. perform_as user.
	switch id, err := c.PerformAsUser(ctx); {
	case err != nil:
		r.Add("perform_as user", ats.SetupFailed, err.Error(), "Set the email of an active Lever user the vendor's notes and stage moves are attributed to.")
	case id == "":
		r.Add("perform_as user", ats.SetupFailed, "no user configured: Lever refuses feedback, panels (the interview on the profile) and file uploads without one, and notes and stage moves are attributed to no one",
			"Configure an active Lever user (PerformAs or PerformAsEmail), e.g. a dedicated integration user.")
	default:
		r.Add("perform_as user", ats.SetupOK, "writes are attributed to user "+id, "")
	}

	// 4. Vendor tag on at least one posting.
	if c.opts.VendorTag == "" {
		r.Add("vendor tag", ats.SetupWarning, "not checked: no vendor tag configured", "Configure the tag that links postings to the vendor.")
	} else {
		// Lever's tag filter is case-sensitive, customers type tags by
		// hand: list the postings and compare both ways.
		var exact, folded *Posting
		var variant string
		var listErr error
		for p, err := range c.ListPostings(ctx, ListPostingsOptions{}) {
			if err != nil {
				listErr = err
				break
			}
			if exact == nil && slices.Contains(p.Tags, c.opts.VendorTag) {
				exact = &p
			}
			if folded == nil && p.HasTag(c.opts.VendorTag) && !slices.Contains(p.Tags, c.opts.VendorTag) {
				folded = &p
				for _, t := range p.Tags {
					if strings.EqualFold(strings.TrimSpace(t), strings.TrimSpace(c.opts.VendorTag)) {
						variant = t
					}
				}
			}
		}
		addFix := fmt.Sprintf("In Lever, open Jobs, select each job to link and add the tag %q (tags are case-sensitive).", c.opts.VendorTag)
		switch {
		case listErr != nil:
			r.Add("vendor tag", ats.SetupWarning, "could not list postings: "+apiMessage(listErr), "Check that the credentials can read postings, including confidential ones.")
		case folded != nil:
			r.Add("vendor tag", ats.SetupWarning, fmt.Sprintf("posting %q is tagged %q, not %q: atskit links it, but Lever's tag filters and reports are case-sensitive", folded.Text, variant, c.opts.VendorTag),
				fmt.Sprintf("In Lever, replace the tag %q with %q on the postings that carry it.", variant, c.opts.VendorTag))
		case exact == nil:
			r.Add("vendor tag", ats.SetupFailed, fmt.Sprintf("no posting carries the tag %q", c.opts.VendorTag), addFix)
		default:
			r.Addf("vendor tag", ats.SetupOK, "posting %q carries the tag %q", exact.Text, c.opts.VendorTag)
		}
	}

	// 5. Vendor stages.
	want := c.opts.VendorStages
	if want == nil {
		want = DefaultVendorStages()
	}
	if len(want) == 0 {
		r.Add("vendor stages", ats.SetupWarning, "not checked: no vendor stages configured", "")
	} else if stages, err := c.ListStages(ctx); err != nil {
		r.Add("vendor stages", ats.SetupWarning, "could not list stages: "+apiMessage(err), "Check that the credentials can read stages.")
	} else {
		var absent []string
		for _, name := range want {
			found := false
			for _, s := range stages {
				found = found || strings.EqualFold(strings.TrimSpace(s.Text), strings.TrimSpace(name))
			}
			if !found {
				absent = append(absent, fmt.Sprintf("%q", name))
			}
		}
		if len(absent) == 0 {
			r.Add("vendor stages", ats.SetupOK, "all vendor stages exist: "+strings.Join(want, ", "), "")
		} else {
			r.Add("vendor stages", ats.SetupFailed, "missing stages: "+strings.Join(absent, ", "),
				"In Lever, go to Settings → Pipeline and archive reasons and create the missing stages with exactly these names.")
		}
	}

	// 6. Candidate stage change webhook.
	hooks, err := paging.Collect(c.ListWebhooks(ctx))
	fix := "In Lever, go to Settings → Integrations and API → Webhooks and enable \"Candidate Stage Change\""
	if c.opts.WebhookURL != "" {
		fix += " with the URL " + c.opts.WebhookURL
	}
	fix += "."
	switch {
	case err != nil:
		r.Add("stage-change webhook", ats.SetupWarning, "could not list webhooks: "+apiMessage(err), fix)
	default:
		found := false
		for _, h := range hooks {
			if h.Event == EventCandidateStageChange && (c.opts.WebhookURL == "" || h.URL == c.opts.WebhookURL) {
				found = true
			}
		}
		var last time.Time
		if c.opts.LastWebhook != nil {
			last = c.opts.LastWebhook()
		}
		switch {
		case !found:
			r.Add("stage-change webhook", ats.SetupFailed, "no candidate stage change webhook exists", fix)
		case len(c.opts.WebhookSecrets) == 0:
			r.Add("stage-change webhook", ats.SetupFailed, "the candidate stage change webhook exists, but its signature token is not configured, so every delivery is refused",
				"Lever shows a webhook's signature token only when it is created: copy it from the webhooks page when adding the webhook, or delete the webhook and let the integration create it again (EnsureSubscription returns the token), and configure it.")
		case last.IsZero():
			r.Add("stage-change webhook", ats.SetupWarning, "the candidate stage change webhook exists, but no delivery has been verified yet; Lever sends nothing until a Super Admin switches the webhook group on",
				"A Super Admin must switch on \"Candidate Stage Change\" in Settings → Integrations and API → Webhooks; then move a test candidate to check.")
		default:
			r.Add("stage-change webhook", ats.SetupOK, "the candidate stage change webhook delivers; last verified delivery "+last.UTC().Format(time.RFC3339), "")
		}
	}
	return r, nil
}

// scopeUse says what each scope is needed for, in CheckSetup's report.
var scopeUse = map[string]string{
	"confidential:access:admin":      "confidential postings and candidates",
	"panels:write:admin":             "the interview on the candidate's profile",
	"interviews:write:admin":         "the interview on the candidate's profile",
	"feedback:write:admin":           "feedback forms",
	"feedback_templates:write:admin": "a vendor-owned feedback template",
	"files:write:admin":              "uploading the report",
	"resumes:read:admin":             "downloading resumes",
	"notes:write:admin":              "notes",
	"opportunities:write:admin":      "stage moves, tags and archiving",
	"webhooks:write:admin":           "creating the webhook",
}

func apiMessage(err error) string {
	var ae *ats.APIError
	if errors.As(err, &ae) && ae.Message != "" {
		return fmt.Sprintf("%d %s", ae.StatusCode, ae.Message)
	}
	return err.Error()
}
