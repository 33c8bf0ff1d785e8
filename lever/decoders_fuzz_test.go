package lever_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lever"
)

// FuzzDecodeWriteResponse: the decoder behind every write either returns
// the required outputs or an error wrapping lever.ErrIncompleteResponse;
// never a zero value as success, never a panic.
func FuzzDecodeWriteResponse(f *testing.F) {
	for _, s := range []string{
		`{"data":{"data":{"id":"w1","configuration":{"signatureToken":"t"}}}}`,
		`{"data":{"id":"w1","configuration":{"signatureToken":"t"}}}`,
		`{"id":"w1","configuration":{"signatureToken":"t"}}`,
		`{"data":{"data":[{"id":"p1","interviews":[{"id":"i1"}]}],"hasNext":false}}`,
		`{"data":{"data":[],"hasNext":false}}`,
		`{"data":{"id":"f1","name":"r.pdf","ext":".pdf","uploadedAt":"1468953420000","status":"processed","size":"1000"}}`,
		`{"id":"fb1","type":"interview","text":"On-site interview","fields":[]}`,
		`{"data":{"noteId":"n1"}}`,
		`{"data":{"id":"n1","noteId":"n1","text":"Note","fields":[{"type":"note","value":"hi"}]}}`,
		`{"data":null}`, `[]`, `"x"`, `{"data":"s"}`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		w, err := lever.DecodeWebhookResponse(raw)
		if err == nil && (w.ID == "" || w.Configuration.SignatureToken == "") {
			t.Fatalf("webhook %+v decoded from %q without an error", w, raw)
		}
		if err != nil && !errors.Is(err, lever.ErrIncompleteResponse) {
			t.Fatalf("error %v does not wrap ErrIncompleteResponse", err)
		}
		check := func(what string, ok bool, err error) {
			t.Helper()
			if err == nil && !ok {
				t.Fatalf("%s decoded from %q without its id and without an error", what, raw)
			}
			if err != nil && !errors.Is(err, lever.ErrIncompleteResponse) {
				t.Fatalf("%s: error %v does not wrap ErrIncompleteResponse", what, err)
			}
		}
		fbID, err := lever.DecodeFeedbackResponse(raw)
		check("feedback form", fbID != "", err)
		noteID, id, err := lever.DecodeNoteResponse(raw)
		check("note", noteID != "" || id != "", err)
		tpl, err := lever.DecodeTemplateResponse(raw)
		check("feedback template", tpl.ID != "", err)
		fl, err := lever.DecodeFileResponse(raw)
		if err == nil && fl.ID == "" {
			t.Fatalf("file %+v decoded from %q without an error", fl, raw)
		}
		if err != nil && !errors.Is(err, lever.ErrIncompleteResponse) {
			t.Fatalf("error %v does not wrap ErrIncompleteResponse", err)
		}
		p, err := lever.DecodePanelResponse(raw)
		if err == nil && (p.ID == "" || len(p.Interviews) == 0 || p.Interviews[0].ID == "") {
			t.Fatalf("panel %+v decoded from %q without an error", p, raw)
		}
		if err != nil && !errors.Is(err, lever.ErrIncompleteResponse) {
			t.Fatalf("error %v does not wrap ErrIncompleteResponse", err)
		}
	})
}

// FuzzMapFeedback: whatever the vendor sends, MapFeedback either fails or
// returns values of the type Lever expects for each field.
func FuzzMapFeedback(f *testing.F) {
	f.Add("78", "passed", "Good", "https://r", "Would hire", "yes")
	f.Add("3", "failed", "", "", "Languages", "Go, Rust")
	f.Add("78%", "strong pass", "x", "", "Available from", "2025-04-01")
	f.Add("-1", "meh", "", "", "Expected salary", "$1e9")
	f.Fuzz(func(t *testing.T, score, grade, summary, report, name, value string) {
		fb := ats.Feedback{Score: score, Grade: grade, Summary: summary, ReportURL: report, Fields: []ats.FeedbackField{{Name: name, Value: value}}}
		vals, err := lever.MapFeedback(leverTemplate, lever.FeedbackMapping{}, fb)
		if err != nil {
			return
		}
		types := map[string]lever.FeedbackField{}
		for _, fl := range leverTemplate.Fields {
			types[fl.ID] = fl
		}
		for _, v := range vals {
			fl := types[v.ID]
			ok := false
			switch fl.Type {
			case lever.FieldTextarea, lever.FieldText:
				_, ok = v.Value.(string)
			case lever.FieldScoreSystem:
				s, isS := v.Value.(string)
				for _, o := range fl.Options {
					ok = ok || (isS && o.Text == s)
				}
			case lever.FieldScore:
				n, isN := v.Value.(int)
				ok = isN && n >= 1 && n <= 4
			case lever.FieldYesNo:
				ok = v.Value == "yes" || v.Value == "no"
			case lever.FieldMultipleSelect:
				_, ok = v.Value.([]string)
			case lever.FieldCurrency:
				_, ok = v.Value.(float64)
			case lever.FieldDate:
				_, ok = v.Value.(int64)
			}
			if !ok {
				b, _ := json.Marshal(v.Value)
				t.Fatalf("field %s (%s) got %s", v.ID, fl.Type, b)
			}
		}
	})
}

// FuzzDecodeFileList: the file-listing decoder (bare array as Lever
// documents it, or the list envelope; quoted or plain numbers) either
// returns files that all have an id, or an error; never a panic, never a
// next token without a page.
func FuzzDecodeFileList(f *testing.F) {
	for _, s := range []string{
		documentedFileList,
		`{"data":[{"id":"a","size":1,"uploadedAt":2}],"hasNext":true,"next":"%5B1%5D"}`,
		`{"data":[],"hasNext":false}`, `[]`, `[{"id":""}]`, `[{"id":"x","size":"1e3"}]`,
		`[{"id":"x","uploadedAt":"-9223372036854775809"}]`, `{"hasNext":true}`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		files, next, err := lever.DecodeFileList(raw)
		if err != nil {
			if len(files) != 0 || next != "" {
				t.Fatalf("error %v with %d files and next %q", err, len(files), next)
			}
			return
		}
		for i, fl := range files {
			if fl.ID == "" {
				t.Fatalf("file %d of %q has no id", i, raw)
			}
		}
	})
}

// FuzzDecodeRecords: the records Lever lists — opportunities (ids bare or
// expanded, archived as an object or the legacy fields, timestamps as
// numbers or quoted), notes (body in fields[].value), feedback templates,
// archive reasons, resumes — decode or fail without a panic; an
// opportunity's references keep their IDs through a round trip, and a
// listed note's body holds every non-empty text of its fields.
func FuzzDecodeRecords(f *testing.F) {
	for _, s := range []string{
		`{"id":"o1","name":"Ada","stage":{"id":"lead-new","text":"New lead"},"owner":"u1","applications":[{"id":"a1","posting":{"id":"p1"},"type":"posting"}],"archived":{"reason":"r1","archivedAt":"1468953420000"},"createdAt":1407460071043}`,
		`{"id":"o1","stage":"s1","applications":["a1"],"archived":null,"archivedAt":null,"archiveReason":null}`,
		`{"id":"n1","text":"Note","user":"u1","secret":false,"createdAt":1421715919765,"fields":[{"type":"note","text":"Comment","value":"Sounds great, @josh!"}]}`,
		`{"id":"n1","text":"a body","fields":[]}`,
		`{"id":"t1","text":"Phone Screen","group":{"id":"g1","name":"Engineering"},"fields":[{"id":"f1","type":"score-system","text":"Rating","required":true,"options":[{"text":"4 - Strong Hire"}]}]}`,
		`{"id":"r1","text":"Underqualified","status":"inactive","type":"non-hired"}`,
		`{"id":"rs1","createdAt":"1","file":{"name":"cv.pdf","ext":"pdf","downloadUrl":"https://hire.lever.co/x","uploadedAt":1,"size":"1000"}}`,
		`{"id":"o1","stage":7}`, `null`, `[]`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var o lever.Opportunity
		if json.Unmarshal(raw, &o) == nil {
			out, err := json.Marshal(struct {
				Stage lever.Ref `json:"stage"`
				Owner lever.Ref `json:"owner"`
			}{o.Stage, o.Owner})
			if err != nil {
				t.Fatalf("re-encoding the references of %q: %v", raw, err)
			}
			var back struct {
				Stage lever.Ref `json:"stage"`
				Owner lever.Ref `json:"owner"`
			}
			if err := json.Unmarshal(out, &back); err != nil || back.Stage.ID != o.Stage.ID || back.Owner.ID != o.Owner.ID {
				t.Fatalf("references of %q do not round-trip: %+v → %s → %+v (%v)", raw, o, out, back, err)
			}
			_ = o.PostingID()
		}
		var n lever.NoteRecord
		if json.Unmarshal(raw, &n) == nil {
			body := n.Note().Body
			for _, fl := range n.Fields {
				if v, ok := fl.Value.(string); ok && strings.TrimSpace(v) != "" && !strings.Contains(body, strings.TrimSpace(v)) {
					t.Fatalf("note body %q lacks field value %q (from %q)", body, v, raw)
				}
			}
		}
		var tpl lever.FeedbackTemplate
		_ = json.Unmarshal(raw, &tpl)
		var r lever.ArchiveReason
		if json.Unmarshal(raw, &r) == nil && r.Active() && r.Status != "" && !strings.EqualFold(r.Status, "active") {
			t.Fatalf("reason with status %q counted active", r.Status)
		}
		var rs lever.Resume
		_ = json.Unmarshal(raw, &rs)
	})
}
