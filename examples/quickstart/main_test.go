package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/atskit/atskit/internal/pgtest"
)

// runQuickstart runs the program with args and returns its exit status and
// outputs.
func runQuickstart(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := run(ctx, args, &stdout, &stderr)
	t.Logf("quickstart %q: exit %d in %s", args, code, time.Since(start).Round(time.Millisecond))
	return code, stdout.String(), stderr.String()
}

// wantSummary checks the summary rows that prove the flow worked end to
// end on both ATSs.
func wantSummary(t *testing.T, out string) {
	t.Helper()
	rows := []struct{ side, effect, expected, observed string }{
		{"engine", "effects failed or pending", "0", "0"},
	}
	// Two customers, each with a Workable and a Lever account whose job
	// and candidate IDs are the other's: the same effects, and none
	// crossing over.
	for _, c := range []string{"acme", "globex"} {
		rows = append(rows, []struct{ side, effect, expected, observed string }{
			{c + "-workable", "interviews created", "3", "3"},
			{c + "-workable", "notes posted", "8", "8"},
			{c + "-workable", "stage moves", "1", "1"},
			{c + "-workable", "vendor cancellations", "1", "1"},
			{c + "-workable", "callbacks delivered", "1", "1"},
			{c + "-workable", "final interview states", "3", "3"},
			{c + "-lever", "interviews created", "3", "3"},
			{c + "-lever", "notes posted", "11", "11"},
			{c + "-lever", "stage moves", "5", "5"},
			{c + "-lever", "vendor cancellations", "1", "1"},
			// The interview on the profile: created and moved (Katherine),
			// created (Dorothy), created and removed (Mary); both
			// scorecards under it; Katherine's PDF report in the files.
			{c + "-lever", "interviews on the profile", "5", "5"},
			{c + "-lever", "feedback under interview", "2", "2"},
			{c + "-lever", "report files", "1", "1"},
			{c + "-lever", "final interview states", "3", "3"},
			{c, "cross-talk", "0", "0"},
			// Greenhouse and Ashby: the webhook-driven interview and the
			// test sent through each ATS's partner contract.
			{c + "-greenhouse", "interviews created", "2", "2"},
			{c + "-greenhouse", "notes posted", "2", "2"},
			{c + "-greenhouse", "stage moves", "1", "1"},
			{c + "-greenhouse", "partner tests complete", "1", "1"},
			{c + "-greenhouse", "reports attached", "1", "1"},
			{c + "-greenhouse", "final interview states", "1", "1"},
			{c + "-ashby", "interviews created", "2", "2"},
			{c + "-ashby", "notes posted", "2", "2"},
			{c + "-ashby", "stage moves", "1", "1"},
			{c + "-ashby", "partner assessments complete", "1", "1"},
			{c + "-ashby", "final interview states", "1", "1"},
			{c + "-contracts", "cross-talk", "0", "0"},
		}...)
	}
	for _, r := range rows {
		re := regexp.MustCompile(`(?m)^\s+` + r.side + `\s+` + regexp.QuoteMeta(r.effect) + `\s+` + r.expected + `\s+` + r.observed + `\s+✓$`)
		if !re.MatchString(out) {
			t.Errorf("summary lacks row %s / %s %s/%s ✓", r.side, r.effect, r.expected, r.observed)
		}
	}
	if strings.Contains(out, "✗") {
		t.Error("summary has a ✗")
	}
	if !strings.Contains(out, "OK: every expected effect was observed on the fakes") {
		t.Error("no OK line")
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

// TestRunSQLiteFile runs the demo on a SQLite file given with -db and
// checks the timeline's key moments and the summary.
func TestRunSQLiteFile(t *testing.T) {
	db := filepath.Join(t.TempDir(), "quickstart.db")
	code, out, errOut := runQuickstart(t, "-db", db)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s\nstdout:\n%s", code, errOut, out)
	}
	wantSummary(t, out)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`acme-workable\s+→ webhook candidate_moved Ada Lovelace \(\d+\) "InterviewVector"`),
		regexp.MustCompile(`globex-workable\s+→ webhook candidate_moved Barbara Liskov \(\d+\) "InterviewVector"`),
		regexp.MustCompile(`engine\s+acme-workable Ada Lovelace \(\d+\): scheduled → completed`),
		regexp.MustCompile(`vendor\s+cancelled interview V-\d+ of Alan Turing`),
		regexp.MustCompile(`engine\s+acme-lever Dorothy Vaughan .*: new → needs_info`),
		regexp.MustCompile(`host\s+re-triggered acme-lever Dorothy Vaughan: now requested`),
		regexp.MustCompile(`host\s+re-triggered globex-lever Radia Perlman: now requested`),
		regexp.MustCompile(`acme-workable\s+← callback PUT \S+: status completed, grade excelled, score 91, results_url https://`),
		regexp.MustCompile(`globex-lever\s+← moved Margaret Hamilton .* to "Interview - Yes"`),
		regexp.MustCompile(`acme-lever\s+← interview on Katherine Johnson .*'s profile: InterviewVector – Data engineering at `),
		regexp.MustCompile(`acme-lever\s+← interview on Katherine Johnson .*'s profile moved: `),
		regexp.MustCompile(`acme-lever\s+← feedback form on Katherine Johnson .*, under the interview on the profile`),
		regexp.MustCompile(`globex-lever\s+← file on Margaret Hamilton .*'s profile: "InterviewVector report V-\d+ \[ref fx_[0-9a-f]+\]\.pdf" \(application/pdf, \d+ bytes\)`),
		regexp.MustCompile(`acme-lever\s+← interview removed from Mary Jackson .*'s profile`),
		regexp.MustCompile(`vendor\s+cancelled interview V-\d+ of Annie Easley \(globex-lever\)`),
		regexp.MustCompile(`acme-greenhouse → webhook candidate_stage_change Hedy Lamarr \(\d+\) "InterviewVector"`),
		regexp.MustCompile(`globex-ashby\s+→ webhook candidateStageChange Whitfield Diffie \(\S+\) "InterviewVector"`),
		regexp.MustCompile(`acme-greenhouse ← PATCH 1 time\(s\), then test_status: complete, score 93`),
		regexp.MustCompile(`globex-greenhouse ← report attached through Harvest to Ken Thompson: Report.pdf \(take_home_test\)`),
		regexp.MustCompile(`acme-ashby\s+← assessment.update: Completed, result 93 \(numeric_score\)`),
	} {
		if !want.MatchString(out) {
			t.Errorf("timeline lacks %s", want)
		}
	}
	if strings.Contains(errOut, "level=ERROR") || strings.Contains(errOut, "level=WARN") {
		t.Errorf("warnings or errors on stderr:\n%s", errOut)
	}

	// The database now holds this run's positions: a second run on it is
	// refused with a clear message instead of failing halfway.
	code, _, errOut = runQuickstart(t, "-db", db, "-quiet")
	if code != 1 || !strings.Contains(errOut, "already holds 8 positions from an earlier run") {
		t.Errorf("second run on the same database: exit %d, stderr %q", code, errOut)
	}
}

// TestRunDefaultQuiet runs the demo the way the README says, on the
// embedded SQLite default (a temporary file), with -quiet: only the
// summary is printed.
func TestRunDefaultQuiet(t *testing.T) {
	code, out, errOut := runQuickstart(t, "-quiet")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s\nstdout:\n%s", code, errOut, out)
	}
	wantSummary(t, out)
	if strings.Contains(out, "→ webhook") || strings.Contains(out, "──") {
		t.Errorf("-quiet printed the timeline:\n%s", out)
	}
}

// TestRunUsage checks that bad arguments exit with status 2.
func TestRunUsage(t *testing.T) {
	if code, _, _ := runQuickstart(t, "-nope"); code != 2 {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
	if code, _, _ := runQuickstart(t, "extra"); code != 2 {
		t.Errorf("extra argument: exit %d, want 2", code)
	}
}

// TestRunPostgres runs the demo on PostgreSQL (ATSKIT_POSTGRES_DSN, a
// postgres:// URL) in a fresh schema. It is skipped without the variable,
// unless CI is set.
func TestRunPostgres(t *testing.T) {
	dsn := pgtest.Schema(t, "quickstart_")
	code, out, errOut := runQuickstart(t, "-quiet", "-db", dsn)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s\nstdout:\n%s", code, errOut, out)
	}
	wantSummary(t, out)
}
