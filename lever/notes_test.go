package lever_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/paging"
	"github.com/atskit/atskit/lever"
	"github.com/atskit/atskit/lever/levertest"
	"github.com/google/go-cmp/cmp"
)

func TestAddNote(t *testing.T) {
	tests := []struct {
		name     string
		note     ats.Note
		wantBody string
		wantAs   func(f *fixture) string
	}{
		{"default", ats.Note{Body: "Interview scheduled"}, `{"value":"Interview scheduled","secret":false,"notifyFollowers":false}`, func(f *fixture) string { return f.bot.ID }},
		{"restricted", ats.Note{Body: "Score 78", Visibility: ats.VisibilityRestricted}, `{"value":"Score 78","secret":true,"notifyFollowers":false}`, func(f *fixture) string { return f.bot.ID }},
		{"author", ats.Note{Body: "hi", Author: "AUTHOR"}, `{"value":"hi","secret":false,"notifyFollowers":false}`, func(f *fixture) string { return f.owner.ID }},
		{"attachment link", ats.Note{Body: "Done", Attachment: &ats.Attachment{Name: "Report", URL: "https://r.example/1"}}, `{"value":"Done\n\nReport: https://r.example/1","secret":false,"notifyFollowers":false}`, func(f *fixture) string { return f.bot.ID }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			if tt.note.Author == "AUTHOR" {
				tt.note.Author = f.owner.ID
			}
			if err := f.c.AddNote(context.Background(), f.opp.ID, tt.note); err != nil {
				t.Fatal(err)
			}
			wantRequest(t, f.last(t), "POST", "/opportunities/"+f.opp.ID+"/notes", url.Values{"perform_as": {tt.wantAs(f)}}, tt.wantBody)
			if n := f.srv.Notes(f.opp.ID); len(n) != 1 {
				t.Errorf("server has %d notes", len(n))
			}
		})
	}
	t.Run("errors", func(t *testing.T) {
		f := newFixture(t, nil)
		wantErr(t, f.c.AddNote(context.Background(), f.opp.ID, ats.Note{Body: " "}), ats.ErrValidation, "")
		wantErr(t, f.c.AddNote(context.Background(), f.opp.ID, ats.Note{Body: "x", Attachment: &ats.Attachment{Data: []byte("pdf")}}), ats.ErrValidation, "")
		wantErr(t, f.c.AddNote(context.Background(), "missing", ats.Note{Body: "x"}), ats.ErrNotFound, "Opportunity not found")
		wantErr(t, f.c.AddNote(context.Background(), f.opp.ID, ats.Note{Body: "x", Author: "ghost"}), ats.ErrValidation, "perform_as must be the ID of an active user")
	})
}

func TestCreateNoteToOwner(t *testing.T) {
	f := newFixture(t, nil)
	score := 3
	id, err := f.c.CreateNote(context.Background(), f.opp.ID, lever.NoteInput{Value: "Feedback uploaded", AddressToOwner: true, Score: &score})
	if err != nil {
		t.Fatal(err)
	}
	// Lever @-mentions by username (taken from the e-mail address), not by
	// name.
	reqs := f.srv.Requests()
	wantRequest(t, reqs[0], "GET", "/opportunities/"+f.opp.ID, nil, "")
	wantRequest(t, reqs[1], "GET", "/users/"+f.owner.ID, nil, "")
	wantRequest(t, reqs[2], "POST", "/opportunities/"+f.opp.ID+"/notes", nil, `{"value":"@rita Feedback uploaded","secret":false,"notifyFollowers":true,"score":3}`)
	want := []levertest.Note{{ID: id, OpportunityID: f.opp.ID, Value: "@rita Feedback uploaded", PerformAs: f.bot.ID, NotifyFollowers: true, Score: &score}}
	if d := cmp.Diff(want, f.srv.Notes(f.opp.ID), cmpIgnoreAt); d != "" {
		t.Errorf("notes (-want +got):\n%s", d)
	}
	notes, err := paging.Collect(f.c.ListNotes(context.Background(), f.opp.ID))
	if err != nil || len(notes) != 1 || notes[0].ID != id || notes[0].User != f.bot.ID {
		t.Errorf("ListNotes = %+v, %v", notes, err)
	}
}

// TestPerformAsRules: Lever marks perform_as optional on notes (and
// stage, tags, archive) and required on feedback, whatever the
// credentials. Without a configured user a note still goes out; feedback
// is refused before any request with an error that says what to set.
func TestPerformAsRules(t *testing.T) {
	f := newFixture(t, nil)
	at, _ := f.srv.IssueToken(lever.VendorScopes()...)
	oauth, _ := lever.NewClient(lever.Options{TokenSource: staticToken(at), BaseURL: f.srv.URL, RateLimit: -1})
	key, _ := lever.NewClient(lever.Options{APIKey: levertest.DefaultAPIKey, BaseURL: f.srv.URL, RateLimit: -1})
	for _, tt := range []struct {
		name string
		c    *lever.Client
	}{{"OAuth", oauth}, {"API key", key}} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.c.AddNote(context.Background(), f.opp.ID, ats.Note{Body: "x"}); err != nil {
				t.Errorf("note without perform_as: %v", err)
			}
			if err := tt.c.MoveCandidate(context.Background(), f.opp.ID, f.stages[2].ID); err != nil {
				t.Errorf("stage move without perform_as: %v", err)
			}
			before := f.srv.RequestCount()
			_, err := tt.c.CreateFeedback(context.Background(), f.opp.ID, lever.FeedbackInput{TemplateID: f.tpl.ID})
			if !errors.Is(err, ats.ErrValidation) || !strings.Contains(err.Error(), "Lever requires a user to submit feedback as") {
				t.Errorf("feedback without perform_as: %v", err)
			}
			if f.srv.RequestCount() != before {
				t.Error("the feedback request was sent without perform_as")
			}
		})
	}
	// The fake refuses it too, as Lever does.
	req, _ := http.NewRequest("POST", f.srv.URL+"/opportunities/"+f.opp.ID+"/feedback", strings.NewReader(`{"baseTemplateId":"`+f.tpl.ID+`","fieldValues":[]}`))
	req.SetBasicAuth(levertest.DefaultAPIKey, "")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("fake: feedback without perform_as answered %d, want 400", resp.StatusCode)
	}
}
