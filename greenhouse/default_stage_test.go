package greenhouse_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/greenhouse"
	"github.com/atskit/atskit/greenhouse/greenhousetest"
	"github.com/atskit/atskit/internal/paging"
)

// TestDefaultVendorStage: without Options.VendorStage a job is linked only
// by the neutral DefaultVendorStage, never by a stage of the default
// interview plan.
func TestDefaultVendorStage(t *testing.T) {
	srv := greenhousetest.NewServer()
	t.Cleanup(srv.Close)
	srv.AddJob(greenhousetest.Job{Name: "Default plan"})
	linked := srv.AddJob(greenhousetest.Job{Name: "Linked", Stages: []greenhousetest.Stage{{Name: "Application Review"}, {Name: greenhouse.DefaultVendorStage}}})
	cl := newClient(t, srv, func(o *greenhouse.Options) { o.VendorStage = "" })
	jobs, err := paging.Collect(cl.LinkedJobs(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, j := range jobs {
		got = append(got, j.Title)
	}
	if diff := cmp.Diff([]string{linked.Name}, got); diff != "" {
		t.Errorf("linked jobs (-want +got):\n%s", diff)
	}
}
