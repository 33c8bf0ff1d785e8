package sqlstore

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/atskit/atskit/provider"
)

var _ provider.IdempotencyStore = (*Store)(nil)

// idempotencyPruneEvery is how many claims (per Store) pass between
// deletions of all expired provider-contract idempotency records.
const idempotencyPruneEvery = 256

// ClaimIdempotency implements provider.IdempotencyStore in table
// atskit_provider_idempotency, keyed by (account, contract, digest): the
// request's tenant, contract and the SHA-256 of its identifying fields
// (no candidate data is stored). Give every replica's provider handlers
// the same Store (HandlerOptions.IdempotencyStore,
// GreenhouseHandlerOptions.IdempotencyStore) and a repeated create is
// answered with the first one's id on any replica, the backend called
// once.
//
// The claim is one INSERT … ON CONFLICT DO UPDATE that takes the key's
// row over only if it expired or is an unfinished claim whose lease ran
// out (its replica presumably died mid-call), so of two concurrent claims
// exactly one succeeds, and a create costs two writes (claim, complete).
// Expired rows are deleted all at once every 256 claims.
func (s *Store) ClaimIdempotency(ctx context.Context, c provider.IdempotencyClaim) (provider.IdempotencyRecord, bool, error) {
	now := c.Now.UnixNano()
	digest := hex.EncodeToString(c.Key.Digest[:])
	if s.idemCalls.Add(1)%idempotencyPruneEvery == 0 {
		if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM atskit_provider_idempotency WHERE expires_at <= ?`), now); err != nil {
			return provider.IdempotencyRecord{}, false, fmt.Errorf("sqlstore: prune idempotency records: %w", err)
		}
	}
	// A few rounds: the record found by a failed claim may be released
	// before it is read.
	for range 3 {
		res, err := s.db.ExecContext(ctx, s.q(`INSERT INTO atskit_provider_idempotency AS r
			(account, contract, digest, token, done, lease_until, expires_at) VALUES (?, ?, ?, ?, 0, ?, ?)
			ON CONFLICT (account, contract, digest) DO UPDATE SET token = excluded.token, done = 0, resource_id = '',
				answer = NULL, lease_until = excluded.lease_until, expires_at = excluded.expires_at
			WHERE r.expires_at <= ? OR (r.done = 0 AND r.lease_until <= ?)`),
			string(c.Key.Account), c.Key.Contract, digest, c.Token, c.LeaseUntil.UnixNano(), c.Expires.UnixNano(), now, now)
		if err != nil {
			return provider.IdempotencyRecord{}, false, fmt.Errorf("sqlstore: claim idempotency key: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return provider.IdempotencyRecord{}, false, fmt.Errorf("sqlstore: claim idempotency key: %w", err)
		} else if n == 1 {
			return provider.IdempotencyRecord{}, true, nil
		}
		rec, ok, err := s.LookupIdempotency(ctx, c.Key, c.Now)
		if err != nil || ok {
			return rec, false, err
		}
	}
	// Claimed and released over and over meanwhile: report it in flight,
	// and the caller polls again.
	return provider.IdempotencyRecord{}, false, nil
}

// CompleteIdempotency implements provider.IdempotencyStore.
func (s *Store) CompleteIdempotency(ctx context.Context, key provider.IdempotencyKey, token, id string, answer []byte) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE atskit_provider_idempotency SET done = 1, resource_id = ?, answer = ?
		WHERE account = ? AND contract = ? AND digest = ? AND token = ? AND done = 0`),
		id, answer, string(key.Account), key.Contract, hex.EncodeToString(key.Digest[:]), token)
	return affectedClaim(res, err, "complete")
}

// ReleaseIdempotency implements provider.IdempotencyStore.
func (s *Store) ReleaseIdempotency(ctx context.Context, key provider.IdempotencyKey, token string) error {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM atskit_provider_idempotency
		WHERE account = ? AND contract = ? AND digest = ? AND token = ? AND done = 0`),
		string(key.Account), key.Contract, hex.EncodeToString(key.Digest[:]), token)
	return affectedClaim(res, err, "release")
}

func affectedClaim(res sql.Result, err error, op string) error {
	if err != nil {
		return fmt.Errorf("sqlstore: %s idempotency claim: %w", op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlstore: %s idempotency claim: %w", op, err)
	}
	if n == 0 {
		return provider.ErrIdempotencyClaimLost
	}
	return nil
}

// LookupIdempotency implements provider.IdempotencyStore.
func (s *Store) LookupIdempotency(ctx context.Context, key provider.IdempotencyKey, now time.Time) (provider.IdempotencyRecord, bool, error) {
	var done int
	var rec provider.IdempotencyRecord
	err := s.db.QueryRowContext(ctx, s.q(`SELECT done, resource_id, answer FROM atskit_provider_idempotency
		WHERE account = ? AND contract = ? AND digest = ? AND expires_at > ?`),
		string(key.Account), key.Contract, hex.EncodeToString(key.Digest[:]), now.UnixNano()).Scan(&done, &rec.ID, &rec.Answer)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return provider.IdempotencyRecord{}, false, nil
	case err != nil:
		return provider.IdempotencyRecord{}, false, fmt.Errorf("sqlstore: look up idempotency key: %w", err)
	}
	rec.Done = done == 1
	if !rec.Done {
		rec.ID, rec.Answer = "", nil
	}
	return rec, true, nil
}

// ForgetIdempotency implements provider.IdempotencyStore.
func (s *Store) ForgetIdempotency(ctx context.Context, account provider.Account, contract, id string) error {
	if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM atskit_provider_idempotency
		WHERE account = ? AND contract = ? AND resource_id = ? AND done = 1`), string(account), contract, id); err != nil {
		return fmt.Errorf("sqlstore: forget idempotency records: %w", err)
	}
	return nil
}
