package provider

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzAshbyStartDecode checks the assessment.start decoder: the fast path
// must agree with encoding/json (decodeAshbyStart, which reads every scalar
// as a string or a number) wherever it accepts a body, and the
// handler's validation must not panic on anything encoding/json accepts.
func FuzzAshbyStartDecode(f *testing.F) {
	f.Add([]byte(ashbyStartBody(1)))
	f.Add([]byte(`{"assessment_type_id":"t","candidate":null,"application":{"ashby_id":"a","status":"Active"},"job":{"ashby_id":"j","name":"n","hiringTeam":[{"userId":"u"}]},"additional_fields":{"level":"sr","n":3}}`))
	f.Add([]byte(`{"assessment_type_id":"t","ASSESSMENT_TYPE_ID":"u"}`))
	f.Add([]byte(`{"assessment_type_id":"t","assessment_type_id":"u"}`))
	f.Add([]byte(`{"candidate":{"first_name":"\u00e9"},"extra":[1,2,{"x":null}]}`))
	f.Add([]byte(`{"job":{"hiringTeam":"x"}}`))
	f.Add([]byte(`{"assessment_type_id":7,"candidate":{"ashby_id":42,"last_name":null},"application":{"ashby_id":1e3},"job":{"ashby_id":-0.5e-2}}`))
	f.Add([]byte(`{"assessment_type_id":"t","assessment_type_id":null,"candidate":{"last_name":""}}`))
	f.Add([]byte(`{"candidate":{"ashby_id":true}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var fast, slow AshbyStartRequest
		fastOK := fastAshbyStart(body, &fast)
		var slowErr error
		if err := decodeAshbyStart(body, &slow); err != nil {
			slowErr = err
		}
		if fastOK {
			if slowErr != nil {
				t.Fatalf("fast path accepted %q, encoding/json refused it: %v", body, slowErr)
			}
			if diff := cmp.Diff(slow, fast); diff != "" {
				t.Fatalf("fast path disagrees on %q (-json +fast):\n%s", body, diff)
			}
		}
		if slowErr == nil {
			_ = slow.validate()
		}
	})
}
