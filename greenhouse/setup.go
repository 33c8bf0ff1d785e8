package greenhouse

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

const credFix = "create Harvest V3 (OAuth) credentials in Greenhouse under Configure » Dev Center » API Credentials, grant the scopes in greenhouse.VendorScopes(), and use a Site Admin as the acting user"

// CheckSetup validates the integration for an onboarding screen: a token
// is issued; the token's user may list jobs, applications and candidates
// (Harvest v3 lists require the scopes harvest:<resource>:list and, as
// third parties report, a Site Admin); rejection reasons exist (Disqualify
// needs one); the acting user resolves; and at least one open job's
// interview plan has the vendor stage (or the assessment interview).
// Write scopes cannot be probed without writing; a refused write surfaces
// as ats.ErrForbidden. Failures are reported in the report; the error is
// non-nil only when ctx ends. The checks are named "token", "list jobs",
// "list applications", "list candidates", "rejection reasons", "acting
// user" and "vendor stage"; a check's Detail also says how to fix it.
func (c *Client) CheckSetup(ctx context.Context) (*ats.SetupReport, error) {
	r := &ats.SetupReport{}
	if _, err := c.ts.Token(); err != nil {
		r.Addf("token", ats.SetupFailed, "no access token: %v; %s", err, credFix)
		for _, n := range []string{"list jobs", "list applications", "list candidates", "rejection reasons", "acting user", "vendor stage"} {
			r.Addf(n, ats.SetupSkipped, "needs a token")
		}
		return r, ctx.Err()
	}
	r.Addf("token", ats.SetupOK, "an access token was issued")
	probe := func(name, path, scope string) bool {
		_, _, err := fetchPage[map[string]any](ctx, c, name, path, query("per_page", "1"), "")
		switch {
		case err == nil:
			r.Addf(name, ats.SetupOK, "the token's user can %s", name)
			return true
		case errors.Is(err, ats.ErrForbidden):
			r.Addf(name, ats.SetupFailed, "Greenhouse refused (403): grant the scope %s and make the acting user a Site Admin", scope)
		case errors.Is(err, ats.ErrUnauthorized):
			r.Addf(name, ats.SetupFailed, "Greenhouse refused the token (401): %s", credFix)
		default:
			r.Addf(name, ats.SetupFailed, "%v", err)
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
		r.Addf("rejection reasons", ats.SetupFailed, "listing rejection reasons: %v (scope harvest:rejection_reasons:list)", err)
	} else if len(rs) == 0 {
		r.Addf("rejection reasons", ats.SetupWarning, "the account has no rejection reasons; Disqualify needs one")
	} else {
		r.Addf("rejection reasons", ats.SetupOK, "%d rejection reasons", len(rs))
	}
	switch u, err := c.ActingUser(ctx); {
	case err != nil:
		r.Addf("acting user", ats.SetupFailed, "%v; set Options.UserID or a UserEmail of an active Greenhouse user", err)
	case u == "":
		r.Addf("acting user", ats.SetupWarning, "no acting user configured: writes are attributed to the credential's service account")
	default:
		r.Addf("acting user", ats.SetupOK, "writes are attributed to user %s", u)
	}
	if !jobsOK {
		r.Addf("vendor stage", ats.SetupSkipped, "needs list jobs")
		return r, ctx.Err()
	}
	n := 0
	for _, err := range c.LinkedJobs(ctx) {
		if err != nil {
			r.Addf("vendor stage", ats.SetupFailed, "reading interview plans: %v (scopes harvest:job_interview_stages:list, harvest:job_interviews:list)", err)
			return r, ctx.Err()
		}
		n++
	}
	marker := fmt.Sprintf("a stage named %q", c.opts.VendorStage)
	if c.opts.AssessmentInterview != "" {
		marker += fmt.Sprintf(" or the assessment interview %q", c.opts.AssessmentInterview)
	}
	if n == 0 {
		r.Addf("vendor stage", ats.SetupWarning, "no open job's interview plan has %s; add it to the jobs that should use the vendor", marker)
	} else {
		r.Addf("vendor stage", ats.SetupOK, "%d open job(s) have %s", n, strings.TrimSpace(marker))
	}
	return r, ctx.Err()
}
