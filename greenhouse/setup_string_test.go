package greenhouse_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/greenhouse"
)

// TestSetupReportString: the report's text lists the checks that are not
// OK with their messages, so lifecycle.SetupError (which shows a
// fmt.Stringer report) says what is wrong and how to fix it.
func TestSetupReportString(t *testing.T) {
	for _, tc := range []struct {
		name   string
		checks []greenhouse.SetupCheck
		want   string
	}{
		{"all ok", []greenhouse.SetupCheck{{Name: "token", Status: greenhouse.CheckOK, Message: "valid"}}, "all checks passed\n"},
		{"failed, skipped and warned", []greenhouse.SetupCheck{
			{Name: "token", Status: greenhouse.CheckOK, Message: "valid"},
			{Name: "vendor stage", Status: greenhouse.CheckFailed, Message: "add the stage"},
			{Name: "webhook", Status: greenhouse.CheckSkipped, Message: "Not checked."},
			{Name: "acting member", Status: greenhouse.CheckWarning, Message: "set MemberID"},
		}, "[failed] vendor stage: add the stage\n[skipped] webhook: Not checked.\n[warning] acting member: set MemberID\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &greenhouse.SetupReport{Checks: tc.checks}
			if diff := cmp.Diff(tc.want, r.String()); diff != "" {
				t.Errorf("String() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
