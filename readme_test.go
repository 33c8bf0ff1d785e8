package atskit_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/lifecycletest"
	"github.com/atskit/atskit/workable/workabletest"
)

// readmeUsage returns the README's usage program: the first Go block under
// "## Usage".
func readmeUsage(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, usage, ok := strings.Cut(string(b), "\n## Usage\n")
	if !ok {
		t.Fatal(`README.md has no "## Usage" section`)
	}
	m := regexp.MustCompile("(?s)```go\n(.*?)```").FindStringSubmatch(usage)
	if m == nil {
		t.Fatal("README.md's usage has no Go block")
	}
	return m[1]
}

// TestREADMEUsageIsTheExample: the README's usage is example_test.go as a
// main package, so what a user copies is what the tests compile and run.
func TestREADMEUsageIsTheExample(t *testing.T) {
	b, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(string(b), "package atskit_test\n", "package main\n", 1)
	want = strings.Replace(want, "\nfunc Example() {\n", "\nfunc main() {\n", 1)
	if diff := cmp.Diff(want, readmeUsage(t)); diff != "" {
		t.Errorf("README.md's usage differs from example_test.go (as package main with func main); copy the file into the README (-want +got):\n%s", diff)
	}
}

// TestREADMEUsage runs the README's host against a fake Workable account:
// a recruiter moves a candidate into the vendor's stage, the webhook
// creates an interview on the vendor's platform, the platform reports the
// invitation, and the invitation's note appears on the candidate in
// Workable. Then the host shuts down gracefully.
func TestREADMEUsage(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	// The fake program's account (go run ./examples/fakeworkable) and the
	// environment it prints, so the README's run recipe is what is tested.
	fake := workabletest.NewServer(workabletest.WithoutRateLimit())
	t.Cleanup(fake.Close)
	demo := fake.SeedDemo("YourProduct", "integrations@vendor.example")
	ada := demo.Candidate

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	setREADMEEnv(t, fake, ln.Addr().String())
	vendor := lifecycletest.NewVendor()
	cfg, err := configFromEnv(vendor)
	if err != nil {
		t.Fatal(err)
	}
	h, err := newHost(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.start(ctx, ln); err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			h.shutdown(time.Second)
		}
	})

	positions, err := h.engine.Positions(ctx, lifecycle.PositionFilter{Connection: "acme-workable"})
	if err != nil {
		t.Fatal(err)
	}
	if len(positions) != 1 || positions[0].Status != lifecycle.PositionActive {
		t.Fatalf("positions after start: %+v, want the linked job active", positions)
	}
	if subs := fake.Subscriptions(); len(subs) != 1 || subs[0].Target != cfg.PublicURL+"/hooks/workable/acme-workable" {
		t.Fatalf("webhook subscriptions: %+v, want one to the host's route", subs)
	}

	// The recruiter's move fires Workable's signed webhook at the host.
	if err := fake.MoveToVendorStage(demo); err != nil {
		t.Fatal(err)
	}
	created, err := vendor.WaitCreated(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	got := created[0].Request
	if diff := cmp.Diff([]string{"acme-workable", ada.ID, "Technical", "backend-l2", "ada@example.com"},
		[]string{got.Connection, got.Candidate.ID, got.RoundName, got.Template, strings.Join(got.Candidate.Emails, ",")}); diff != "" {
		t.Errorf("vendor request (-want +got):\n%s", diff)
	}

	// The platform invited the candidate; the note reaches Workable.
	iv, err := lifecycletest.WaitInterview(ctx, h.store, lifecycle.InterviewFilter{CandidateID: ada.ID}, lifecycletest.InState(lifecycle.StateRequested))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycletest.WaitEffects(ctx, h.store, lifecycle.EffectFilter{InterviewID: iv.ID, Kind: lifecycle.EffectVendorCreate}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.engine.Report(ctx, iv.ID, lifecycle.Update{Kind: lifecycle.UpdateInvited, Link: "https://vendor.example/s/1"}); err != nil {
		t.Fatal(err)
	}
	effects, err := lifecycletest.WaitEffects(ctx, h.store, lifecycle.EffectFilter{InterviewID: iv.ID, Kind: lifecycle.EffectNote})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range effects {
		if e.State != lifecycle.EffectDone {
			t.Errorf("note effect %s: %s (%s), want done", e.ID, e.State, e.LastError)
		}
	}
	comments := fake.CommentsOn(ada.ID)
	if !slices.ContainsFunc(comments, func(c string) bool {
		return strings.Contains(c, "was invited") && strings.Contains(c, "https://vendor.example/s/1")
	}) {
		t.Errorf("comments on the candidate: %q, want the invitation with its link", comments)
	}

	stopped = true
	if err := h.shutdown(5 * time.Second); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

// setREADMEEnv sets the environment the README's run recipe exports for
// the host (what examples/fakeworkable prints), serving on addr.
func setREADMEEnv(t *testing.T, fake *workabletest.Server, addr string) {
	t.Helper()
	for k, v := range map[string]string{
		"ATSKIT_ADDR": addr, "ATSKIT_PUBLIC_URL": "http://" + addr + "/atskit",
		"ATSKIT_DB": filepath.Join(t.TempDir(), "atskit.db"), "VENDOR_NAME": "YourProduct",
		"LINK_SECRET":       "local-link-secret-at-least-32-bytes",
		"ACME_WORKABLE_URL": fake.URL, "ACME_WORKABLE_SUBDOMAIN": fake.Subdomain(),
		"ACME_WORKABLE_TOKEN": workabletest.DefaultAPIKey, "ACME_PROVIDER_TOKEN": "local-provider-token",
		"ACME_CALLBACK_TOKEN": workabletest.CallbackToken, "WORKABLE_RATE_LIMIT": "-1",
	} {
		t.Setenv(k, v)
	}
}
