package greenhouse

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/atskit/atskit/ats"
)

// CheckStatus is the outcome of one setup check.
type CheckStatus string

// Check outcomes.
const (
	CheckOK      CheckStatus = "ok"
	CheckWarning CheckStatus = "warning"
	CheckFailed  CheckStatus = "failed"
	// CheckSkipped means an earlier failure made the check pointless.
	CheckSkipped CheckStatus = "skipped"
)

// SetupCheck is one line of a SetupReport.
type SetupCheck struct {
	// Name identifies the check: "token", "list jobs", "list applications",
	// "list candidates", "rejection reasons", "acting user",
	// "vendor stage".
	Name   string
	Status CheckStatus
	// Message says what was found and, when not OK, how to fix it.
	Message string
}

// SetupReport is the result of CheckSetup, one check per line.
type SetupReport struct {
	Checks []SetupCheck
}

// OK reports whether no check failed or was skipped (warnings allowed).
func (r *SetupReport) OK() bool {
	for _, c := range r.Checks {
		if c.Status == CheckFailed || c.Status == CheckSkipped {
			return false
		}
	}
	return true
}

// String lists the checks that are not OK — failed, skipped and warnings —
// one a line as "[status] name: message", the message saying how to fix
// it, or "all checks passed". lifecycle.SetupError shows it, so
// Engine.Connect's error says what is wrong with the account.
func (r *SetupReport) String() string {
	var b strings.Builder
	for _, c := range r.Checks {
		if c.Status != CheckOK {
			fmt.Fprintf(&b, "[%s] %s: %s\n", c.Status, c.Name, c.Message)
		}
	}
	if b.Len() == 0 {
		return "all checks passed\n"
	}
	return b.String()
}

// Check returns the check with the given name.
func (r *SetupReport) Check(name string) (SetupCheck, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return SetupCheck{}, false
}

func (r *SetupReport) add(name string, st CheckStatus, format string, args ...any) {
	r.Checks = append(r.Checks, SetupCheck{Name: name, Status: st, Message: fmt.Sprintf(format, args...)})
}

const credFix = "create Harvest V3 (OAuth) credentials in Greenhouse under Configure » Dev Center » API Credentials, grant the scopes in greenhouse.VendorScopes(), and use a Site Admin as the acting user"

// CheckSetup validates the integration for an onboarding screen: a token
// is issued; the token's user may list jobs, applications and candidates
// (Harvest v3 lists require the scopes harvest:<resource>:list and, as
// third parties report, a Site Admin); rejection reasons exist (Disqualify
// needs one); the acting user resolves; and at least one open job's
// interview plan has the vendor stage (or the assessment interview).
// Write scopes cannot be probed without writing; a refused write surfaces
// as ats.ErrForbidden. Failures are reported in the report; the error is
// non-nil only when ctx ends.
func (c *Client) CheckSetup(ctx context.Context) (*SetupReport, error) {
	r := &SetupReport{}
	if _, err := c.ts.Token(); err != nil {
		r.add("token", CheckFailed, "no access token: %v; %s", err, credFix)
		for _, n := range []string{"list jobs", "list applications", "list candidates", "rejection reasons", "acting user", "vendor stage"} {
			r.add(n, CheckSkipped, "needs a token")
		}
		return r, ctx.Err()
	}
	r.add("token", CheckOK, "an access token was issued")
	probe := func(name, path, scope string) bool {
		_, _, err := fetchPage[map[string]any](ctx, c, name, path, query("per_page", "1"), "")
		switch {
		case err == nil:
			r.add(name, CheckOK, "the token's user can %s", name)
			return true
		case errors.Is(err, ats.ErrForbidden):
			r.add(name, CheckFailed, "Greenhouse refused (403): grant the scope %s and make the acting user a Site Admin", scope)
		case errors.Is(err, ats.ErrUnauthorized):
			r.add(name, CheckFailed, "Greenhouse refused the token (401): %s", credFix)
		default:
			r.add(name, CheckFailed, "%v", err)
		}
		return false
	}
	jobsOK := probe("list jobs", "/jobs", "harvest:jobs:list")
	probe("list applications", "/applications", "harvest:applications:list")
	probe("list candidates", "/candidates", "harvest:candidates:list")
	if ctx.Err() != nil {
		return r, ctx.Err()
	}
	if rs, err := c.RejectionReasons(ctx); err != nil {
		r.add("rejection reasons", CheckFailed, "listing rejection reasons: %v (scope harvest:rejection_reasons:list)", err)
	} else if len(rs) == 0 {
		r.add("rejection reasons", CheckWarning, "the account has no rejection reasons; Disqualify needs one")
	} else {
		r.add("rejection reasons", CheckOK, "%d rejection reasons", len(rs))
	}
	switch u, err := c.ActingUser(ctx); {
	case err != nil:
		r.add("acting user", CheckFailed, "%v; set Options.UserID or a UserEmail of an active Greenhouse user", err)
	case u == "":
		r.add("acting user", CheckWarning, "no acting user configured: writes are attributed to the credential's service account")
	default:
		r.add("acting user", CheckOK, "writes are attributed to user %s", u)
	}
	if !jobsOK {
		r.add("vendor stage", CheckSkipped, "needs list jobs")
		return r, ctx.Err()
	}
	n := 0
	for _, err := range c.LinkedJobs(ctx) {
		if err != nil {
			r.add("vendor stage", CheckFailed, "reading interview plans: %v (scopes harvest:job_interview_stages:list, harvest:job_interviews:list)", err)
			return r, ctx.Err()
		}
		n++
	}
	marker := fmt.Sprintf("a stage named %q", c.opts.VendorStage)
	if c.opts.AssessmentInterview != "" {
		marker += fmt.Sprintf(" or the assessment interview %q", c.opts.AssessmentInterview)
	}
	if n == 0 {
		r.add("vendor stage", CheckWarning, "no open job's interview plan has %s; add it to the jobs that should use the vendor", marker)
	} else {
		r.add("vendor stage", CheckOK, "%d open job(s) have %s", n, strings.TrimSpace(marker))
	}
	return r, ctx.Err()
}
