package sqlstore_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/atskit/atskit/lifecycle/sqlstore"
	"github.com/atskit/atskit/pacing"
)

// testSharedPacer books from three "replicas" (three stores on one
// database) concurrently: in any window at most N bookings of the account,
// and the other account is unaffected.
func testSharedPacer(t *testing.T, stores []*sqlstore.Store) {
	ctx := context.Background()
	lim := pacing.Limit{N: 5, Window: time.Hour} // long: bookings are computed, never waited for
	var mu sync.Mutex
	var booked []time.Time
	var wg sync.WaitGroup
	for _, s := range stores {
		p := s.Pacer()
		wg.Go(func() {
			for range 6 {
				at, err := p.Reserve(ctx, "workable/acme", lim)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				booked = append(booked, at)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.SortFunc(booked, func(a, b time.Time) int { return a.Compare(b) })
	if len(booked) != 18 {
		t.Fatalf("%d bookings, want 18", len(booked))
	}
	for i := lim.N; i < len(booked); i++ {
		if gap := booked[i].Sub(booked[i-lim.N]); gap < lim.Window {
			t.Errorf("bookings %d and %d are %s apart: %d requests in one window", i-lim.N, i, gap, lim.N+1)
		}
	}
	next, err := stores[0].Pacer().Next(ctx, "workable/globex", lim)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(next); d > time.Minute {
		t.Errorf("another account would wait %s", d)
	}
}

func TestSQLiteSharedPacer(t *testing.T) {
	s := newSQLite(t)
	testSharedPacer(t, []*sqlstore.Store{s, s, s})
}

func TestPostgresSharedPacer(t *testing.T) {
	dsn := postgresSchema(t)
	testSharedPacer(t, []*sqlstore.Store{openPostgres(t, dsn), openPostgres(t, dsn), openPostgres(t, dsn)})
}

// testPacerRelease: bookings released by callers that gave up no longer
// delay the next caller.
func testPacerRelease(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	p := s.Pacer()
	r, ok := p.(pacing.Releaser)
	if !ok {
		t.Fatal("Store.Pacer does not implement pacing.Releaser")
	}
	lim := pacing.Limit{N: 2, Window: time.Hour}
	var booked []time.Time
	for range 6 {
		at, err := p.Reserve(ctx, "workable/acme", lim)
		if err != nil {
			t.Fatal(err)
		}
		booked = append(booked, at)
	}
	for _, at := range booked[2:] {
		if err := r.Release(ctx, "workable/acme", at); err != nil {
			t.Fatal(err)
		}
	}
	next, err := p.Next(ctx, "workable/acme", lim)
	if err != nil {
		t.Fatal(err)
	}
	if want := booked[0].Add(lim.Window); !next.Equal(want) {
		t.Errorf("Next after releasing 4 bookings = %s after the first, want %s", next.Sub(booked[0]), lim.Window)
	}
}

func TestSQLitePacerRelease(t *testing.T) { testPacerRelease(t, newSQLite(t)) }

func TestPostgresPacerRelease(t *testing.T) {
	testPacerRelease(t, openPostgres(t, postgresSchema(t)))
}
