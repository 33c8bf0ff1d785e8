package pgtest

import (
	"context"
	"database/sql"
	"testing"
)

func TestSchema(t *testing.T) {
	dsn := Schema(t, "pgtest_")
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE TABLE probe (id int)"); err != nil {
		t.Fatal(err)
	}
	var schema string
	if err := db.QueryRowContext(ctx, "SELECT table_schema FROM information_schema.tables WHERE table_name = 'probe'").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	if len(schema) < len("pgtest_") || schema[:len("pgtest_")] != "pgtest_" {
		t.Errorf("table created in schema %q, want the test's own pgtest_… schema", schema)
	}
}
