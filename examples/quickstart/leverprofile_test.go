package main

import (
	"io"
	"testing"
	"time"

	"github.com/atskit/atskit/lever/levertest"
	"github.com/google/go-cmp/cmp"
)

// TestLeverProfileRowsFail: the summary's Lever profile rows fail when
// what the scenario expects is not on the fake, so the quickstart cannot
// exit 0 without the interview on the profile, the feedback under it and
// the PDF report.
func TestLeverProfileRowsFail(t *testing.T) {
	at := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		changes []string
		want    map[string][2]int // row → expected, observed
	}{
		{"nothing on the profile", nil, map[string][2]int{
			"interviews on the profile": {2, 0}, "feedback under interview": {1, 0}, "report files": {1, 0}}},
		{"created but never moved", []string{panelCreated}, map[string][2]int{
			"interviews on the profile": {2, 1}, "feedback under interview": {1, 0}, "report files": {1, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lv := levertest.NewServer()
			t.Cleanup(lv.Close)
			o := lv.AddOpportunity(levertest.Opportunity{Name: "Katherine Johnson"})
			s := &scenario{tl: newTimeline(io.Discard, true), lv: lv, lvConn: "acme-lever", katherine: o, dorothy: o, other: o,
				panelChanges: map[string][]string{o.ID: tt.changes},
				lvExpect:     []leverExpect{{candidateID: o.ID, panel: []string{panelCreated, panelMoved}, at: at, feedback: true, report: "V-1"}}}
			got := map[string][2]int{}
			for _, r := range s.leverProfileRows() {
				if r.ok() {
					t.Errorf("row %q is ok without its effects: %+v", r.what, r)
				}
				got[r.what] = [2]int{r.expected, r.observed}
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("rows (-want +got):\n%s", d)
			}
		})
	}
}
