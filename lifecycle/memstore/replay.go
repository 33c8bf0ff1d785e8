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

var _ ats.DeliveryConfirmer = (*Store)(nil)

// ClaimDelivery implements ats.DeliveryConfirmer: a provisional claim that
// lapses at leaseEnd unless confirmed.
func (s *Store) ClaimDelivery(ctx context.Context, connection, key string, leaseEnd time.Time) (ats.ClaimState, error) {
	return s.replay.ClaimDelivery(ctx, connection, key, leaseEnd)
}

// ConfirmDelivery implements ats.DeliveryConfirmer.
func (s *Store) ConfirmDelivery(ctx context.Context, connection, key string, expires time.Time) error {
	return s.replay.ConfirmDelivery(ctx, connection, key, expires)
}
