package atstest

// Tester and RunWith expose the suite's runner to its own external tests,
// which run it against broken adapters with a recording tester.
type Tester = tester

var RunWith = run
