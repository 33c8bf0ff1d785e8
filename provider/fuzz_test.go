package provider

import (
	"strings"
	"testing"
)

// fuzzCreate posts body to path and fails on a panic or any status other
// than 2xx and 4xx.
func fuzzCreate(t *testing.T, h *Handler, path, body, contentType string) {
	w := serve(h, reqSpec{method: "POST", path: path, token: tokenAcme, body: body, contentType: contentType})
	if w.Code >= 500 || w.Code < 200 || (w.Code >= 300 && w.Code < 400) {
		t.Fatalf("POST %s %q: status %d %s", path, body, w.Code, w.Body.String())
	}
	if w.Code >= 400 && !strings.HasPrefix(w.Body.String(), `{"status":`) {
		t.Fatalf("POST %s %q: error body %q", path, body, w.Body.String())
	}
}

func FuzzCreateInterview(f *testing.F) {
	f.Add(validInterview, "application/json")
	f.Add(`{"interview_template_id":"1","job_title":"x","callback_url":"https://a.workable.com/1","candidate":{"first_name":"a","last_name":"b","email":"c"}}`, "")
	f.Add(`{"candidate":{"email":5}}`, "application/json; charset=utf-8")
	f.Add(`[]`, "application/json")
	f.Add(`{"interview_template_id":null,"preferences":{"a":[1,{"b":null}]}}`, "application/json")
	f.Add(`{`, "text/plain")
	f.Add(`{"callback_url":"http://[::1]:namedport"}`, "application/json")
	// Identifiers as numbers and nulls, as Workable may send them.
	f.Add(`{"interview_template_id":12345,"job_id":6789,"callback_url":"https://a.workable.com/1","candidate":{"last_name":null}}`, "application/json")
	f.Add(`{"interview_template_id":null,"job_id":null,"job_shortcode":7,"callback_url":"https://a.workable.com/1"}`, "application/json")
	h := newTestHandler(f, newMemory(), func(o *HandlerOptions) { o.MaxBodyBytes = 4096 })
	f.Fuzz(func(t *testing.T, body, contentType string) {
		if body == "" {
			body = " "
		}
		fuzzCreate(t, h, "/interviews", body, contentType)
	})
}

func FuzzCreateAssessment(f *testing.F) {
	f.Add(validAssessment, "application/json")
	f.Add(strings.Replace(validAssessment, `"test_id": 1`, `"test_id": "acc"`, 1), "application/json")
	f.Add(`{"test_id":1e400}`, "application/json")
	f.Add(`{"test_id":-0.5,"candidate":{}}`, "application/json")
	f.Add(`{"test_id":{"x":1}}`, "application/vnd.api+json")
	f.Add(`null`, "application/json")
	f.Add(`{"test_id":1,"job_shortcode":"GROOV005","job_id":null,"callback_url":"https://a.workable.com/1","candidate":null}`, "application/json")
	f.Add(`{"test_id":2,"job_id":6789,"job_shortcode":null,"callback_url":"https://a.workable.com/1"}`, "application/json")
	h := newTestHandler(f, newMemory(), func(o *HandlerOptions) { o.MaxBodyBytes = 4096 })
	f.Fuzz(func(t *testing.T, body, contentType string) {
		if body == "" {
			body = " "
		}
		fuzzCreate(t, h, "/assessments", body, contentType)
	})
}
