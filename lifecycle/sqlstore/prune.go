package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/atskit/atskit/lifecycle"
)

var _ lifecycle.Pruner = (*Store)(nil)

// Prune implements lifecycle.Pruner: one short DELETE per kind, each of at
// most limit rows, so pruning a large backlog never holds locks for long.
// It also deletes up to limit webhook deliveries remembered by
// RememberDelivery whose expiry passed.
func (s *Store) Prune(ctx context.Context, before time.Time, limit int) (int, error) {
	cut := nanos(before)
	stmts := []struct {
		what  string
		query string
		arg   int64
	}{
		{"effects", `DELETE FROM atskit_effects WHERE seq IN (
			SELECT seq FROM atskit_effects WHERE state = 'done' AND done_at < ? ORDER BY seq LIMIT ?)`, cut},
		{"events", `DELETE FROM atskit_events WHERE (connection, source, id) IN (
			SELECT connection, source, id FROM atskit_events WHERE processed_at < ? LIMIT ?)`, cut},
		{"inbox", `DELETE FROM atskit_inbox WHERE seq IN (
			SELECT seq FROM atskit_inbox WHERE state = 'processed' AND done_at < ? ORDER BY seq LIMIT ?)`, cut},
		{"webhook deliveries", `DELETE FROM atskit_webhook_deliveries WHERE (connection, key_hash) IN (
			SELECT connection, key_hash FROM atskit_webhook_deliveries WHERE expires_at <= ? LIMIT ?)`, time.Now().UnixNano()},
	}
	total := 0
	for _, st := range stmts {
		res, err := s.db.ExecContext(ctx, s.q(st.query), st.arg, limit)
		if err != nil {
			return total, fmt.Errorf("sqlstore: prune %s: %w", st.what, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("sqlstore: prune %s: %w", st.what, err)
		}
		total += int(n)
	}
	return total, nil
}
