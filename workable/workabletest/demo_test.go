package workabletest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/workable/workabletest"
)

func TestWithAddr(t *testing.T) {
	srv := workabletest.NewServer(workabletest.WithAddr("127.0.0.1:0"))
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") || !strings.HasSuffix(srv.URL, "/spi/v3") {
		t.Fatalf("URL = %q, want http://127.0.0.1:<port>/spi/v3", srv.URL)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/jobs", nil)
	req.Header.Set("Authorization", "Bearer "+workabletest.DefaultAPIKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /jobs on the chosen address: %d, want 200", resp.StatusCode)
	}

	// A taken address is a loud panic that names it, as httptest's is.
	addr := strings.TrimSuffix(strings.TrimPrefix(srv.URL, "http://"), "/spi/v3")
	defer func() {
		r, _ := recover().(string)
		if !strings.Contains(r, addr) {
			t.Errorf("NewServer(WithAddr(%q)) on a taken address: panic %q, want one naming the address", addr, r)
		}
	}()
	workabletest.NewServer(workabletest.WithAddr(addr)).Close()
}

func TestSeedDemo(t *testing.T) {
	srv := workabletest.NewServer()
	defer srv.Close()
	d := srv.SeedDemo("Acme Interviews", "integrations@vendor.example")
	var stages []string
	for _, s := range d.Job.Stages {
		stages = append(stages, s.Slug)
	}
	if diff := cmp.Diff([]string{"applied", "acme-interviews", "interview", "offer"}, stages); diff != "" {
		t.Errorf("job stages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"integrations@vendor.example", "acme-interviews", "applied", "ada@example.com"},
		[]string{d.Member.Email, d.VendorStage, d.Candidate.Stage, d.Candidate.Email}); diff != "" {
		t.Errorf("demo (-want +got):\n%s", diff)
	}
	if err := srv.MoveToVendorStage(d); err != nil {
		t.Fatal(err)
	}
	c, _ := srv.Candidate(d.Candidate.ID)
	if c.Stage != "acme-interviews" {
		t.Errorf("after MoveToVendorStage the candidate is in %q, want acme-interviews", c.Stage)
	}
}
