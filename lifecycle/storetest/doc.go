// Package storetest is the conformance suite for lifecycle.Store
// implementations, in the spirit of testing/fstest.TestFS: a store author
// calls Run from a test with a constructor returning a fresh, empty store.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) lifecycle.Store { return memstore.New() })
//	}
//
// It checks versioned positions and interviews, the unique interview key,
// event de-duplication, atomic commits, the outbox's ordering and leases, and
// the same guarantees under concurrent use; for a store implementing the
// optional lifecycle.Inbox and lifecycle.Pruner, the inbox's
// de-duplication, ordering, leases and fairness, and batched pruning.
package storetest
