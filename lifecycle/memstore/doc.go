// Package memstore is an in-memory lifecycle.Store: the default for tests,
// demos and single-process hosts that can afford to lose state on restart.
// Hosts that need durability use lifecycle/sqlstore.
//
//	engine := lifecycle.NewEngine(memstore.New(), lifecycle.Options{...})
//
// Every read returns a deep copy, so callers never share memory with the
// store; Commit is atomic under one mutex.
package memstore
