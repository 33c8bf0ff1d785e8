package memstore

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/atskit/atskit/lifecycle"
)

// inbox is the store's lifecycle.Inbox state, guarded by Store.mu.
type inbox struct {
	seq    int64
	events []*lifecycle.InboxEvent // ordered by Seq
	byID   map[string]*lifecycle.InboxEvent
	keys   map[[3]string]bool // (connection, source, event ID) accepted
	// heads holds the pending Seqs of each order key, lowest first.
	heads map[string][]int64
	// pendingConns counts pending events per connection.
	pendingConns map[string]int
	// low is the index in events before which nothing is pending.
	low int
}

func (in *inbox) init() {
	if in.byID == nil {
		in.byID = map[string]*lifecycle.InboxEvent{}
		in.keys = map[[3]string]bool{}
		in.heads = map[string][]int64{}
		in.pendingConns = map[string]int{}
	}
}

func inboxKey(ev *lifecycle.InboxEvent) [3]string {
	return [3]string{ev.Connection, ev.Source, ev.EventID}
}

var _ lifecycle.Inbox = (*Store)(nil)

// AcceptEvents implements lifecycle.Inbox.
func (s *Store) AcceptEvents(_ context.Context, evs []lifecycle.InboxEvent) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := &s.inbox
	in.init()
	n := 0
	for _, ev := range evs {
		if ev.EventID != "" && in.keys[inboxKey(&ev)] {
			continue
		}
		if _, ok := in.byID[ev.ID]; ok || ev.ID == "" {
			continue
		}
		in.seq++
		ev.Seq, ev.State = in.seq, lifecycle.InboxPending
		ev.Attempts, ev.ClaimedBy, ev.LeaseUntil, ev.LastError, ev.DoneAt = 0, "", time.Time{}, "", time.Time{}
		ev.Event.Raw = nil
		p := &ev
		in.events = append(in.events, p)
		in.byID[ev.ID] = p
		if ev.EventID != "" {
			in.keys[inboxKey(p)] = true
		}
		in.heads[ev.OrderKey] = append(in.heads[ev.OrderKey], ev.Seq)
		in.pendingConns[ev.Connection]++
		n++
	}
	return n, nil
}

// ClaimEvents implements lifecycle.Inbox.
func (s *Store) ClaimEvents(_ context.Context, c lifecycle.Claim) ([]lifecycle.InboxEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := &s.inbox
	in.init()
	var out []lifecycle.InboxEvent
	perConn := map[string]int{}
	// open counts the connections that can still contribute; full those
	// that reached c.PerConnection: once equal, the scan stops.
	open, full := 0, 0
	if c.PerConnection > 0 {
		for conn := range in.pendingConns {
			if !slices.Contains(c.Skip, conn) {
				open++
			}
		}
	}
	for in.low < len(in.events) && in.events[in.low].State != lifecycle.InboxPending {
		in.low++
	}
	for i := in.low; i < len(in.events) && (c.Limit <= 0 || len(out) < c.Limit) && (c.PerConnection <= 0 || full < open); i++ {
		ev := in.events[i]
		if ev.State != lifecycle.InboxPending || ev.NextAttemptAt.After(c.Now) {
			continue
		}
		if ev.ClaimedBy != "" && !ev.LeaseUntil.Before(c.Now) {
			continue
		}
		if slices.Contains(c.Skip, ev.Connection) {
			continue
		}
		if c.PerConnection > 0 && perConn[ev.Connection] >= c.PerConnection {
			continue
		}
		if in.heldBack(ev, c.Now) {
			continue
		}
		if perConn[ev.Connection]++; c.PerConnection > 0 && perConn[ev.Connection] == c.PerConnection {
			full++
		}
		ev.ClaimedBy = c.Owner
		ev.LeaseUntil = c.Now.Add(c.Lease)
		out = append(out, *ev)
	}
	return out, nil
}

// heldBack reports whether another pending event of ev's order key keeps
// ev waiting (see lifecycle.Inbox.ClaimEvents): one that is leased, or an
// older one, unless that one failed and waits for its retry.
func (in *inbox) heldBack(ev *lifecycle.InboxEvent, now time.Time) bool {
	for _, seq := range in.heads[ev.OrderKey] {
		if seq == ev.Seq {
			continue
		}
		i, ok := slices.BinarySearchFunc(in.events, seq, func(p *lifecycle.InboxEvent, seq int64) int { return cmp.Compare(p.Seq, seq) })
		if !ok {
			continue
		}
		p := in.events[i]
		if p.ClaimedBy != "" && !p.LeaseUntil.Before(now) {
			return true
		}
		if seq < ev.Seq && (p.LastError == "" || !p.NextAttemptAt.After(now)) {
			return true
		}
	}
	return false
}

// FinishEvent implements lifecycle.Inbox.
func (s *Store) FinishEvent(_ context.Context, id, owner string, o lifecycle.InboxOutcome) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := &s.inbox
	in.init()
	ev, ok := in.byID[id]
	if !ok {
		return lifecycle.ErrNotFound
	}
	if ev.State != lifecycle.InboxPending || ev.ClaimedBy != owner {
		return lifecycle.ErrLeaseLost
	}
	ev.ClaimedBy, ev.LeaseUntil = "", time.Time{}
	ev.Attempts, ev.LastError = o.Attempts, o.Error
	switch o.State {
	case lifecycle.InboxProcessed, lifecycle.InboxFailed:
		ev.State, ev.DoneAt = o.State, o.At
		if in.pendingConns[ev.Connection]--; in.pendingConns[ev.Connection] <= 0 {
			delete(in.pendingConns, ev.Connection)
		}
		q := in.heads[ev.OrderKey]
		if j := slices.Index(q, ev.Seq); j >= 0 {
			q = slices.Delete(q, j, j+1)
		}
		if len(q) == 0 {
			delete(in.heads, ev.OrderKey)
		} else {
			in.heads[ev.OrderKey] = q
		}
	default:
		ev.NextAttemptAt = o.NextAttemptAt
	}
	return nil
}

// InboxEvents implements lifecycle.Inbox.
func (s *Store) InboxEvents(_ context.Context, f lifecycle.InboxFilter) ([]lifecycle.InboxEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []lifecycle.InboxEvent
	for _, ev := range s.inbox.events {
		if f.Match(*ev) {
			out = append(out, *ev)
		}
	}
	return out, nil
}

var _ lifecycle.InboxRequeuer = (*Store)(nil)

// RequeueInboxEvents implements lifecycle.InboxRequeuer.
func (s *Store) RequeueInboxEvents(_ context.Context, f lifecycle.InboxFilter, id string, at time.Time) ([]lifecycle.InboxEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := &s.inbox
	in.init()
	var out []lifecycle.InboxEvent
	for i, ev := range in.events {
		if ev.State != lifecycle.InboxFailed || f.Connection != "" && ev.Connection != f.Connection || id != "" && ev.ID != id {
			continue
		}
		ev.State, ev.Attempts, ev.NextAttemptAt, ev.DoneAt = lifecycle.InboxPending, 0, at, time.Time{}
		ev.ClaimedBy, ev.LeaseUntil = "", time.Time{}
		// Back in line for its order key, by Seq: it is older than the
		// events of the same key accepted after it.
		q := in.heads[ev.OrderKey]
		j, _ := slices.BinarySearch(q, ev.Seq)
		in.heads[ev.OrderKey] = slices.Insert(q, j, ev.Seq)
		in.pendingConns[ev.Connection]++
		in.low = min(in.low, i)
		out = append(out, *ev)
	}
	return out, nil
}
