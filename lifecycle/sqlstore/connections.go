package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/atskit/atskit/internal/errfmt"
	"github.com/atskit/atskit/lifecycle"
)

// Connection implements lifecycle.Store.
func (s *Store) Connection(ctx context.Context, id string) (lifecycle.Connection, error) {
	var data string
	var version int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT data, version FROM atskit_connections WHERE id = ?`), id).Scan(&data, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return lifecycle.Connection{}, lifecycle.ErrNotFound
	}
	if err != nil {
		return lifecycle.Connection{}, errfmt.Errorf("sqlstore: connection %s: %w", id, err)
	}
	return decodeConnection(data, version)
}

func decodeConnection(data string, version int64) (lifecycle.Connection, error) {
	var c lifecycle.Connection
	if err := json.Unmarshal([]byte(data), &c); err != nil {
		return c, errfmt.Errorf("sqlstore: decode connection: %w", err)
	}
	c.Version = version
	return c, nil
}

// Connections implements lifecycle.Store.
func (s *Store) Connections(ctx context.Context, f lifecycle.ConnectionFilter) ([]lifecycle.Connection, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT data, version FROM atskit_connections
		WHERE (? = '' OR kind = ?) AND (? = '' OR state = ?) ORDER BY `+s.bytewise("id")), f.Kind, f.Kind, string(f.State), string(f.State))
	if err != nil {
		return nil, errfmt.Errorf("sqlstore: connections: %w", err)
	}
	defer rows.Close()
	var out []lifecycle.Connection
	for rows.Next() {
		var data string
		var version int64
		if err := rows.Scan(&data, &version); err != nil {
			return nil, err
		}
		c, err := decodeConnection(data, version)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SaveConnection implements lifecycle.Store.
func (s *Store) SaveConnection(ctx context.Context, c lifecycle.Connection) (lifecycle.Connection, error) {
	old := c.Version
	c.Version++
	data, err := json.Marshal(c)
	if err != nil {
		return lifecycle.Connection{}, err
	}
	var res sql.Result
	if old == 0 {
		res, err = s.db.ExecContext(ctx, s.q(`INSERT INTO atskit_connections (id, kind, state, version, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
			c.ID, c.Kind, string(c.State), c.Version, string(data))
	} else {
		res, err = s.db.ExecContext(ctx, s.q(`UPDATE atskit_connections SET kind = ?, state = ?, version = ?, data = ? WHERE id = ? AND version = ?`),
			c.Kind, string(c.State), c.Version, string(data), c.ID, old)
	}
	if err != nil {
		return lifecycle.Connection{}, errfmt.Errorf("sqlstore: save connection %s: %w", c.ID, s.conflict(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return lifecycle.Connection{}, err
	} else if n == 0 {
		return lifecycle.Connection{}, lifecycle.ErrVersionConflict
	}
	return c, nil
}
