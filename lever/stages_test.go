package lever_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/google/go-cmp/cmp"
)

func TestStages(t *testing.T) {
	f := newFixture(t, nil)
	got, err := f.c.Stages(context.Background(), "any-posting")
	if err != nil {
		t.Fatal(err)
	}
	wantRequest(t, f.last(t), "GET", "/stages", url.Values{"limit": {"100"}}, "")
	want := []ats.Stage{
		{ID: f.stages[0].ID, Name: "New applicant", Kind: ats.StageApplied, Position: 0},
		{ID: f.stages[1].ID, Name: "To be scheduled", Kind: ats.StageOther, Position: 1},
		{ID: f.stages[2].ID, Name: "Scheduled", Kind: ats.StageOther, Position: 2},
		{ID: f.stages[3].ID, Name: "Passed", Kind: ats.StageOther, Position: 3},
		{ID: f.stages[4].ID, Name: "Failed", Kind: ats.StageOther, Position: 4},
		{ID: f.stages[5].ID, Name: "Unable to schedule", Kind: ats.StageOther, Position: 5},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("stages (-want +got):\n%s", d)
	}

	defer f.srv.FailRequests(http.StatusForbidden)()
	_, err = f.c.Stages(context.Background(), "")
	wantErr(t, err, ats.ErrForbidden, "injected failure")
}

func TestGetStage(t *testing.T) {
	f := newFixture(t, nil)
	s, err := f.c.GetStage(context.Background(), f.stages[2].ID)
	if err != nil || s.Text != "Scheduled" {
		t.Fatalf("GetStage = %+v, %v", s, err)
	}
	wantRequest(t, f.last(t), "GET", "/stages/"+f.stages[2].ID, nil, "")
	_, err = f.c.GetStage(context.Background(), "nope")
	wantErr(t, err, ats.ErrNotFound, "Stage not found")
}
