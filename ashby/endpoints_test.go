package ashby_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/atskit/atskit/ashby"
	"github.com/atskit/atskit/ashby/ashbytest"
	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
	"github.com/google/go-cmp/cmp"
)

// TestEndpoints calls every client method once on the success path and
// once on an error path, and checks the RPC method sent, the outcome and
// the error's kind.
func TestEndpoints(t *testing.T) {
	f := newFixture(t, nil)
	tag := "vendor-tag"
	cases := []struct {
		name    string
		method  string // RPC method the last request must name
		call    func(*testing.T) error
		wantErr error // nil: must succeed
		code    string
	}{
		{"JobInfo", "job.info", func(t *testing.T) error {
			j, err := f.c.JobInfo(ctx(t), f.job.ID)
			if err == nil && j.Title != "Backend Engineer" {
				t.Errorf("Title = %q", j.Title)
			}
			return err
		}, nil, ""},
		{"JobInfo/missing", "job.info", func(t *testing.T) error { _, err := f.c.JobInfo(ctx(t), "nope"); return err }, ats.ErrNotFound, "job_not_found"},
		{"JobInterviewPlan", "jobInterviewPlan.info", func(t *testing.T) error {
			p, err := f.c.JobInterviewPlan(ctx(t), f.job.ID)
			if err == nil && (len(p.Stages) != 5 || p.Stages[1].Title != "Vendor Interview" || p.InterviewPlanID != f.job.PlanID) {
				t.Errorf("plan = %+v", p)
			}
			return err
		}, nil, ""},
		{"JobInterviewPlan/missing", "jobInterviewPlan.info", func(t *testing.T) error { _, err := f.c.JobInterviewPlan(ctx(t), "nope"); return err }, ats.ErrNotFound, "job_not_found"},
		{"InterviewStages", "interviewStage.list", func(t *testing.T) error {
			st, err := f.c.InterviewStages(ctx(t), f.job.PlanID)
			if err == nil && (len(st) != 5 || st[4].Type != ashby.StageTypeArchived) {
				t.Errorf("stages = %+v", st)
			}
			return err
		}, nil, ""},
		{"InterviewStages/missing", "interviewStage.list", func(t *testing.T) error { _, err := f.c.InterviewStages(ctx(t), "nope"); return err }, ats.ErrNotFound, "interview_plan_not_found"},
		{"ApplicationInfo", "application.info", func(t *testing.T) error {
			a, err := f.c.ApplicationInfo(ctx(t), f.app.ID)
			if err == nil && (a.Candidate.ID != f.person.ID || a.CurrentInterviewStage.Title != "Applied" || a.Status != "Active") {
				t.Errorf("application = %+v", a)
			}
			return err
		}, nil, ""},
		{"ApplicationInfo/missing", "application.info", func(t *testing.T) error { _, err := f.c.ApplicationInfo(ctx(t), "nope"); return err }, ats.ErrNotFound, "application_not_found"},
		{"CandidateInfo", "candidate.info", func(t *testing.T) error {
			p, err := f.c.CandidateInfo(ctx(t), f.person.ID)
			if err == nil && (p.Name != "Ada Lovelace" || p.PrimaryEmailAddress.Value != "ada@example.com") {
				t.Errorf("person = %+v", p)
			}
			return err
		}, nil, ""},
		{"CandidateInfo/missing", "candidate.info", func(t *testing.T) error { _, err := f.c.CandidateInfo(ctx(t), "nope"); return err }, ats.ErrNotFound, "candidate_not_found"},
		{"ChangeStage", "application.changeStage", func(t *testing.T) error {
			a, err := f.c.ChangeStage(ctx(t), f.app.ID, f.stage("Vendor Interview"), ashby.ChangeStageOptions{})
			if err == nil && a.CurrentInterviewStage.ID != f.stage("Vendor Interview") {
				t.Errorf("stage after move = %+v", a.CurrentInterviewStage)
			}
			return err
		}, nil, ""},
		{"ChangeStage/archive-without-reason", "application.changeStage", func(t *testing.T) error {
			_, err := f.c.ChangeStage(ctx(t), f.app.ID, f.stage("Archived"), ashby.ChangeStageOptions{})
			return err
		}, ats.ErrValidation, "invalid_input"},
		{"ChangeStage/reason-on-active-stage", "application.changeStage", func(t *testing.T) error {
			_, err := f.c.ChangeStage(ctx(t), f.app.ID, f.stage("Offer"), ashby.ChangeStageOptions{ArchiveReasonID: f.reason.ID})
			return err
		}, ats.ErrValidation, "invalid_input"},
		{"ChangeStage/unknown-reason", "application.changeStage", func(t *testing.T) error {
			_, err := f.c.ChangeStage(ctx(t), f.app.ID, f.stage("Archived"), ashby.ChangeStageOptions{ArchiveReasonID: "nope"})
			return err
		}, ats.ErrNotFound, "archive_reason_not_found"},
		{"ChangeStage/stage-of-other-plan", "application.changeStage", func(t *testing.T) error {
			other := f.srv.AddJob(ashbytest.Job{Title: "Other", Stages: []ashbytest.Stage{{Title: "Applied"}}})
			_, err := f.c.ChangeStage(ctx(t), f.app.ID, other.Stages[0].ID, ashby.ChangeStageOptions{})
			return err
		}, ats.ErrNotFound, "interview_stage_not_found"},
		{"CreateNote/html", "candidate.createNote", func(t *testing.T) error {
			n, err := f.c.CreateNote(ctx(t), f.person.ID, ashby.Note{HTML: "<p>Passed <b>all</b> <script>x()</script>tests</p>", IsPrivate: true})
			if err == nil {
				if diff := cmp.Diff("Passed <b>all</b> tests", n.Content); diff != "" {
					t.Errorf("stored content (-want +got):\n%s", diff)
				}
				if !n.IsPrivate || n.Author.Email != "bot@vendor.test" {
					t.Errorf("note = %+v", n)
				}
			}
			return err
		}, nil, ""},
		{"CreateNote/missing-candidate", "candidate.createNote", func(t *testing.T) error {
			_, err := f.c.CreateNote(ctx(t), "nope", ashby.Note{Text: "x"})
			return err
		}, ats.ErrNotFound, "candidate_not_found"},
		{"CreateTag", "candidateTag.create", func(t *testing.T) error {
			a, err := f.c.CreateTag(ctx(t), tag)
			if err != nil {
				return err
			}
			b, err := f.c.CreateTag(ctx(t), tag)
			if err == nil && a.ID != b.ID {
				t.Errorf("candidateTag.create is not idempotent by title: %s then %s", a.ID, b.ID)
			}
			return err
		}, nil, ""},
		{"CreateTag/empty", "candidateTag.create", func(t *testing.T) error { _, err := f.c.CreateTag(ctx(t), " "); return err }, ats.ErrValidation, "invalid_input"},
		{"AddTag/unknown-tag", "candidate.addTag", func(t *testing.T) error { _, err := f.c.AddTag(ctx(t), f.person.ID, "nope"); return err }, ats.ErrNotFound, "tag_not_found"},
		{"ArchiveReasons", "archiveReason.list", func(t *testing.T) error {
			rs, err := f.c.ArchiveReasons(ctx(t))
			if err == nil && (len(rs) != 1 || rs[0].Text != "Underqualified") {
				t.Errorf("reasons = %+v", rs)
			}
			return err
		}, nil, ""},
		{"UserByEmail", "user.search", func(t *testing.T) error {
			u, err := f.c.UserByEmail(ctx(t), "BOT@vendor.test")
			if err == nil && u.FirstName != "Vendor" {
				t.Errorf("user = %+v", u)
			}
			return err
		}, nil, ""},
		{"UserByEmail/none", "user.search", func(t *testing.T) error { _, err := f.c.UserByEmail(ctx(t), "who@x.test"); return err }, ats.ErrNotFound, "user_not_found"},
		{"APIKey", "apiKey.info", func(t *testing.T) error {
			k, err := f.c.APIKey(ctx(t))
			if err == nil && !strings.Contains(strings.Join(k.Scopes, ","), "candidates:write") {
				t.Errorf("scopes = %q", k.Scopes)
			}
			return err
		}, nil, ""},
		{"WebhookInfo/missing", "webhook.info", func(t *testing.T) error { _, err := f.c.WebhookInfo(ctx(t), "nope"); return err }, ats.ErrNotFound, "webhook_not_found"},
		{"DeleteWebhook/missing", "webhook.delete", func(t *testing.T) error { return f.c.DeleteWebhook(ctx(t), "nope") }, ats.ErrNotFound, "webhook_not_found"},
		{"FileURL/missing", "file.info", func(t *testing.T) error { _, err := f.c.FileURL(ctx(t), "nope"); return err }, ats.ErrNotFound, "file_not_found"},
		{"AttachFileToCandidate/not-uploaded", "candidate.uploadFile", func(t *testing.T) error {
			_, err := f.c.AttachFileToCandidate(ctx(t), f.person.ID, "nope")
			return err
		}, ats.ErrNotFound, "file_not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(t)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
			} else {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("error %v; want one matching %v", err, tc.wantErr)
				}
				var ae *ats.APIError
				// user_not_found is the client's own answer to an empty search.
				if !errors.As(err, &ae) || ae.Code != tc.code || ae.RequestID == "" && tc.code != "user_not_found" {
					t.Errorf("APIError = %+v; want Code %q and a RequestID", ae, tc.code)
				}
			}
			last, _ := f.srv.LastRequest()
			if last.Method != tc.method || last.HTTPMethod != "POST" {
				t.Errorf("last request %s %s; want POST %s", last.HTTPMethod, last.Method, tc.method)
			}
		})
	}
}

// TestRequestBodies pins the JSON each write sends: Ashby rejects unknown
// fields, and candidate.info takes "id" rather than "candidateId".
func TestRequestBodies(t *testing.T) {
	f := newFixture(t, nil)
	cases := []struct {
		name string
		call func() error
		want string
	}{
		{"candidate.info", func() error { _, err := f.c.CandidateInfo(ctx(t), f.person.ID); return err }, `{"id":"` + f.person.ID + `"}`},
		{"application.changeStage", func() error {
			_, err := f.c.ChangeStage(ctx(t), f.app.ID, f.stage("Archived"), ashby.ChangeStageOptions{ArchiveReasonID: f.reason.ID, ArchiveEmailTemplateID: "tpl"})
			return err
		}, `{"applicationId":"` + f.app.ID + `","interviewStageId":"` + f.stage("Archived") + `","archiveReasonId":"` + f.reason.ID + `","archiveEmail":{"communicationTemplateId":"tpl"}}`},
		{"candidate.createNote", func() error { _, err := f.c.CreateNote(ctx(t), f.person.ID, ashby.Note{Text: "hi"}); return err },
			`{"candidateId":"` + f.person.ID + `","note":{"type":"text/plain","value":"hi"}}`},
		{"application.list", func() error {
			_, err := paging.Collect(f.c.ListApplications(ctx(t), ashby.ListApplicationsOptions{JobID: f.job.ID, ListOptions: ashby.ListOptions{Limit: 7}}))
			return err
		}, `{"limit":7,"jobId":"` + f.job.ID + `"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); err != nil {
				t.Fatal(err)
			}
			last, _ := f.srv.LastRequest()
			var got, want any
			if err := json.Unmarshal(last.Body, &got); err != nil {
				t.Fatal(err)
			}
			json.Unmarshal([]byte(tc.want), &want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

// TestArchiveEmailFailureLeavesStage checks that when Ashby cannot send
// the archive email the move is refused and the stage stays.
func TestArchiveEmailFailureLeavesStage(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.FailArchiveEmails(true)
	_, err := f.c.ChangeStage(ctx(t), f.app.ID, f.stage("Archived"), ashby.ChangeStageOptions{ArchiveReasonID: f.reason.ID, ArchiveEmailTemplateID: "tpl"})
	if !errors.Is(err, ats.ErrValidation) {
		t.Fatalf("ChangeStage with a failing archive email: %v; want a validation error", err)
	}
	a, _ := f.srv.Application(f.app.ID)
	if a.StageID != f.stage("Applied") || a.Status != "Active" {
		t.Errorf("application moved to %s (%s) although the email failed", a.StageID, a.Status)
	}
}

func TestDisqualify(t *testing.T) {
	cases := []struct {
		name, reason, defaultReason string
		wantErr                     error
	}{
		{"named reason", "underqualified", "", nil},
		{"falls back to the default", "Some other reason", "Underqualified", nil},
		{"no reason matches", "Some other reason", "", ats.ErrValidation},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(o *ashby.Options) { o.DefaultArchiveReason = tc.defaultReason })
			err := f.c.Disqualify(ctx(t), f.app.ID, tc.reason)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("Disqualify = %v; want %v", err, tc.wantErr)
			}
			a, _ := f.srv.Application(f.app.ID)
			wantStatus := "Archived"
			if tc.wantErr != nil {
				wantStatus = "Active"
			}
			if a.Status != wantStatus {
				t.Errorf("status = %s, want %s", a.Status, wantStatus)
			}
			if tc.wantErr == nil && (a.ArchiveReasonID != f.reason.ID || a.ArchivedAt.IsZero()) {
				t.Errorf("archive reason %q at %v, want %q", a.ArchiveReasonID, a.ArchivedAt, f.reason.ID)
			}
		})
	}
}

func TestAddTags(t *testing.T) {
	f := newFixture(t, nil)
	for range 2 { // the second call finds both tags present
		if err := f.c.AddTags(ctx(t), f.app.ID, "Vendor", "Round 1"); err != nil {
			t.Fatal(err)
		}
	}
	c, err := f.c.Candidate(ctx(t), f.app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Vendor", "Round 1"}, c.Tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if err := f.c.AddTags(ctx(t), f.app.ID, ""); !errors.Is(err, ats.ErrValidation) {
		t.Errorf("AddTags(\"\") = %v; want a validation error", err)
	}
	if err := f.c.AddTags(ctx(t), "nope", "x"); !errors.Is(err, ats.ErrNotFound) {
		t.Errorf("AddTags on a missing application = %v; want ErrNotFound", err)
	}
}

func TestCandidateMergesProfile(t *testing.T) {
	f := newFixture(t, nil)
	p := f.srv.AddCandidate(ashbytest.Candidate{Name: "Grace Brewster Hopper", Emails: []string{"g@navy.test", "grace@example.com"}, Phones: []string{"+1 555 0100"}, Tags: []string{"Vendor"}})
	a := f.srv.AddApplication(ashbytest.Application{CandidateID: p.ID, JobID: f.job.ID, StageID: f.stage("Vendor Interview")})
	got, err := f.c.Candidate(ctx(t), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := ats.Candidate{
		ID: a.ID, PersonID: p.ID, JobID: f.job.ID, Name: "Grace Brewster Hopper", FirstName: "Grace Brewster", LastName: "Hopper",
		Emails: []string{"g@navy.test", "grace@example.com"}, Phones: []string{"+1 555 0100"},
		Stage: ats.StageRef{ID: f.stage("Vendor Interview"), Name: "Vendor Interview"}, Tags: []string{"Vendor"},
		ProfileURL: strings.TrimSuffix(f.srv.URL, ashbytest.BasePath) + "/candidates/" + p.ID,
	}
	got.CreatedAt, got.UpdatedAt = want.CreatedAt, want.UpdatedAt
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Candidate (-want +got):\n%s", diff)
	}
}

func TestCandidatesFilters(t *testing.T) {
	f := newFixture(t, nil)
	p := f.srv.AddCandidate(ashbytest.Candidate{Name: "Tagged One", Tags: []string{"Vendor"}})
	tagged := f.srv.AddApplication(ashbytest.Application{CandidateID: p.ID, JobID: f.job.ID, StageID: f.stage("Vendor Interview")})
	other := f.srv.AddJob(ashbytest.Job{Title: "Other", Stages: []ashbytest.Stage{{Title: "Applied"}}})
	q := f.srv.AddCandidate(ashbytest.Candidate{Name: "Elsewhere"})
	f.srv.AddApplication(ashbytest.Application{CandidateID: q.ID, JobID: other.ID})
	cases := []struct {
		name   string
		filter ats.CandidateFilter
		want   []string
	}{
		{"job", ats.CandidateFilter{JobID: f.job.ID, PageSize: 1}, []string{f.app.ID, tagged.ID}},
		{"stage", ats.CandidateFilter{StageID: f.stage("Vendor Interview")}, []string{tagged.ID}},
		{"tag", ats.CandidateFilter{JobID: f.job.ID, Tag: "vendor"}, []string{tagged.ID}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := paging.Collect(f.c.Candidates(ctx(t), tc.filter))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range cs {
				got = append(got, c.ID)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("IDs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStagesAndLinkedJobs(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.AddJob(ashbytest.Job{Title: "Unlinked", Stages: []ashbytest.Stage{{Title: "Applied"}}})
	f.srv.AddJob(ashbytest.Job{Title: "Closed linked", Status: "Closed", Stages: []ashbytest.Stage{{Title: "Vendor Interview"}}})
	st, err := f.c.Stages(ctx(t), f.job.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []ats.Stage{
		{ID: f.stage("Applied"), Name: "Applied", Kind: ats.StageOther, Position: 0},
		{ID: f.stage("Vendor Interview"), Name: "Vendor Interview", Kind: ats.StageOther, Position: 1},
		{ID: f.stage("Offer"), Name: "Offer", Kind: ats.StageOffer, Position: 2},
		{ID: f.stage("Hired"), Name: "Hired", Kind: ats.StageHired, Position: 3},
		{ID: f.stage("Archived"), Name: "Archived", Kind: ats.StageOther, Position: 4},
	}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("Stages (-want +got):\n%s", diff)
	}
	jobs, err := paging.Collect(f.c.LinkedJobs(ctx(t)))
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].ID != f.job.ID || jobs[0].Link != (ats.JobLink{Linked: true, Marker: "Vendor Interview", StageID: f.stage("Vendor Interview")}) {
		t.Errorf("LinkedJobs = %+v; want only the open job with the vendor stage", jobs)
	}
	noStage := newClient(t, f.srv, ashbytest.DefaultAPIKey, func(o *ashby.Options) { o.VendorStage = "" })
	if _, err := paging.Collect(noStage.LinkedJobs(ctx(t))); !errors.Is(err, ats.ErrValidation) {
		t.Errorf("LinkedJobs without VendorStage = %v; want a validation error naming the option", err)
	}
}

func TestJobsStates(t *testing.T) {
	f := newFixture(t, nil)
	draft := f.srv.AddJob(ashbytest.Job{Title: "Draft job", Status: "Draft"})
	closed := f.srv.AddJob(ashbytest.Job{Title: "Closed job", Status: "Closed"})
	conf := f.srv.AddJob(ashbytest.Job{Title: "Secret job", Confidential: true})
	cases := []struct {
		state ats.JobState
		want  []string
	}{
		{"", []string{f.job.ID, closed.ID, conf.ID}},
		{ats.JobDraft, []string{draft.ID}},
		{ats.JobClosed, []string{closed.ID}},
		{ats.JobPublished, []string{f.job.ID, conf.ID}},
		{ats.JobInternal, []string{conf.ID}},
	}
	for _, tc := range cases {
		t.Run(string(tc.state), func(t *testing.T) {
			js, err := paging.Collect(f.c.Jobs(ctx(t), ats.ListJobsOptions{State: tc.state}))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, j := range js {
				got = append(got, j.ID)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestActingUser(t *testing.T) {
	f := newFixture(t, func(o *ashby.Options) { o.ActingUserEmail = "bot@vendor.test" })
	id, err := f.c.ActingUser(ctx(t))
	if err != nil || id == "" {
		t.Fatalf("ActingUser = %q, %v", id, err)
	}
	n := f.srv.RequestCount()
	if again, _ := f.c.ActingUser(ctx(t)); again != id || f.srv.RequestCount() != n {
		t.Errorf("second ActingUser = %q after %d more requests; want the cached %q", again, f.srv.RequestCount()-n, id)
	}
	bad := newClient(t, f.srv, ashbytest.DefaultAPIKey, func(o *ashby.Options) { o.ActingUserEmail = "ghost@vendor.test" })
	if _, err := bad.ActingUser(ctx(t)); !errors.Is(err, ats.ErrNotFound) {
		t.Errorf("ActingUser for an unknown email = %v; want ErrNotFound", err)
	}
}

// TestNotesListing: the client lists a candidate's notes across pages, so
// lifecycle's dispatcher can find a note it posted before a crash.
func TestNotesListing(t *testing.T) {
	f := newFixture(t, nil, ashbytest.WithPageCap(2))
	var want []string
	for i := range 5 {
		body := strings.Repeat("n", i+1)
		if err := f.c.AddNote(ctx(t), f.app.ID, ats.Note{Body: body, Visibility: map[bool]ats.Visibility{true: ats.VisibilityRestricted}[i == 4]}); err != nil {
			t.Fatal(err)
		}
		want = append(want, body)
	}
	notes, err := f.c.Notes(ctx(t), f.app.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range notes {
		got = append(got, n.Body)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	if notes[4].Visibility != ats.VisibilityRestricted || notes[0].Visibility != ats.VisibilityDefault {
		t.Errorf("visibilities %q, %q", notes[0].Visibility, notes[4].Visibility)
	}
	if _, err := f.c.Notes(ctx(t), "nope"); !errors.Is(err, ats.ErrNotFound) {
		t.Errorf("Notes of a missing application = %v; want ErrNotFound", err)
	}
}
