package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestEnvIsTheREADMEs: the variables the fake prints are the ones the
// README's usage table lists, and include every required one, so the run
// recipe starts the host without an unset variable.
func TestEnvIsTheREADMEs(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, usage, _ := strings.Cut(string(b), "\n## Usage\n")
	var listed, required []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Z_]+)` \\| (yes)? *\\|").FindAllStringSubmatch(usage, -1) {
		listed = append(listed, m[1])
		if m[2] == "yes" {
			required = append(required, m[1])
		}
	}
	if len(required) == 0 {
		t.Fatal("README.md's usage lists no required variable")
	}
	for _, rateLimited := range []bool{false, true} {
		var printed []string
		for _, line := range strings.Split(strings.TrimSpace(env("http://127.0.0.1:8081/spi/v3", "acme", "YourProduct", rateLimited)), "\n") {
			name, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
			if !ok || value == "" {
				t.Errorf("printed %q, want export NAME=value", line)
			}
			printed = append(printed, name)
			if !slices.Contains(listed, name) {
				t.Errorf("the fake prints %s, which README.md's usage does not list", name)
			}
		}
		for _, name := range required {
			if !slices.Contains(printed, name) {
				t.Errorf("rate limited %v: the fake does not print the required %s", rateLimited, name)
			}
		}
	}
}
