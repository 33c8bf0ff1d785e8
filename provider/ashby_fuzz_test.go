package provider

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzAshbyStartDecode checks the assessment.start decoder: the fast path
// must agree with encoding/json wherever it accepts a body, and the
// handler's validation must not panic on anything encoding/json accepts.
func FuzzAshbyStartDecode(f *testing.F) {
	f.Add([]byte(ashbyStartBody(1)))
	f.Add([]byte(`{"assessment_type_id":"t","candidate":null,"application":{"ashby_id":"a","status":"Active"},"job":{"ashby_id":"j","name":"n","hiringTeam":[{"userId":"u"}]},"additional_fields":{"level":"sr","n":3}}`))
	f.Add([]byte(`{"assessment_type_id":"t","ASSESSMENT_TYPE_ID":"u"}`))
	f.Add([]byte(`{"assessment_type_id":"t","assessment_type_id":"u"}`))
	f.Add([]byte(`{"candidate":{"first_name":"\u00e9"},"extra":[1,2,{"x":null}]}`))
	f.Add([]byte(`{"job":{"hiringTeam":"x"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var fast, slow AshbyStartRequest
		fastOK := fastAshbyStart(body, &fast)
		slowErr := json.Unmarshal(body, &slow)
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
