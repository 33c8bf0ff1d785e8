package workable_test

import (
	"context"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
)

// TestDefaultVendorStage: without Options.VendorStage a job is linked only
// by the neutral DefaultVendorStage, never by a stage of Workable's default
// pipeline (its "Interview" stage would link every job).
func TestDefaultVendorStage(t *testing.T) {
	srv := newFake(t)
	srv.AddJob(workabletest.Job{Title: "Default pipeline"}) // Sourced … Interview … Hired
	linked := srv.AddJob(workabletest.Job{Title: "Linked", Stages: workabletest.StagesNamed("Applied", workable.DefaultVendorStage, "Offer")})
	c := newClient(t, srv, func(o *workable.Options) { o.VendorStage = "" })
	jobs, err := paging.Collect(c.LinkedJobs(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, j := range jobs {
		got = append(got, j.ID)
	}
	diff(t, []string{linked.Shortcode}, got)
	diff(t, ats.JobLink{Linked: true, Marker: workable.DefaultVendorStage, StageID: "vendor-interview"}, jobs[0].Link)
}
