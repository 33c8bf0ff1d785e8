package atskit_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoMutableExportedState: no exported package-level variable holds a
// map, slice, array or struct literal outside internal packages; a table
// callers may change for every other user of the package is a function
// returning a copy instead (lifecycle.DefaultNotes,
// provider.DefaultAllowedHostSuffixes).
func TestNoMutableExportedState(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "internal" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		if f.Name.Name == "main" {
			return nil
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !name.IsExported() {
						continue
					}
					mutable := false
					if i < len(vs.Values) {
						switch v := vs.Values[i].(type) {
						case *ast.CompositeLit:
							mutable = true
						case *ast.CallExpr: // []byte("…") and the like
							_, mutable = v.Fun.(*ast.ArrayType)
						}
					}
					if _, ok := vs.Type.(*ast.MapType); ok {
						mutable = true
					}
					if _, ok := vs.Type.(*ast.ArrayType); ok {
						mutable = true
					}
					if mutable {
						t.Errorf("%s: exported variable %s.%s can be changed by any importer; make it a function returning a copy", path, f.Name.Name, name.Name)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCommentsCitePublicDocs: code cites an ATS's public documentation by
// URL, never sections of the project's internal notes, which users cannot
// read.
func TestCommentsCitePublicDocs(t *testing.T) {
	internal := regexp.MustCompile(`reference §|§\d|\bGAP \d|\bseed \d{3}\b|\(reference GAP\)`)
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if path == "package_state_test.go" && strings.Contains(line, "regexp.MustCompile") {
				continue
			}
			if m := internal.FindString(line); m != "" {
				t.Errorf("%s:%d cites internal notes (%q); cite the ATS's public documentation URL or explain in plain words", path, i+1, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
