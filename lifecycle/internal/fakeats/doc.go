// Package fakeats is an in-memory ATS adapter, vendor and callback publisher
// for lifecycle tests. It records every call, can be told to fail with typed
// ats errors, and implements the optional capabilities the engine uses
// (linked jobs, tags, feedback, note listing).
package fakeats
