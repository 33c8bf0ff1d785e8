package memstore_test

import (
	"testing"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/enginetest"
	"github.com/atskit/atskit/lifecycle/memstore"
)

func TestReplicas(t *testing.T) { enginetest.Replicas(t, memstore.New()) }

func BenchmarkEvents(b *testing.B) { enginetest.BenchEvents(b, memstore.New(), 8) }

func BenchmarkDispatch(b *testing.B) { enginetest.BenchDispatch(b, memstore.New(), 8) }

func TestParked(t *testing.T) { enginetest.Parked(t, memstore.New()) }

func TestInbox(t *testing.T) {
	enginetest.Inbox(t, func(*testing.T) lifecycle.Store { return memstore.New() })
}

func BenchmarkInbox(b *testing.B) { enginetest.BenchInbox(b, memstore.New(), 8) }

func BenchmarkInboxPipeline(b *testing.B) { enginetest.BenchInboxPipeline(b, memstore.New(), 8) }

func TestReconcile(t *testing.T) {
	enginetest.Reconcile(t, func(*testing.T) lifecycle.Store { return memstore.New() })
}
