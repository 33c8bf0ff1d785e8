package main

import (
	"log"
	"os"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/internal/diagram"
)

func main() {
	m := lifecycle.Mermaid()
	if err := os.WriteFile("diagram.md", []byte(diagram.Markdown(m)), 0o644); err != nil {
		log.Fatal(err)
	}
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		log.Fatal(err)
	}
	out, err := diagram.Splice(string(doc), m)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("doc.go", []byte(out), 0o644); err != nil {
		log.Fatal(err)
	}
}
