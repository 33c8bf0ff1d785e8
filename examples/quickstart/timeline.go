package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/atskit/atskit/ats"
)

// Sides of the timeline: who did what.
const (
	sideHost   = "host"
	sideVendor = "vendor"
	sideEngine = "engine"
)

// timeline prints what happens, one line per step, with the time since the
// start and the side that acted. It is safe for concurrent use: webhook
// handlers and the dispatcher report from their own goroutines.
type timeline struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
	quiet bool
	// names maps "source/candidateID" to a person's name for readable lines.
	names map[string]string
	// stages maps "source/stageID" to a stage's display name.
	stages map[string]string
}

func newTimeline(w io.Writer, quiet bool) *timeline {
	return &timeline{w: w, start: time.Now(), quiet: quiet, names: map[string]string{}, stages: map[string]string{}}
}

// name registers a candidate's display name.
func (t *timeline) name(source, candidateID, name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.names[source+"/"+candidateID] = name
}

// stage registers a stage's display name.
func (t *timeline) stage(source, id, name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stages[source+"/"+id] = name
}

// stageName returns the display name of the stage ref points to.
func (t *timeline) stageName(source string, ref ats.StageRef) string {
	if ref.Name != "" {
		return ref.Name
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if n, ok := t.stages[source+"/"+ref.ID]; ok {
		return n
	}
	return ref.ID
}

// who returns "Ada Lovelace (10000004)" or the bare ID.
func (t *timeline) who(source, candidateID string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n, ok := t.names[source+"/"+candidateID]; ok {
		return fmt.Sprintf("%s (%s)", n, shortID(candidateID))
	}
	return shortID(candidateID)
}

// printf adds a line for side.
func (t *timeline) printf(side, format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.quiet {
		return
	}
	fmt.Fprintf(t.w, "%+8.3fs  %-15s %s\n", time.Since(t.start).Seconds(), side, fmt.Sprintf(format, args...))
}

// section prints a heading between steps.
func (t *timeline) section(title string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.quiet {
		return
	}
	fmt.Fprintf(t.w, "\n── %s\n", title)
}

// shortID abbreviates Lever's UUIDs ("00000005-0000-4000-8000-00000000000c"
// becomes "opp…000c") so lines stay readable; other IDs are kept.
func shortID(id string) string {
	if len(id) == 36 && strings.Count(id, "-") == 4 {
		return "…" + id[len(id)-6:]
	}
	return id
}

// excerpt returns the first line of a note body, without the dispatcher's
// idempotency marker, cut to n runes.
func excerpt(body string, n int) string {
	if i := strings.Index(body, "\n\n[ref "); i >= 0 {
		body = body[:i]
	}
	first, rest, _ := strings.Cut(body, "\n")
	r := []rune(first)
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	if strings.TrimSpace(rest) != "" {
		return first + " …"
	}
	return first
}

// engineLog is a slog.Handler that turns the engine's transition records
// into timeline lines and passes every record on to next (stderr with -v,
// or a discarding handler).
type engineLog struct {
	t     *timeline
	next  slog.Handler
	attrs []slog.Attr
}

// Enabled implements slog.Handler.
func (h *engineLog) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelInfo || h.next.Enabled(ctx, l)
}

// Handle implements slog.Handler.
func (h *engineLog) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "lifecycle: interview transition" {
		a := map[string]string{}
		for _, at := range h.attrs {
			a[at.Key] = at.Value.String()
		}
		r.Attrs(func(at slog.Attr) bool { a[at.Key] = at.Value.String(); return true })
		from := a["from"]
		if from == "" {
			from = "new"
		}
		h.t.printf(sideEngine, "%s %s: %s → %s", a["connection"], h.t.who(a["connection"], a["candidate"]), from, a["to"])
	}
	if h.next.Enabled(ctx, r.Level) {
		return h.next.Handle(ctx, r)
	}
	return nil
}

// WithAttrs implements slog.Handler.
func (h *engineLog) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &engineLog{t: h.t, next: h.next.WithAttrs(attrs), attrs: append(append([]slog.Attr(nil), h.attrs...), attrs...)}
}

// WithGroup implements slog.Handler.
func (h *engineLog) WithGroup(name string) slog.Handler {
	return &engineLog{t: h.t, next: h.next.WithGroup(name), attrs: h.attrs}
}

// printSummary prints the summary table and reports whether every row
// matched.
func printSummary(w io.Writer, rows []row) bool {
	fmt.Fprintf(w, "\nSummary\n  %-17s %-28s %8s %8s\n", "connection", "effect", "expected", "observed")
	ok := true
	for _, r := range rows {
		mark := "✓"
		if !r.ok() {
			mark, ok = "✗", false
		}
		fmt.Fprintf(w, "  %-17s %-28s %8d %8d  %s\n", r.source, r.what, r.expected, r.observed, mark)
		for _, p := range r.problems {
			fmt.Fprintf(w, "      ✗ %s\n", p)
		}
	}
	return ok
}
