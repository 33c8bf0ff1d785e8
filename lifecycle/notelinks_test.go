package lifecycle_test

import (
	"github.com/atskit/atskit/ats"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
)

// notesWithoutMarker returns the candidate's note bodies without the
// de-duplication marker line.
func notesWithoutMarker(h *enginetest.Harness, candidateID string) []string {
	var out []string
	for _, n := range h.ATS.NotesOf(candidateID) {
		if i := strings.LastIndex(n, "\n\n"); i >= 0 {
			n = n[:i]
		}
		out = append(out, n)
	}
	return out
}

// TestNotesCarryRecruiterLinks: the scheduled and rescheduled notes show
// the vendor's reschedule and cancel links when given, and the completed
// note shows every link the result has (report, recording, PDF report,
// other linked attachments), never an empty link line.
func TestNotesCarryRecruiterLinks(t *testing.T) {
	at := time.Date(2025, 6, 5, 14, 30, 0, 0, time.UTC)
	tests := []struct {
		name    string
		updates []lifecycle.Update
		want    []string // the notes after the invitation note
	}{
		{
			name: "scheduled and rescheduled with links",
			updates: []lifecycle.Update{
				{Kind: lifecycle.UpdateScheduled, At: at, RescheduleLink: "https://v.example/r/1", CancelLink: "https://v.example/c/1"},
				{Kind: lifecycle.UpdateRescheduled, At: at.Add(time.Hour), RescheduleLink: "https://v.example/r/2"},
			},
			want: []string{
				"InterviewVector: the Technical interview with Ada c1 is scheduled for Thu, 5 Jun 2025 14:30 UTC.\nReschedule: https://v.example/r/1\nCancel: https://v.example/c/1",
				"InterviewVector: the Technical interview with Ada c1 was rescheduled from Thu, 5 Jun 2025 14:30 UTC to Thu, 5 Jun 2025 15:30 UTC.\nReschedule: https://v.example/r/2",
			},
		},
		{
			name:    "scheduled without links",
			updates: []lifecycle.Update{{Kind: lifecycle.UpdateScheduled, At: at}},
			want:    []string{"InterviewVector: the Technical interview with Ada c1 is scheduled for Thu, 5 Jun 2025 14:30 UTC."},
		},
		{
			name: "completed with report, recording and PDF",
			updates: []lifecycle.Update{
				{Kind: lifecycle.UpdateScheduled, At: at},
				{Kind: lifecycle.UpdateCompleted, Result: &ats.Result{Grade: ats.GradePassed,
					ReportURL: "https://v.example/report", PlaybackURL: "https://v.example/play",
					Attachments: []ats.Attachment{
						{Name: "report.pdf", URL: "https://v.example/report.pdf"},
						{Description: "Code", URL: "https://v.example/code"},
						{Name: "transcript.txt", Data: []byte("hello")}, // no link to show
					}}},
			},
			want: []string{
				"InterviewVector: the Technical interview with Ada c1 is scheduled for Thu, 5 Jun 2025 14:30 UTC.",
				"InterviewVector: Ada c1 completed the Technical interview. Verdict: passed.\nReport: https://v.example/report" +
					"\nRecording: https://v.example/play\nPDF report: https://v.example/report.pdf\nCode: https://v.example/code",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.Candidate("c1")
			h.Move("c1", enginetest.StageTrigger)
			iv := h.Only("c1")
			all := append([]lifecycle.Update{{Kind: lifecycle.UpdateInvited, Link: "https://v.example/s"}}, tc.updates...)
			for _, u := range all {
				if _, err := h.Engine.Report(ctx, iv.ID, u); err != nil {
					t.Fatalf("Report(%s): %v", u.Kind, err)
				}
			}
			h.Drain()
			got := notesWithoutMarker(h, "c1")
			if len(got) == 0 {
				t.Fatal("no notes")
			}
			if diff := cmp.Diff(tc.want, got[1:]); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
		})
	}
}
