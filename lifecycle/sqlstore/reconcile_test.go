package sqlstore_test

import (
	"testing"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
)

func TestSQLiteReconcile(t *testing.T) {
	enginetest.Reconcile(t, func(t *testing.T) lifecycle.Store { return newSQLite(t) })
}

func TestPostgresReconcile(t *testing.T) {
	postgresDSN(t)
	enginetest.Reconcile(t, func(t *testing.T) lifecycle.Store { return newPostgres(t) })
}
