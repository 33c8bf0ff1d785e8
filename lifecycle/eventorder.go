package lifecycle

import (
	"context"
	"time"

	"github.com/atskit/atskit/ats"
)

// eventTimeKey carries, in a context, the ATS time of the event being
// handled, so every interview the event changes records it (LastEventAt).
type eventTimeKey struct{}

func withEventTime(ctx context.Context, t time.Time) context.Context {
	if t.IsZero() {
		return ctx
	}
	return context.WithValue(ctx, eventTimeKey{}, t)
}

func eventTimeOf(ctx context.Context) time.Time {
	t, _ := ctx.Value(eventTimeKey{}).(time.Time)
	return t
}

// stampEvent records the handled event's time on iv when it is later than
// what iv has seen.
func (ch *change) stampEvent(iv *Interview) {
	if !ch.eventAt.IsZero() && ch.eventAt.After(iv.LastEventAt) {
		iv.LastEventAt = ch.eventAt
	}
}

// decides reports whether events of kind lead to a decision on the
// candidate (and so may be stale).
func decides(kind ats.EventKind) bool {
	switch kind {
	case ats.EventStageChanged, ats.EventCandidateCreated, ats.EventUnarchived,
		ats.EventArchived, ats.EventHired, ats.EventDeleted:
		return true
	}
	return false
}

// staleEvent reports whether ev is older than the last event applied to
// one of its candidate's interviews (Interview.LastEventAt): a late or
// out-of-order delivery describing a past the engine has already moved
// beyond. Such an event does nothing — not even a read of the candidate —
// and is logged and counted (StaleEvents). Events without a time, or for a
// candidate with no interview yet, are never stale; decisions on the
// events that pass still re-read the candidate.
func (e *Engine) staleEvent(ctx context.Context, ev ats.Event) (bool, error) {
	if ev.Time.IsZero() || ev.CandidateID == "" || !decides(ev.Kind) {
		return false, nil
	}
	ivs, err := e.store.Interviews(ctx, InterviewFilter{Connection: ev.Connection, CandidateID: ev.CandidateID})
	if err != nil {
		return false, err
	}
	var latest time.Time
	for _, iv := range ivs {
		if iv.LastEventAt.After(latest) {
			latest = iv.LastEventAt
		}
	}
	if !ev.Time.Before(latest) {
		return false, nil
	}
	n := e.staleEvents.Add(1)
	e.log.Info("lifecycle: event older than the state already applied, ignored",
		"connection", ev.Connection, "source", ev.Source, "event", ev.ID, "kind", ev.Kind, "candidate", ev.CandidateID,
		"event_time", ev.Time, "applied_time", latest, "stale_total", n)
	return true, nil
}

// StaleEvents returns how many events, since the engine was made, were
// ignored because they were older than the state already applied to their
// candidate's interviews (out-of-order or late redeliveries).
func (e *Engine) StaleEvents() int64 { return e.staleEvents.Load() }
