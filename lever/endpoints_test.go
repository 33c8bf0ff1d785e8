package lever_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The lifecycle dispatcher de-duplicates retried notes through
// lifecycle.NoteLister, discovered by type assertion; adapters do not
// import lifecycle.
var _ interface {
	Notes(context.Context, string) ([]ats.Note, error)
} = (*lever.Client)(nil)

// TestEndpoints covers the endpoints the other tests leave without a
// request check, a decoded-result cmp.Diff or an error path. Each case
// runs once against a seeded fake (asserting the request the fake
// received and the decoded result) and once failing (asserting the typed
// error and that Lever's message is kept).
func TestEndpoints(t *testing.T) {
	type result = any
	tests := []struct {
		name   string
		call   func(ctx context.Context, f *fixture, id string) (result, error)
		id     func(f *fixture) string // the ID the success call uses
		method string
		path   func(f *fixture) string
		query  url.Values
		body   string
		want   func(f *fixture) result

		// The error path: call with errID, or with every request failing
		// with failStatus when errID is empty.
		errID      string
		failStatus int
		errTarget  error
		errMsg     string
	}{
		{
			name: "ListPostings",
			call: func(ctx context.Context, f *fixture, _ string) (result, error) {
				return paging.Collect(f.c.ListPostings(ctx, lever.ListPostingsOptions{State: lever.PostingPublished, Tag: "InterviewVector"}))
			},
			method: "GET", path: func(*fixture) string { return "/postings" },
			query: url.Values{"state": {"published"}, "tag": {"InterviewVector"}, "limit": {"100"}, "confidentiality": {"all"}, "distributionChannel": {"public", "internal"}},
			want: func(f *fixture) result {
				return []lever.Posting{{ID: f.tagged.ID, Text: "Backend Engineer", State: "published", Tags: []string{"InterviewVector"},
					CreatedAt: lever.MillisOf(t0), UpdatedAt: lever.MillisOf(t0),
					URLs: map[string]string{"show": appURL(f.srv) + "/jobs/" + f.tagged.ID, "list": appURL(f.srv) + "/jobs"}}}
			},
			failStatus: http.StatusForbidden, errTarget: ats.ErrForbidden, errMsg: "injected failure",
		},
		{
			name: "GetStage",
			call: func(ctx context.Context, f *fixture, id string) (result, error) { return f.c.GetStage(ctx, id) },
			id:   func(f *fixture) string { return f.stages[2].ID }, method: "GET",
			path: func(f *fixture) string { return "/stages/" + f.stages[2].ID }, query: url.Values{},
			want:  func(f *fixture) result { return lever.Stage{ID: f.stages[2].ID, Text: "Scheduled"} },
			errID: "nope", errTarget: ats.ErrNotFound, errMsg: "Stage not found",
		},
		{
			name: "ListUsers",
			call: func(ctx context.Context, f *fixture, _ string) (result, error) {
				return paging.Collect(f.c.ListUsers(ctx, "BOT@vendor.test"))
			},
			method: "GET", path: func(*fixture) string { return "/users" },
			query: url.Values{"email": {"BOT@vendor.test"}, "limit": {"100"}},
			want: func(f *fixture) result {
				return []lever.User{{ID: f.bot.ID, Name: "Vendor Bot", Username: "bot", Email: "bot@vendor.test", AccessRole: "admin"}}
			},
			failStatus: http.StatusUnauthorized, errTarget: ats.ErrUnauthorized, errMsg: "injected failure",
		},
		{
			name: "GetUser",
			call: func(ctx context.Context, f *fixture, id string) (result, error) { return f.c.GetUser(ctx, id) },
			id:   func(f *fixture) string { return f.owner.ID }, method: "GET",
			path: func(f *fixture) string { return "/users/" + f.owner.ID }, query: url.Values{},
			want: func(f *fixture) result {
				return lever.User{ID: f.owner.ID, Name: "Rita Recruiter", Username: "rita", Email: "rita@acme.test", AccessRole: "admin"}
			},
			errID: "nope", errTarget: ats.ErrNotFound, errMsg: "User not found",
		},
		{
			name: "GetOpportunity",
			call: func(ctx context.Context, f *fixture, id string) (result, error) { return f.c.GetOpportunity(ctx, id) },
			id:   func(f *fixture) string { return f.opp.ID }, method: "GET",
			path:  func(f *fixture) string { return "/opportunities/" + f.opp.ID },
			query: url.Values{"expand": {"applications", "stage"}},
			want: func(f *fixture) result {
				return lever.Opportunity{
					ID: f.opp.ID, Name: "Ada Lovelace", Contact: f.opp.Contact,
					Stage:  lever.Ref{ID: f.stages[1].ID, Text: "To be scheduled"},
					Emails: []string{"ada@example.com"}, Phones: []lever.Phone{{Type: "mobile", Value: "+44 20 7946 0000"}},
					Links: []string{}, Tags: []string{"referral"}, Sources: []string{}, Owner: lever.Ref{ID: f.owner.ID},
					Applications: []lever.Application{{ID: f.opp.ApplicationID, Posting: f.tagged.ID, Type: "posting"}},
					URLs:         map[string]string{"show": appURL(f.srv) + "/candidates/" + f.opp.ID, "list": appURL(f.srv) + "/candidates"},
					CreatedAt:    lever.MillisOf(t0), UpdatedAt: lever.MillisOf(f.opp.UpdatedAt),
				}
			},
			errID: "missing", errTarget: ats.ErrNotFound, errMsg: "Opportunity not found",
		},
		{
			name: "ListOpportunities",
			call: func(ctx context.Context, f *fixture, _ string) (result, error) {
				ops, err := paging.Collect(f.c.ListOpportunities(ctx, lever.ListOpportunitiesOptions{Tag: "referral", Limit: 7}))
				ids := make([]string, len(ops))
				for i, o := range ops {
					ids[i] = o.ID
				}
				return ids, err
			},
			method: "GET", path: func(*fixture) string { return "/opportunities" },
			query:      url.Values{"expand": {"applications", "stage"}, "tag": {"referral"}, "limit": {"7"}, "confidentiality": {"all"}},
			want:       func(f *fixture) result { return []string{f.opp.ID} },
			failStatus: http.StatusUnauthorized, errTarget: ats.ErrUnauthorized, errMsg: "injected failure",
		},
		{
			name: "ListResumes",
			call: func(ctx context.Context, f *fixture, id string) (result, error) { return f.c.ListResumes(ctx, id) },
			id:   func(f *fixture) string { return f.opp.ID }, method: "GET",
			path: func(f *fixture) string { return "/opportunities/" + f.opp.ID + "/resumes" }, query: url.Values{"limit": {"100"}},
			want: func(f *fixture) result {
				return []lever.Resume{{ID: f.opp.ID + "-resume", CreatedAt: lever.MillisOf(t0), File: lever.ResumeFile{
					Name: "resume.pdf", Ext: "pdf", DownloadURL: appURL(f.srv) + "/candidates/" + f.opp.ID + "/resumes/" + f.opp.ID + "-resume/download", UploadedAt: lever.MillisOf(t0), Size: 1024}}}
			},
			errID: "missing", errTarget: ats.ErrNotFound, errMsg: "Opportunity not found",
		},
		{
			name: "RemoveTags",
			call: func(ctx context.Context, f *fixture, id string) (result, error) {
				return nil, f.c.RemoveTags(ctx, id, "referral")
			},
			id: func(f *fixture) string { return f.opp.ID }, method: "POST",
			path:  func(f *fixture) string { return "/opportunities/" + f.opp.ID + "/removeTags" },
			query: nil, body: `{"tags":["referral"]}`,
			want:  func(*fixture) result { return nil },
			errID: "missing", errTarget: ats.ErrNotFound, errMsg: "Opportunity not found",
		},
		{
			name:   "ListArchiveReasons",
			call:   func(ctx context.Context, f *fixture, _ string) (result, error) { return f.c.ListArchiveReasons(ctx) },
			method: "GET", path: func(*fixture) string { return "/archive_reasons" }, query: url.Values{"limit": {"100"}},
			want: func(f *fixture) result {
				return []lever.ArchiveReason{{ID: f.reason.ID, Text: "Failed vendor interview", Type: "non-hired", Status: "active"}}
			},
			failStatus: http.StatusForbidden, errTarget: ats.ErrForbidden, errMsg: "injected failure",
		},
		{
			name: "Notes",
			call: func(ctx context.Context, f *fixture, id string) (result, error) {
				if id == f.opp.ID {
					if _, err := f.c.CreateNote(ctx, id, lever.NoteInput{Value: "Scheduled for Monday", Secret: true}); err != nil {
						return nil, err
					}
				}
				return f.c.Notes(ctx, id)
			},
			id: func(f *fixture) string { return f.opp.ID }, method: "GET",
			path: func(f *fixture) string { return "/opportunities/" + f.opp.ID + "/notes" }, query: url.Values{"limit": {"100"}},
			want: func(f *fixture) result {
				return []ats.Note{{Body: "Scheduled for Monday", Author: f.bot.ID, Visibility: ats.VisibilityRestricted}}
			},
			errID: "missing", errTarget: ats.ErrNotFound, errMsg: "Opportunity not found",
		},
		{
			name: "ListFeedbackTemplates",
			call: func(ctx context.Context, f *fixture, _ string) (result, error) {
				return paging.Collect(f.c.ListFeedbackTemplates(ctx))
			},
			method: "GET", path: func(*fixture) string { return "/feedback_templates" }, query: url.Values{"limit": {"100"}},
			want: func(f *fixture) result {
				fs := make([]lever.FeedbackField, len(f.tpl.Fields))
				for i, x := range f.tpl.Fields {
					fs[i] = lever.FeedbackField{ID: x.ID, Type: x.Type, Text: x.Text}
				}
				var rating []lever.FieldOption
				for _, o := range levertest.DefaultRatingOptions() {
					rating = append(rating, lever.FieldOption{Text: o})
				}
				// Every Lever account has the "No Feedback" template.
				return []lever.FeedbackTemplate{
					{ID: "no-feedback", Text: "No Feedback", Fields: []lever.FeedbackField{{ID: "no-feedback-rating", Type: lever.FieldScoreSystem, Text: "Rating", Options: rating}}},
					{ID: f.tpl.ID, Text: "InterviewVector feedback", Fields: fs},
				}
			},
			failStatus: http.StatusForbidden, errTarget: ats.ErrForbidden, errMsg: "injected failure",
		},
		{
			name: "ListWebhooks",
			call: func(ctx context.Context, f *fixture, _ string) (result, error) {
				if f.srv.RequestCount() == 0 && len(f.srv.Webhooks()) == 0 {
					f.srv.AddWebhook("https://vendor.test/hook", lever.EventCandidateStageChange)
				}
				return paging.Collect(f.c.ListWebhooks(ctx))
			},
			method: "GET", path: func(*fixture) string { return "/webhooks" }, query: url.Values{"limit": {"100"}},
			want: func(f *fixture) result {
				h := f.srv.Webhooks()[0]
				// Lever lists webhooks without their signature token.
				return []lever.Webhook{{ID: h.ID, URL: "https://vendor.test/hook", Event: lever.EventCandidateStageChange,
					CreatedAt: lever.MillisOf(h.CreatedAt)}}
			},
			failStatus: http.StatusServiceUnavailable, errTarget: nil, errMsg: "injected failure",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/ok", func(t *testing.T) {
			f := newFixture(t, nil)
			id := ""
			if tt.id != nil {
				id = tt.id(f)
			}
			got, err := tt.call(context.Background(), f, id)
			if err != nil {
				t.Fatal(err)
			}
			wantRequest(t, f.last(t), tt.method, tt.path(f), tt.query, tt.body)
			if d := cmp.Diff(tt.want(f), got, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("result (-want +got):\n%s", d)
			}
		})
		t.Run(tt.name+"/error", func(t *testing.T) {
			f := newFixture(t, nil)
			id := tt.errID
			if tt.failStatus != 0 {
				defer f.srv.FailRequests(tt.failStatus)()
				if tt.id != nil {
					id = tt.id(f)
				}
			}
			_, err := tt.call(context.Background(), f, id)
			var ae *ats.APIError
			if !errors.As(err, &ae) || ae.Message != tt.errMsg || ae.ATS != "lever" {
				t.Fatalf("err = %v, want an *ats.APIError from lever with message %q", err, tt.errMsg)
			}
			if tt.errTarget != nil && !errors.Is(err, tt.errTarget) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.errTarget)
			}
			if tt.failStatus >= 500 && !ae.Temporary() {
				t.Errorf("err = %v, want a temporary error", err)
			}
		})
	}
}
