package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/atskit/atskit/lifecycle"
)

var _ lifecycle.ReconcileLeaser = (*Store)(nil)

// ClaimReconcile implements lifecycle.ReconcileLeaser with one upsert: the
// row is inserted, or taken over when its lease ended; a lease that holds
// makes the statement change no row. Both
// dialects serialise concurrent upserts of one key, so two claims never
// both succeed.
func (s *Store) ClaimReconcile(ctx context.Context, connection, owner string, now time.Time, lease time.Duration) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q(`INSERT INTO atskit_reconcile_leases (connection, owner, lease_until) VALUES (?, ?, ?)
		ON CONFLICT (connection) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
		WHERE atskit_reconcile_leases.lease_until <= ?`),
		connection, owner, nanos(now.Add(lease)), nanos(now))
	if err != nil {
		return false, fmt.Errorf("sqlstore: claim reconcile of %s: %w", connection, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("sqlstore: claim reconcile of %s: %w", connection, err)
	}
	return n > 0, nil
}

// ReleaseReconcile implements lifecycle.ReconcileLeaser with one UPDATE of
// owner's row, when its lease ends after now.
func (s *Store) ReleaseReconcile(ctx context.Context, connection, owner string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE atskit_reconcile_leases SET lease_until = ?
		WHERE connection = ? AND owner = ? AND lease_until > ?`), nanos(now), connection, owner, nanos(now))
	if err != nil {
		return fmt.Errorf("sqlstore: release reconcile of %s: %w", connection, err)
	}
	return nil
}
