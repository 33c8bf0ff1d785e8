package provider

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// opaqueMemory hides a MemoryBackend's type from NewHandler, so that the
// Handler serves it like any other backend: it makes the request and its
// preferences map and calls CreateInterview or CreateAssessment.
type opaqueMemory struct{ *MemoryBackend }

// memoryPair returns a Handler over a MemoryBackend (which takes the
// packed path, createInMemory) and one over the same backend hidden by
// opaqueMemory, with the same clock and templates.
func memoryPair(t testing.TB) (fast, general *Handler, fastMem, generalMem *MemoryBackend) {
	newMem := func() *MemoryBackend {
		return NewMemoryBackend(MemoryBackendOptions{
			InterviewTemplates: []InterviewTemplate{{ID: "1", Name: "Aptitude Interview"}, {ID: "12345", Name: "Numeric"}},
			Tests:              []Test{{ID: NumberID(1), Name: "Aptitude Test"}, {ID: StringID("acc"), Name: "Accounting Test"}},
			Now:                func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) },
		})
	}
	fastMem, generalMem = newMem(), newMem()
	fast, general = newTestHandler(t, fastMem), newTestHandler(t, opaqueMemory{generalMem})
	if fast.mem == nil || general.mem != nil {
		t.Fatal("memoryPair: the handlers do not take the paths the test compares")
	}
	return fast, general, fastMem, generalMem
}

// checkMemoryPathsAgree posts each body to path through both handlers of
// memoryPair and fails if an answer or a kept invitation differs.
func checkMemoryPathsAgree(t *testing.T, fast, general *Handler, fastMem, generalMem *MemoryBackend, path string, bodies []string) {
	t.Helper()
	type answer struct {
		Code        int
		ContentType string
		Body        string
	}
	for _, body := range bodies {
		spec := reqSpec{method: http.MethodPost, path: path, token: tokenAcme, body: body, contentType: "application/json"}
		f, g := serve(fast, spec), serve(general, spec)
		fa := answer{f.Code, f.Header().Get("Content-Type"), f.Body.String()}
		ga := answer{g.Code, g.Header().Get("Content-Type"), g.Body.String()}
		if diff := cmp.Diff(ga, fa); diff != "" {
			t.Errorf("POST %s %q (-general path +memory path):\n%s", path, body, diff)
		}
	}
	if diff := cmp.Diff(generalMem.Invitations(), fastMem.Invitations(), cmpWire); diff != "" {
		t.Errorf("invitations (-general path +memory path):\n%s", diff)
	}
}

// TestMemoryPathAgrees checks that a MemoryBackend served through the
// packed path answers and keeps exactly what it does through the general
// path, for bodies the fast path reads and bodies it leaves to
// encoding/json, including repeats (idempotency) and refusals.
func TestMemoryPathAgrees(t *testing.T) {
	const cand = `"candidate":{"first_name":"Lakita","last_name":"Marrero","phone":"(785)991-6256","email":"lakita@example.com"}`
	interviews := []string{
		validInterview,
		validInterview, // a repeat: the same id
		benchBody(1),
		benchBody(1),
		benchBody(2),
		`{"interview_template_id":"1","callback_url":"https://a.workable.com/1",` + cand + `}`,
		`{"interview_template_id":12345,"job_id":6789,"job_shortcode":"GROOV005","callback_url":"https://a.workable.com/2"}`,
		`{"interview_template_id":"1","callback_url":"https://a.workable.com/3","candidate":null,"preferences":null}`,
		`{"interview_template_id":"1","callback_url":"https://a.workable.com/4","preferences":{}}`,
		`{"interview_template_id":"1","callback_url":"https://a.workable.com/5","preferences":{"a":"1","a":"2","é":"ü","":""}}`,
		`{"interview_template_id":"1","callback_url":"https://a.workable.com/6","preferences":{"n":1.5,"b":true,"z":null,"s":"x"}}`,
		`{"interview_template_id":"1","callback_url":"https://a.workable.com/7","preferences":{"o":{"k":"v"}}}`,
		`{"interview_template_id":"1","callback_url":"https://a.workable.com/8","job_title":"caf\u00e9"}`,
		`{"interview_template_id":"1","callback_url":"https://a.workable.com/9","candidate":{"email":"a\"b","phone":306912345678}}`,
		`{"interview_template_id":"1","callback_url":"https://a.workable.com/9","candidate":{"email":"a\"b","phone":306912345678}}`,
		`{"interview_template_id":"9","callback_url":"https://a.workable.com/10"}`, // unknown template: 422
		`{"callback_url":"https://a.workable.com/11"}`,
		`{"interview_template_id":"1"}`,
		`{"interview_template_id":"1","callback_url":"ftp://a.workable.com/12"}`,
		`{"interview_template_id":"1","callback_url":"https://a.workable.com/13?q=1%20"}`,
		`{"interview_template_id":"1","callback_url":"https://a.workable.com/14","unknown":[1,{"x":null}]}`,
		`{"interview_template_id":"1","callback_url":"https://a.workable.com/15"} x`,
		`{"interview_template_id":"1","callback_url":"https://a.workable.com/16","preferences":{"a":1e999}}`,
		`[]`,
	}
	assessments := []string{
		validAssessment,
		validAssessment,
		`{"test_id":1,"callback_url":"https://a.workable.com/a1",` + cand + `,"preferences":{"k":"v"}}`,
		`{"test_id":"1","callback_url":"https://a.workable.com/a1",` + cand + `,"preferences":{"k":"v"}}`, // "1" is not the test 1
		`{"test_id":"acc","job_shortcode":"GROOV005","job_id":42,"callback_url":"https://a.workable.com/a2"}`,
		`{"test_id":"acc","job_shortcode":"GROOV005","job_id":42,"callback_url":"https://a.workable.com/a2"}`,
		`{"test_id":-1.5e3,"callback_url":"https://a.workable.com/a3"}`,
		`{"test_id":null,"callback_url":"https://a.workable.com/a4"}`,
		`{"test_id":"a\"b","callback_url":"https://a.workable.com/a5"}`,
	}
	fast, general, fastMem, generalMem := memoryPair(t)
	checkMemoryPathsAgree(t, fast, general, fastMem, generalMem, "/interviews", interviews)
	checkMemoryPathsAgree(t, fast, general, fastMem, generalMem, "/assessments", assessments)
	if len(fastMem.Invitations()) == 0 {
		t.Fatal("no invitation was created: the test compares nothing")
	}
}

func FuzzMemoryPathAgrees(f *testing.F) {
	f.Add(validInterview, false)
	f.Add(validAssessment, true)
	f.Add(benchBody(3), false)
	f.Add(`{"interview_template_id":12345,"callback_url":"https://a.workable.com/1","preferences":{"a":"1","a":"2"}}`, false)
	f.Add(`{"test_id":1,"callback_url":"https://a.workable.com/1","candidate":{"phone":5},"preferences":{}}`, true)
	f.Fuzz(func(t *testing.T, body string, assessment bool) {
		path := "/interviews"
		if assessment {
			path = "/assessments"
		}
		fast, general, fastMem, generalMem := memoryPair(t)
		// Twice: the second is answered from the idempotency cache.
		checkMemoryPathsAgree(t, fast, general, fastMem, generalMem, path, []string{body, body})
	})
}
