package greenhouse_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/greenhouse"
	"github.com/atskit/atskit/greenhouse/greenhousetest"
	"github.com/atskit/atskit/internal/paging"
	"github.com/google/go-cmp/cmp"
)

// withoutScope removes one scope from the default client.
func withoutScope(srv *greenhousetest.Server, scope string) {
	srv.SetClientScopes(greenhousetest.DefaultClientID, slices.DeleteFunc(greenhousetest.AllScopes(), func(s string) bool { return s == scope })...)
}

func TestJobsAndStages(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		setup   func(*greenhousetest.Server)
		call    func(*greenhouse.Client, greenhousetest.Job) (any, error)
		want    any
		wantErr error
	}{
		{
			name: "jobs: open jobs only, templates skipped",
			call: func(c *greenhouse.Client, j greenhousetest.Job) (any, error) {
				var titles []string
				for job, err := range c.Jobs(ctx, ats.ListJobsOptions{State: ats.JobPublished, PageSize: 1}) {
					if err != nil {
						return nil, err
					}
					titles = append(titles, job.Title+"/"+string(job.State))
				}
				return titles, nil
			},
			want: []string{"Backend Engineer/published"},
		},
		{
			name:  "jobs: scope removed takes effect at once",
			setup: func(s *greenhousetest.Server) { withoutScope(s, "harvest:jobs:list") },
			call: func(c *greenhouse.Client, j greenhousetest.Job) (any, error) {
				_, err := paging.Collect(c.Jobs(ctx, ats.ListJobsOptions{}))
				return nil, err
			},
			wantErr: ats.ErrForbidden,
		},
		{
			name: "stages in plan order",
			call: func(c *greenhouse.Client, j greenhousetest.Job) (any, error) {
				st, err := c.Stages(ctx, id(j.ID))
				var names []string
				for _, s := range st {
					names = append(names, s.Name+"/"+string(s.Kind))
				}
				return names, err
			},
			want: []string{"Application Review/applied", "Phone Screen/phone-screen", "Face to Face/other", "Offer/offer"},
		},
		{
			name: "stages of an unknown job",
			call: func(c *greenhouse.Client, j greenhousetest.Job) (any, error) {
				_, err := c.Stages(ctx, "999999")
				return nil, err
			},
			wantErr: ats.ErrNotFound,
		},
		{
			name: "stages of a malformed job ID",
			call: func(c *greenhouse.Client, j greenhousetest.Job) (any, error) {
				_, err := c.Stages(ctx, "abc")
				return nil, err
			},
			wantErr: ats.ErrValidation,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			j, _ := seed(t, srv)
			srv.AddJob(greenhousetest.Job{Name: "Draft", Status: "draft"})
			srv.AddJob(greenhousetest.Job{Name: "Template", IsTemplate: true})
			if tt.setup != nil {
				tt.setup(srv)
			}
			got, err := tt.call(newClient(t, srv), j)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestCandidateResume(t *testing.T) {
	srv := newServer(t)
	j, _ := seed(t, srv)
	c := srv.AddCandidate(greenhousetest.Candidate{JobID: j.ID, FirstName: "Grace", LastName: "Hopper", Resume: []byte("%PDF-1.7")})
	tests := []struct {
		name     string
		setup    func()
		wantBody string
	}{
		{"resume through its signed URL", nil, "%PDF-1.7"},
		{"without the attachments scope the candidate is read without it", func() { withoutScope(srv, "harvest:attachments:list") }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup()
			}
			got, err := newClient(t, srv).Candidate(context.Background(), id(c.ApplicationID))
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantBody == "" {
				if got.ResumeURL != "" {
					t.Errorf("ResumeURL = %q, want none", got.ResumeURL)
				}
				return
			}
			resp, err := http.Get(got.ResumeURL)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if string(body) != tt.wantBody {
				t.Errorf("resume = %q, want %q", body, tt.wantBody)
			}
			forged, _ := http.Get(strings.Replace(got.ResumeURL, "sig=", "sig=00", 1))
			if forged.StatusCode != http.StatusForbidden {
				t.Errorf("forged URL: %d, want 403", forged.StatusCode)
			}
			forged.Body.Close()
		})
	}
}

func TestCandidate(t *testing.T) {
	srv := newServer(t)
	j, c := seed(t, srv)
	cl := newClient(t, srv)
	t.Run("found", func(t *testing.T) {
		got, err := cl.Candidate(context.Background(), id(c.ApplicationID))
		if err != nil {
			t.Fatal(err)
		}
		want := ats.Candidate{
			ID: id(c.ApplicationID), PersonID: id(c.ID), JobID: id(j.ID), Name: "Ada Lovelace", FirstName: "Ada", LastName: "Lovelace",
			Emails: []string{"ada@example.com"}, Phones: []string{"+44 20 7946 0000"},
			Stage:      ats.StageRef{ID: id(j.Stages[0].ID), Name: "Application Review"},
			ProfileURL: "https://app.greenhouse.io/people/" + id(c.ID) + "?application_id=" + id(c.ApplicationID), Tags: []string{},
		}
		if diff := cmp.Diff(want, got, cmpIgnoreTimes); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
	})
	for _, tc := range []struct{ name, id string }{{"unknown", "424242"}, {"malformed", "x/../1"}} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cl.Candidate(context.Background(), tc.id)
			if !errors.Is(err, ats.ErrNotFound) {
				t.Fatalf("err = %v, want ats.ErrNotFound", err)
			}
		})
	}
}

func TestCandidatesFilters(t *testing.T) {
	srv := newServer(t)
	j, first := seed(t, srv)
	second := srv.AddCandidate(greenhousetest.Candidate{JobID: j.ID, StageID: j.Stages[1].ID, FirstName: "Grace", LastName: "Hopper", Tags: []string{"Vendor"}})
	other := srv.AddJob(greenhousetest.Job{Name: "Other"})
	srv.AddCandidate(greenhousetest.Candidate{JobID: other.ID, FirstName: "Alan", LastName: "Turing"})
	cl := newClient(t, srv)
	tests := []struct {
		name    string
		filter  ats.CandidateFilter
		want    []string
		wantErr error
	}{
		{"job", ats.CandidateFilter{JobID: id(j.ID), PageSize: 1}, []string{id(first.ApplicationID), id(second.ApplicationID)}, nil},
		{"stage", ats.CandidateFilter{JobID: id(j.ID), StageID: id(j.Stages[1].ID)}, []string{id(second.ApplicationID)}, nil},
		{"tag", ats.CandidateFilter{JobID: id(j.ID), Tag: "vendor"}, []string{id(second.ApplicationID)}, nil},
		{"updated after the future", ats.CandidateFilter{JobID: id(j.ID), UpdatedAfter: time.Now().Add(time.Hour)}, nil, nil},
		{"stage without job", ats.CandidateFilter{StageID: id(j.Stages[1].ID)}, nil, ats.ErrValidation},
		{"stage of another job", ats.CandidateFilter{JobID: id(other.ID), StageID: id(j.Stages[1].ID)}, nil, ats.ErrValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			var err error
			for c, e := range cl.Candidates(context.Background(), tt.filter) {
				if e != nil {
					err = e
					break
				}
				got = append(got, c.ID)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestMoveCandidate(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		setup    func(*greenhousetest.Server, greenhousetest.Job, greenhousetest.Candidate)
		to       func(greenhousetest.Job) string
		wantErr  error
		wantMove *greenhousetest.Move // the move the fake recorded
	}{
		{
			name: "sends the current stage as from_stage_id",
			to:   func(j greenhousetest.Job) string { return id(j.Stages[2].ID) },
		},
		{
			name: "after a recruiter's move, from_stage_id follows",
			setup: func(s *greenhousetest.Server, j greenhousetest.Job, c greenhousetest.Candidate) {
				if err := s.MoveCandidate(c.ApplicationID, j.Stages[1].ID); err != nil {
					t.Fatal(err)
				}
			},
			to: func(j greenhousetest.Job) string { return id(j.Stages[3].ID) },
		},
		{
			name:    "stage of another job",
			to:      func(j greenhousetest.Job) string { return "1" },
			wantErr: ats.ErrValidation,
		},
		{
			name: "rejected application",
			setup: func(s *greenhousetest.Server, j greenhousetest.Job, c greenhousetest.Candidate) {
				if err := newClient(t, s).Disqualify(ctx, id(c.ApplicationID), "Withdrew"); err != nil {
					t.Fatal(err)
				}
			},
			to:      func(j greenhousetest.Job) string { return id(j.Stages[2].ID) },
			wantErr: ats.ErrValidation,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			j, c := seed(t, srv)
			if tt.setup != nil {
				tt.setup(srv, j, c)
			}
			before, _ := srv.Application(c.ApplicationID)
			err := newClient(t, srv).MoveCandidate(ctx, id(c.ApplicationID), tt.to(j))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			req, _ := srv.LastRequest()
			var body map[string]int64
			if err := json.Unmarshal(req.Body, &body); err != nil {
				t.Fatal(err)
			}
			want := map[string]int64{"from_stage_id": before.StageID, "to_stage_id": mustInt(t, tt.to(j))}
			if diff := cmp.Diff(want, body); diff != "" {
				t.Errorf("move body (-want +got)\n%s", diff)
			}
			if after, _ := srv.Application(c.ApplicationID); after.StageID != want["to_stage_id"] {
				t.Errorf("stage after move = %d, want %d", after.StageID, want["to_stage_id"])
			}
		})
	}
}

func TestNotes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name           string
		note           ats.Note
		setup          func(*greenhousetest.Server)
		wantVisibility string
		wantUser       func(*greenhousetest.Server) int64
		wantErr        error
	}{
		{name: "default is public, author is the acting user", note: ats.Note{Body: "Invited <b>Ada</b>"}, wantVisibility: "public",
			wantUser: func(s *greenhousetest.Server) int64 { return s.AdminUserID() }},
		{name: "restricted is admin_only", note: ats.Note{Body: "Score 78", Visibility: ats.VisibilityRestricted}, wantVisibility: "admin_only",
			wantUser: func(s *greenhousetest.Server) int64 { return s.AdminUserID() }},
		{name: "explicit author", note: ats.Note{Body: "x", Author: "SERVICE"}, wantVisibility: "public",
			wantUser: func(s *greenhousetest.Server) int64 { return s.ServiceAccountID() }},
		{name: "empty body refused before sending", note: ats.Note{}, wantErr: ats.ErrValidation},
		{name: "attachment refused", note: ats.Note{Body: "x", Attachment: &ats.Attachment{Name: "a.pdf"}}, wantErr: ats.ErrValidation},
		{name: "author not a user ID", note: ats.Note{Body: "x", Author: "someone"}, wantErr: ats.ErrValidation},
		{name: "scope missing", note: ats.Note{Body: "x"}, setup: func(s *greenhousetest.Server) { withoutScope(s, "harvest:notes:create") }, wantErr: ats.ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			_, c := seed(t, srv)
			if tt.setup != nil {
				tt.setup(srv)
			}
			cl := newClient(t, srv)
			if tt.note.Author == "SERVICE" {
				tt.note.Author = id(srv.ServiceAccountID())
			}
			err := cl.AddNote(ctx, id(c.ApplicationID), tt.note)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			notes := srv.Notes(c.ID)
			if tt.wantErr != nil {
				if len(notes) != 0 {
					t.Errorf("a refused note was recorded: %+v", notes)
				}
				return
			}
			if len(notes) != 1 {
				t.Fatalf("recorded %d notes, want 1", len(notes))
			}
			got := []any{notes[0].Body, notes[0].Visibility, notes[0].UserID, notes[0].ApplicationID}
			want := []any{tt.note.Body, tt.wantVisibility, tt.wantUser(srv), c.ApplicationID}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			read, err := cl.Notes(ctx, id(c.ApplicationID))
			if err != nil || len(read) != 1 || read[0].Body != tt.note.Body {
				t.Errorf("Notes = %+v, %v", read, err)
			}
		})
	}
}

func TestTags(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	_, c := seed(t, srv)
	cl := newClient(t, srv)
	steps := []struct {
		name    string
		do      func() error
		want    []string
		wantErr error
	}{
		{"add creates the tag", func() error { return cl.AddTags(ctx, id(c.ApplicationID), "InterviewVector", "Round 1") }, []string{"InterviewVector", "Round 1"}, nil},
		{"add again is a no-op", func() error { return cl.AddTags(ctx, id(c.ApplicationID), "interviewvector") }, []string{"InterviewVector", "Round 1"}, nil},
		{"remove", func() error { return cl.RemoveTags(ctx, id(c.ApplicationID), "Round 1", "never-existed") }, []string{"InterviewVector"}, nil},
		{"empty tag", func() error { return cl.AddTags(ctx, id(c.ApplicationID), " ") }, []string{"InterviewVector"}, ats.ErrValidation},
		{"unknown application", func() error { return cl.AddTags(ctx, "777", "x") }, []string{"InterviewVector"}, ats.ErrNotFound},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := st.do(); !errors.Is(err, st.wantErr) {
				t.Fatalf("err = %v, want %v", err, st.wantErr)
			}
			if diff := cmp.Diff(st.want, srv.Tags(c.ID)); diff != "" {
				t.Errorf("tags (-want +got)\n%s", diff)
			}
		})
	}
}

func TestDisqualifyAndUnreject(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		reason     string
		defReason  string
		twice      bool
		wantErr    error
		wantNotes  string
		wantReason string
	}{
		{name: "reason by name", reason: "unable to schedule", wantReason: "Unable to schedule"},
		{name: "unknown reason uses the default, text goes to notes", reason: "No-show", defReason: "Withdrew", wantReason: "Withdrew", wantNotes: "No-show"},
		{name: "already rejected is fine", reason: "Withdrew", twice: true, wantReason: "Withdrew"},
		{name: "unknown reason without default", reason: "No-show", wantErr: ats.ErrValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			_, c := seed(t, srv)
			cl := newClient(t, srv, func(o *greenhouse.Options) { o.DefaultRejectionReason = tt.defReason })
			err := cl.Disqualify(ctx, id(c.ApplicationID), tt.reason)
			if tt.twice && err == nil {
				err = cl.Disqualify(ctx, id(c.ApplicationID), tt.reason)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			a, _ := srv.Application(c.ApplicationID)
			if tt.wantErr != nil {
				if a.Status != "in_process" {
					t.Errorf("status = %s after a refused rejection", a.Status)
				}
				return
			}
			var reason string
			for _, r := range srv.RejectionReasons() {
				if r.ID == a.RejectionReasonID {
					reason = r.Name
				}
			}
			if diff := cmp.Diff([]string{"rejected", tt.wantReason, tt.wantNotes}, []string{a.Status, reason, a.RejectionNotes}); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			if err := cl.Unreject(ctx, id(c.ApplicationID)); err != nil {
				t.Fatalf("Unreject: %v", err)
			}
			if err := cl.Unreject(ctx, id(c.ApplicationID)); !errors.Is(err, ats.ErrValidation) {
				t.Errorf("Unreject of an active application: %v, want ats.ErrValidation", err)
			}
		})
	}
}

func TestAttachReport(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		takeHome bool
		att      ats.Attachment
		wantType string
		wantErr  error
	}{
		{name: "take_home_test while a test is outstanding", takeHome: true, att: ats.Attachment{Name: "report.pdf", ContentType: "application/pdf", Data: []byte("%PDF")}, wantType: "take_home_test"},
		{name: "falls back to other", att: ats.Attachment{Name: "report.pdf", Data: []byte("%PDF")}, wantType: "other"},
		{name: "link", takeHome: true, att: ats.Attachment{Name: "report", URL: "https://vendor.example/r/1"}, wantType: "take_home_test"},
		{name: "no content", att: ats.Attachment{Name: "report.pdf"}, wantErr: ats.ErrValidation},
		{name: "no name", att: ats.Attachment{Data: []byte("x")}, wantErr: ats.ErrValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			stages := []greenhousetest.Stage{{Name: "Application Review"}}
			if tt.takeHome {
				stages = []greenhousetest.Stage{{Name: "InterviewVector", SchedulingType: "take_home_test"}}
			}
			j := srv.AddJob(greenhousetest.Job{Name: "J", Stages: stages})
			c := srv.AddCandidate(greenhousetest.Candidate{JobID: j.ID, FirstName: "A", LastName: "B"})
			err := newClient(t, srv).AttachReport(ctx, id(c.ApplicationID), tt.att)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			files := srv.Attachments(c.ApplicationID)
			if tt.wantErr != nil {
				if len(files) != 0 {
					t.Errorf("refused attachment recorded")
				}
				return
			}
			if len(files) != 1 {
				t.Fatalf("%d attachments, want 1", len(files))
			}
			got := []any{files[0].Type, files[0].Filename, string(files[0].Content), files[0].URL}
			want := []any{tt.wantType, tt.att.Name, string(tt.att.Data), map[bool]string{true: tt.att.URL, false: ""}[len(tt.att.Data) == 0]}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestScheduledInterviews(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	srv := newServer(t)
	j, c := seed(t, srv)
	cl := newClient(t, srv)
	si, err := cl.CreateScheduledInterview(ctx, id(c.ApplicationID), ats.ScheduledInterview{Subject: "Tech", Start: start, Duration: 45 * time.Minute, URL: "https://vendor.example/i/1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("created in the current stage's interview", func(t *testing.T) {
		got := srv.Interviews(c.ApplicationID)
		if len(got) != 1 {
			t.Fatalf("%d interviews", len(got))
		}
		want := []any{j.Interviews[0].ID, start, start.Add(45 * time.Minute), []int64{srv.AdminUserID()}, "scheduled", si.ID}
		have := []any{got[0].JobInterviewID, got[0].StartsAt, got[0].EndsAt, got[0].InterviewerIDs, got[0].Status, id(got[0].ID)}
		if diff := cmp.Diff(want, have); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
	})
	t.Run("update", func(t *testing.T) {
		si.Start = start.Add(time.Hour)
		if _, err := cl.UpdateScheduledInterview(ctx, id(c.ApplicationID), si); err != nil {
			t.Fatal(err)
		}
		if got := srv.Interviews(c.ApplicationID)[0].StartsAt; !got.Equal(si.Start) {
			t.Errorf("StartsAt = %v, want %v", got, si.Start)
		}
	})
	t.Run("update of a completed interview", func(t *testing.T) {
		srv.SetInterviewStatus(mustInt(t, si.ID), "complete")
		defer srv.SetInterviewStatus(mustInt(t, si.ID), "scheduled")
		if _, err := cl.UpdateScheduledInterview(ctx, id(c.ApplicationID), si); !errors.Is(err, ats.ErrValidation) {
			t.Errorf("err = %v, want ats.ErrValidation", err)
		}
	})
	t.Run("invalid duration", func(t *testing.T) {
		if _, err := cl.CreateScheduledInterview(ctx, id(c.ApplicationID), ats.ScheduledInterview{Start: start}); !errors.Is(err, ats.ErrValidation) {
			t.Errorf("err = %v, want ats.ErrValidation", err)
		}
	})
	t.Run("delete, twice", func(t *testing.T) {
		for range 2 {
			if err := cl.DeleteScheduledInterview(ctx, id(c.ApplicationID), si.ID); err != nil {
				t.Fatal(err)
			}
		}
		if got := srv.Interviews(c.ApplicationID); len(got) != 0 {
			t.Errorf("interviews left: %+v", got)
		}
	})
	t.Run("stage without an interview", func(t *testing.T) {
		j2 := srv.AddJob(greenhousetest.Job{Name: "x"})
		c2 := srv.AddCandidate(greenhousetest.Candidate{JobID: j2.ID, FirstName: "A", LastName: "B"})
		_, err := cl.CreateScheduledInterview(ctx, id(c2.ApplicationID), ats.ScheduledInterview{Start: start, Duration: time.Hour, InterviewID: id(j.Interviews[0].ID)})
		if !errors.Is(err, ats.ErrValidation) {
			t.Errorf("interview of another job: err = %v, want ats.ErrValidation", err)
		}
	})
}

func TestUsers(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	u := srv.AddUser(greenhousetest.User{FirstName: "Rita", LastName: "Recruiter", Email: "rita@example.com", SecondaryEmails: []string{"rita@alias.example"}})
	srv.AddUser(greenhousetest.User{FirstName: "Gone", Email: "gone@example.com", Deactivated: true})
	cl := newClient(t, srv)
	tests := []struct {
		email   string
		want    string
		wantErr error
	}{
		{"rita@example.com", id(u.ID), nil},
		{"RITA@alias.example", id(u.ID), nil},
		{"gone@example.com", "", ats.ErrNotFound},
		{"nobody@example.com", "", ats.ErrNotFound},
		{"", "", ats.ErrValidation},
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			got, err := cl.UserByEmail(ctx, tt.email)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got.ID.String() != tt.want {
				t.Errorf("ID = %s, want %s", got.ID, tt.want)
			}
		})
	}
	t.Run("acting user by email", func(t *testing.T) {
		c := newClient(t, srv, func(o *greenhouse.Options) { o.UserID, o.UserEmail = "", "rita@example.com" })
		got, err := c.ActingUser(ctx)
		if err != nil || got != id(u.ID) {
			t.Errorf("ActingUser = %q, %v; want %s", got, err, id(u.ID))
		}
	})
}

func TestLinkedJobs(t *testing.T) {
	srv := newServer(t)
	stageLinked := srv.AddJob(greenhousetest.Job{Name: "Stage", Stages: []greenhousetest.Stage{{Name: "Application Review"}, {Name: "interviewvector"}}})
	assessLinked := srv.AddJob(greenhousetest.Job{Name: "Assessment", Stages: []greenhousetest.Stage{{Name: "Take Home", SchedulingType: "take_home_test", InterviewName: "IV Coding Test"}}})
	srv.AddJob(greenhousetest.Job{Name: "Unlinked"})
	srv.AddJob(greenhousetest.Job{Name: "Closed", Status: "closed", Stages: []greenhousetest.Stage{{Name: "InterviewVector"}}})
	cl := newClient(t, srv, func(o *greenhouse.Options) { o.AssessmentInterview = "IV Coding Test" })
	jobs, err := paging.Collect(cl.LinkedJobs(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	var got []ats.JobLink
	for _, j := range jobs {
		got = append(got, j.Link)
	}
	want := []ats.JobLink{
		{Linked: true, Marker: "interviewvector", StageID: id(stageLinked.Stages[1].ID)},
		{Linked: true, Marker: "IV Coding Test", StageID: id(assessLinked.Stages[0].ID)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestCheckSetup(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(*greenhousetest.Server)
		secret string
		want   map[string]ats.SetupStatus
	}{
		{
			name: "all good",
			setup: func(s *greenhousetest.Server) {
				s.AddJob(greenhousetest.Job{Stages: []greenhousetest.Stage{{Name: "InterviewVector"}}})
			},
			want: map[string]ats.SetupStatus{"token": "ok", "list jobs": "ok", "list applications": "ok", "list candidates": "ok",
				"rejection reasons": "ok", "acting user": "ok", "vendor stage": "ok"},
		},
		{
			name:  "missing scope and no vendor stage",
			setup: func(s *greenhousetest.Server) { withoutScope(s, "harvest:candidates:list") },
			want: map[string]ats.SetupStatus{"token": "ok", "list jobs": "ok", "list applications": "ok", "list candidates": "failed",
				"rejection reasons": "ok", "acting user": "ok", "vendor stage": "warning"},
		},
		{
			name:   "bad credentials",
			secret: "wrong",
			want: map[string]ats.SetupStatus{"token": "failed", "list jobs": "skipped", "list applications": "skipped", "list candidates": "skipped",
				"rejection reasons": "skipped", "acting user": "skipped", "vendor stage": "skipped"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			if tt.setup != nil {
				tt.setup(srv)
			}
			cl := newClient(t, srv, func(o *greenhouse.Options) {
				if tt.secret != "" {
					o.ClientSecret = tt.secret
				}
			})
			rep, err := cl.CheckSetup(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]ats.SetupStatus{}
			for _, c := range rep.Checks {
				got[c.Name] = c.Status
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s\n%+v", diff, rep.Checks)
			}
		})
	}
}
