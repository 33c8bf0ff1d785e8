package memstore

import (
	"context"
	"time"

	"github.com/atskit/atskit/lifecycle"
)

var _ lifecycle.ReconcileLeaser = (*Store)(nil)

// reconcileLease is a connection's reconcile lease.
type reconcileLease struct {
	owner string
	until time.Time
}

// ClaimReconcile implements lifecycle.ReconcileLeaser.
func (s *Store) ClaimReconcile(_ context.Context, connection, owner string, now time.Time, lease time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.reconcileLeases[connection]; ok && l.until.After(now) {
		return false, nil
	}
	if s.reconcileLeases == nil {
		s.reconcileLeases = map[string]reconcileLease{}
	}
	s.reconcileLeases[connection] = reconcileLease{owner: owner, until: now.Add(lease)}
	return true, nil
}

// ReleaseReconcile implements lifecycle.ReconcileLeaser.
func (s *Store) ReleaseReconcile(_ context.Context, connection, owner string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.reconcileLeases[connection]; ok && l.owner == owner && l.until.After(now) {
		l.until = now
		s.reconcileLeases[connection] = l
	}
	return nil
}
