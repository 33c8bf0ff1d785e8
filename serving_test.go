package atskit_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// serverTimeouts are the http.Server fields that bound how long a client
// can hold a connection: without them a slow client (slowloris) keeps a
// connection and its goroutine for as long as it likes.
var serverTimeouts = []string{"ReadHeaderTimeout", "ReadTimeout", "WriteTimeout", "IdleTimeout"}

// TestServingCodeSetsTimeouts checks every program and snippet the project
// shows hosts (examples/, the root Example, the README's Go blocks): no
// http.ListenAndServe (which has no timeouts), and every http.Server
// literal sets all four timeouts.
func TestServingCodeSetsTimeouts(t *testing.T) {
	sources := map[string]string{}
	add := func(path string) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sources[path] = string(b)
	}
	add("example_test.go")
	err := filepath.WalkDir("examples", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			add(path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1) {
		// Snippets are statements, wrapped so they parse, or whole files.
		src := m[1]
		if !strings.HasPrefix(src, "package ") {
			src = "package p\nfunc _() {\n" + src + "\n}\n"
		}
		sources[snippetName("README.md", i)] = src
	}
	for path, src := range sources {
		t.Run(path, func(t *testing.T) {
			f, err := parser.ParseFile(token.NewFileSet(), path, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					if sel, ok := n.Fun.(*ast.SelectorExpr); ok && isIdent(sel.X, "http") && (sel.Sel.Name == "ListenAndServe" || sel.Sel.Name == "ListenAndServeTLS") {
						t.Errorf("http.%s serves without timeouts; use an http.Server that sets %v", sel.Sel.Name, serverTimeouts)
					}
				case *ast.CompositeLit:
					if sel, ok := n.Type.(*ast.SelectorExpr); ok && isIdent(sel.X, "http") && sel.Sel.Name == "Server" {
						set := map[string]bool{}
						for _, el := range n.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok {
								if k, ok := kv.Key.(*ast.Ident); ok {
									set[k.Name] = true
								}
							}
						}
						for _, f := range serverTimeouts {
							if !set[f] {
								t.Errorf("http.Server literal does not set %s", f)
							}
						}
					}
				}
				return true
			})
		})
	}
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func snippetName(name string, i int) string { return name + "#" + strconv.Itoa(i+1) }
