package atstest

import "testing"

// tester is the part of *testing.T the suite uses. It lets the suite's own
// tests run it against deliberately broken adapters and inspect which
// checks failed, without failing themselves.
type tester interface {
	testing.TB
	Run(name string, f func(t tester)) bool
}

// stdT adapts *testing.T to tester.
type stdT struct{ *testing.T }

func (t stdT) Run(name string, f func(t tester)) bool {
	return t.T.Run(name, func(tt *testing.T) { f(stdT{tt}) })
}
