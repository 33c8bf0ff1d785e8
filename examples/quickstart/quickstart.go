package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/lifecycle/sqlstore"
	"github.com/atskit/atskit/lifecycle/sqlstore/postgres"
	"github.com/atskit/atskit/lifecycle/sqlstore/sqlite"
)

// run is the whole program: it parses args, runs the scenario and prints
// the timeline and the summary to stdout. It returns the exit status: 0
// when every expected effect was observed, 1 when not, 2 for bad usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: quickstart [-db path|postgres://…] [-v] [-quiet] [-timeout 60s]")
		fmt.Fprintln(stderr, "Runs atskit's vendor flow against in-process fakes of Workable, Lever, Greenhouse and Ashby.")
		fs.PrintDefaults()
	}
	db := fs.String("db", "", "SQLite file, or a postgres:// URL for PostgreSQL (default: a new SQLite file in a temporary directory); must hold no atskit data yet")
	verbose := fs.Bool("v", false, "log the library's debug records to stderr")
	quiet := fs.Bool("quiet", false, "print only the summary")
	timeout := fs.Duration("timeout", 60*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "quickstart: unexpected arguments %q\n", fs.Args())
		fs.Usage()
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	tl := newTimeline(stdout, *quiet)
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(&engineLog{t: tl, next: slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})})

	store, where, closeStore, err := openStore(ctx, *db)
	if err != nil {
		fmt.Fprintf(stderr, "quickstart: %v\n", err)
		return 1
	}
	defer closeStore()
	tl.printf(sideHost, "lifecycle store: %s", where)

	d, closeAll, runErr := runDemo(ctx, tl, log, store)
	defer closeAll()
	if runErr != nil && ctx.Err() != nil {
		runErr = fmt.Errorf("gave up after %s: %w", *timeout, runErr)
	}
	ok := runErr == nil
	if d.h != nil {
		ok = printSummary(stdout, d.summary(context.WithoutCancel(ctx))) && ok
	}
	if runErr != nil {
		fmt.Fprintf(stderr, "quickstart: %v\n", runErr)
	}
	if !ok {
		fmt.Fprintln(stdout, "\nFAIL: some expected effects were not observed")
		return 1
	}
	fmt.Fprintln(stdout, "\nOK: every expected effect was observed on the fakes")
	return 0
}

// openStore opens the lifecycle store -db names: a PostgreSQL URL, a SQLite
// file, or (empty) a SQLite file in a new temporary directory. The demo's
// fakes number their events from 1 on every run, so a database that
// already holds positions from an earlier run is refused rather than
// producing confusing duplicates.
func openStore(ctx context.Context, db string) (lifecycle.Store, string, func(), error) {
	var (
		store *sqlstore.Store
		where string
		err   error
		tmp   string
	)
	switch {
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"):
		where = "PostgreSQL"
		if u, perr := url.Parse(db); perr == nil {
			where = "PostgreSQL " + u.Redacted()
		}
		store, err = postgres.Open(ctx, db)
	default:
		path := db
		if path == "" {
			if tmp, err = os.MkdirTemp("", "atskit-quickstart-"); err != nil {
				return nil, "", nil, err
			}
			path = filepath.Join(tmp, "atskit.db")
		}
		where = "SQLite " + path
		store, err = sqlite.Open(ctx, path)
	}
	cleanup := func() {
		if store != nil {
			_ = store.Close()
		}
		if tmp != "" {
			_ = os.RemoveAll(tmp)
		}
	}
	if err != nil {
		cleanup()
		return nil, "", nil, fmt.Errorf("open %s: %w", where, err)
	}
	ps, err := store.Positions(ctx, lifecycle.PositionFilter{})
	if err != nil {
		cleanup()
		return nil, "", nil, fmt.Errorf("read %s: %w", where, err)
	}
	if len(ps) > 0 {
		cleanup()
		return nil, "", nil, fmt.Errorf("%s already holds %d positions from an earlier run; pass a new -db file or an empty PostgreSQL schema", where, len(ps))
	}
	return store, where, cleanup, nil
}
