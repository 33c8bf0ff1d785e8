package sqlstore

import (
	"context"
	"time"

	"github.com/atskit/atskit/internal/errfmt"
	"github.com/atskit/atskit/pacing"
)

// Pacer returns a pacing.Pacer that books request start times in the
// database, so every client of an ATS account — in any replica sharing the
// database — stays within the account's budget together. Give it to the
// clients' Options.Pacer.
//
// On PostgreSQL bookings of one account are serialised with a transaction
// advisory lock and timed by the database server's clock, so replicas with
// skewed clocks still agree; on SQLite the write transaction serialises
// them and the local clock is used.
func (s *Store) Pacer() pacing.Pacer { return sqlPacer{s} }

type sqlPacer struct{ s *Store }

var _ pacing.Releaser = sqlPacer{}

// Release implements pacing.Releaser: it deletes one booking of account at
// at (bookings at the same instant are interchangeable).
func (p sqlPacer) Release(ctx context.Context, account string, at time.Time) error {
	s := p.s
	q := `DELETE FROM atskit_pacing WHERE rowid IN (SELECT rowid FROM atskit_pacing WHERE account = ? AND start_at = ? LIMIT 1)`
	if s.dialect == Postgres {
		q = `DELETE FROM atskit_pacing WHERE ctid IN (SELECT ctid FROM atskit_pacing WHERE account = ? AND start_at = ? LIMIT 1)`
	}
	if _, err := s.db.ExecContext(ctx, s.q(q), account, at.UnixNano()); err != nil {
		return errfmt.Errorf("sqlstore: pacer: release: %w", err)
	}
	return nil
}

// Reserve implements pacing.Pacer.
func (p sqlPacer) Reserve(ctx context.Context, account string, limit pacing.Limit) (time.Time, error) {
	return p.book(ctx, account, limit, true)
}

// Next implements pacing.Pacer.
func (p sqlPacer) Next(ctx context.Context, account string, limit pacing.Limit) (time.Time, error) {
	return p.book(ctx, account, limit, false)
}

func (p sqlPacer) book(ctx context.Context, account string, limit pacing.Limit, reserve bool) (time.Time, error) {
	s := p.s
	if !limit.Valid() {
		return time.Now(), nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return time.Time{}, errfmt.Errorf("sqlstore: pacer: %w", err)
	}
	defer tx.Rollback()
	now := time.Now()
	if s.dialect == Postgres {
		var ns int64
		err := tx.QueryRowContext(ctx, `SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint * 1000, pg_advisory_xact_lock(hashtextextended($1, 7317453))`, account).Scan(&ns, new(any))
		if err != nil {
			return time.Time{}, errfmt.Errorf("sqlstore: pacer: %w", err)
		}
		now = time.Unix(0, ns)
	}
	rows, err := tx.QueryContext(ctx, s.q(`SELECT start_at FROM atskit_pacing WHERE account = ? ORDER BY start_at DESC LIMIT ?`), account, limit.N)
	if err != nil {
		return time.Time{}, errfmt.Errorf("sqlstore: pacer: %w", err)
	}
	var booked []time.Time
	for rows.Next() {
		var ns int64
		if err := rows.Scan(&ns); err != nil {
			rows.Close()
			return time.Time{}, err
		}
		booked = append(booked, time.Unix(0, ns))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return time.Time{}, err
	}
	at := pacing.Earliest(now, booked, limit)
	if !reserve {
		return at, nil
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO atskit_pacing (account, start_at) VALUES (?, ?)`), account, at.UnixNano()); err != nil {
		return time.Time{}, errfmt.Errorf("sqlstore: pacer: %w", err)
	}
	// Bookings older than a window constrain nothing any more.
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM atskit_pacing WHERE account = ? AND start_at < ?`), account, now.Add(-limit.Window).UnixNano()); err != nil {
		return time.Time{}, errfmt.Errorf("sqlstore: pacer: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return time.Time{}, errfmt.Errorf("sqlstore: pacer: %w", err)
	}
	return at, nil
}
