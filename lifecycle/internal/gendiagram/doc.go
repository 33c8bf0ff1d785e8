// Command gendiagram regenerates lifecycle/diagram.md and the diagram in
// lifecycle/doc.go from lifecycle.Transitions. Run it with
// `go generate ./lifecycle`.
package main
