package httpx

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"

	"github.com/atskit/atskit/pacing"
)

func TestPacedRate(t *testing.T) {
	cases := []struct {
		name      string
		limit     rate.Limit
		burst     int
		wantLimit rate.Limit
		wantBurst int
	}{
		{"defaults", 0, 0, 5, 19},
		{"given", 20, 4, 10, 3},
		{"burst of one stays one", 20, 1, 10, 1},
		{"negative limit: no pacing", -1, 4, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, b := PacedRate(tc.limit, tc.burst, 10, 20, 0.5)
			if l != tc.wantLimit || b != tc.wantBurst {
				t.Errorf("PacedRate(%v, %d) = %v, %d; want %v, %d", tc.limit, tc.burst, l, b, tc.wantLimit, tc.wantBurst)
			}
		})
	}
}

// TestShareBucket: a client sharing its bucket books burst requests per
// burst/limit seconds in the shared pacer; without a shared pacer, or with
// pacing off, it keeps its own bucket.
func TestShareBucket(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		shared bool
		limit  rate.Limit
		// want are the delays Delay reports before each of three requests.
		want []time.Duration
	}{
		{"shared: 2 per 200ms", true, 10, []time.Duration{0, 0, 200 * time.Millisecond}},
		{"no shared pacer", false, 10, []time.Duration{0, 0, 0}},
		{"pacing off", true, 0, []time.Duration{0, 0, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(Config{ATS: "test", BaseURL: "http://127.0.0.1:1", Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			var shared pacing.Pacer
			if tc.shared {
				shared = &pacing.Memory{Now: func() time.Time { return now }}
			}
			c.ShareBucket(shared, "acme", tc.limit, 2)
			var got []time.Duration
			for range 3 {
				d, err := c.Pacer().Delay(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, d)
				if d == 0 {
					if err := c.Pacer().Wait(context.Background()); err != nil {
						t.Fatal(err)
					}
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("delays (-want +got):\n%s", diff)
			}
		})
	}
}
