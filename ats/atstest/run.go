package atstest

import "testing"

// Run runs the conformance suite against b. Failures are reported through
// t, one subtest per property.
func Run(t *testing.T, b Backend) {
	t.Helper()
	t.Fatal("atstest: not implemented yet")
}
