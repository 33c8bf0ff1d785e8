package ashby

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/atskit/atskit/ats"
)

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

// Permissions returns the Ashby API key permissions the vendor flow
// needs: reading jobs, interview plans and applications, moving them and
// writing notes, tags and files, reading archive reasons, and (when
// webhooks are managed through the API) writing webhooks. Each call
// returns a fresh slice.
func (c *Client) Permissions() []string {
	p := []string{"candidatesRead", "candidatesWrite", "jobsRead", "interviewsRead", "hiringProcessMetadataRead", "hiringProcessMetadataWrite"}
	if c.opts.WebhookSecret != "" || len(c.opts.WebhookIDs) > 0 {
		p = append(p, "apiKeysRead", "apiKeysWrite")
	}
	return p
}

// normScope makes "candidatesRead", "candidates:read" and "candidates_read"
// compare equal: Ashby's docs name permissions the first way and apiKey.info
// reports scopes the second.
func normScope(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ':', '_', '-', '.', ' ':
			return -1
		}
		return r
	}, strings.ToLower(s))
}

// CheckSetup checks that the customer's Ashby account is ready for the
// vendor: the key works, it has the permissions in Permissions (read with
// apiKey.info; without apiKeysRead each read permission is probed), a job
// links to the vendor through Options.VendorStage, the default archive
// reason exists, and the known webhooks are enabled. The error is non-nil
// only when ctx ends; everything else is a line of the report. The checks
// are named "credentials", "permissions", "vendor stage", "archive reason"
// and "webhooks"; one not configured is a warning.
func (c *Client) CheckSetup(ctx context.Context) (*ats.SetupReport, error) {
	r := &ats.SetupReport{}
	key, err := c.APIKey(ctx)
	switch {
	case ctx.Err() != nil:
		return r, ctx.Err()
	case err == nil:
		r.Addf("credentials", ats.SetupOK, "API key %q works", key.Title)
		have := map[string]bool{}
		for _, s := range key.Scopes {
			have[normScope(s)] = true
		}
		var missing []string
		for _, p := range c.Permissions() {
			if !have[normScope(p)] {
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 {
			r.Add("permissions", ats.SetupFailed, "the API key lacks "+strings.Join(missing, ", "),
				"in Ashby, Admin » Integrations » API Keys: edit the key and grant "+strings.Join(missing, ", "))
		} else {
			r.Add("permissions", ats.SetupOK, "the API key has every permission the flow needs", "")
		}
	case errors.Is(err, ats.ErrForbidden) && apiCode(err) == "missing_endpoint_permission":
		r.Add("credentials", ats.SetupOK, "the API key is accepted", "")
		c.probePermissions(ctx, r)
	case errors.Is(err, ats.ErrUnauthorized), errors.Is(err, ats.ErrForbidden):
		r.Add("credentials", ats.SetupFailed, "Ashby refused the API key: "+err.Error(),
			"create a new key in Ashby under Admin » Integrations » API Keys and store it; a deactivated key answers 403")
		r.Add("permissions", ats.SetupSkipped, "credentials failed", "")
		r.Add("vendor stage", ats.SetupSkipped, "credentials failed", "")
		r.Add("archive reason", ats.SetupSkipped, "credentials failed", "")
		r.Add("webhooks", ats.SetupSkipped, "credentials failed", "")
		return r, nil
	default:
		r.Add("credentials", ats.SetupWarning, "could not read the API key: "+err.Error(), "retry later")
	}
	c.checkVendorStage(ctx, r)
	c.checkArchiveReason(ctx, r)
	c.checkWebhooks(ctx, r)
	return r, ctx.Err()
}

func apiCode(err error) string {
	var ae *ats.APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return ""
}

// probePermissions tries one read per read permission when apiKey.info is
// not allowed. Write permissions cannot be probed without writing.
func (c *Client) probePermissions(ctx context.Context, r *ats.SetupReport) {
	var missing []string
	probe := func(perm string, fn func() error) {
		if err := fn(); errors.Is(err, ats.ErrForbidden) {
			missing = append(missing, perm)
		}
	}
	probe("jobsRead", func() error {
		for _, err := range c.ListJobs(ctx, ListJobsOptions{ListOptions: ListOptions{Limit: 1}}) {
			return err
		}
		return nil
	})
	probe("candidatesRead", func() error {
		for _, err := range c.ListApplications(ctx, ListApplicationsOptions{ListOptions: ListOptions{Limit: 1}}) {
			return err
		}
		return nil
	})
	probe("hiringProcessMetadataRead", func() error { _, err := c.ArchiveReasons(ctx); return err })
	if len(missing) > 0 {
		r.Add("permissions", ats.SetupFailed, "the API key lacks "+strings.Join(missing, ", "),
			"in Ashby, Admin » Integrations » API Keys: edit the key and grant "+strings.Join(missing, ", "))
		return
	}
	r.Add("permissions", ats.SetupWarning, "read permissions work; write permissions cannot be checked without apiKeysRead",
		"grant the key apiKeysRead so the check can read its permissions, or make sure it has "+strings.Join(c.Permissions(), ", "))
}

func (c *Client) checkVendorStage(ctx context.Context, r *ats.SetupReport) {
	if strings.TrimSpace(c.opts.VendorStage) == "" {
		r.Add("vendor stage", ats.SetupWarning, "not checked: Options.VendorStage is not set", "set Options.VendorStage to the name of the interview-plan stage that links a job to the vendor")
		return
	}
	for j, err := range c.LinkedJobs(ctx) {
		if err != nil {
			r.Add("vendor stage", ats.SetupWarning, "could not read the jobs' interview plans: "+err.Error(), "grant the key jobsRead and retry")
			return
		}
		r.Addf("vendor stage", ats.SetupOK, "job %q has the stage %q", j.Title, j.Link.Marker)
		return
	}
	r.Add("vendor stage", ats.SetupFailed, fmt.Sprintf("no open job's interview plan has a stage called %q", c.opts.VendorStage),
		fmt.Sprintf("in Ashby, add a stage called %q to the interview plan of each job that uses the vendor", c.opts.VendorStage))
}

func (c *Client) checkArchiveReason(ctx context.Context, r *ats.SetupReport) {
	if c.opts.DefaultArchiveReason == "" {
		r.Add("archive reason", ats.SetupWarning, "not checked: Options.DefaultArchiveReason is not set",
			"set Options.DefaultArchiveReason to the archive reason Disqualify uses")
		return
	}
	rs, err := c.ArchiveReasons(ctx)
	if err != nil {
		r.Add("archive reason", ats.SetupWarning, "could not list archive reasons: "+err.Error(), "grant the key hiringProcessMetadataRead")
		return
	}
	if matchReason(rs, c.opts.DefaultArchiveReason) == "" {
		r.Add("archive reason", ats.SetupFailed, fmt.Sprintf("no active archive reason is called %q", c.opts.DefaultArchiveReason),
			"add the archive reason in Ashby (Admin » Archive Reasons) or change Options.DefaultArchiveReason")
		return
	}
	r.Addf("archive reason", ats.SetupOK, "archive reason %q exists", c.opts.DefaultArchiveReason)
}

func (c *Client) checkWebhooks(ctx context.Context, r *ats.SetupReport) {
	ids := c.knownWebhookIDs()
	if len(ids) == 0 {
		r.Add("webhooks", ats.SetupWarning, "not checked: no webhook IDs are known (Ashby has no webhook.list)", "create the webhooks with EnsureSubscription and store their IDs in Options.WebhookIDs")
		return
	}
	var disabled []string
	for _, id := range ids {
		w, err := c.WebhookInfo(ctx, id)
		if err != nil {
			r.Add("webhooks", ats.SetupFailed, fmt.Sprintf("webhook %s: %v", id, err), "recreate the webhook with EnsureSubscription and store its ID")
			return
		}
		if !w.Enabled {
			disabled = append(disabled, w.WebhookType+" → "+w.RequestURL)
		}
	}
	if len(disabled) > 0 {
		r.Add("webhooks", ats.SetupFailed, "disabled (Ashby disables a webhook whose ping failed): "+strings.Join(disabled, "; "),
			"make sure the URL answers 2xx and the secret matches, then call EnsureSubscription to enable it")
		return
	}
	r.Addf("webhooks", ats.SetupOK, "%d webhook(s) enabled", len(ids))
}
