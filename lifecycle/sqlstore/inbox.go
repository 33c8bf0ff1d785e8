package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/atskit/atskit/ats"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/atskit/atskit/lifecycle"
)

var _ lifecycle.Inbox = (*Store)(nil)

const inboxCols = `seq, id, connection, source, event_id, order_key, event, state, attempts, next_attempt_at, claimed_by, lease_until,
	last_error, accepted_at, done_at`

// storedInboxEvent is the event column: the event's fields, and the
// traceparent of the span that accepted it next to them (a key ats.Event
// does not have), so no column is needed for it.
type storedInboxEvent struct {
	*ats.Event
	TraceParent string `json:"traceparent,omitempty"`
}

func scanInbox(r scanner) (lifecycle.InboxEvent, error) {
	var ev lifecycle.InboxEvent
	var state, data string
	var next, lease, accepted, doneAt int64
	err := r.Scan(&ev.Seq, &ev.ID, &ev.Connection, &ev.Source, &ev.EventID, &ev.OrderKey, &data, &state, &ev.Attempts, &next,
		&ev.ClaimedBy, &lease, &ev.LastError, &accepted, &doneAt)
	if err != nil {
		return ev, err
	}
	stored := storedInboxEvent{Event: &ev.Event}
	if err := json.Unmarshal([]byte(data), &stored); err != nil {
		return ev, fmt.Errorf("decode inbox event %s: %w", ev.ID, err)
	}
	ev.TraceParent = stored.TraceParent
	ev.Event.Raw = nil // stored as null: the payload is not kept
	ev.State = lifecycle.InboxState(state)
	ev.NextAttemptAt, ev.LeaseUntil, ev.AcceptedAt, ev.DoneAt = fromNanos(next), fromNanos(lease), fromNanos(accepted), fromNanos(doneAt)
	return ev, nil
}

func (s *Store) inboxRows(rows *sql.Rows, err error, what string) ([]lifecycle.InboxEvent, error) {
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	defer rows.Close()
	var out []lifecycle.InboxEvent
	for rows.Next() {
		ev, err := scanInbox(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: %s: %w", what, err)
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	return out, nil
}

// AcceptEvents implements lifecycle.Inbox with one multi-row INSERT … ON
// CONFLICT DO NOTHING: a redelivered event (same connection, source and
// event ID) is skipped, also when two replicas accept it at once.
func (s *Store) AcceptEvents(ctx context.Context, evs []lifecycle.InboxEvent) (int, error) {
	if len(evs) == 0 {
		return 0, nil
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO atskit_inbox (id, connection, source, event_key, event_id, order_key, event, state, next_attempt_at, accepted_at) VALUES `)
	args := make([]any, 0, 9*len(evs))
	for i, ev := range evs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)")
		ev.Event.Raw = nil
		data, err := json.Marshal(storedInboxEvent{Event: &ev.Event, TraceParent: ev.TraceParent})
		if err != nil {
			return 0, fmt.Errorf("sqlstore: accept events: %w", err)
		}
		key := ev.EventID
		if key == "" {
			key = "#" + ev.ID // never de-duplicated
		}
		args = append(args, ev.ID, ev.Connection, ev.Source, key, ev.EventID, ev.OrderKey, string(data), nanos(ev.NextAttemptAt), nanos(ev.AcceptedAt))
	}
	b.WriteString(` ON CONFLICT DO NOTHING`)
	res, err := s.db.ExecContext(ctx, s.q(b.String()), args...)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: accept events: %w", s.conflict(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlstore: accept events: %w", err)
	}
	return int(n), nil
}

// ClaimEvents implements lifecycle.Inbox like ClaimEffects: on PostgreSQL
// the events are locked with FOR UPDATE SKIP LOCKED so concurrent
// dispatchers never wait for each other or claim the same event.
//
// Two events of one order key are never leased at once. SQLite runs one
// writer at a time, so its single UPDATE sees every committed claim. On
// PostgreSQL each statement reads a snapshot taken when it starts: a claim
// of one event of a candidate (say a newer one, let go first while an
// older failed one waits for its retry) that has not committed yet is
// invisible to a concurrent claim, which could lease another event of the
// same candidate (the older one, now due). So PostgreSQL claims in a
// transaction of two statements: the first selects the claimable events
// and keeps those whose order key it gets a transaction-scoped advisory
// lock on (pg_try_advisory_xact_lock, skipping keys another claim holds);
// the second, reading a snapshot taken after the locks were acquired —
// one that sees every claim of those keys committed before — checks them
// again and leases them. A claim holds its keys' locks until it commits.
func (s *Store) ClaimEvents(ctx context.Context, c lifecycle.Claim) ([]lifecycle.InboxEvent, error) {
	limit := c.Limit
	if limit <= 0 {
		limit = 100
	}
	now := nanos(c.Now)
	// Due, unleased and not held back by another pending event of its
	// order key: one leased, or an older one unless that one failed and
	// waits for its retry (see lifecycle.Inbox.ClaimEvents).
	due := `e.state = 'pending' AND e.next_attempt_at <= ? AND (e.claimed_by = '' OR e.lease_until < ?)
			  AND NOT EXISTS (SELECT 1 FROM atskit_inbox p WHERE p.order_key = e.order_key AND p.state = 'pending' AND p.seq <> e.seq
			    AND ((p.claimed_by <> '' AND p.lease_until >= ?) OR (p.seq < e.seq AND (p.last_error = '' OR p.next_attempt_at <= ?))))`
	dueArgs := []any{now, now, now, now}
	var skip []any
	if len(c.Skip) > 0 {
		due += ` AND e.connection NOT IN (?` + strings.Repeat(", ?", len(c.Skip)-1) + `)`
		for _, conn := range c.Skip {
			skip = append(skip, conn)
		}
	}
	// sel selects the seq and order key of the events to claim.
	var sel string
	var args []any
	if c.PerConnection <= 0 {
		sel = `SELECT e.seq, e.order_key FROM atskit_inbox e WHERE ` + due + ` ORDER BY e.seq LIMIT ?`
		args = append(append(append(args, dueArgs...), skip...), limit)
	} else {
		// The first PerConnection due events of each connection, by a
		// window over the due ones; the outer select re-checks.
		sel = `SELECT e.seq, e.order_key FROM atskit_inbox e WHERE ` + due + ` AND e.seq IN (
				SELECT w.seq FROM (
					SELECT e.seq, ROW_NUMBER() OVER (PARTITION BY e.connection ORDER BY e.seq) AS rn
					FROM atskit_inbox e WHERE ` + due + `) w
				WHERE w.rn <= ?)
			ORDER BY e.seq LIMIT ?`
		args = append(append(append(append(append(args, dueArgs...), skip...), dueArgs...), skip...), c.PerConnection, limit)
	}
	lease := []any{c.Owner, nanos(c.Now.Add(c.Lease))}
	if s.dialect == Postgres {
		return s.claimEventsLocked(ctx, c, sel, args, due, append(dueArgs[:len(dueArgs):len(dueArgs)], skip...), lease)
	}
	rows, err := s.db.QueryContext(ctx, s.q(`UPDATE atskit_inbox SET claimed_by = ?, lease_until = ?
		WHERE seq IN (SELECT seq FROM (`+sel+`))
		RETURNING `+inboxCols), append(lease, args...)...)
	out, err := s.inboxRows(rows, err, "claim inbox events")
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil
}

// inboxClaimLockSpace seeds the hash of an order key into the 64-bit
// advisory lock a PostgreSQL inbox claim takes for it, apart from the
// store's other advisory locks (migrations, pacing).
const inboxClaimLockSpace = 7317454

// claimEventsLocked is ClaimEvents on PostgreSQL: sel's events whose order
// keys it locks, checked again against due (with its arguments dueArgs)
// under a snapshot taken after the locks, are leased in one transaction
// (see ClaimEvents).
func (s *Store) claimEventsLocked(ctx context.Context, c lifecycle.Claim, sel string, selArgs []any, due string, dueArgs, lease []any) (out []lifecycle.InboxEvent, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: claim inbox events: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	// The LIMIT keeps the lock out of sel (PostgreSQL pushes no condition
	// into a subquery with a LIMIT, nor a volatile function anywhere), so
	// only the keys of the selected events are locked.
	rows, err := tx.QueryContext(ctx, s.q(`SELECT c.seq FROM (`+sel+`) c
		WHERE pg_try_advisory_xact_lock(hashtextextended(c.order_key, `+strconv.Itoa(inboxClaimLockSpace)+`))`), selArgs...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: claim inbox events: %w", err)
	}
	var seqs []int64
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: claim inbox events: %w", err)
		}
		seqs = append(seqs, seq)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: claim inbox events: %w", err)
	}
	if len(seqs) == 0 {
		return nil, tx.Commit()
	}
	// A new statement, so a new snapshot: every claim of these keys
	// either committed before the locks were granted (and is seen here)
	// or waits for this transaction's commit to get them.
	rows, err = tx.QueryContext(ctx, s.q(`UPDATE atskit_inbox SET claimed_by = ?, lease_until = ?
		WHERE seq IN (SELECT e.seq FROM atskit_inbox e WHERE e.seq = ANY(?) AND `+due+` FOR UPDATE SKIP LOCKED)
		RETURNING `+inboxCols), append(append(lease, seqs), dueArgs...)...)
	out, err = s.inboxRows(rows, err, "claim inbox events")
	if err != nil {
		return nil, err
	}
	if s.afterClaimEvents != nil {
		s.afterClaimEvents(c.Owner)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlstore: claim inbox events: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil
}

// FinishEvent implements lifecycle.Inbox.
func (s *Store) FinishEvent(ctx context.Context, id, owner string, o lifecycle.InboxOutcome) error {
	var res sql.Result
	var err error
	switch o.State {
	case lifecycle.InboxProcessed, lifecycle.InboxFailed:
		res, err = s.db.ExecContext(ctx, s.q(`UPDATE atskit_inbox SET state = ?, attempts = ?, claimed_by = '', lease_until = 0, last_error = ?, done_at = ?
			WHERE id = ? AND claimed_by = ? AND state = 'pending'`), string(o.State), o.Attempts, o.Error, nanos(o.At), id, owner)
	default:
		res, err = s.db.ExecContext(ctx, s.q(`UPDATE atskit_inbox SET attempts = ?, claimed_by = '', lease_until = 0, last_error = ?, next_attempt_at = ?
			WHERE id = ? AND claimed_by = ? AND state = 'pending'`), o.Attempts, o.Error, nanos(o.NextAttemptAt), id, owner)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: finish inbox event %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n > 0 {
		return nil
	}
	var one int
	err = s.db.QueryRowContext(ctx, s.q(`SELECT 1 FROM atskit_inbox WHERE id = ?`), id).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return lifecycle.ErrNotFound
	case err != nil:
		return fmt.Errorf("sqlstore: finish inbox event %s: %w", id, err)
	}
	return lifecycle.ErrLeaseLost
}

// InboxEvents implements lifecycle.Inbox.
func (s *Store) InboxEvents(ctx context.Context, f lifecycle.InboxFilter) ([]lifecycle.InboxEvent, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+inboxCols+` FROM atskit_inbox
		WHERE (? = '' OR connection = ?) AND (? = '' OR state = ?) ORDER BY seq`), f.Connection, f.Connection, string(f.State), string(f.State))
	return s.inboxRows(rows, err, "inbox events")
}

var _ lifecycle.InboxRequeuer = (*Store)(nil)

// RequeueInboxEvents implements lifecycle.InboxRequeuer with one UPDATE …
// RETURNING.
func (s *Store) RequeueInboxEvents(ctx context.Context, f lifecycle.InboxFilter, id string, at time.Time) ([]lifecycle.InboxEvent, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`UPDATE atskit_inbox SET state = 'pending', attempts = 0, next_attempt_at = ?, claimed_by = '', lease_until = 0, done_at = 0
		WHERE state = 'failed' AND (? = '' OR connection = ?) AND (? = '' OR id = ?)
		RETURNING `+inboxCols), nanos(at), f.Connection, f.Connection, id, id)
	out, err := s.inboxRows(rows, err, "requeue inbox events")
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil
}
