package hosting

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
)

// WebhookVerifiers resolves the webhook verifier of a connection: the
// customer's Workable webhook secret, the signature token Lever returned
// when the connection's webhook was registered. The host implements it over
// its credential storage, and it is asked on every delivery, so a rotated
// secret applies at once.
//
// WebhookVerifier returns an error wrapping lifecycle.ErrUnknownConnection
// when it knows no connection of that kind and ID; the delivery is then
// answered 200 (so the ATS stops retrying) and logged.
type WebhookVerifiers interface {
	WebhookVerifier(ctx context.Context, kind, connection string) (ats.WebhookVerifier, error)
}

// VerifierFunc adapts a function to ats.WebhookVerifier, e.g. an adapter's
// package-level VerifyWebhook with a connection's secret:
//
//	hosting.VerifierFunc(func(body []byte, h http.Header) ([]ats.Event, error) {
//		return workable.VerifyWebhook(body, h, secret)
//	})
type VerifierFunc func(body []byte, header http.Header) ([]ats.Event, error)

// VerifyWebhook implements ats.WebhookVerifier.
func (f VerifierFunc) VerifyWebhook(body []byte, header http.Header) ([]ats.Event, error) {
	return f(body, header)
}

// MemoryVerifiers is an in-memory WebhookVerifiers, safe for concurrent
// use. The zero value is ready to use.
type MemoryVerifiers struct {
	mu sync.RWMutex
	m  map[[2]string]ats.WebhookVerifier
}

var _ WebhookVerifiers = (*MemoryVerifiers)(nil)

// Set installs (or replaces) the verifier of a connection of an ATS kind.
func (m *MemoryVerifiers) Set(kind, connection string, v ats.WebhookVerifier) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[[2]string]ats.WebhookVerifier{}
	}
	m.m[[2]string{kind, connection}] = v
}

// Delete forgets a connection's verifier.
func (m *MemoryVerifiers) Delete(kind, connection string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, [2]string{kind, connection})
}

// WebhookVerifier implements WebhookVerifiers.
func (m *MemoryVerifiers) WebhookVerifier(_ context.Context, kind, connection string) (ats.WebhookVerifier, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	v, ok := m.m[[2]string{kind, connection}]
	if !ok {
		return nil, fmt.Errorf("%w: %s connection %q", lifecycle.ErrUnknownConnection, kind, connection)
	}
	return v, nil
}

// maxLoggedID bounds path values copied into logs: they come from the
// request and may be anything.
const maxLoggedID = 64

func logID(s string) string {
	if len(s) > maxLoggedID {
		return s[:maxLoggedID] + "…"
	}
	return s
}

// ignore answers a delivery the ATS must not retry (unknown, removed or
// mismatched connection) with 200 — Workable documents only 200 as
// success and replays anything else — and logs why.
func (h *Handler) ignore(w http.ResponseWriter, r *http.Request, kind, conn, why string) {
	h.log.LogAttrs(r.Context(), slog.LevelWarn, "hosting: webhook ignored", slog.String("kind", logID(kind)),
		slog.String("connection", logID(conn)), slog.String("why", why))
	w.WriteHeader(http.StatusOK)
}

// webhook serves POST /hooks/{kind}/{connection}.
func (h *Handler) webhook(w http.ResponseWriter, r *http.Request) {
	kind, conn := r.PathValue("kind"), r.PathValue("connection")
	ctx, sw := h.startWebhook(w, r, kind, conn)
	defer sw.End()
	w, r = sw, r.WithContext(ctx)
	rec, err := h.opts.Engine.Connection(ctx, conn)
	switch {
	case errors.Is(err, lifecycle.ErrNotFound):
		// Never connected through Engine.Connect: the verifier decides.
	case err != nil:
		h.log.ErrorContext(ctx, "hosting: webhook: read connection", "connection", logID(conn), "err", err)
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	case rec.State == lifecycle.ConnectionRemoved:
		h.ignore(w, r, kind, conn, "connection removed")
		return
	case rec.Kind != "" && rec.Kind != kind:
		h.ignore(w, r, kind, conn, "connection is of kind "+rec.Kind)
		return
	}
	v, err := h.opts.Webhooks.WebhookVerifier(ctx, kind, conn)
	if errors.Is(err, lifecycle.ErrUnknownConnection) {
		h.ignore(w, r, kind, conn, "unknown connection")
		return
	}
	if err != nil {
		h.log.ErrorContext(ctx, "hosting: webhook: resolve verifier", "kind", logID(kind), "connection", logID(conn), "err", err)
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	ats.NewWebhookHandler(v, func(ctx context.Context, evs []ats.Event) error {
		for _, ev := range evs {
			// The route names the connection; nothing in the body can
			// move an event to another one.
			ev.Connection = conn
			if ev.Source == "" {
				ev.Source = kind
			}
			sw.Events++
			if h.opts.OnEvent != nil {
				h.opts.OnEvent(ctx, ev)
			}
			// Stored in the engine's inbox and answered: reading the
			// candidate and deciding happen in the dispatchers, paced,
			// so a slow or throttled ATS never delays the answer (a
			// store without an inbox handles the event here). An error
			// means the event was not kept (with an inbox, the store
			// failed): the ATS is answered 500 and delivers it again.
			// Events of a disabled connection are accepted like any
			// other; lifecycle decides what they may still do.
			err := h.opts.Engine.AcceptEvents(ctx, []ats.Event{ev})
			if errors.Is(err, lifecycle.ErrConnectionRemoved) {
				h.log.WarnContext(ctx, "hosting: webhook of a removed connection dropped", "connection", logID(conn), "event", ev.ID)
				continue
			}
			if err != nil {
				return err
			}
		}
		return nil
	}, ats.WebhookHandlerOptions{Source: kind, Logger: h.log, MaxBodyBytes: h.opts.MaxWebhookBytes, ReadTimeout: h.opts.WebhookReadTimeout}).ServeHTTP(w, r)
}
