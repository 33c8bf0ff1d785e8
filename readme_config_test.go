package atskit_test

import (
	"bytes"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/lifecycle/lifecycletest"
	"github.com/atskit/atskit/workable/workabletest"
)

// readmeEnv lists every variable the README's host reads.
var readmeEnv = []string{"ATSKIT_ADDR", "ATSKIT_PUBLIC_URL", "ATSKIT_DB", "VENDOR_NAME", "LINK_SECRET",
	"ACME_WORKABLE_URL", "ACME_WORKABLE_SUBDOMAIN", "ACME_WORKABLE_TOKEN", "ACME_PROVIDER_TOKEN",
	"ACME_CALLBACK_TOKEN", "WORKABLE_RATE_LIMIT"}

// TestConfigFromEnv: the README host's configuration comes from the
// variables the README lists, with its defaults, and a missing or bad one
// is refused with what to set.
func TestConfigFromEnv(t *testing.T) {
	required := map[string]string{"LINK_SECRET": "0123456789abcdef0123456789abcdef",
		"ACME_WORKABLE_TOKEN": "tok", "ACME_PROVIDER_TOKEN": "prov", "ACME_CALLBACK_TOKEN": "cb"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range required {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	type got struct {
		Addr, PublicURL, DB, VendorName, Subdomain, BaseURL string
		RateLimit                                           int
	}
	tests := []struct {
		name    string
		env     map[string]string
		want    got
		wantErr []string // substrings of the error
	}{
		{name: "defaults", env: required,
			want: got{Addr: ":8080", PublicURL: "http://localhost:8080/atskit", DB: "atskit.db", VendorName: "YourProduct", Subdomain: "acme"}},
		{name: "the public URL follows the listen port", env: with(map[string]string{"ATSKIT_ADDR": "127.0.0.1:9000"}),
			want: got{Addr: "127.0.0.1:9000", PublicURL: "http://localhost:9000/atskit", DB: "atskit.db", VendorName: "YourProduct", Subdomain: "acme"}},
		{name: "the fake's recipe", env: with(map[string]string{"ATSKIT_ADDR": "127.0.0.1:8080", "ATSKIT_PUBLIC_URL": "http://127.0.0.1:8080/atskit",
			"ATSKIT_DB": "x.db", "VENDOR_NAME": "Acme Interviews", "ACME_WORKABLE_URL": "http://127.0.0.1:8081/spi/v3",
			"ACME_WORKABLE_SUBDOMAIN": "globex", "WORKABLE_RATE_LIMIT": "-1"}),
			want: got{Addr: "127.0.0.1:8080", PublicURL: "http://127.0.0.1:8080/atskit", DB: "x.db", VendorName: "Acme Interviews",
				Subdomain: "globex", BaseURL: "http://127.0.0.1:8081/spi/v3", RateLimit: -1}},
		{name: "nothing set", env: nil,
			wantErr: []string{"LINK_SECRET", "ACME_WORKABLE_TOKEN", "ACME_PROVIDER_TOKEN", "ACME_CALLBACK_TOKEN"}},
		{name: "short link secret", env: with(map[string]string{"LINK_SECRET": "short"}),
			wantErr: []string{"LINK_SECRET has 5 bytes", "at least 32"}},
		{name: "bad rate limit", env: with(map[string]string{"WORKABLE_RATE_LIMIT": "ten"}),
			wantErr: []string{`WORKABLE_RATE_LIMIT="ten"`, "-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range readmeEnv {
				t.Setenv(k, tt.env[k])
			}
			cfg, err := configFromEnv(lifecycletest.NewVendor())
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("configFromEnv: no error, want one naming %q", tt.wantErr)
				}
				for _, s := range tt.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("configFromEnv error %q does not say %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c := cfg.Customers[0]
			if diff := cmp.Diff(tt.want, got{cfg.Addr, cfg.PublicURL, cfg.DB, cfg.VendorName, c.Subdomain, c.BaseURL, cfg.RateLimit}); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

// lockedBuffer is a bytes.Buffer safe for the host's concurrent logging.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestREADMEUsageSetupFailureSaysWhatToFix: when a customer's account is
// not ready, the README's host logs each failed setup check with its fix,
// not an opaque error.
func TestREADMEUsageSetupFailureSaysWhatToFix(t *testing.T) {
	tests := []struct {
		name               string
		vendorStage, email string // what the fake seeds
		want               []string
	}{
		{name: "acting member missing", vendorStage: "YourProduct", email: "someone@else.example",
			want: []string{"customer not set up: fix this, then restart", `check="acting member"`, "integrations@vendor.example"}},
		{name: "no job has the vendor stage", vendorStage: "OtherVendor", email: "integrations@vendor.example",
			want: []string{"customer not set up: fix this, then restart", `check="vendor stage"`, "YourProduct"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs lockedBuffer
			old := slog.Default()
			slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
			t.Cleanup(func() { slog.SetDefault(old) })

			fake := workabletest.NewServer(workabletest.WithoutRateLimit())
			t.Cleanup(fake.Close)
			fake.SeedDemo(tt.vendorStage, tt.email)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			setREADMEEnv(t, fake, ln.Addr().String())
			t.Setenv("ATSKIT_DB", filepath.Join(t.TempDir(), "atskit.db"))
			cfg, err := configFromEnv(lifecycletest.NewVendor())
			if err != nil {
				t.Fatal(err)
			}
			h, err := newHost(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := h.start(t.Context(), ln); err != nil { // logs the setup before it returns
				t.Fatal(err)
			}
			if err := h.shutdown(5 * time.Second); err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.want {
				if !strings.Contains(logs.String(), s) {
					t.Errorf("host log does not say %q:\n%s", s, logs.String())
				}
			}
		})
	}
}
