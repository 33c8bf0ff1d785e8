package lever_test

import (
	"encoding/json"
	"errors"
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
