// Command lever-webhooks receives Lever webhooks with the standard library
// mux, verifies their signatures with lever.WebhookHandler, logs each
// verified event with log/slog, and de-duplicates Lever's redeliveries by
// event ID.
//
// Usage:
//
//	lever-webhooks -signature-token TOKEN [-addr 127.0.0.1:8090] [-tolerance 360h]
//	lever-webhooks -demo
//
// Point a Lever "Candidate Stage Change" webhook at
// http://ADDR/webhooks/lever and pass the webhook's signature token (shown
// in Lever under Settings → Integrations and API → Webhooks) with
// -signature-token or $LEVER_SIGNATURE_TOKEN.
//
// With -demo the command needs no Lever account and no network: it starts
// the levertest fake in-process, registers its own URL as a webhook,
// moves an opportunity so the fake sends a signed delivery, prints the
// verified event and exits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/atskit/atskit/lever"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "lever-webhooks:", err)
		os.Exit(1)
	}
}

// signatureTokenEnv names the environment variable -signature-token
// defaults to.
const signatureTokenEnv = "LEVER_SIGNATURE_TOKEN"

// run parses args, then serves webhooks until ctx is done, or with -demo
// runs the self-contained demo and returns. Logs and output go to stdout.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("lever-webhooks", flag.ContinueOnError)
	fs.SetOutput(stdout)
	addr := fs.String("addr", "127.0.0.1:8090", "listen `address`")
	token := fs.String("signature-token", "", "the webhook's signature `token` (default $"+signatureTokenEnv+")")
	tolerance := fs.Duration("tolerance", lever.DefaultWebhookTolerance, "maximum age of a delivery; older ones are refused as replays")
	demo := fs.Bool("demo", false, "run against an in-process levertest fake, print the verified event and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *tolerance <= 0 {
		return fmt.Errorf("-tolerance must be positive, got %v", *tolerance)
	}
	// The token is read from the environment here rather than used as the
	// flag's default so that -h never prints it.
	if *token == "" {
		*token = os.Getenv(signatureTokenEnv)
	}
	log := slog.New(slog.NewTextHandler(stdout, nil))

	if *demo {
		demoAddr := "127.0.0.1:0" // any free port, unless -addr was given
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "addr" {
				demoAddr = *addr
			}
		})
		return runDemo(ctx, demoAddr, *tolerance, log, stdout)
	}

	if *token == "" {
		return fmt.Errorf("no signature token: pass -signature-token or set $%s to the token Lever shows for the webhook", signatureTokenEnv)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	h := NewHandler(Config{SignatureToken: *token, Tolerance: *tolerance, Logger: log})
	log.Info("listening", "url", "http://"+ln.Addr().String()+WebhookPath)
	return serve(ctx, ln, h)
}

// serve serves h on ln until ctx is done, then shuts down gracefully,
// letting in-flight deliveries finish.
func serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
