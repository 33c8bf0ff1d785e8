package provider

import (
	"encoding/json"
	"testing"
)

// BenchmarkDecodeCreateInterview measures decoding the contract's example
// body (with a numeric job_id, as Workable may send it) through the
// handler's decoder and through plain encoding/json into the same wire
// struct, in the same run. The decoder's share of BenchmarkCreateInterview
// is this; fast-vs-encoding/json above 1 means the fast path still pays
// for itself.
func BenchmarkDecodeCreateInterview(b *testing.B) {
	body := []byte(`{"interview_template_id":"1","job_id":6789,"job_title":"Operations Manager","callback_url":"https://groove-tech.workable.com/interviews/8823119","candidate":{"first_name":"Lakita","last_name":"Marrero","phone":"(785)991-6256","email":"lakita@example.com"},"preferences":{"key":"value"}}`)
	b.Run("decoder", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeCreateInterview(body); err != nil {
				b.Fatal(err.message)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var w wireInterview
			if err := json.Unmarshal(body, &w); err != nil {
				b.Fatal(err)
			}
		}
	})
}
