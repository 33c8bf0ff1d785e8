// Command provider-server is a runnable Workable interview/assessment
// provider built on package provider: it mounts provider.Handler under
// /workable/ with an in-memory backend, and publishes results to Workable's
// callback URL when asked to complete an interview through a demo endpoint.
// It also serves Ashby's Assessments Partner API under /ashby/ (give Ashby
// that base URL and the -token value as the secret key).
//
//	go run ./examples/provider-server -token s3cret -templates "Aptitude Interview,Java Interview"
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/provider"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "provider-server:", err)
		os.Exit(1)
	}
}

// config is what newServer needs.
type config struct {
	// Token is the bearer token Workable sends; it resolves to account
	// "default".
	Token string
	// CallbackToken is the token Workable issued for results callbacks.
	CallbackToken string
	// Templates are the interview templates offered, with ids "1", "2"…
	Templates []string
	// Publisher configures result delivery.
	Publisher provider.PublisherOptions
	// Logger receives one line per request.
	Logger *slog.Logger
}

// run parses args, serves until ctx is done, then shuts down gracefully.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("provider-server", flag.ContinueOnError)
	fs.SetOutput(stdout)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	token := fs.String("token", os.Getenv("PROVIDER_TOKEN"), "bearer token Workable sends (default $PROVIDER_TOKEN)")
	callbackToken := fs.String("callback-token", os.Getenv("WORKABLE_CALLBACK_TOKEN"), "token Workable issued for results callbacks (default $WORKABLE_CALLBACK_TOKEN)")
	templates := fs.String("templates", "Aptitude Interview,Java Interview", "comma-separated interview template names")
	insecure := fs.Bool("insecure-callbacks", false, "allow http and loopback callback URLs on any host (local demos only)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *token == "" {
		return errors.New("a token is required: pass -token or set PROVIDER_TOKEN")
	}
	logger := slog.New(slog.NewTextHandler(stdout, nil))
	cfg := config{
		Token:         *token,
		CallbackToken: *callbackToken,
		Templates:     splitNames(*templates),
		Logger:        logger,
		Publisher:     provider.PublisherOptions{Logger: logger},
	}
	if *insecure {
		cfg.Publisher.AllowInsecureHTTP = true
		cfg.Publisher.AllowLoopback = true
		cfg.Publisher.AllowedHostSuffixes = []string{"*"}
	}
	h, _ := newServer(cfg)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	logger.Info("listening", "addr", ln.Addr().String(), "base_url", "http://"+ln.Addr().String()+"/workable",
		"greenhouse_base_url", "http://"+ln.Addr().String()+"/greenhouse",
		"ashby_base_url", "http://"+ln.Addr().String()+"/ashby")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func splitNames(s string) []string {
	var out []string
	for _, n := range strings.Split(s, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// newServer wires the provider handler under /workable/ and the demo
// endpoint POST /demo/interviews/{id}/complete, with request logging.
func newServer(cfg config) (http.Handler, *provider.MemoryBackend) {
	templates := make([]provider.InterviewTemplate, len(cfg.Templates))
	for i, name := range cfg.Templates {
		templates[i] = provider.InterviewTemplate{ID: strconv.Itoa(i + 1), Name: name}
	}
	backend := provider.NewMemoryBackend(provider.MemoryBackendOptions{
		InterviewTemplates: templates,
		Tests:              []provider.Test{{ID: provider.NumberID(1), Name: "Aptitude Test"}},
	})
	tokens := provider.NewStaticTokens(map[string]provider.Account{cfg.Token: "default"})
	publisher := provider.NewPublisher(cfg.Publisher)

	mux := http.NewServeMux()
	wh, err := provider.NewHandler(backend, provider.HandlerOptions{Tokens: tokens, Logger: cfg.Logger})
	if err != nil {
		// Unreachable: backend is a *MemoryBackend and tokens is set.
		panic(err)
	}
	mux.Handle("/workable/", http.StripPrefix("/workable", wh))
	mountAshby(mux, cfg.Templates, tokens, cfg.Logger)
	// Greenhouse's Assessment Partner API from the same backend; -token is
	// the key Greenhouse sends as the HTTP Basic user name.
	gh, err := provider.NewGreenhouseHandler(provider.GreenhouseFromAssessments(backend), provider.GreenhouseHandlerOptions{Tokens: tokens, Logger: cfg.Logger})
	if err != nil {
		panic(err) // unreachable: the backend and tokens are set
	}
	mux.Handle("/greenhouse/", http.StripPrefix("/greenhouse", gh))
	mux.Handle("POST /demo/interviews/{id}/complete", &completer{
		backend: backend, tokens: tokens, publisher: publisher, callbackToken: cfg.CallbackToken,
	})
	return logRequests(cfg.Logger, mux), backend
}

// completer completes an interview with canned results and publishes them
// to the interview's callback URL. It takes the same bearer token as the
// provider endpoints.
type completer struct {
	backend       *provider.MemoryBackend
	tokens        provider.TokenResolver
	publisher     *provider.Publisher
	callbackToken string
}

// ServeHTTP completes the interview named by the path and publishes it.
func (c *completer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"status": 401, "message": "Missing Token"})
		return
	}
	account, err := c.tokens.ResolveToken(r.Context(), token)
	if err != nil {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"status": 401, "message": "Invalid Token"})
		return
	}
	id := r.PathValue("id")
	if inv, ok := c.backend.Invitation(id); !ok || inv.Account != account {
		writeJSON(w, http.StatusNotFound, map[string]any{"status": 404, "message": "Not Found"})
		return
	}
	inv, err := c.backend.Complete(id, provider.StatusDocument{
		Interview: &provider.InterviewResult{
			Score: "78", Grade: ats.GradePassed, Summary: "Demo result.", Duration: "00:24:10",
			Details: map[string]any{"skills": map[string]any{"Problem Solving": 82, "Communication": 74}},
		},
	})
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"status": 500, "message": err.Error()})
		return
	}
	d, err := c.publisher.Publish(r.Context(), inv.CallbackURL, c.callbackToken, inv.Result)
	resp := map[string]any{"interview_id": id, "status": inv.Result.Status, "attempts": d.Attempts, "callback_status": d.StatusCode}
	if err != nil {
		resp["error"] = err.Error()
		writeJSON(w, http.StatusBadGateway, resp)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader records code and passes it on.
func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logRequests logs method, path, status and duration of each request —
// never headers, so never tokens.
func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", rec.status), slog.Duration("duration", time.Since(start)))
	})
}
