// Package e2e holds atskit's end-to-end tests: the real Workable and Lever
// adapters pointed at the in-process fakes (workabletest, levertest), the
// real webhook handlers mounted on an httptest server that feeds
// lifecycle.Engine.HandleEvent, a small vendor and provider callback server
// written for the tests, and a chaos soak (TestChaosSoak) that drives
// thousands of interviews through injected faults and engine restarts on a
// durable store.
//
// The package has no non-test code; it exists so that `go test ./...` runs
// the whole flow the way a vendor embedding atskit would.
package e2e
