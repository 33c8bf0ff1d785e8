package ats_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/ats"
)

func TestSetupReport(t *testing.T) {
	cases := []struct {
		name       string
		checks     []ats.SetupCheck
		wantOK     bool
		wantString string
	}{
		{"empty", nil, true, "all checks passed\n"},
		{"all ok", []ats.SetupCheck{{Name: "token", Status: ats.SetupOK, Detail: "valid"}}, true, "all checks passed\n"},
		{"a warning is still OK", []ats.SetupCheck{
			{Name: "token", Status: ats.SetupOK, Detail: "valid"},
			{Name: "webhook", Status: ats.SetupWarning, Detail: "not configured", Fix: "set WebhookURL"},
		}, true, "[warning] webhook: not configured\n       fix: set WebhookURL\n"},
		{"failed", []ats.SetupCheck{{Name: "vendor stage", Status: ats.SetupFailed, Detail: "add the stage"}}, false,
			"[failed] vendor stage: add the stage\n"},
		{"skipped", []ats.SetupCheck{{Name: "webhook", Status: ats.SetupSkipped, Detail: "Not checked."}}, false,
			"[skipped] webhook: Not checked.\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &ats.SetupReport{}
			for _, c := range tc.checks {
				r.Add(c.Name, c.Status, c.Detail, c.Fix)
			}
			if diff := cmp.Diff(tc.checks, r.Checks); diff != "" {
				t.Errorf("Checks after Add (-want +got):\n%s", diff)
			}
			if got := r.OK(); got != tc.wantOK {
				t.Errorf("OK() = %v, want %v", got, tc.wantOK)
			}
			if diff := cmp.Diff(tc.wantString, r.String()); diff != "" {
				t.Errorf("String() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSetupReportCheck(t *testing.T) {
	r := &ats.SetupReport{}
	r.Add("token", ats.SetupOK, "valid", "")
	r.Add("webhook", ats.SetupFailed, "none", "subscribe")
	cases := []struct {
		name   string
		want   ats.SetupCheck
		wantOK bool
	}{
		{"webhook", ats.SetupCheck{Name: "webhook", Status: ats.SetupFailed, Detail: "none", Fix: "subscribe"}, true},
		{"missing", ats.SetupCheck{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := r.Check(tc.name)
			if diff := cmp.Diff(tc.want, got); diff != "" || ok != tc.wantOK {
				t.Errorf("Check(%q) = %v (-want +got):\n%s", tc.name, ok, diff)
			}
		})
	}
}
