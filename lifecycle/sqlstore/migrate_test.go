package sqlstore_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/sqlstore"
	"github.com/atskit/atskit/lifecycle/sqlstore/sqlite"
)

// v1Rows are rows as the store wrote them before connections existed (the
// JSON documents carry no connection): one Workable position, an invited
// interview, a pending note, and processed events of the three kinds (an
// ATS delivery, a provider-contract request, a vendor update).
var v1Rows = []string{
	`INSERT INTO atskit_schema_migrations (version) VALUES ('001_init.sql')`,
	`INSERT INTO atskit_positions (id, source, status, version, data) VALUES ('workable:J1', 'workable', 'active', 3,
		'{"id":"workable:J1","source":"workable","job_id":"J1","title":"Backend","status":"active","link":{"linked":true,"stage_id":"iv"},"stages":null,"fingerprint":"f","config":{"rounds":[{"name":"Tech","template":"t"}],"stages":{}},"configured":true,"version":3,"created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:00:00Z"}')`,
	`INSERT INTO atskit_interviews (id, source, candidate_id, position_id, round, state, expires_at, created_at, version, data) VALUES
		('iv_old', 'workable', 'c1', 'workable:J1', 0, 'invited', 0, 1735689600000000000, 2,
		'{"id":"iv_old","source":"workable","candidate_id":"c1","job_id":"J1","position_id":"workable:J1","round":0,"state":"invited","attempt":1,"candidate":{"id":"c1"},"version":2,"created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:00:00Z"}')`,
	`INSERT INTO atskit_events (source, id, processed_at) VALUES ('workable', 'd1', 1), ('workable/provider', 'a1', 1), ('vendor', 'u1', 1)`,
	`INSERT INTO atskit_effects (id, kind, interview_id, order_key, source, candidate_id, payload, state, next_attempt_at, created_at) VALUES
		('fx_old', 'note', 'iv_old', 'workable/c1', 'workable', 'c1', '{"body":"hi"}', 'pending', 1, 1)`,
}

// seedV1 creates the schema as it was before connections (captured in
// testdata from migration 001) with v1Rows in it.
func seedV1(t *testing.T, db *sql.DB, dialect string) {
	t.Helper()
	ddl, err := os.ReadFile(filepath.Join("testdata", "schema_v1_"+dialect+".sql"))
	if err != nil {
		t.Fatal(err)
	}
	stmts := append([]string{`CREATE TABLE atskit_schema_migrations (version TEXT PRIMARY KEY)`}, strings.Split(string(ddl), ";\n")...)
	for _, stmt := range append(stmts, v1Rows...) {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("seed v1: %v\n%s", err, stmt)
		}
	}
}

// checkMigrated checks that a store migrated from v1 kept every row in the
// default connection "workable" and scopes new rows by connection.
func checkMigrated(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	t.Run("position", func(t *testing.T) {
		p, err := s.Position(ctx, "workable:J1")
		if err != nil {
			t.Fatal(err)
		}
		if p.Connection != "workable" || p.Version != 3 || p.Title != "Backend" {
			t.Errorf("position = %+v, want connection workable, version 3", p)
		}
		ps, err := s.Positions(ctx, lifecycle.PositionFilter{Connection: "workable"})
		if err != nil || len(ps) != 1 {
			t.Errorf("Positions(connection workable) = %d, %v; want 1", len(ps), err)
		}
	})
	t.Run("interview", func(t *testing.T) {
		iv, err := s.InterviewByKey(ctx, lifecycle.InterviewKey{Connection: "workable", CandidateID: "c1", PositionID: "workable:J1"})
		if err != nil {
			t.Fatal(err)
		}
		if iv.ID != "iv_old" || iv.Connection != "workable" || iv.Version != 2 {
			t.Errorf("interview = %s in %q version %d, want iv_old in workable version 2", iv.ID, iv.Connection, iv.Version)
		}
	})
	t.Run("events", func(t *testing.T) {
		tests := []struct {
			ref  lifecycle.EventRef
			want bool
		}{
			{lifecycle.EventRef{Connection: "workable", Source: "workable", ID: "d1"}, true},
			{lifecycle.EventRef{Connection: "workable", Source: "workable/provider", ID: "a1"}, true},
			{lifecycle.EventRef{Source: "vendor", ID: "u1"}, true},
			{lifecycle.EventRef{Connection: "acme", Source: "workable", ID: "d1"}, false},
		}
		for _, tc := range tests {
			got, err := s.EventProcessed(ctx, tc.ref)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("EventProcessed(%+v) = %v, want %v", tc.ref, got, tc.want)
			}
		}
	})
	t.Run("effects", func(t *testing.T) {
		effs, err := s.ClaimEffects(ctx, lifecycle.Claim{Owner: "o", Now: time.Now(), Lease: time.Minute, Limit: 10, PerConnection: 5})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range effs {
			got = append(got, e.ID+"@"+e.Connection+"/"+e.OrderKey)
		}
		if d := cmp.Diff([]string{"fx_old@workable/workable/c1"}, got); d != "" {
			t.Errorf("claimed (-want +got):\n%s", d)
		}
	})
	t.Run("new connection with the same key", func(t *testing.T) {
		iv := lifecycle.Interview{ID: "iv_new", Connection: "acme", Source: "workable", CandidateID: "c1", PositionID: "workable:J1", State: lifecycle.StateRequested}
		if err := s.Commit(ctx, lifecycle.Change{Create: []lifecycle.Interview{iv}, Event: &lifecycle.EventRef{Connection: "acme", Source: "workable", ID: "d1"}}); err != nil {
			t.Fatalf("interview and event with v1 keys in another connection: %v", err)
		}
		dup := iv
		dup.ID, dup.Connection = "iv_dup", "workable"
		if err := s.Commit(ctx, lifecycle.Change{Create: []lifecycle.Interview{dup}}); err == nil {
			t.Error("a second interview with the migrated key in the default connection was accepted")
		}
	})
}

func TestMigrateFromV1SQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	seedV1(t, db, "sqlite")
	db.Close()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkMigrated(t, s)
}

func TestMigrateFromV1Postgres(t *testing.T) {
	dsn := postgresSchema(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	seedV1(t, db, "postgres")
	db.Close()
	checkMigrated(t, openPostgres(t, dsn))
}
