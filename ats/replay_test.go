package ats_test

import (
	"context"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
)

func TestMemoryReplayGuard(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	g := &ats.MemoryReplayGuard{Now: func() time.Time { return now }}
	steps := []struct {
		name      string
		conn, key string
		expires   time.Time
		advance   time.Duration
		wantFirst bool
	}{
		{"first delivery", "acme", "tok1", now.Add(time.Hour), 0, true},
		{"same token again", "acme", "tok1", now.Add(time.Hour), 0, false},
		{"same token, other connection", "globex", "tok1", now.Add(time.Hour), 0, true},
		{"other token", "acme", "tok2", now.Add(time.Hour), 0, true},
		{"after the window the key is forgotten", "acme", "tok1", now.Add(3 * time.Hour), 2 * time.Hour, true},
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		first, err := g.RememberDelivery(ctx, s.conn, s.key, s.expires)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if first != s.wantFirst {
			t.Errorf("%s: first = %v, want %v", s.name, first, s.wantFirst)
		}
	}
	if err := g.ForgetDelivery(ctx, "acme", "tok2"); err != nil {
		t.Fatal(err)
	}
	if first, _ := g.RememberDelivery(ctx, "acme", "tok2", now.Add(time.Hour)); !first {
		t.Error("a forgotten delivery is accepted again: first = false, want true")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := g.RememberDelivery(cctx, "acme", "tok9", now.Add(time.Hour)); err == nil {
		t.Error("cancelled context: want error")
	}
}
