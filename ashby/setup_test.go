package ashby_test

import (
	"github.com/atskit/atskit/ats"
	"testing"

	"github.com/atskit/atskit/ashby"
	"github.com/atskit/atskit/ashby/ashbytest"
	"github.com/google/go-cmp/cmp"
)

func TestCheckSetup(t *testing.T) {
	type want map[string]ats.SetupStatus
	cases := []struct {
		name  string
		key   string
		perms []string
		mod   func(*ashby.Options)
		want  want
		ok    bool
	}{
		{"ready", ashbytest.DefaultAPIKey, nil, nil,
			want{"credentials": ats.SetupOK, "permissions": ats.SetupOK, "vendor stage": ats.SetupOK, "archive reason": ats.SetupOK, "webhooks": ats.SetupWarning}, true},
		{"missing write permissions", "limited", []string{"apiKeysRead", "candidatesRead", "jobsRead", "interviewsRead", "hiringProcessMetadataRead"}, nil,
			want{"credentials": ats.SetupOK, "permissions": ats.SetupFailed, "vendor stage": ats.SetupOK, "archive reason": ats.SetupOK, "webhooks": ats.SetupWarning}, false},
		{"no apiKeysRead: probe reads", "noapikey", []string{"candidatesRead", "candidatesWrite", "jobsRead", "interviewsRead", "hiringProcessMetadataRead", "hiringProcessMetadataWrite"}, nil,
			want{"credentials": ats.SetupOK, "permissions": ats.SetupWarning, "vendor stage": ats.SetupOK, "archive reason": ats.SetupOK, "webhooks": ats.SetupWarning}, true},
		{"no apiKeysRead and no jobsRead", "nojobs", []string{"candidatesRead", "hiringProcessMetadataRead"}, nil,
			want{"credentials": ats.SetupOK, "permissions": ats.SetupFailed, "vendor stage": ats.SetupWarning, "archive reason": ats.SetupOK, "webhooks": ats.SetupWarning}, false},
		{"bad key", "wrong", nil, nil,
			want{"credentials": ats.SetupFailed, "permissions": ats.SetupSkipped, "vendor stage": ats.SetupSkipped, "archive reason": ats.SetupSkipped, "webhooks": ats.SetupSkipped}, false},
		{"no vendor stage, unknown reason", ashbytest.DefaultAPIKey, nil, func(o *ashby.Options) { o.VendorStage, o.DefaultArchiveReason = "Karat", "Too tall" },
			want{"credentials": ats.SetupOK, "permissions": ats.SetupOK, "vendor stage": ats.SetupFailed, "archive reason": ats.SetupFailed, "webhooks": ats.SetupWarning}, false},
		{"webhook permissions needed", "nohooks", []string{"apiKeysRead", "candidatesRead", "candidatesWrite", "jobsRead", "interviewsRead", "hiringProcessMetadataRead", "hiringProcessMetadataWrite"},
			func(o *ashby.Options) { o.WebhookSecret = "s" },
			want{"credentials": ats.SetupOK, "permissions": ats.SetupFailed, "vendor stage": ats.SetupOK, "archive reason": ats.SetupOK, "webhooks": ats.SetupWarning}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			if tc.perms != nil {
				f.srv.AddAPIKey(tc.key, tc.perms...)
			}
			c := newClient(t, f.srv, tc.key, tc.mod)
			r, err := c.CheckSetup(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			got := want{}
			for _, ch := range r.Checks {
				got[ch.Name] = ch.Status
				if ch.Status != ats.SetupOK && ch.Status != ats.SetupSkipped && ch.Fix == "" {
					t.Errorf("check %s is %s without a fix", ch.Name, ch.Status)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("checks (-want +got):\n%s\n%s", diff, r)
			}
			if r.OK() != tc.ok {
				t.Errorf("OK() = %v, want %v\n%s", r.OK(), tc.ok, r)
			}
		})
	}
}
