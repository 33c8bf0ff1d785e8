package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"-page-size", "2"}, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, &out)
	}
	for _, want := range []string{
		"jobs (page size 2):",
		"Backend Engineer", "Office Manager", "Data Analyst", // all pages listed
		`moved Ada Lovelace (cand0004) to stage "InterviewVector"`,
		"noted on Ada Lovelace: Interview link sent: https://vendor.example/i/42",
		"errors.Is(err, ats.ErrNotFound) = true",
		"errors.As(err, *ats.ValidationError) = true",
		`adapter is an ats.Tagger: Ada Lovelace now tagged ["InterviewVector"]`,
		"adapter is not an ats.Disqualifier",
		"verified webhook evt-1: stage_changed, candidate cand0004, applied → interviewvector",
		"forged webhook refused: memats: ats: webhook signature invalid",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, &out)
		}
	}
}

func TestRunRejectsArguments(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"extra"}, &out); err == nil {
		t.Error("run with a stray argument succeeded")
	}
	if err := run(t.Context(), []string{"-page-size", "x"}, &out); err == nil {
		t.Error("run with a bad -page-size succeeded")
	}
}
