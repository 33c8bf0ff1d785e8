package ashby

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/atskit/atskit/ats"
)

// SetupStatus is the outcome of one setup check.
type SetupStatus string

// Setup statuses.
const (
	SetupPass SetupStatus = "pass"
	SetupFail SetupStatus = "fail"
	SetupWarn SetupStatus = "warn" // could not tell; the integration may still work
	SetupSkip SetupStatus = "skip" // not checked (an earlier check failed, or not configured)
)

// SetupCheck is one line of a SetupReport.
type SetupCheck struct {
	// Name identifies the check, e.g. "permissions".
	Name string
	// Status is the outcome.
	Status SetupStatus
	// Detail says what was found.
	Detail string
	// Fix tells an Ashby admin what to do when Status is not SetupPass.
	Fix string
}

// SetupReport is the result of CheckSetup, one check per line.
type SetupReport struct {
	Checks []SetupCheck
}

// OK reports whether no check failed.
func (r *SetupReport) OK() bool {
	for _, c := range r.Checks {
		if c.Status == SetupFail {
			return false
		}
	}
	return true
}

// Check returns the check called name.
func (r *SetupReport) Check(name string) (SetupCheck, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return SetupCheck{}, false
}

// String renders the report one check per line, with the fix indented
// below a failed or uncertain check.
func (r *SetupReport) String() string {
	var b strings.Builder
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "[%s] %s: %s\n", c.Status, c.Name, c.Detail)
		if c.Fix != "" && c.Status != SetupPass {
			fmt.Fprintf(&b, "       fix: %s\n", c.Fix)
		}
	}
	return b.String()
}

func (r *SetupReport) add(name string, st SetupStatus, detail, fix string) {
	r.Checks = append(r.Checks, SetupCheck{Name: name, Status: st, Detail: detail, Fix: fix})
}

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
// only when ctx ends; everything else is a line of the report.
func (c *Client) CheckSetup(ctx context.Context) (*SetupReport, error) {
	r := &SetupReport{}
	key, err := c.APIKey(ctx)
	switch {
	case ctx.Err() != nil:
		return r, ctx.Err()
	case err == nil:
		r.add("credentials", SetupPass, fmt.Sprintf("API key %q works", key.Title), "")
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
			r.add("permissions", SetupFail, "the API key lacks "+strings.Join(missing, ", "),
				"in Ashby, Admin » Integrations » API Keys: edit the key and grant "+strings.Join(missing, ", "))
		} else {
			r.add("permissions", SetupPass, "the API key has every permission the flow needs", "")
		}
	case errors.Is(err, ats.ErrForbidden) && apiCode(err) == "missing_endpoint_permission":
		r.add("credentials", SetupPass, "the API key is accepted", "")
		c.probePermissions(ctx, r)
	case errors.Is(err, ats.ErrUnauthorized), errors.Is(err, ats.ErrForbidden):
		r.add("credentials", SetupFail, "Ashby refused the API key: "+err.Error(),
			"create a new key in Ashby under Admin » Integrations » API Keys and store it; a deactivated key answers 403")
		r.add("permissions", SetupSkip, "credentials failed", "")
		r.add("vendor stage", SetupSkip, "credentials failed", "")
		r.add("archive reason", SetupSkip, "credentials failed", "")
		r.add("webhooks", SetupSkip, "credentials failed", "")
		return r, nil
	default:
		r.add("credentials", SetupWarn, "could not read the API key: "+err.Error(), "retry later")
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
func (c *Client) probePermissions(ctx context.Context, r *SetupReport) {
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
		r.add("permissions", SetupFail, "the API key lacks "+strings.Join(missing, ", "),
			"in Ashby, Admin » Integrations » API Keys: edit the key and grant "+strings.Join(missing, ", "))
		return
	}
	r.add("permissions", SetupWarn, "read permissions work; write permissions cannot be checked without apiKeysRead",
		"grant the key apiKeysRead so the check can read its permissions, or make sure it has "+strings.Join(c.Permissions(), ", "))
}

func (c *Client) checkVendorStage(ctx context.Context, r *SetupReport) {
	if strings.TrimSpace(c.opts.VendorStage) == "" {
		r.add("vendor stage", SetupSkip, "Options.VendorStage is not set", "")
		return
	}
	for j, err := range c.LinkedJobs(ctx) {
		if err != nil {
			r.add("vendor stage", SetupWarn, "could not read the jobs' interview plans: "+err.Error(), "grant the key jobsRead and retry")
			return
		}
		r.add("vendor stage", SetupPass, fmt.Sprintf("job %q has the stage %q", j.Title, j.Link.Marker), "")
		return
	}
	r.add("vendor stage", SetupFail, fmt.Sprintf("no open job's interview plan has a stage called %q", c.opts.VendorStage),
		fmt.Sprintf("in Ashby, add a stage called %q to the interview plan of each job that uses the vendor", c.opts.VendorStage))
}

func (c *Client) checkArchiveReason(ctx context.Context, r *SetupReport) {
	if c.opts.DefaultArchiveReason == "" {
		r.add("archive reason", SetupSkip, "Options.DefaultArchiveReason is not set", "")
		return
	}
	rs, err := c.ArchiveReasons(ctx)
	if err != nil {
		r.add("archive reason", SetupWarn, "could not list archive reasons: "+err.Error(), "grant the key hiringProcessMetadataRead")
		return
	}
	if matchReason(rs, c.opts.DefaultArchiveReason) == "" {
		r.add("archive reason", SetupFail, fmt.Sprintf("no active archive reason is called %q", c.opts.DefaultArchiveReason),
			"add the archive reason in Ashby (Admin » Archive Reasons) or change Options.DefaultArchiveReason")
		return
	}
	r.add("archive reason", SetupPass, fmt.Sprintf("archive reason %q exists", c.opts.DefaultArchiveReason), "")
}

func (c *Client) checkWebhooks(ctx context.Context, r *SetupReport) {
	ids := c.knownWebhookIDs()
	if len(ids) == 0 {
		r.add("webhooks", SetupSkip, "no webhook IDs are known (Ashby has no webhook.list)", "")
		return
	}
	var disabled []string
	for _, id := range ids {
		w, err := c.WebhookInfo(ctx, id)
		if err != nil {
			r.add("webhooks", SetupFail, fmt.Sprintf("webhook %s: %v", id, err), "recreate the webhook with EnsureSubscription and store its ID")
			return
		}
		if !w.Enabled {
			disabled = append(disabled, w.WebhookType+" → "+w.RequestURL)
		}
	}
	if len(disabled) > 0 {
		r.add("webhooks", SetupFail, "disabled (Ashby disables a webhook whose ping failed): "+strings.Join(disabled, "; "),
			"make sure the URL answers 2xx and the secret matches, then call EnsureSubscription to enable it")
		return
	}
	r.add("webhooks", SetupPass, fmt.Sprintf("%d webhook(s) enabled", len(ids)), "")
}
