package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
)

var _ ats.ReplayGuard = (*Store)(nil)

// pruneEvery is how many RememberDelivery calls (per Store) pass between
// deletions of all expired deliveries.
const pruneEvery = 256

// RememberDelivery implements ats.ReplayGuard: it records key for
// connection in table atskit_webhook_deliveries until expires, returning
// first == false when the key is already recorded and not expired. The
// claim is one INSERT … ON CONFLICT DO NOTHING, so two replicas receiving
// the same delivery at once cannot both act on it. Keys are stored as
// SHA-256 digests (fixed size, and a delivery token is not kept in
// clear). Expired rows are deleted as they are met and, every 256 calls,
// all at once.
func (s *Store) RememberDelivery(ctx context.Context, connection, key string, expires time.Time) (bool, error) {
	now := time.Now().UnixNano()
	h := deliveryKeyHash(key)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, errfmt.Errorf("sqlstore: remember delivery: %w", err)
	}
	defer tx.Rollback()
	if s.replayCalls.Add(1)%pruneEvery == 0 {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM atskit_webhook_deliveries WHERE expires_at <= ?`), now); err != nil {
			return false, errfmt.Errorf("sqlstore: prune deliveries: %w", err)
		}
	} else if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM atskit_webhook_deliveries WHERE connection = ? AND key_hash = ? AND expires_at <= ?`), connection, h, now); err != nil {
		return false, errfmt.Errorf("sqlstore: remember delivery: %w", err)
	}
	res, err := tx.ExecContext(ctx, s.q(`INSERT INTO atskit_webhook_deliveries (connection, key_hash, expires_at) VALUES (?, ?, ?) ON CONFLICT (connection, key_hash) DO NOTHING`),
		connection, h, expires.UnixNano())
	if err != nil {
		return false, errfmt.Errorf("sqlstore: remember delivery: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, errfmt.Errorf("sqlstore: remember delivery: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return false, errfmt.Errorf("sqlstore: remember delivery: %w", err)
	}
	return n == 1, nil
}

var _ ats.DeliveryConfirmer = (*Store)(nil)

// ClaimDelivery implements ats.DeliveryConfirmer: it records key for
// connection as a provisional claim (confirmed = 0) until leaseEnd, in the
// same transaction that checks the key, so of concurrent claims (on any
// replica) exactly one is acquired. A provisional row past its lease is
// deleted like an expired one, so the key can be claimed again.
func (s *Store) ClaimDelivery(ctx context.Context, connection, key string, leaseEnd time.Time) (ats.ClaimState, error) {
	now := time.Now().UnixNano()
	h := deliveryKeyHash(key)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, errfmt.Errorf("sqlstore: claim delivery: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM atskit_webhook_deliveries WHERE connection = ? AND key_hash = ? AND expires_at <= ?`), connection, h, now); err != nil {
		return 0, errfmt.Errorf("sqlstore: claim delivery: %w", err)
	}
	res, err := tx.ExecContext(ctx, s.q(`INSERT INTO atskit_webhook_deliveries (connection, key_hash, expires_at, confirmed) VALUES (?, ?, ?, 0) ON CONFLICT (connection, key_hash) DO NOTHING`),
		connection, h, leaseEnd.UnixNano())
	if err != nil {
		return 0, errfmt.Errorf("sqlstore: claim delivery: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, errfmt.Errorf("sqlstore: claim delivery: %w", err)
	}
	state := ats.ClaimAcquired
	if n == 0 {
		var confirmed int
		err := tx.QueryRowContext(ctx, s.q(`SELECT confirmed FROM atskit_webhook_deliveries WHERE connection = ? AND key_hash = ?`), connection, h).Scan(&confirmed)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			// Forgotten between the insert and this read: another
			// handler is between claim and release; let the ATS retry.
			return ats.ClaimInFlight, nil
		case err != nil:
			return 0, errfmt.Errorf("sqlstore: claim delivery: %w", err)
		case confirmed != 0:
			state = ats.ClaimConfirmed
		default:
			state = ats.ClaimInFlight
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, errfmt.Errorf("sqlstore: claim delivery: %w", err)
	}
	return state, nil
}

// ConfirmDelivery implements ats.DeliveryConfirmer: key's row becomes
// confirmed until expires (a later expiry of a confirmed row is kept), and
// is inserted if its claim lapsed and was deleted meanwhile.
func (s *Store) ConfirmDelivery(ctx context.Context, connection, key string, expires time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO atskit_webhook_deliveries (connection, key_hash, expires_at, confirmed) VALUES (?, ?, ?, 1)
		ON CONFLICT (connection, key_hash) DO UPDATE SET
			expires_at = CASE WHEN atskit_webhook_deliveries.confirmed = 1 AND atskit_webhook_deliveries.expires_at > excluded.expires_at
				THEN atskit_webhook_deliveries.expires_at ELSE excluded.expires_at END,
			confirmed = 1`), connection, deliveryKeyHash(key), expires.UnixNano())
	if err != nil {
		return errfmt.Errorf("sqlstore: confirm delivery: %w", err)
	}
	return nil
}

// ForgetDelivery implements ats.ReplayGuard.
func (s *Store) ForgetDelivery(ctx context.Context, connection, key string) error {
	if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM atskit_webhook_deliveries WHERE connection = ? AND key_hash = ?`), connection, deliveryKeyHash(key)); err != nil {
		return errfmt.Errorf("sqlstore: forget delivery: %w", err)
	}
	return nil
}

func deliveryKeyHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}
