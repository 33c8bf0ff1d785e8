package httpx

import (
	"testing"
	"time"
)

func TestParseReset(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name   string
		v      string
		want   time.Time
		wantOK bool
	}{
		{"empty", " ", time.Time{}, false},
		{"unix seconds", "1790000002", time.Unix(1790000002, 0), true},
		{"fractional unix seconds", "1790000002.5", time.Unix(1790000002, 5e8), true},
		{"unix milliseconds", "1790000002500", time.UnixMilli(1790000002500), true},
		{"delta seconds", "4", now.Add(4 * time.Second), true},
		{"RFC 3339", "2026-01-02T03:05:00Z", time.Date(2026, 1, 2, 3, 5, 0, 0, time.UTC), true},
		{"HTTP date", "Fri, 02 Jan 2026 03:05:00 GMT", time.Date(2026, 1, 2, 3, 5, 0, 0, time.UTC), true},
		{"absurd", "1e300", time.Time{}, false},
		{"negative", "-5", time.Time{}, false},
		{"NaN", "NaN", time.Time{}, false},
		{"garbage", "soon", time.Time{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseReset(tc.v, now)
			if ok != tc.wantOK || !got.Equal(tc.want) {
				t.Errorf("ParseReset(%q) = %v, %v; want %v, %v", tc.v, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
