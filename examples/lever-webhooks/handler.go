package main

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lever"
)

// WebhookPath is where the handler receives Lever deliveries.
const WebhookPath = "/webhooks/lever"

// DefaultRemember is how many event IDs the handler remembers for
// de-duplication when Config.Remember is zero.
const DefaultRemember = 10_000

// Config configures NewHandler.
type Config struct {
	// SignatureToken is the Lever webhook's signature token.
	SignatureToken string
	// Tolerance is the maximum age of a delivery; zero uses
	// lever.DefaultWebhookTolerance (two weeks and a day, so Lever's
	// retries and an admin's Rerun are accepted).
	Tolerance time.Duration
	// Replay remembers the delivery tokens already acted on, so a token
	// counts once inside the window; nil uses an ats.MemoryReplayGuard
	// (one process). Several replicas share the store's guard
	// (lifecycle/sqlstore).
	Replay ats.ReplayGuard
	// Logger receives one record per verified event, per duplicate and
	// per rejected delivery; nil uses slog.Default().
	Logger *slog.Logger
	// Remember bounds the set of event IDs kept for de-duplication; zero
	// uses DefaultRemember. The oldest ID is forgotten first.
	Remember int
	// OnEvent, when set, is called once per new verified event, after it
	// is logged. An error answers 500 so that Lever redelivers, and the
	// event is not remembered as seen.
	OnEvent func(ctx context.Context, ev ats.Event) error
}

// NewHandler returns the webhook receiver: an http.ServeMux that routes
// POST /webhooks/lever to lever.WebhookHandler. Deliveries with a missing,
// invalid or stale signature get 401 and never reach the log; events whose
// ID was already handled are acknowledged with 200 and skipped.
//
// Lever signs only the delivery's random token and triggeredAt, not the
// event data, so the replay guard (each token is acted on once) is what
// stops a captured signature from carrying other data; a replayed token is
// acknowledged with 200 and dropped. Event IDs are derived from the signed
// token and time.
func NewHandler(cfg Config) http.Handler {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	r := &receiver{log: log, seen: newIDSet(cfg.Remember), onEvent: cfg.OnEvent}
	replay := cfg.Replay
	if replay == nil {
		replay = &ats.MemoryReplayGuard{}
	}
	verifier := lever.WebhookVerifier{Secrets: []string{cfg.SignatureToken}, MaxAge: cfg.Tolerance, Replay: replay}

	mux := http.NewServeMux()
	mux.Handle("POST "+WebhookPath, lever.WebhookHandler(verifier, r.handle, lever.WebhookHandlerOptions{Logger: log}))
	return mux
}

// receiver handles verified events.
type receiver struct {
	log     *slog.Logger
	seen    *idSet
	onEvent func(context.Context, ats.Event) error
}

// handle is the lever.WebhookHandler callback; events are verified.
func (r *receiver) handle(ctx context.Context, events []ats.Event) error {
	for _, ev := range events {
		if !r.seen.add(ev.ID) {
			r.log.LogAttrs(ctx, slog.LevelInfo, "duplicate lever event skipped",
				slog.String("event_id", ev.ID), slog.String("type", ev.Type))
			continue
		}
		attrs := []slog.Attr{
			slog.String("kind", string(ev.Kind)),
			slog.String("type", ev.Type),
			slog.String("opportunity_id", ev.CandidateID),
		}
		if ev.JobID != "" { // Lever sends postingId with some events only
			attrs = append(attrs, slog.String("posting_id", ev.JobID))
		}
		if ev.Kind == ats.EventStageChanged {
			attrs = append(attrs, slog.String("from_stage", ev.FromStage.ID), slog.String("to_stage", ev.ToStage.ID))
		}
		attrs = append(attrs, slog.String("event_id", ev.ID), slog.Time("triggered_at", ev.Time))
		r.log.LogAttrs(ctx, slog.LevelInfo, "lever event", attrs...)
		if r.onEvent == nil {
			continue
		}
		if err := r.onEvent(ctx, ev); err != nil {
			// Forget the ID so that Lever's retry is handled, not skipped.
			r.seen.remove(ev.ID)
			return err
		}
	}
	return nil
}

// idSet is a bounded set of event IDs that forgets the oldest first. It is
// safe for concurrent use.
type idSet struct {
	mu   sync.Mutex
	slot map[string]int // ID → its index in ring
	ring []string       // IDs in insertion order, circular once full
	next int            // the slot to overwrite once ring is full
	max  int
}

func newIDSet(n int) *idSet {
	if n <= 0 {
		n = DefaultRemember
	}
	return &idSet{slot: make(map[string]int), max: n}
}

// add records id and reports whether it was new. Checking and recording
// happen atomically, so two concurrent deliveries of one event are handled
// once.
func (s *idSet) add(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.slot[id]; ok {
		return false
	}
	if len(s.ring) < s.max {
		s.slot[id] = len(s.ring)
		s.ring = append(s.ring, id)
		return true
	}
	// Evict the oldest, unless its slot was already freed by remove and
	// the ID re-added elsewhere.
	if old := s.ring[s.next]; s.owns(old, s.next) {
		delete(s.slot, old)
	}
	s.ring[s.next], s.slot[id] = id, s.next
	s.next = (s.next + 1) % s.max
	return true
}

// owns reports whether id is in the set and recorded in slot i.
func (s *idSet) owns(id string, i int) bool {
	j, ok := s.slot[id]
	return ok && j == i
}

// remove forgets id.
func (s *idSet) remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.slot, id)
}
