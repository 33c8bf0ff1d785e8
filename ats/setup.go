package ats

import (
	"fmt"
	"strings"
)

// SetupStatus is the outcome of one setup check.
type SetupStatus string

// Setup statuses.
const (
	// SetupOK means the check passed.
	SetupOK SetupStatus = "ok"
	// SetupWarning means the check could not tell, or found something the
	// integration works without (an optional setting not configured, say);
	// the report is still OK.
	SetupWarning SetupStatus = "warning"
	// SetupFailed means the integration will not work until the customer
	// fixes what the check says.
	SetupFailed SetupStatus = "failed"
	// SetupSkipped means the check was not run because one it depends on
	// failed or could not run; like SetupFailed, it makes the report not
	// OK.
	SetupSkipped SetupStatus = "skipped"
)

// SetupCheck is one line of a SetupReport.
type SetupCheck struct {
	// Name identifies the check within its adapter, e.g. "credentials" or
	// "vendor stage"; each adapter's CheckSetup lists its names.
	Name string
	// Status is the outcome.
	Status SetupStatus
	// Detail says what was found.
	Detail string
	// Fix tells the customer's ATS admin what to do when Status is not
	// SetupOK; empty when Detail says it already.
	Fix string
}

// SetupReport is what an adapter's CheckSetup returns, for an onboarding
// screen: one check per line, in the order they ran. lifecycle.Engine's
// Connect refuses a connection whose report is not OK and shows String.
type SetupReport struct {
	Checks []SetupCheck
}

// OK reports whether no check failed or was skipped (warnings allowed).
func (r *SetupReport) OK() bool {
	for _, c := range r.Checks {
		if c.Status == SetupFailed || c.Status == SetupSkipped {
			return false
		}
	}
	return true
}

// Check returns the check called name; false when there is none.
func (r *SetupReport) Check(name string) (SetupCheck, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return SetupCheck{}, false
}

// Add appends a check.
func (r *SetupReport) Add(name string, status SetupStatus, detail, fix string) {
	r.Checks = append(r.Checks, SetupCheck{Name: name, Status: status, Detail: detail, Fix: fix})
}

// Addf appends a check whose detail is format and args formatted as
// fmt.Sprintf does, with no separate fix (the detail says what to do).
func (r *SetupReport) Addf(name string, status SetupStatus, format string, args ...any) {
	r.Add(name, status, fmt.Sprintf(format, args...), "")
}

// String lists the checks that are not OK — failed, skipped and warnings —
// one a line as "[status] name: detail", each followed by an indented
// "fix: …" line when it has a Fix; or "all checks passed".
func (r *SetupReport) String() string {
	var b strings.Builder
	for _, c := range r.Checks {
		if c.Status == SetupOK {
			continue
		}
		fmt.Fprintf(&b, "[%s] %s: %s\n", c.Status, c.Name, c.Detail)
		if c.Fix != "" {
			fmt.Fprintf(&b, "       fix: %s\n", c.Fix)
		}
	}
	if b.Len() == 0 {
		return "all checks passed\n"
	}
	return b.String()
}
