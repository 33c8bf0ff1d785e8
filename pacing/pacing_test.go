package pacing_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/pacing"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestEarliest(t *testing.T) {
	lim := pacing.Limit{N: 2, Window: 10 * time.Second}
	tests := []struct {
		name   string
		booked []time.Duration
		want   time.Duration
	}{
		{"empty", nil, 0},
		{"one booked", []time.Duration{0}, 0},
		{"full window", []time.Duration{0, time.Second}, 10 * time.Second},
		{"unordered", []time.Duration{time.Second, 0, 5 * time.Second}, 11 * time.Second},
		{"booked in the future", []time.Duration{30 * time.Second}, 30 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var booked []time.Time
			for _, d := range tc.booked {
				booked = append(booked, t0.Add(d))
			}
			if got := pacing.Earliest(t0, booked, lim).Sub(t0); got != tc.want {
				t.Errorf("Earliest = +%s, want +%s", got, tc.want)
			}
		})
	}
}

// TestMemorySharedBudget books for two clients of one account and one of
// another: the account's bookings never exceed N per window.
func TestMemorySharedBudget(t *testing.T) {
	now := t0
	m := &pacing.Memory{Now: func() time.Time { return now }}
	lim := pacing.Limit{N: 3, Window: 10 * time.Second}
	ctx := context.Background()
	var got []time.Duration
	for range 7 {
		at, err := m.Reserve(ctx, "acme", lim)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, at.Sub(t0))
	}
	want := []time.Duration{0, 0, 0, 10 * time.Second, 10 * time.Second, 10 * time.Second, 20 * time.Second}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("bookings of one account (-want +got):\n%s", d)
	}
	other, _ := m.Reserve(ctx, "globex", lim)
	if !other.Equal(t0) {
		t.Errorf("another account waited until +%s", other.Sub(t0))
	}
	next, _ := m.Next(ctx, "acme", lim)
	if want := t0.Add(20 * time.Second); !next.Equal(want) {
		t.Errorf("Next = +%s, want +%s (Next must not book)", next.Sub(t0), want.Sub(t0))
	}
	now = t0.Add(time.Minute)
	if at, _ := m.Reserve(ctx, "acme", lim); !at.Equal(now) {
		t.Errorf("after the window, Reserve = +%s, want now", at.Sub(t0))
	}
}

// TestMemoryRelease: a released booking no longer counts against the
// account; releasing one that is not there changes nothing.
func TestMemoryRelease(t *testing.T) {
	ctx := context.Background()
	m := &pacing.Memory{Now: func() time.Time { return t0 }}
	lim := pacing.Limit{N: 2, Window: time.Hour}
	var late []time.Time
	for i := range 6 {
		at, err := m.Reserve(ctx, "acme", lim)
		if err != nil {
			t.Fatal(err)
		}
		if i >= 2 {
			late = append(late, at)
		}
	}
	if err := m.Release(ctx, "acme", t0.Add(42*time.Minute)); err != nil {
		t.Fatal(err)
	}
	for _, at := range late {
		if err := m.Release(ctx, "acme", at); err != nil {
			t.Fatal(err)
		}
	}
	next, err := m.Next(ctx, "acme", lim)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(t0.Add(time.Hour), next); diff != "" {
		t.Errorf("Next after releasing the late bookings (-want +got):\n%s", diff)
	}
}
