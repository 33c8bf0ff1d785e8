package provider

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/google/go-cmp/cmp"
)

func TestResultWire(t *testing.T) {
	res := &InterviewResult{Score: "78", Grade: ats.GradeExcelled, Summary: "good"}
	for _, tt := range []struct {
		name       string
		in         StatusDocument
		declined   Status
		assessment bool
		want       string
	}{
		{"interview: grade at both levels", StatusDocument{Status: StatusCompleted, ResultsURL: "https://v.example/r", Interview: res}, "", false,
			`{"status":"completed","results_url":"https://v.example/r","grade":"excelled","interview":{"score":"78","grade":"excelled","summary":"good"}}`},
		{"assessment field: both keys", StatusDocument{Status: StatusCompleted, ResultsURL: "https://v.example/r", Assessment: res}, "", false,
			`{"status":"completed","results_url":"https://v.example/r","grade":"excelled","interview":{"score":"78","grade":"excelled","summary":"good"},"assessment":{"score":"78","grade":"excelled","summary":"good"}}`},
		{"served as assessment: both keys", StatusDocument{Status: StatusCompleted, ResultsURL: "https://v.example/r", Interview: res}, "", true,
			`{"status":"completed","results_url":"https://v.example/r","grade":"excelled","interview":{"score":"78","grade":"excelled","summary":"good"},"assessment":{"score":"78","grade":"excelled","summary":"good"}}`},
		{"top-level grade copied into results", StatusDocument{Status: StatusCompleted, ResultsURL: "https://v.example/r", Grade: ats.GradePassed, Interview: &InterviewResult{Score: "1"}}, "", false,
			`{"status":"completed","results_url":"https://v.example/r","grade":"passed","interview":{"score":"1","grade":"passed"}}`},
		{"declined default", StatusDocument{Status: StatusDeclined}, "", false, `{"status":"rejected"}`},
		{"declined option", StatusDocument{Status: StatusRejected}, StatusDeclined, false, `{"status":"declined"}`},
		{"no results: nothing added", StatusDocument{Status: StatusExpired}, "", true, `{"status":"expired"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.in
			b, err := json.Marshal(tt.in.Wire(tt.declined, tt.assessment))
			if err != nil {
				t.Fatal(err)
			}
			var got, want any
			_ = json.Unmarshal(b, &got)
			_ = json.Unmarshal([]byte(tt.want), &want)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("wire (-want +got):\n%s", d)
			}
			if d := cmp.Diff(before, tt.in); d != "" {
				t.Errorf("Wire modified its receiver:\n%s", d)
			}
		})
	}
}

func TestResultValidateGrades(t *testing.T) {
	for _, tt := range []struct {
		name  string
		r     StatusDocument
		field string // "" = valid
	}{
		{"top-level only", StatusDocument{Status: StatusCompleted, ResultsURL: "https://v.example/r", Grade: ats.GradePassed}, ""},
		{"top-level invalid", StatusDocument{Status: StatusCompleted, ResultsURL: "https://v.example/r", Grade: "great"}, "grade"},
		{"assessment grade invalid", StatusDocument{Status: StatusCompleted, ResultsURL: "https://v.example/r", Assessment: &InterviewResult{Grade: "A+"}}, "assessment.grade"},
		{"grades disagree", StatusDocument{Status: StatusCompleted, ResultsURL: "https://v.example/r", Grade: ats.GradePassed, Interview: &InterviewResult{Grade: ats.GradeFailed}}, "interview.grade"},
		{"assessment details checked", StatusDocument{Status: StatusCompleted, ResultsURL: "https://v.example/r", Assessment: &InterviewResult{Details: map[string]any{"a": []int{1}}}}, "assessment.details.a"},
		{"rejected valid", StatusDocument{Status: StatusRejected}, ""},
		{"unknown status", StatusDocument{Status: "cancelled"}, "status"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Validate()
			got := ""
			if ve, ok := err.(*ValidationError); ok {
				got = ve.Field
			} else if err != nil {
				t.Fatalf("error %T %v", err, err)
			}
			if got != tt.field {
				t.Errorf("Validate() field %q (%v), want %q", got, err, tt.field)
			}
		})
	}
}

func TestSharedLinkValidate(t *testing.T) {
	for _, tt := range []struct {
		name  string
		l     SharedLink
		field string
	}{
		{"permanent", SharedLink{URL: "https://v.example/s/1"}, ""},
		{"minutes", SharedLink{URL: "https://v.example/s/1", TTL: "120", TTLUnits: "minutes"}, ""},
		{"views", SharedLink{URL: "https://v.example/s/1", TTL: "3", TTLUnits: "views"}, ""},
		{"hours is not a unit", SharedLink{URL: "https://v.example/s/1", TTL: "2", TTLUnits: "hours"}, "ttl_units"},
		{"ttl without units", SharedLink{URL: "https://v.example/s/1", TTL: "2"}, "ttl_units"},
		{"units without ttl", SharedLink{URL: "https://v.example/s/1", TTLUnits: "days"}, "ttl_units"},
		{"ttl not a number", SharedLink{URL: "https://v.example/s/1", TTL: "two", TTLUnits: "days"}, "ttl"},
		{"relative url", SharedLink{URL: "/s/1"}, "url"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.l.Validate()
			got := ""
			if ve, ok := err.(*ValidationError); ok {
				got = ve.Field
			}
			if got != tt.field {
				t.Errorf("Validate() = %v, want field %q", err, tt.field)
			}
		})
	}
}

type badLinks struct {
	*MemoryBackend
	link SharedLink
}

func (b badLinks) SharedLink(context.Context, Account, string) (SharedLink, error) {
	return b.link, nil
}

// TestServeLinkChecksTTLUnits: a backend's link with a unit Workable does
// not know is not passed through; it is a server error naming the field.
func TestServeLinkChecksTTLUnits(t *testing.T) {
	h := newTestHandler(t, badLinks{newMemory(), SharedLink{URL: "https://v.example/s/1", TTL: "2", TTLUnits: "hours"}})
	w := serve(h, reqSpec{method: "POST", path: "/interviews", token: tokenAcme, body: validInterview})
	if w.Code != 201 {
		t.Fatalf("create: %d", w.Code)
	}
	w = serve(h, reqSpec{method: "GET", path: "/interviews/iv_1/shared-link", token: tokenAcme})
	if w.Code != 500 {
		t.Errorf("shared-link with ttl_units hours: %d %s, want 500", w.Code, w.Body.String())
	}
}

// TestStatusDocumentAttachmentWire: an attachment goes out exactly as
// Workable's contract has it, {"description":…,"url":…}, whatever else the
// ats.Attachment carries (name, content type, data), and reads back.
func TestStatusDocumentAttachmentWire(t *testing.T) {
	for _, tt := range []struct {
		name string
		att  ats.Attachment
		want string
	}{
		{"link with description", ats.Attachment{Description: "Interview Report", URL: "https://v.example/r.pdf"},
			`{"status":"completed","attachments":[{"description":"Interview Report","url":"https://v.example/r.pdf"}]}`},
		{"file fields are not sent", ats.Attachment{Name: "r.pdf", ContentType: "application/pdf", Data: []byte("%PDF"), URL: "https://v.example/r.pdf"},
			`{"status":"completed","attachments":[{"url":"https://v.example/r.pdf"}]}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc := StatusDocument{Status: StatusCompleted, Attachments: []ats.Attachment{tt.att}}
			b, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, string(b)); d != "" {
				t.Errorf("wire (-want +got):\n%s", d)
			}
			var back StatusDocument
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			want := StatusDocument{Status: StatusCompleted, Attachments: []ats.Attachment{{Description: tt.att.Description, URL: tt.att.URL}}}
			if d := cmp.Diff(want, back); d != "" {
				t.Errorf("read back (-want +got):\n%s", d)
			}
		})
	}
}

// TestStatusDocumentFrom: the status document is built from ats.Result, the
// one result type; a completed result fills results_url and the results, an
// attachment that has only bytes is left out (Workable links attachments),
// and other statuses carry no results.
func TestStatusDocumentFrom(t *testing.T) {
	r := ats.Result{Score: "82", Grade: ats.GradePassed, Summary: "solid", Duration: "00:41:00",
		ReportURL: "https://v.example/r/1", PlaybackURL: "https://v.example/p/1",
		Details:     []ats.FeedbackField{{Name: "Go", Value: "4/5"}},
		Attachments: []ats.Attachment{{Description: "Report", URL: "https://v.example/r/1.pdf"}, {Name: "raw.pdf", Data: []byte("%PDF")}}}
	for _, tt := range []struct {
		name   string
		status Status
		want   string
	}{
		{"completed", StatusCompleted, `{"status":"completed","results_url":"https://v.example/r/1","grade":"passed",` +
			`"interview":{"score":"82","grade":"passed","summary":"solid","details":{"Go":"4/5"},"duration":"00:41:00"},` +
			`"attachments":[{"description":"Report","url":"https://v.example/r/1.pdf"}]}`},
		{"expired", StatusExpired, `{"status":"expired"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := StatusDocumentFrom(tt.status, r)
			if err := d.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			b, err := json.Marshal(d.Wire("", false))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(b)); diff != "" {
				t.Errorf("wire (-want +got):\n%s", diff)
			}
		})
	}
}
