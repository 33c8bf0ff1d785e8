package workable_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/memstore"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
)

// TestSetupReportString: the report's text lists the checks that are not
// OK with their messages, so lifecycle.SetupError (which shows a
// fmt.Stringer report) says what is wrong and how to fix it.
func TestSetupReportString(t *testing.T) {
	for _, tc := range []struct {
		name   string
		checks []workable.SetupCheck
		want   string
	}{
		{"all ok", []workable.SetupCheck{{Name: "token", Status: workable.CheckOK, Message: "valid"}}, "all checks passed\n"},
		{"failed, skipped and warned", []workable.SetupCheck{
			{Name: "token", Status: workable.CheckOK, Message: "valid"},
			{Name: "vendor stage", Status: workable.CheckFailed, Message: "add the stage"},
			{Name: "webhook", Status: workable.CheckSkipped, Message: "Not checked."},
			{Name: "acting member", Status: workable.CheckWarning, Message: "set MemberID"},
		}, "[failed] vendor stage: add the stage\n[skipped] webhook: Not checked.\n[warning] acting member: set MemberID\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &workable.SetupReport{Checks: tc.checks}
			if diff := cmp.Diff(tc.want, r.String()); diff != "" {
				t.Errorf("String() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestConnectErrorSaysWhatFailed: Engine.Connect's *SetupError for a
// Workable account that is not ready names the failed check and its fix.
func TestConnectErrorSaysWhatFailed(t *testing.T) {
	ctx := context.Background()
	fake := workabletest.NewServer(workabletest.WithoutRateLimit())
	defer fake.Close()
	wk, err := workable.NewClient(workable.Options{Subdomain: fake.Subdomain(), Token: workabletest.DefaultAPIKey, BaseURL: fake.URL,
		ActingMemberEmail: "nobody@vendor.example", VendorStage: "YourProduct", RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	conns := &lifecycle.MemoryConnector{}
	conns.Set("acme", wk)
	e := lifecycle.NewEngine(memstore.New(), lifecycle.Options{Connector: conns, VendorName: "YourProduct"})
	_, err = e.Connect(ctx, lifecycle.ConnectOptions{ID: "acme", Kind: "workable"})
	var se *lifecycle.SetupError
	if !errors.As(err, &se) {
		t.Fatalf("Connect = %v, want a *lifecycle.SetupError", err)
	}
	for _, want := range []string{"[failed] acting member:", "nobody@vendor.example"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Connect error %q does not contain %q", err, want)
		}
	}
}
