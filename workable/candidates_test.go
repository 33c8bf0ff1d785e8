package workable_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
	"github.com/atskit/atskit/workable"
	"github.com/atskit/atskit/workable/workabletest"
	"github.com/stretchr/testify/require"
)

func TestCandidates(t *testing.T) {
	srv := newFake(t)
	job := seedJob(srv, "Engineer")
	other := seedJob(srv, "Other")
	var ids []string
	for i := range 5 {
		stage := "applied"
		if i%2 == 1 {
			stage = "interviewvector"
		}
		ids = append(ids, srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Stage: stage, Name: fmt.Sprintf("Cand %d", i), Tags: []string{fmt.Sprint("t", i%2)}}).ID)
	}
	srv.AddCandidate(workabletest.Candidate{JobShortcode: other.Shortcode, Name: "Elsewhere"})
	c := newClient(t, srv, nil)
	ctx := context.Background()
	since := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		filter    ats.CandidateFilter
		wantIDs   []string
		wantQuery url.Values
		wantStage ats.StageRef
	}{
		{"job in pages of 2", ats.CandidateFilter{JobID: job.Shortcode, PageSize: 2}, ids,
			url.Values{"limit": {"2"}, "shortcode": {job.Shortcode}}, ats.StageRef{ID: "applied", Name: "Applied"}},
		{"stage", ats.CandidateFilter{JobID: job.Shortcode, StageID: "interviewvector"}, []string{ids[1], ids[3]},
			url.Values{"limit": {"100"}, "shortcode": {job.Shortcode}, "stage": {"interviewvector"}}, ats.StageRef{ID: "interviewvector", Name: "InterviewVector"}},
		{"updated after", ats.CandidateFilter{JobID: job.Shortcode, UpdatedAfter: since, PageSize: 3}, ids,
			url.Values{"limit": {"3"}, "shortcode": {job.Shortcode}, "updated_after": {"1704164645"}}, ats.StageRef{ID: "applied", Name: "Applied"}},
		{"tag reads details", ats.CandidateFilter{JobID: job.Shortcode, Tag: "T1"}, []string{ids[1], ids[3]},
			url.Values{"limit": {"100"}, "shortcode": {job.Shortcode}}, ats.StageRef{ID: "interviewvector", Name: "InterviewVector"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.ResetRequests()
			got, err := paging.Collect(c.Candidates(ctx, tc.filter))
			require.NoError(t, err)
			var gotIDs []string
			for _, g := range got {
				gotIDs = append(gotIDs, g.ID)
				require.Equal(t, job.Shortcode, g.JobID)
			}
			diff(t, tc.wantIDs, gotIDs)
			diff(t, tc.wantStage, got[0].Stage)
			wantRequest(t, srv.Requests()[0], "GET", "/candidates", tc.wantQuery, nil)
		})
	}
	t.Run("unknown job", func(t *testing.T) {
		_, err := paging.Collect(c.Candidates(ctx, ats.CandidateFilter{JobID: "NOPE"}))
		require.ErrorIs(t, err, ats.ErrNotFound)
	})
	t.Run("stops early", func(t *testing.T) {
		srv.ResetRequests()
		for range c.Candidates(ctx, ats.CandidateFilter{JobID: job.Shortcode, PageSize: 1}) {
			break
		}
		require.Len(t, srv.Requests(), 1, "only the first page is fetched")
	})
}

func TestCandidate(t *testing.T) {
	srv := newFake(t)
	job := seedJob(srv, "Engineer")
	seeded := srv.AddCandidate(workabletest.Candidate{
		JobShortcode: job.Shortcode, Stage: "phone-screen", Name: "Ada King Lovelace", Email: "ada@example.com",
		Phone: "+44 20 0000", ResumeURL: "https://files.example.com/ada.pdf", Tags: []string{"Math", "first"},
	})
	c := newClient(t, srv, nil)
	got, err := c.Candidate(context.Background(), seeded.ID)
	require.NoError(t, err)
	wantRequest(t, lastRequest(t, srv), "GET", "/jobs/"+job.Shortcode+"/stages", nil, nil)
	diff(t, ats.Candidate{
		ID: seeded.ID, JobID: job.Shortcode, Name: "Ada King Lovelace", FirstName: "Ada King", LastName: "Lovelace",
		Emails: []string{"ada@example.com"}, Phones: []string{"+44 20 0000"}, ResumeURL: "https://files.example.com/ada.pdf",
		Stage:      ats.StageRef{ID: "phone-screen", Name: "Phone Screen"},
		ProfileURL: "https://acme.workable.com/backend/candidates/" + seeded.ID,
		Tags:       []string{"math", "first"}, CreatedAt: seeded.CreatedAt, UpdatedAt: seeded.UpdatedAt,
	}, got)

	// The stages are cached: a second read costs one request.
	srv.ResetRequests()
	_, err = c.Candidate(context.Background(), seeded.ID)
	require.NoError(t, err)
	require.Len(t, srv.Requests(), 1)
	wantRequest(t, lastRequest(t, srv), "GET", "/candidates/"+seeded.ID, nil, nil)

	_, err = c.Candidate(context.Background(), "ffffffff")
	require.ErrorIs(t, err, ats.ErrNotFound)
}

func TestMoveCandidate(t *testing.T) {
	srv := newFake(t)
	job := seedJob(srv, "Engineer")
	cand := srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: "Grace Hopper"})
	ctx := context.Background()

	t.Run("ok", func(t *testing.T) {
		c := newClient(t, srv, nil)
		require.NoError(t, c.MoveCandidate(ctx, cand.ID, "interviewvector"))
		wantRequest(t, lastRequest(t, srv), "POST", "/candidates/"+cand.ID+"/move", nil,
			map[string]any{"member_id": srv.DefaultMemberID(), "target_stage": "interviewvector"})
		diff(t, []workabletest.Move{{CandidateID: cand.ID, Stage: "interviewvector", MemberID: srv.DefaultMemberID()}}, srv.Moves())
	})
	t.Run("member by email, looked up once", func(t *testing.T) {
		srv.ResetRequests()
		c := newClient(t, srv, func(o *workable.Options) { o.MemberID, o.ActingMemberEmail = "", "RITA@example.com" })
		require.NoError(t, c.MoveCandidate(ctx, cand.ID, "offer"))
		require.NoError(t, c.MoveCandidate(ctx, cand.ID, "applied"))
		reqs := srv.Requests()
		require.Len(t, reqs, 3)
		wantRequest(t, reqs[0], "GET", "/members", url.Values{"email": {"RITA@example.com"}, "limit": {"50"}}, nil)
		wantRequest(t, reqs[2], "POST", "/candidates/"+cand.ID+"/move", nil, map[string]any{"member_id": srv.DefaultMemberID(), "target_stage": "applied"})
	})
	t.Run("unknown member email", func(t *testing.T) {
		c := newClient(t, srv, func(o *workable.Options) { o.MemberID, o.ActingMemberEmail = "", "nobody@example.com" })
		require.ErrorIs(t, c.MoveCandidate(ctx, cand.ID, "offer"), ats.ErrNotFound)
	})
	t.Run("no member configured", func(t *testing.T) {
		srv.ResetRequests()
		c := newClient(t, srv, func(o *workable.Options) { o.MemberID = "" })
		require.ErrorIs(t, c.MoveCandidate(ctx, cand.ID, "offer"), ats.ErrValidation)
		require.Empty(t, srv.Requests())
	})
	t.Run("not a stage of the job", func(t *testing.T) {
		c := newClient(t, srv, nil)
		err := c.MoveCandidate(ctx, cand.ID, "nope")
		require.ErrorIs(t, err, ats.ErrValidation)
		require.Contains(t, err.Error(), "target_stage is not a stage of job "+job.Shortcode)
	})
	t.Run("unknown candidate", func(t *testing.T) {
		c := newClient(t, srv, nil)
		require.ErrorIs(t, c.MoveCandidate(ctx, "ffffffff", "offer"), ats.ErrNotFound)
	})
}

func TestAddNote(t *testing.T) {
	srv := newFake(t)
	job := seedJob(srv, "Engineer")
	cand := srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: "Alan Turing"})
	other := srv.AddMember(workabletest.Member{Name: "Other", Email: "o@example.com"})
	c := newClient(t, srv, nil)
	me := srv.DefaultMemberID()
	for _, tc := range []struct {
		name     string
		note     ats.Note
		wantBody map[string]any
		wantErr  error
	}{
		{"default", ats.Note{Body: "Interview scheduled"},
			map[string]any{"member_id": me, "comment": map[string]any{"body": "Interview scheduled", "policy": []any{"admin", "recruiting_admin", "hiring_manager", "simple", "reviewer", "recruiter"}}}, nil},
		{"restricted, other author", ats.Note{Body: "Private", Author: other.ID, Visibility: ats.VisibilityRestricted},
			map[string]any{"member_id": other.ID, "comment": map[string]any{"body": "Private", "policy": []any{"recruiter", "admin"}}}, nil},
		{"public", ats.Note{Body: "All", Visibility: ats.VisibilityPublic},
			map[string]any{"member_id": me, "comment": map[string]any{"body": "All", "policy": []any{"admin", "recruiting_admin", "hiring_manager", "simple", "reviewer", "recruiter"}}}, nil},
		{"file", ats.Note{Body: "Report", Attachment: &ats.Attachment{Name: "r.pdf", Data: []byte("%PDF")}},
			map[string]any{"member_id": me, "comment": map[string]any{"body": "Report", "attachment": map[string]any{"name": "r.pdf", "data": base64.StdEncoding.EncodeToString([]byte("%PDF"))}, "policy": []any{"admin", "recruiting_admin", "hiring_manager", "simple", "reviewer", "recruiter"}}}, nil},
		{"link", ats.Note{Body: "Done", Attachment: &ats.Attachment{Name: "Report", URL: "https://v.example.com/r/1"}},
			map[string]any{"member_id": me, "comment": map[string]any{"body": "Done\nReport: https://v.example.com/r/1", "policy": []any{"admin", "recruiting_admin", "hiring_manager", "simple", "reviewer", "recruiter"}}}, nil},
		{"empty", ats.Note{}, nil, ats.ErrValidation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.ResetRequests()
			err := c.AddNote(context.Background(), cand.ID, tc.note)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				require.Empty(t, srv.Requests())
				return
			}
			require.NoError(t, err)
			wantRequest(t, lastRequest(t, srv), "POST", "/candidates/"+cand.ID+"/comments", nil, tc.wantBody)
		})
	}
	require.Equal(t, []byte("%PDF"), srv.Comments()[3].AttachmentData)
	require.ErrorIs(t, c.AddNote(context.Background(), "ffffffff", ats.Note{Body: "x"}), ats.ErrNotFound)
}

func TestAttachReport(t *testing.T) {
	srv := newFake(t)
	job := seedJob(srv, "Engineer")
	cand := srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: "Alan Turing"})
	c := newClient(t, srv, nil)
	ctx := context.Background()
	require.NoError(t, c.AttachReport(ctx, cand.ID, ats.Attachment{Name: "report.pdf", ContentType: "application/pdf", Data: []byte("pdf")}))
	require.NoError(t, c.AttachReport(ctx, cand.ID, ats.Attachment{Name: "Full report", URL: "https://v.example.com/r"}))
	require.ErrorIs(t, c.AttachReport(ctx, cand.ID, ats.Attachment{Name: "empty"}), ats.ErrValidation)
	got := srv.Comments()
	require.Len(t, got, 2)
	all := []string{"admin", "recruiting_admin", "hiring_manager", "simple", "reviewer", "recruiter"}
	diff(t, workabletest.Comment{CandidateID: cand.ID, MemberID: srv.DefaultMemberID(), Body: "Report: report.pdf", Policy: all, Visibility: all, AttachmentName: "report.pdf", AttachmentData: []byte("pdf")}, got[0])
	require.Equal(t, "Full report: https://v.example.com/r", got[1].Body)
}

func TestActivities(t *testing.T) {
	srv := newFake(t)
	job := seedJob(srv, "Engineer")
	cand := srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: "Alan Turing"})
	c := newClient(t, srv, nil)
	ctx := context.Background()
	require.NoError(t, c.MoveCandidate(ctx, cand.ID, "interviewvector"))
	for i := range 120 {
		require.NoError(t, c.AddNote(ctx, cand.ID, ats.Note{Body: fmt.Sprint("note ", i)}))
	}
	srv.ResetRequests()
	acts, err := paging.Collect(c.Activities(ctx, cand.ID))
	require.NoError(t, err)
	require.Len(t, acts, 121)
	require.Len(t, srv.Requests(), 3, "three pages of the documented default 50")
	wantRequest(t, srv.Requests()[0], "GET", "/candidates/"+cand.ID+"/activities", url.Values{"limit": {"50"}}, nil)
	diff(t, workable.Activity{ID: acts[0].ID, Action: "move", StageName: "InterviewVector", MemberID: srv.DefaultMemberID(), Member: "Rita Recruiter", CreatedAt: acts[0].CreatedAt}, acts[0])
	require.Equal(t, "note 119", acts[120].Body)
	_, err = paging.Collect(c.Activities(ctx, "ffffffff"))
	require.ErrorIs(t, err, ats.ErrNotFound)
}

func TestTags(t *testing.T) {
	srv := newFake(t)
	job := seedJob(srv, "Engineer")
	cand := srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: "Alan Turing", Tags: []string{"existing"}})
	c := newClient(t, srv, nil)
	ctx := context.Background()

	require.NoError(t, c.AddTags(ctx, cand.ID, "Vendor", "round-1"))
	wantRequest(t, lastRequest(t, srv), "PUT", "/candidates/"+cand.ID+"/tags", nil, map[string]any{"tags": []any{"existing", "vendor", "round-1"}})
	diff(t, []string{"existing", "vendor", "round-1"}, srv.Tags(cand.ID))

	srv.ResetRequests()
	require.NoError(t, c.AddTags(ctx, cand.ID, "VENDOR"))
	require.NoError(t, c.RemoveTags(ctx, cand.ID, "absent"))
	for _, r := range srv.Requests() {
		require.Equal(t, "GET", r.Method, "no write when nothing changes")
	}

	require.NoError(t, c.RemoveTags(ctx, cand.ID, "Vendor"))
	diff(t, []string{"existing", "round-1"}, srv.Tags(cand.ID))

	got, err := c.SetTags(ctx, cand.ID, nil)
	require.NoError(t, err)
	require.Empty(t, got)
	wantRequest(t, lastRequest(t, srv), "PUT", "/candidates/"+cand.ID+"/tags", nil, map[string]any{"tags": []any{}})

	// Concurrent adds through one client are serialised: none is lost.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.NoError(t, c.AddTags(ctx, cand.ID, fmt.Sprint("c", i)))
		}()
	}
	wg.Wait()
	require.Len(t, srv.Tags(cand.ID), 8)

	for _, bad := range []string{"two words", "this-tag-is-far-too-long-for-workable", ""} {
		require.ErrorIs(t, c.AddTags(ctx, cand.ID, bad), ats.ErrValidation, bad)
	}
	require.ErrorIs(t, c.AddTags(ctx, "ffffffff", "x"), ats.ErrNotFound)
	_, err = c.SetTags(ctx, "ffffffff", []string{"x"})
	require.ErrorIs(t, err, ats.ErrNotFound)
}

func TestDisqualifyAndRevert(t *testing.T) {
	srv := newFake(t)
	job := seedJob(srv, "Engineer")
	cand := srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: "Alan Turing"})
	c := newClient(t, srv, nil)
	ctx := context.Background()
	me := srv.DefaultMemberID()

	require.NoError(t, c.Disqualify(ctx, cand.ID, "No show"))
	wantRequest(t, lastRequest(t, srv), "POST", "/candidates/"+cand.ID+"/disqualify", nil,
		map[string]any{"member_id": me, "disqualify_note": "No show", "withdrew": false})
	got, err := c.Candidate(ctx, cand.ID)
	require.NoError(t, err)
	require.True(t, got.Disqualified)

	long := make([]rune, 300)
	for i := range long {
		long[i] = 'x'
	}
	require.NoError(t, c.DisqualifyWith(ctx, cand.ID, workable.DisqualifyOptions{ReasonID: "42", Note: string(long), Withdrew: true}))
	d := srv.Disqualifications()[1]
	require.Equal(t, 256, len([]rune(d.Note)))
	diff(t, workabletest.Disqualification{CandidateID: cand.ID, MemberID: me, ReasonID: "42", Note: d.Note, Withdrew: true}, d)

	require.NoError(t, c.Revert(ctx, cand.ID))
	wantRequest(t, lastRequest(t, srv), "POST", "/candidates/"+cand.ID+"/revert", nil, map[string]any{"member_id": me})
	diff(t, []workabletest.Revert{{CandidateID: cand.ID, MemberID: me}}, srv.Reverts())

	require.ErrorIs(t, c.Disqualify(ctx, "ffffffff", "x"), ats.ErrNotFound)
	require.ErrorIs(t, c.Revert(ctx, "ffffffff"), ats.ErrNotFound)
}

func TestSubmitFeedback(t *testing.T) {
	srv := newFake(t)
	job := seedJob(srv, "Engineer")
	cand := srv.AddCandidate(workabletest.Candidate{JobShortcode: job.Shortcode, Name: "Alan Turing"})
	inactive := srv.AddMember(workabletest.Member{Name: "Gone", Email: "gone@example.com", Inactive: true})
	c := newClient(t, srv, nil)
	ctx := context.Background()
	fb := ats.Feedback{Title: "InterviewVector – Round 1", Score: "78%", Summary: "Solid.", ReportURL: "https://v.example.com/r/1",
		Fields: []ats.FeedbackField{{Name: "Coding", Value: "4/5"}}}
	for _, tc := range []struct {
		grade     string
		wantGrade int
	}{{"failed", 0}, {"Passed", 1}, {"excelled", 2}} {
		t.Run(tc.grade, func(t *testing.T) {
			f := fb
			f.Grade = tc.grade
			require.NoError(t, c.SubmitFeedback(ctx, cand.ID, f))
			wantRequest(t, lastRequest(t, srv), "POST", "/candidates/"+cand.ID+"/ratings", nil, map[string]any{
				"member_id": srv.DefaultMemberID(), "scale": "thumbs", "grade": float64(tc.wantGrade),
				"comment": "InterviewVector – Round 1\nGrade: " + tc.grade + "\nScore: 78%\nSolid.\nCoding: 4/5\nReport: https://v.example.com/r/1",
			})
		})
	}
	require.Len(t, srv.Ratings(), 3)
	t.Run("unknown grade", func(t *testing.T) {
		f := fb
		f.Grade = "maybe"
		require.ErrorIs(t, c.SubmitFeedback(ctx, cand.ID, f), ats.ErrValidation)
	})
	t.Run("rate validation", func(t *testing.T) {
		require.ErrorIs(t, c.Rate(ctx, cand.ID, workable.Rating{Comment: "x", Scale: workable.ScaleStars, Grade: 5}), ats.ErrValidation)
		require.ErrorIs(t, c.Rate(ctx, cand.ID, workable.Rating{Comment: "x", Scale: "bogus"}), ats.ErrValidation)
		require.ErrorIs(t, c.Rate(ctx, cand.ID, workable.Rating{Grade: 1}), ats.ErrValidation)
		require.NoError(t, c.Rate(ctx, cand.ID, workable.Rating{Comment: "ok", Scale: workable.ScaleNumbers, Grade: 9}))
	})
	t.Run("inactive member is refused by Workable", func(t *testing.T) {
		c := newClient(t, srv, func(o *workable.Options) { o.MemberID = inactive.ID })
		f := fb
		f.Grade = "passed"
		err := c.SubmitFeedback(ctx, cand.ID, f)
		require.ErrorIs(t, err, ats.ErrValidation)
		require.Contains(t, err.Error(), "member_id is not an active member (member_id: is invalid)")
	})
}
