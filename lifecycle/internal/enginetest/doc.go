// Package enginetest holds the test harness shared by the lifecycle tests
// and the store packages' engine-level tests and benchmarks: a fake clock, a
// fake ATS with a configured position, and scenarios that run against any
// lifecycle.Store.
package enginetest
