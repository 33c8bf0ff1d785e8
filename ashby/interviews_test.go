package ashby_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/atskit/atskit/ashby"
	"github.com/atskit/atskit/ashby/ashbytest"
	"github.com/atskit/atskit/ats"
	"github.com/google/go-cmp/cmp"
)

func TestInterviewScheduler(t *testing.T) {
	f := newFixture(t, func(o *ashby.Options) { o.ActingUserEmail = "bot@vendor.test" })
	start := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	si := ats.ScheduledInterview{Subject: "Vendor – Technical", Start: start, Duration: 45 * time.Minute, URL: "https://vendor.test/j/1"}
	got, err := f.c.CreateScheduledInterview(ctx(t), f.app.ID, si)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID == "" || got.InterviewID == "" {
		t.Fatalf("created %+v without schedule and event IDs", got)
	}
	scheds := f.srv.Schedules(f.app.ID)
	if len(scheds) != 1 || len(scheds[0].Events) != 1 {
		t.Fatalf("schedules = %+v", scheds)
	}
	ev := scheds[0].Events[0]
	var extra map[string]string
	json.Unmarshal(ev.ExtraData, &extra)
	if !ev.Start.Equal(start) || !ev.End.Equal(start.Add(45*time.Minute)) || ev.Interviewers[0] != "bot@vendor.test" || extra["url"] != si.URL {
		t.Errorf("event = %+v, extra %v", ev, extra)
	}

	got.Start = start.Add(24 * time.Hour)
	if _, err := f.c.UpdateScheduledInterview(ctx(t), f.app.ID, got); err != nil {
		t.Fatal(err)
	}
	if ev := f.srv.Schedules(f.app.ID)[0].Events[0]; !ev.Start.Equal(got.Start) {
		t.Errorf("after update the event starts at %v, want %v", ev.Start, got.Start)
	}

	// Only the key that created a schedule may update it.
	f.srv.AddAPIKey("other-key", ashbytest.AllPermissions()...)
	other := newClient(t, f.srv, "other-key", func(o *ashby.Options) { o.ActingUserEmail = "bot@vendor.test" })
	_, err = other.UpdateScheduledInterview(ctx(t), f.app.ID, got)
	var ae *ats.APIError
	if !errors.As(err, &ae) || ae.Code != "interview_schedule_not_updatable" {
		t.Errorf("update by another key = %v; want interview_schedule_not_updatable", err)
	}

	if err := f.c.DeleteScheduledInterview(ctx(t), f.app.ID, got.ID); err != nil {
		t.Fatal(err)
	}
	if s := f.srv.Schedules(f.app.ID)[0]; s.Status != "Cancelled" {
		t.Errorf("status after delete = %s", s.Status)
	}
	if err := f.c.DeleteScheduledInterview(ctx(t), f.app.ID, "gone"); err != nil {
		t.Errorf("deleting a missing schedule: %v", err)
	}
}

func TestInterviewSchedulerErrors(t *testing.T) {
	start := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		acting  string
		app     string // "" uses the fixture's
		si      ats.ScheduledInterview
		update  bool
		want    error
		wantMsg string
	}{
		{"no interviewer and no acting user", "", "", ats.ScheduledInterview{Start: start, Duration: time.Hour}, false, ats.ErrValidation, ""},
		{"no duration", "bot@vendor.test", "", ats.ScheduledInterview{Start: start}, false, ats.ErrValidation, ""},
		{"unknown interviewer", "bot@vendor.test", "", ats.ScheduledInterview{Start: start, Duration: time.Hour, Interviewers: []string{"nope"}}, false, ats.ErrNotFound, ""},
		{"missing application", "bot@vendor.test", "nope", ats.ScheduledInterview{Start: start, Duration: time.Hour}, false, ats.ErrNotFound, ""},
		{"update without IDs", "bot@vendor.test", "", ats.ScheduledInterview{Start: start, Duration: time.Hour}, true, ats.ErrValidation, ""},
		{"update of a missing schedule", "bot@vendor.test", "", ats.ScheduledInterview{ID: "x", InterviewID: "y", Start: start, Duration: time.Hour}, true, ats.ErrNotFound, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(o *ashby.Options) { o.ActingUserEmail = tc.acting })
			app := f.app.ID
			if tc.app != "" {
				app = tc.app
			}
			var err error
			if tc.update {
				_, err = f.c.UpdateScheduledInterview(ctx(t), app, tc.si)
			} else {
				_, err = f.c.CreateScheduledInterview(ctx(t), app, tc.si)
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v; want %v", err, tc.want)
			}
		})
	}
}

// TestInterviewScheduleWebhooks: creating a schedule fires
// interviewScheduleCreate and (as Ashby does) interviewScheduleUpdate, both
// naming the application.
func TestInterviewScheduleWebhooks(t *testing.T) {
	var mu sync.Mutex
	var got []string
	h := ashby.WebhookHandler(ashby.WebhookVerifier{Secrets: []string{"s"}}, func(_ context.Context, evs []ats.Event) error {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range evs {
			got = append(got, string(e.Kind)+":"+e.CandidateID)
		}
		return nil
	}, ashby.WebhookHandlerOptions{})
	vendor := httptest.NewServer(h)
	defer vendor.Close()
	f := newFixture(t, func(o *ashby.Options) { o.ActingUserEmail, o.WebhookSecret = "bot@vendor.test", "s" })
	for _, typ := range []string{ashby.EventInterviewScheduleCreate, ashby.EventInterviewScheduleUpdate} {
		if _, err := f.c.EnsureSubscription(ctx(t), ats.Subscription{Event: typ, Target: vendor.URL}); err != nil {
			t.Fatal(err)
		}
	}
	si, err := f.c.CreateScheduledInterview(ctx(t), f.app.ID, ats.ScheduledInterview{Start: time.Now().Add(time.Hour), Duration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.c.DeleteScheduledInterview(ctx(t), f.app.ID, si.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.WaitDeliveries(ctx(t)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(got)
	want := []string{"interview_created:" + f.app.ID, "interview_deleted:" + f.app.ID, "interview_updated:" + f.app.ID}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}
