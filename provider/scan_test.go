package provider

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var idType = reflect.TypeFor[ID]()

// refUnmarshal is the reference decoder scan.go must agree with:
// encoding/json with its errors mapped to the contract's messages.
func refUnmarshal(body []byte, v any) *requestError {
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return invalidJSON()
	}
	if te.Field == "" {
		return &requestError{http.StatusBadRequest, "Invalid JSON: the body should be an object"}
	}
	want := "a string"
	switch {
	case te.Type == idType:
		want = "a string or a number"
	case te.Type.Kind() == reflect.Struct || te.Type.Kind() == reflect.Map ||
		(te.Type.Kind() == reflect.Pointer && te.Type.Elem().Kind() == reflect.Struct):
		want = "an object"
	}
	return invalidField(te.Field, want)
}

type decoded struct {
	Interview  wireInterview
	Assessment wireAssessment
	Err        *requestError
}

var cmpDecoded = cmp.Options{cmp.AllowUnexported(ID{}, requestError{})}

// checkScanAgrees fails if scan.go and encoding/json disagree on body.
func checkScanAgrees(t *testing.T, body string) {
	t.Helper()
	var gotI, refI wireInterview
	errGot, errRef := scanInterview([]byte(body), &gotI), refUnmarshal([]byte(body), &refI)
	if errRef != nil && strings.HasPrefix(errRef.message, "Invalid field: preferences") && strings.HasSuffix(errRef.message, "should be a string") {
		// encoding/json rejects an out-of-range number inside preferences
		// as if a string were expected; scan.go says what is wrong.
		if errGot == nil || errGot.message != "Invalid field: preferences should be an object whose numbers fit a float64" {
			t.Errorf("%q: got %v, want the out-of-range refusal", body, errGot)
		}
		return
	}
	if errRef != nil || errGot != nil {
		// On an error only the error matters.
		gotI, refI = wireInterview{}, wireInterview{}
	}
	if diff := cmp.Diff(decoded{Interview: refI, Err: errRef}, decoded{Interview: gotI, Err: errGot}, cmpDecoded); diff != "" {
		t.Errorf("interview %q (-encoding/json +scan):\n%s", body, diff)
	}
	var gotA, refA wireAssessment
	errGot, errRef = scanAssessment([]byte(body), &gotA), refUnmarshal([]byte(body), &refA)
	if errRef != nil || errGot != nil {
		gotA, refA = wireAssessment{}, wireAssessment{}
	}
	if diff := cmp.Diff(decoded{Assessment: refA, Err: errRef}, decoded{Assessment: gotA, Err: errGot}, cmpDecoded); diff != "" {
		t.Errorf("assessment %q (-encoding/json +scan):\n%s", body, diff)
	}
}

func TestScanAgreesWithEncodingJSON(t *testing.T) {
	for _, body := range []string{
		validInterview, validAssessment, ``, ` `, `null`, `[]`, `"x"`, `1`, `{}`, `{"a":1}`, `{"job_title":`,
		`{"job_title":"a","job_title":"b"}`, `{"JOB_TITLE":"x"}`, `{"job\u005ftitle":"esc"}`, `{"Job_Title":"x","job_title":"y"}`,
		`{"job_title":"caf\u00e9 \ud83d\ude00 \n"}`, "{\"job_title\":\"bad \xff utf8\"}", `{"job_title":null}`,
		`{"job_title":7}`, `{"job_title":{}}`, `{"job_title":[]}`, `{"job_title":true}`,
		`{"candidate":"x"}`, `{"candidate":[]}`, `{"candidate":null}`, `{"candidate":{"email":5}}`,
		`{"candidate":{"email":"a"},"candidate":{"phone":"b"}}`, `{"candidate":{"email":"a"},"candidate":null}`,
		`{"preferences":{"a":[1,{"b":null}],"c":"d"}}`, `{"preferences":[1]}`, `{"preferences":"x"}`, `{"preferences":null}`,
		`{"preferences":{"a":1},"preferences":{"b":2}}`, `{"preferences":{"a":1e999}}`, `{"preferences":{"a":{"b":[1,-2.5e3,"x",true,false,null,{}]},"a\u00e9":[]}}`,
		`{"preferences":{"a":1,"a":"2"}}`, `{"preferences":{}}`,
		`{"test_id":1}`, `{"test_id":-1.5e3}`, `{"test_id":"a\"b"}`, `{"test_id":true}`, `{"test_id":{}}`, `{"test_id":null}`,
		`{"job_title":1,"candidate":"x"}`, `{"unknown":{"nested":["x",{"y":"}"}]},"job_title":"after"}`,
		` { "job_title" : "spaced" , "job_id" : "1" } `, `{"job_title":"x"} trailing`, "{\"kelvin\u212a\":1}",
		`{"callbac\u212a_url":"https://x"}`, `{"firſt":1}`, `{"candidate":{"ſirst_name":"x","first_name":"y"}}`,
	} {
		checkScanAgrees(t, body)
	}
}

func FuzzScanAgrees(f *testing.F) {
	f.Add(validInterview)
	f.Add(validAssessment)
	f.Add(`{"candidate":{"email":5},"preferences":{"a":[1]}}`)
	f.Add(`{"test_id":"x","JOB_title":"y"}`)
	f.Fuzz(func(t *testing.T, body string) {
		if strings.ContainsAny(body, "\u212a\u017f") || strings.Contains(strings.ToLower(body), `\u212a`) || strings.Contains(strings.ToLower(body), `\u017f`) {
			return
		}
		checkScanAgrees(t, body)
	})
}
