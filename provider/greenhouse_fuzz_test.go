package provider

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzGreenhouseSendTest checks the send_test decoders: the fast path,
// when it accepts a body, decodes it exactly as encoding/json does, and
// DecodeGreenhouse never panics. Test statuses built from the decoded
// strings validate without panicking.
func FuzzGreenhouseSendTest(f *testing.F) {
	f.Add([]byte(ghSendBody))
	f.Fuzz(func(t *testing.T, body []byte) {
		var fast GreenhouseSendTestRequest
		fastOK := fastGreenhouseSend(body, &fast)
		var slow GreenhouseSendTestRequest
		err := DecodeGreenhouse(body, &slow)
		if fastOK {
			if err != nil {
				t.Fatalf("fast path accepted a body encoding/json refuses: %v", err)
			}
			if diff := cmp.Diff(slow, fast); diff != "" {
				t.Fatalf("fast path disagrees with encoding/json (-json +fast)\n%s", diff)
			}
		}
		if err == nil {
			_ = slow.validate()
			st := GreenhouseTestStatus{Status: slow.PartnerTestID, ProfileURL: slow.URL, Metadata: map[string]any{"a": slow.SentBy}}
			if st.Validate() == nil {
				if _, err := json.Marshal(st); err != nil {
					t.Fatalf("a valid status does not encode: %v", err)
				}
			}
		}
	})
}

// TestGreenhouseFastPathCorpus pins which checked-in seeds the fast path
// takes, so the corpus keeps covering both paths.
func TestGreenhouseFastPathCorpus(t *testing.T) {
	tests := []struct {
		body string
		fast bool
	}{
		{ghSendBody, true},
		{`{"partner_test_id":"1\u0032"}`, false}, // escapes: encoding/json decodes
		{`{"Partner_Test_ID":"1"}`, false},       // case-folded key
		{`{"url":"https://a","url":"https://b"}`, false},
		{`{"extra":{"a":[1,{"b":null}]},"url":"x"}`, true},
		{`{"partner_test_id":12345}`, false},
		{`{"partner_test_id":"1"} {}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			var req GreenhouseSendTestRequest
			if got := fastGreenhouseSend([]byte(tt.body), &req); got != tt.fast {
				t.Errorf("fast path took it: %v, want %v", got, tt.fast)
			}
		})
	}
}
