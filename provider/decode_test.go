package provider

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

var cmpWire = cmp.AllowUnexported(ID{})

// checkFastPathAgrees fails if the fast path accepts body and its result
// differs from encoding/json's (decodeJSON), or if it accepts a body that
// encoding/json refuses.
func checkFastPathAgrees(t *testing.T, body string) (acceptedInterview, acceptedAssessment bool) {
	t.Helper()
	var fi, ri wireInterview
	if acceptedInterview = fastInterview([]byte(body), &fi); acceptedInterview {
		if err := decodeJSON([]byte(body), &ri); err != nil {
			t.Errorf("fast path accepted %q, encoding/json refused it: %s", body, err.message)
		} else if diff := cmp.Diff(ri, fi, cmpWire); diff != "" {
			t.Errorf("interview %q (-encoding/json +fast path):\n%s", body, diff)
		}
	}
	var fa, ra wireAssessment
	if acceptedAssessment = fastAssessment([]byte(body), &fa); acceptedAssessment {
		if err := decodeJSON([]byte(body), &ra); err != nil {
			t.Errorf("fast path accepted %q, encoding/json refused it: %s", body, err.message)
		} else if diff := cmp.Diff(ra, fa, cmpWire); diff != "" {
			t.Errorf("assessment %q (-encoding/json +fast path):\n%s", body, diff)
		}
	}
	return acceptedInterview, acceptedAssessment
}

func TestFastPathAgreesWithEncodingJSON(t *testing.T) {
	// Bodies the fast path must take (so that the benchmark measures it)
	// and whose results must equal encoding/json's.
	for _, body := range []string{
		validInterview, benchBody(7), `{}`, ` {"job_title" : "spaced" , "job_id":"1"}` + "\n\t",
		`{"candidate":{"first_name":"José","last_name":"Müller","email":"j@x"}}`,
		`{"candidate":null,"job_title":null,"preferences":null}`,
		`{"preferences":{"n":-12.5e3,"t":true,"f":false,"z":null,"s":"x","é":"ü"}}`,
		`{"unknown":{"nested":["x",{"y":"}\"]"}]},"job_title":"after"}`,
		`{"unknown":1,"other":[true,null],"x":"\u00e9\n"}`,
		`{"preferences":{"a":[1,{"b":null}],"c":{"d":"e"}}}`,
		`{"preferences":{"a":"\u00e9"}}`,
		`{"candidate":{"phone":null,"extra":{"a":[1]}}}`,
		`{"interview_template_id":12345,"job_id":6789,"job_shortcode":"GROOV005"}`,
		`{"interview_template_id":null,"job_id":null,"job_shortcode":null}`,
		`{"job_id":-1.5e3,"job_shortcode":"a\"b"}`,
		`{"candidate":{"first_name":"Cher","last_name":null,"email":"a@b.c"}}`,
		`{"candidate":{"phone":306912345678,"email":5}}`,
	} {
		iv, _ := checkFastPathAgrees(t, body)
		require.True(t, iv, "the fast path should take %q", body)
	}
	for _, body := range []string{validAssessment, `{"test_id":1,"job_shortcode":"GROOV005","job_id":42}`, `{"test_id":"acc"}`, `{"test_id":-1.5e3}`, `{"test_id":"a\"b"}`, `{"test_id":null}`} {
		_, as := checkFastPathAgrees(t, body)
		require.True(t, as, "the fast path should take %q", body)
	}
	// Bodies it must leave to encoding/json: anything ambiguous or wrong.
	for _, body := range []string{
		``, ` `, `null`, `[]`, `"x"`, `1`, `{"job_title":`, `{"job_title":"x"} trailing`, `{"job_title":"x"}{}`,
		`{"job_title":"a","job_title":"b"}`, `{"JOB_TITLE":"x"}`, `{"Job_Title":"x","job_title":"y"}`,
		`{"job\u005ftitle":"esc"}`, `{"job_title":"caf\u00e9 \ud83d\ude00 \n"}`, `{"job_title":"\ud800"}`,
		"{\"job_title\":\"bad \xff utf8\"}", "{\"job_titl\u212a\":\"kelvin\"}", "{\"ſob_title\":\"long s\"}",
		`{"job_title":7}`, `{"job_title":{}}`, `{"job_title":[]}`, `{"job_title":true}`, `{"job_title":nul}`,
		`{"candidate":"x"}`, `{"candidate":[]}`, `{"candidate":{"email":true}}`,
		`{"candidate":{"email":"a"},"candidate":{"phone":"b"}}`, `{"candidate":{"email":"a"},"candidate":null}`,
		`{"preferences":[1]}`, `{"preferences":"x"}`, `{"preferences":{"a":1e999}}`, `{"preferences":{"a":01}}`,
		`{"preferences":{"a":1},"preferences":{"b":2}}`, `{"preferences":{"a":tru}}`, `{"preferences":{"a":[1}}`,
		`{"unknown":[1,}`, `{"unknown":"unterminated}`, `{"unknown":1 2}`, `{"a" "b"}`, `{"a":1,}`, `{,}`,
		"{\"job_title\":\"tab\there\"}",
	} {
		if iv, as := checkFastPathAgrees(t, body); iv || as {
			t.Errorf("the fast path took %q", body)
		}
	}
	for _, body := range []string{`{"test_id":true}`, `{"test_id":{}}`, `{"test_id":1,"test_id":2}`, `{"test_id":1.}`, `{"job_shortcode":1,"job_shortcode":2}`, `{"job_id":[1]}`} {
		if _, as := checkFastPathAgrees(t, body); as {
			t.Errorf("the fast path took assessment %q", body)
		}
	}
}

func FuzzFastPathAgrees(f *testing.F) {
	f.Add(validInterview)
	f.Add(validAssessment)
	f.Add(`{"candidate":{"email":5},"preferences":{"a":[1]}}`)
	f.Add(`{"test_id":"x","JOB_title":"y"}`)
	f.Add(`{"preferences":{"n":-0.5e-3,"s":"é","b":true}}`)
	f.Add(`{"interview_template_id":1,"job_id":6789,"job_shortcode":null,"test_id":-2}`)
	f.Add(`{"job_id":null,"candidate":{"last_name":null,"email":null}}`)
	f.Fuzz(func(t *testing.T, body string) {
		checkFastPathAgrees(t, body)
	})
}

// TestDecodeSemantics pins what the handler makes of unusual but valid
// bodies: encoding/json's rules throughout.
func TestDecodeSemantics(t *testing.T) {
	const base = `"interview_template_id":"1","callback_url":"https://a.workable.com/i/1","candidate":{"first_name":"A","last_name":"B","email":"e@x"}`
	tests := []struct {
		name  string
		body  string
		check func(*testing.T, CreateInterviewRequest)
		err   *requestError
	}{
		{"escapes and surrogate pairs", `{` + base + `,"job_title":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/"}`, func(t *testing.T, r CreateInterviewRequest) {
			require.Equal(t, "café 😀 \"q\" \\ /", r.JobTitle)
		}, nil},
		{"lone surrogate becomes U+FFFD", `{` + base + `,"job_title":"x\ud800y"}`, func(t *testing.T, r CreateInterviewRequest) {
			require.Equal(t, "x\uFFFDy", r.JobTitle)
		}, nil},
		{"invalid UTF-8 becomes U+FFFD", "{" + base + ",\"job_title\":\"x\xffy\"}", func(t *testing.T, r CreateInterviewRequest) {
			require.Equal(t, "x\uFFFDy", r.JobTitle)
		}, nil},
		{"last duplicate wins", `{` + base + `,"job_title":"a","job_title":"b"}`, func(t *testing.T, r CreateInterviewRequest) {
			require.Equal(t, "b", r.JobTitle)
		}, nil},
		{"keys match case-insensitively", `{` + base + `,"Job_Title":"x"}`, func(t *testing.T, r CreateInterviewRequest) {
			require.Equal(t, "x", r.JobTitle)
		}, nil},
		{"nested preferences", `{` + base + `,"job_title":"t","preferences":{"a":[1,{"b":null}],"n":1e3,"s":"x"}}`, func(t *testing.T, r CreateInterviewRequest) {
			require.Equal(t, map[string]any{"a": []any{1.0, map[string]any{"b": nil}}, "n": 1000.0, "s": "x"}, r.Preferences)
		}, nil},
		{"whitespace everywhere", " \n{\t" + strings.ReplaceAll(base, ",", " ,\r\n ") + " , \"job_title\" :\"t\" } \n", func(t *testing.T, r CreateInterviewRequest) {
			require.Equal(t, "t", r.JobTitle)
			require.Equal(t, "e@x", r.Candidate.Email)
		}, nil},
		{"null job_id is empty", `{` + base + `,"job_title":"t","job_id":null}`, func(t *testing.T, r CreateInterviewRequest) {
			require.Empty(t, r.JobID)
		}, nil},
		{"trailing data", `{` + base + `,"job_title":"t"} {}`, nil, invalidJSON()},
		{"number too large for preferences", `{` + base + `,"job_title":"t","preferences":{"a":1e999}}`, nil,
			invalidField("preferences", "an object whose numbers fit a float64")},
		{"null candidate is an empty one", `{` + base + `,"job_title":"t","candidate":null}`, func(t *testing.T, r CreateInterviewRequest) {
			require.Equal(t, Candidate{}, r.Candidate)
		}, nil},
		{"duplicate candidate merges", `{` + base + `,"job_title":"t","candidate":{"phone":"1"}}`, func(t *testing.T, r CreateInterviewRequest) {
			require.Equal(t, Candidate{FirstName: "A", LastName: "B", Email: "e@x", Phone: "1"}, r.Candidate)
		}, nil},
		{"first type error is reported", `{"job_title":1,"candidate":"x"}`, nil, invalidField("job_title", "a string")},
		{"null body", `null`, nil, missingField("interview_template_id")},
		{"number body", `12`, nil, &requestError{http.StatusBadRequest, "Invalid JSON: the body should be an object"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFastPathAgrees(t, tt.body)
			r, err := decodeCreateInterview([]byte(tt.body))
			if tt.err != nil {
				require.Equal(t, tt.err, err)
				return
			}
			require.Nil(t, err)
			tt.check(t, r)
		})
	}
}
