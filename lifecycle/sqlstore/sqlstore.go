package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/atskit/atskit/internal/errfmt"
	"github.com/atskit/atskit/lifecycle"
)

// Dialect selects the SQL flavour.
type Dialect int

// Supported dialects.
const (
	// SQLite is SQLite's SQL. Package
	// github.com/atskit/atskit/lifecycle/sqlstore/sqlite links the driver
	// (modernc.org/sqlite, pure Go, registered as "sqlite").
	SQLite Dialect = iota + 1
	// Postgres is PostgreSQL's SQL. Package
	// github.com/atskit/atskit/lifecycle/sqlstore/postgres links the driver
	// (github.com/jackc/pgx/v5/stdlib, registered as "pgx").
	Postgres
)

// String returns the dialect's name.
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	}
	return "Dialect(" + strconv.Itoa(int(d)) + ")"
}

//go:embed migrations
var migrations embed.FS

// Store is a lifecycle.Store over database/sql.
type Store struct {
	db      *sql.DB
	dialect Dialect
	owned   bool
	// replayCalls spaces out pruning of expired deliveries (replay.go).
	replayCalls atomic.Uint64
	// idemCalls spaces out pruning of expired provider idempotency
	// records (idempotency.go).
	idemCalls atomic.Uint64
	// rewrites caches the PostgreSQL text of queries (placeholders.go).
	rewrites rewrites
	// afterClaimEvents, set by tests only, runs inside a PostgreSQL
	// inbox claim's transaction, after its UPDATE, before it commits.
	afterClaimEvents func(owner string)
}

var _ lifecycle.Store = (*Store)(nil)

// New returns a store over db, applying pending migrations. For SQLite the
// host should enable WAL and a busy timeout and limit db to one open
// connection (as Open does) to avoid SQLITE_BUSY.
func New(ctx context.Context, db *sql.DB, d Dialect) (*Store, error) {
	if d != SQLite && d != Postgres {
		return nil, fmt.Errorf("sqlstore: unknown dialect %v (want sqlstore.SQLite or sqlstore.Postgres)", d)
	}
	s := &Store{db: db, dialect: d}
	if err := s.migrate(ctx); err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	return s, nil
}

// DB returns the underlying database.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database if the store opened it.
func (s *Store) Close() error {
	if s.owned {
		return s.db.Close()
	}
	return nil
}

func (s *Store) migrate(ctx context.Context) error {
	dir := "migrations/" + s.dialect.String()
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	if s.dialect == Postgres {
		// Replicas starting together migrate one at a time.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7317452)`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS atskit_schema_migrations (version TEXT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, name := range names {
		var one int
		err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM atskit_schema_migrations WHERE version = ?`), name).Scan(&one)
		if err == nil {
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("migrate: %w", err)
		}
		body, err := migrations.ReadFile(dir + "/" + name)
		if err != nil {
			return err
		}
		for _, stmt := range strings.Split(string(body), ";\n") {
			if strings.TrimSpace(stmt) == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO atskit_schema_migrations (version) VALUES (?)`), name); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// bytewise returns col compared and ordered by bytes, the order Go's
// string comparison and memstore use (and cursors assume): SQLite's default
// BINARY collation already is; PostgreSQL compares text in the database's
// collation (en_US, ICU: the default of most managed servers), which would
// make a cursor page skip or repeat rows, so it gets COLLATE "C".
func (s *Store) bytewise(col string) string {
	if s.dialect == Postgres {
		return col + ` COLLATE "C"`
	}
	return col
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// Position implements lifecycle.Store.
func (s *Store) Position(ctx context.Context, id string) (lifecycle.Position, error) {
	var data string
	var version int64
	var conn string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT data, version, connection FROM atskit_positions WHERE id = ?`), id).Scan(&data, &version, &conn)
	if errors.Is(err, sql.ErrNoRows) {
		return lifecycle.Position{}, lifecycle.ErrNotFound
	}
	if err != nil {
		return lifecycle.Position{}, errfmt.Errorf("sqlstore: position %s: %w", id, err)
	}
	return decodePosition(data, version, conn)
}

// decodePosition decodes a stored position; conn is the connection column,
// which rows written before connections existed carry only there.
func decodePosition(data string, version int64, conn string) (lifecycle.Position, error) {
	var p lifecycle.Position
	if err := json.Unmarshal([]byte(data), &p); err != nil {
		return p, errfmt.Errorf("sqlstore: decode position: %w", err)
	}
	p.Version = version
	p.Connection = conn
	return p, nil
}

// Positions implements lifecycle.Store.
func (s *Store) Positions(ctx context.Context, f lifecycle.PositionFilter) ([]lifecycle.Position, error) {
	id := s.bytewise("id")
	query := `SELECT data, version, connection FROM atskit_positions WHERE (? = '' OR connection = ?) AND (? = '' OR source = ?) AND (? = '' OR status = ?) AND ` + id + ` > ? ORDER BY ` + id
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), f.Connection, f.Connection, f.Source, f.Source, string(f.Status), string(f.Status), f.AfterID)
	if err != nil {
		return nil, errfmt.Errorf("sqlstore: positions: %w", err)
	}
	defer rows.Close()
	var out []lifecycle.Position
	for rows.Next() {
		var data, conn string
		var version int64
		if err := rows.Scan(&data, &version, &conn); err != nil {
			return nil, err
		}
		p, err := decodePosition(data, version, conn)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SavePosition implements lifecycle.Store.
func (s *Store) SavePosition(ctx context.Context, p lifecycle.Position) (lifecycle.Position, error) {
	old := p.Version
	p.Version++
	data, err := json.Marshal(p)
	if err != nil {
		return lifecycle.Position{}, err
	}
	var res sql.Result
	if old == 0 {
		res, err = s.db.ExecContext(ctx, s.q(`INSERT INTO atskit_positions (id, connection, source, status, version, data) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
			p.ID, p.Connection, p.Source, string(p.Status), p.Version, string(data))
	} else {
		res, err = s.db.ExecContext(ctx, s.q(`UPDATE atskit_positions SET connection = ?, source = ?, status = ?, version = ?, data = ? WHERE id = ? AND version = ?`),
			p.Connection, p.Source, string(p.Status), p.Version, string(data), p.ID, old)
	}
	if err != nil {
		return lifecycle.Position{}, fmt.Errorf("sqlstore: save position %s: %w", p.ID, s.conflict(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return lifecycle.Position{}, err
	} else if n == 0 {
		return lifecycle.Position{}, lifecycle.ErrVersionConflict
	}
	return p, nil
}

const interviewCols = `data, version, connection`

// decodeInterview decodes a stored interview; conn is the connection
// column, which rows written before connections existed carry only there.
func decodeInterview(data string, version int64, conn string) (lifecycle.Interview, error) {
	var iv lifecycle.Interview
	if err := json.Unmarshal([]byte(data), &iv); err != nil {
		return iv, errfmt.Errorf("sqlstore: decode interview: %w", err)
	}
	iv.Version = version
	iv.Connection = conn
	return iv, nil
}

func (s *Store) oneInterview(ctx context.Context, query string, args ...any) (lifecycle.Interview, error) {
	var data, conn string
	var version int64
	err := s.db.QueryRowContext(ctx, s.q(query), args...).Scan(&data, &version, &conn)
	if errors.Is(err, sql.ErrNoRows) {
		return lifecycle.Interview{}, lifecycle.ErrNotFound
	}
	if err != nil {
		return lifecycle.Interview{}, errfmt.Errorf("sqlstore: interview: %w", err)
	}
	return decodeInterview(data, version, conn)
}

// Interview implements lifecycle.Store.
func (s *Store) Interview(ctx context.Context, id string) (lifecycle.Interview, error) {
	return s.oneInterview(ctx, `SELECT `+interviewCols+` FROM atskit_interviews WHERE id = ?`, id)
}

// InterviewByKey implements lifecycle.Store.
func (s *Store) InterviewByKey(ctx context.Context, k lifecycle.InterviewKey) (lifecycle.Interview, error) {
	return s.oneInterview(ctx, `SELECT `+interviewCols+` FROM atskit_interviews WHERE connection = ? AND candidate_id = ? AND position_id = ? AND round = ?`,
		k.Connection, k.CandidateID, k.PositionID, k.Round)
}

// Interviews implements lifecycle.Store.
func (s *Store) Interviews(ctx context.Context, f lifecycle.InterviewFilter) ([]lifecycle.Interview, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	if f.Connection != "" {
		add("connection = ?", f.Connection)
	}
	if f.Source != "" {
		add("source = ?", f.Source)
	}
	if f.CandidateID != "" {
		add("candidate_id = ?", f.CandidateID)
	}
	if f.PositionID != "" {
		add("position_id = ?", f.PositionID)
	}
	if len(f.States) > 0 {
		ph := make([]string, len(f.States))
		for i, st := range f.States {
			ph[i] = "?"
			args = append(args, string(st))
		}
		where = append(where, "state IN ("+strings.Join(ph, ", ")+")")
	}
	if !f.ExpiresBefore.IsZero() {
		add("expires_at <> 0 AND expires_at <= ?", nanos(f.ExpiresBefore))
	}
	if !f.After.IsZero() {
		at := nanos(f.After.CreatedAt)
		add("(created_at > ? OR (created_at = ? AND "+s.bytewise("id")+" > ?))", at, at, f.After.ID)
	}
	query := `SELECT ` + interviewCols + ` FROM atskit_interviews`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY created_at, " + s.bytewise("id")
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, errfmt.Errorf("sqlstore: interviews: %w", err)
	}
	defer rows.Close()
	var out []lifecycle.Interview
	for rows.Next() {
		var data, conn string
		var version int64
		if err := rows.Scan(&data, &version, &conn); err != nil {
			return nil, err
		}
		iv, err := decodeInterview(data, version, conn)
		if err != nil {
			return nil, err
		}
		out = append(out, iv)
	}
	return out, rows.Err()
}

// EventProcessed implements lifecycle.Store.
func (s *Store) EventProcessed(ctx context.Context, ev lifecycle.EventRef) (bool, error) {
	var one int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT 1 FROM atskit_events WHERE connection = ? AND source = ? AND id = ?`), ev.Connection, ev.Source, ev.ID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, errfmt.Errorf("sqlstore: event %s/%s: %w", ev.Source, ev.ID, err)
	}
	return true, nil
}

// Commit implements lifecycle.Store.
func (s *Store) Commit(ctx context.Context, c lifecycle.Change) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: commit: %w", s.conflict(err))
	}
	defer tx.Rollback()
	if err := s.apply(ctx, tx, c); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", s.conflict(err))
	}
	return nil
}

func (s *Store) affected(res sql.Result, err error, none error) error {
	if err != nil {
		return fmt.Errorf("sqlstore: commit: %w", s.conflict(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return none
	}
	return nil
}

func (s *Store) apply(ctx context.Context, tx *sql.Tx, c lifecycle.Change) error {
	now := time.Now().UnixNano()
	if !c.At.IsZero() {
		now = c.At.UnixNano()
	}
	if c.Event != nil {
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO atskit_events (connection, source, id, processed_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`),
			c.Event.Connection, c.Event.Source, c.Event.ID, now)
		if err := s.affected(res, err, lifecycle.ErrDuplicateEvent); err != nil {
			return err
		}
	}
	for _, iv := range c.Create {
		iv.Version = 1
		data, err := json.Marshal(iv)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO atskit_interviews (id, connection, source, candidate_id, position_id, round, state, expires_at, created_at, version, data)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT DO NOTHING`),
			iv.ID, iv.Connection, iv.Source, iv.CandidateID, iv.PositionID, iv.Round, string(iv.State), nanos(iv.ExpiresAt), nanos(iv.CreatedAt), string(data))
		if err := s.affected(res, err, lifecycle.ErrDuplicateInterview); err != nil {
			return err
		}
	}
	for _, iv := range c.Update {
		old := iv.Version
		iv.Version++
		data, err := json.Marshal(iv)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE atskit_interviews SET state = ?, expires_at = ?, version = ?, data = ? WHERE id = ? AND version = ?`),
			string(iv.State), nanos(iv.ExpiresAt), iv.Version, string(data), iv.ID, old)
		if err := s.affected(res, err, lifecycle.ErrVersionConflict); err != nil {
			return err
		}
	}
	if len(c.Effects) > 0 {
		// One multi-row insert keeps commits cheap.
		var b strings.Builder
		b.WriteString(`INSERT INTO atskit_effects (id, kind, interview_id, order_key, connection, source, candidate_id, payload, state, next_attempt_at, created_at) VALUES `)
		args := make([]any, 0, 11*len(c.Effects))
		for i, e := range c.Effects {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)")
			args = append(args, e.ID, string(e.Kind), e.InterviewID, e.OrderKey, e.Connection, e.Source, e.CandidateID, string(e.Payload),
				nanos(e.NextAttemptAt), nanos(e.CreatedAt))
		}
		if _, err := tx.ExecContext(ctx, s.q(b.String()), args...); err != nil {
			return fmt.Errorf("sqlstore: commit effects: %w", s.conflict(err))
		}
	}
	return nil
}

const effectCols = `seq, id, kind, interview_id, order_key, connection, source, candidate_id, payload, state, attempts, unacked,
	next_attempt_at, claimed_by, lease_until, last_error, created_at, done_at`

type scanner interface{ Scan(...any) error }

func scanEffect(r scanner) (lifecycle.Effect, error) {
	var e lifecycle.Effect
	var kind, state, payload string
	var unacked int
	var next, lease, created, doneAt int64
	err := r.Scan(&e.Seq, &e.ID, &kind, &e.InterviewID, &e.OrderKey, &e.Connection, &e.Source, &e.CandidateID, &payload, &state,
		&e.Attempts, &unacked, &next, &e.ClaimedBy, &lease, &e.LastError, &created, &doneAt)
	if err != nil {
		return e, err
	}
	e.Kind, e.State, e.Payload, e.Unacked = lifecycle.EffectKind(kind), lifecycle.EffectState(state), json.RawMessage(payload), unacked != 0
	e.NextAttemptAt, e.LeaseUntil, e.CreatedAt, e.DoneAt = fromNanos(next), fromNanos(lease), fromNanos(created), fromNanos(doneAt)
	return e, nil
}

// ClaimEffects implements lifecycle.Store. On PostgreSQL the candidates are
// locked with FOR UPDATE SKIP LOCKED so concurrent dispatchers never wait
// for each other or claim the same effect.
func (s *Store) ClaimEffects(ctx context.Context, c lifecycle.Claim) ([]lifecycle.Effect, error) {
	limit := c.Limit
	if limit <= 0 {
		limit = 100
	}
	now := nanos(c.Now)
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	// Due, unleased, first in line for its order key, and not of a
	// disabled connection.
	due := `e.state = 'pending' AND e.next_attempt_at <= ? AND (e.claimed_by = '' OR e.lease_until < ?)
			  AND NOT EXISTS (SELECT 1 FROM atskit_effects p WHERE p.order_key = e.order_key AND p.state = 'pending' AND p.seq < e.seq)
			  AND NOT EXISTS (SELECT 1 FROM atskit_connections k WHERE k.id = e.connection AND k.state = 'disabled')`
	var skip []any
	if len(c.Skip) > 0 {
		due += ` AND e.connection NOT IN (?` + strings.Repeat(", ?", len(c.Skip)-1) + `)`
		for _, conn := range c.Skip {
			skip = append(skip, conn)
		}
	}
	var query string
	var args []any
	if c.PerConnection <= 0 {
		query = `UPDATE atskit_effects SET claimed_by = ?, lease_until = ?
		WHERE seq IN (
			SELECT e.seq FROM atskit_effects e WHERE ` + due + `
			ORDER BY e.seq LIMIT ?` + lock + `)
		RETURNING ` + effectCols
		args = append(append([]any{c.Owner, nanos(c.Now.Add(c.Lease)), now, now}, skip...), limit)
	} else {
		// The first PerConnection due effects of each connection, by a
		// window over the due ones; the outer select re-checks and locks
		// (PostgreSQL allows no FOR UPDATE next to a window function).
		query = `UPDATE atskit_effects SET claimed_by = ?, lease_until = ?
		WHERE seq IN (
			SELECT e.seq FROM atskit_effects e WHERE ` + due + ` AND e.seq IN (
				SELECT w.seq FROM (
					SELECT e.seq, ROW_NUMBER() OVER (PARTITION BY e.connection ORDER BY e.seq) AS rn
					FROM atskit_effects e WHERE ` + due + `) w
				WHERE w.rn <= ?)
			ORDER BY e.seq LIMIT ?` + lock + `)
		RETURNING ` + effectCols
		args = append(append(append(append([]any{c.Owner, nanos(c.Now.Add(c.Lease)), now, now}, skip...), now, now), skip...), c.PerConnection, limit)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, errfmt.Errorf("sqlstore: claim effects: %w", err)
	}
	defer rows.Close()
	var out []lifecycle.Effect
	for rows.Next() {
		e, err := scanEffect(rows)
		if err != nil {
			return nil, errfmt.Errorf("sqlstore: claim effects: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, errfmt.Errorf("sqlstore: claim effects: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil
}

// leaseLost distinguishes a missing effect from one held by someone else.
func (s *Store) leaseLost(ctx context.Context, id string) error {
	var one int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT 1 FROM atskit_effects WHERE id = ?`), id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return lifecycle.ErrNotFound
	}
	if err != nil {
		return err
	}
	return lifecycle.ErrLeaseLost
}

// BeginAttempt implements lifecycle.Store.
func (s *Store) BeginAttempt(ctx context.Context, id, owner string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE atskit_effects SET attempts = attempts + 1, unacked = 1
		WHERE id = ? AND claimed_by = ? AND state = 'pending' AND lease_until >= ?`), id, owner, nanos(at))
	if err != nil {
		return errfmt.Errorf("sqlstore: begin attempt %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return s.leaseLost(ctx, id)
	}
	return nil
}

// FinishEffect implements lifecycle.Store.
func (s *Store) FinishEffect(ctx context.Context, id, owner string, o lifecycle.Outcome) error {
	var res sql.Result
	var err error
	switch o.State {
	case lifecycle.EffectDone, lifecycle.EffectFailed, lifecycle.EffectParked:
		res, err = s.db.ExecContext(ctx, s.q(`UPDATE atskit_effects SET state = ?, unacked = 0, claimed_by = '', lease_until = 0, last_error = ?, done_at = ?
			WHERE id = ? AND claimed_by = ? AND state = 'pending'`), string(o.State), o.Error, nanos(o.At), id, owner)
	default:
		res, err = s.db.ExecContext(ctx, s.q(`UPDATE atskit_effects SET unacked = 0, claimed_by = '', lease_until = 0, last_error = ?, next_attempt_at = ?
			WHERE id = ? AND claimed_by = ? AND state = 'pending'`), o.Error, nanos(o.NextAttemptAt), id, owner)
	}
	if err != nil {
		return errfmt.Errorf("sqlstore: finish effect %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return s.leaseLost(ctx, id)
	}
	return nil
}

var _ lifecycle.EffectRequeuer = (*Store)(nil)

// RequeueEffects implements lifecycle.EffectRequeuer.
func (s *Store) RequeueEffects(ctx context.Context, f lifecycle.EffectFilter, id string, at time.Time) ([]lifecycle.Effect, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`UPDATE atskit_effects SET state = 'pending', attempts = 0, next_attempt_at = ?, done_at = 0
		WHERE state = 'parked' AND (? = '' OR connection = ?) AND (? = '' OR interview_id = ?) AND (? = '' OR kind = ?) AND (? = '' OR id = ?)
		RETURNING `+effectCols), nanos(at), f.Connection, f.Connection, f.InterviewID, f.InterviewID, string(f.Kind), string(f.Kind), id, id)
	if err != nil {
		return nil, errfmt.Errorf("sqlstore: requeue effects: %w", err)
	}
	defer rows.Close()
	var out []lifecycle.Effect
	for rows.Next() {
		e, err := scanEffect(rows)
		if err != nil {
			return nil, errfmt.Errorf("sqlstore: requeue effects: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, errfmt.Errorf("sqlstore: requeue effects: %w", err)
	}
	return out, nil
}

// Effects implements lifecycle.Store.
func (s *Store) Effects(ctx context.Context, f lifecycle.EffectFilter) ([]lifecycle.Effect, error) {
	query := `SELECT ` + effectCols + ` FROM atskit_effects
		WHERE (? = '' OR connection = ?) AND (? = '' OR interview_id = ?) AND (? = '' OR kind = ?) AND (? = '' OR state = ?) AND seq > ? ORDER BY seq`
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), f.Connection, f.Connection, f.InterviewID, f.InterviewID, string(f.Kind), string(f.Kind), string(f.State), string(f.State), f.AfterSeq)
	if err != nil {
		return nil, errfmt.Errorf("sqlstore: effects: %w", err)
	}
	defer rows.Close()
	var out []lifecycle.Effect
	for rows.Next() {
		e, err := scanEffect(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

var _ lifecycle.EffectCounter = (*Store)(nil)

// CountEffects implements lifecycle.EffectCounter with one grouped query,
// so the engine's "atskit.effects" gauge does not list the outbox.
func (s *Store) CountEffects(ctx context.Context, states []lifecycle.EffectState) (map[lifecycle.EffectState]map[string]int64, error) {
	out := map[lifecycle.EffectState]map[string]int64{}
	if len(states) == 0 {
		return out, nil
	}
	ph := make([]string, len(states))
	args := make([]any, len(states))
	for i, st := range states {
		ph[i], args[i] = "?", string(st)
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT state, conn, COUNT(*) FROM (SELECT state, CASE WHEN connection = '' THEN source ELSE connection END AS conn FROM atskit_effects WHERE state IN (`+strings.Join(ph, ", ")+`)) AS e GROUP BY state, conn`), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: count effects: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st, conn string
		var n int64
		if err := rows.Scan(&st, &conn, &n); err != nil {
			return nil, fmt.Errorf("sqlstore: count effects: %w", err)
		}
		if out[lifecycle.EffectState(st)] == nil {
			out[lifecycle.EffectState(st)] = map[string]int64{}
		}
		out[lifecycle.EffectState(st)][conn] = n
	}
	return out, rows.Err()
}
