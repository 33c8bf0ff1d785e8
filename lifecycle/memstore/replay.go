package memstore

import (
	"context"
	"time"

	"github.com/atskit/atskit/ats"
)

var _ ats.ReplayGuard = (*Store)(nil)

// RememberDelivery implements ats.ReplayGuard, in process memory (see
// ats.MemoryReplayGuard): a single replica's memory of accepted webhook
// deliveries, pruned after they expire.
func (s *Store) RememberDelivery(ctx context.Context, connection, key string, expires time.Time) (bool, error) {
	return s.replay.RememberDelivery(ctx, connection, key, expires)
}

// ForgetDelivery implements ats.ReplayGuard.
func (s *Store) ForgetDelivery(ctx context.Context, connection, key string) error {
	return s.replay.ForgetDelivery(ctx, connection, key)
}
