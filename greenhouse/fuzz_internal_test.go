package greenhouse

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
)

// FuzzDecodeError checks that any error body decodes without panicking
// into a printable message.
func FuzzDecodeError(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		e := &ats.APIError{StatusCode: 422}
		decodeError(&http.Response{Header: http.Header{}}, body, e)
		_ = e.Error()
		if len(body) < 1<<12 && len(e.Message) > 4*len(body)+64 {
			t.Fatalf("message of %d bytes from a %d-byte body", len(e.Message), len(body))
		}
	})
}

// FuzzID checks that ID decoding accepts exactly integers (bare or
// quoted) and null, and round-trips them.
func FuzzID(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		var id ID
		if err := json.Unmarshal(b, &id); err != nil {
			return
		}
		if id < 0 {
			return // negative IDs decode, and are refused where they are used as input
		}
		if id != 0 {
			var back ID
			if err := json.Unmarshal([]byte(id.String()), &back); err != nil || back != id {
				t.Fatalf("ID %d does not round-trip: %v", id, err)
			}
		}
	})
}

// TestServerBudget pins how rate-limit headers pause the client.
func TestServerBudget(t *testing.T) {
	now := time.Unix(1_790_000_000, 0)
	tests := []struct {
		name   string
		h      http.Header
		rem    int
		reset  time.Time
		wantOK bool
	}{
		{"remaining without reset: no guessed pause", http.Header{"X-Ratelimit-Remaining": {"0"}}, 0, time.Time{}, false},
		{"reset as unix seconds", http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"1790000002.5"}}, 0, now.Add(2500 * time.Millisecond), true},
		{"reset as delta", http.Header{"X-Ratelimit-Remaining": {"3"}, "X-Ratelimit-Reset": {"4"}}, 3, now.Add(4 * time.Second), true},
		{"retry-after fallback", http.Header{"X-Ratelimit-Remaining": {"0"}, "Retry-After": {"2"}}, 0, now.Add(2 * time.Second), true},
		{"IETF names", http.Header{"Ratelimit-Remaining": {"0"}, "Ratelimit-Reset": {"1"}}, 0, now.Add(time.Second), true},
		{"absurd reset", http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"1e300"}}, 0, time.Time{}, false},
		{"no headers", http.Header{}, 0, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rem, reset, ok := serverBudget(tt.h, now)
			if ok != tt.wantOK || (ok && (rem != tt.rem || !reset.Equal(tt.reset))) {
				t.Errorf("serverBudget = %d, %v, %v; want %d, %v, %v", rem, reset, ok, tt.rem, tt.reset, tt.wantOK)
			}
		})
	}
}
