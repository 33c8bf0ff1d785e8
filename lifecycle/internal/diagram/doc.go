// Package diagram renders the lifecycle state diagram into diagram.md and
// the package documentation; gendiagram writes them and a lifecycle test
// checks they are current.
package diagram
