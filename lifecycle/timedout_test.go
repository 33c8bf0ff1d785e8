package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"
	"testing"
)

// TestTimedOut: only a call given up on for time counts as possibly still
// under way at the ATS; an answer or a refused or reset connection does not.
func TestTimedOut(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"context deadline", fmt.Errorf("workable: add note: %w", context.DeadlineExceeded), true},
		{"client timeout", &url.Error{Op: "Post", URL: "https://ats.example", Err: &net.DNSError{IsTimeout: true}}, true},
		{"connection reset", &url.Error{Op: "Post", URL: "https://ats.example", Err: syscall.ECONNRESET}, false},
		{"an answer", errors.New("workable: 503 Service Unavailable"), false},
		{"cancelled", fmt.Errorf("lever: %w", context.Canceled), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := timedOut(tc.err); got != tc.want {
				t.Errorf("timedOut(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
