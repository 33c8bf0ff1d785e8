package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle/sqlstore"
	"github.com/atskit/atskit/lifecycle/storetest"
)

func TestSQLiteReplayGuardConformance(t *testing.T) {
	storetest.RunReplayGuard(t, func(t *testing.T) ats.ReplayGuard { return newSQLite(t) })
}

func TestPostgresReplayGuardConformance(t *testing.T) {
	postgresDSN(t)
	storetest.RunReplayGuard(t, func(t *testing.T) ats.ReplayGuard { return newPostgres(t) })
}

func TestSQLiteDeliveryConfirmerConformance(t *testing.T) {
	storetest.RunDeliveryConfirmer(t, func(t *testing.T) storetest.ConfirmingGuard { return newSQLite(t) })
}

func TestPostgresDeliveryConfirmerConformance(t *testing.T) {
	postgresDSN(t)
	storetest.RunDeliveryConfirmer(t, func(t *testing.T) storetest.ConfirmingGuard { return newPostgres(t) })
}

// TestReplayGuardPrunes: expired deliveries leave the table, live ones stay,
// and keys are not stored in clear.
func TestReplayGuardPrunes(t *testing.T) {
	stores := map[string]func(testing.TB) *sqlstore.Store{
		"sqlite":   newSQLite,
		"postgres": func(t testing.TB) *sqlstore.Store { postgresDSN(t); return newPostgres(t) },
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			ctx := context.Background()
			for i := range 1000 {
				if _, err := s.RememberDelivery(ctx, "c", fmt.Sprint("expired-", i), time.Now().Add(-time.Minute)); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.RememberDelivery(ctx, "c", "live-token-value", time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			var rows, clear int
			if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM atskit_webhook_deliveries`).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM atskit_webhook_deliveries WHERE key_hash LIKE '%live-token%'`).Scan(&clear); err != nil {
				t.Fatal(err)
			}
			// Pruning runs every 256 calls, so at most 255 expired rows remain.
			if rows > 256 || rows < 1 {
				t.Errorf("%d rows after 1000 expired and 1 live delivery, want the live one and at most 255 expired", rows)
			}
			if clear != 0 {
				t.Error("a delivery key is stored in clear")
			}
		})
	}
}
