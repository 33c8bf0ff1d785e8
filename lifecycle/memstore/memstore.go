package memstore

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/lifecycle"
	"github.com/atskit/atskit/pacing"
)

// Store is an in-memory lifecycle.Store. The zero value is not usable; call
// New.
type Store struct {
	mu         sync.Mutex
	positions  map[string]lifecycle.Position
	interviews map[string]lifecycle.Interview
	byKey      map[lifecycle.InterviewKey]string
	byCand     map[[2]string][]string
	events     map[lifecycle.EventRef]time.Time // when processed
	effects    []*lifecycle.Effect              // ordered by Seq; done/failed ones are kept
	effectByID map[string]*lifecycle.Effect
	conns      map[string]lifecycle.Connection
	// pendingConns counts pending effects per connection, so a claim
	// capped per connection stops scanning once every connection with
	// pending effects has its share.
	pendingConns map[string]int
	// pending counts pending effects per order key with their lowest Seq
	// as the head of the queue.
	heads map[string][]int64
	seq   int64
	// low is the index in effects before which nothing is pending.
	low int

	pacer pacing.Memory
	// replay backs RememberDelivery (replay.go); it has its own lock.
	replay ats.MemoryReplayGuard

	// reconcileLeases holds each connection's reconcile lease
	// (reconcile_lease.go), guarded by mu.
	reconcileLeases map[string]reconcileLease

	// inbox holds accepted events (inbox.go), guarded by mu.
	inbox inbox
}

// Pacer returns the store's in-process pacing.Pacer: every client given it
// shares each account's request budget (see lifecycle/sqlstore's
// Store.Pacer to share it across replicas).
func (s *Store) Pacer() pacing.Pacer { return &s.pacer }

var _ lifecycle.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{
		positions:    map[string]lifecycle.Position{},
		interviews:   map[string]lifecycle.Interview{},
		byKey:        map[lifecycle.InterviewKey]string{},
		byCand:       map[[2]string][]string{},
		events:       map[lifecycle.EventRef]time.Time{},
		effectByID:   map[string]*lifecycle.Effect{},
		conns:        map[string]lifecycle.Connection{},
		pendingConns: map[string]int{},
		heads:        map[string][]int64{},
	}
}

// Position implements lifecycle.Store.
func (s *Store) Position(_ context.Context, id string) (lifecycle.Position, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.positions[id]
	if !ok {
		return lifecycle.Position{}, lifecycle.ErrNotFound
	}
	return p.Clone(), nil
}

// Positions implements lifecycle.Store.
func (s *Store) Positions(_ context.Context, f lifecycle.PositionFilter) ([]lifecycle.Position, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []lifecycle.Position
	for _, p := range s.positions {
		if (f.Connection == "" || p.Connection == f.Connection) && (f.Source == "" || p.Source == f.Source) && (f.Status == "" || p.Status == f.Status) &&
			p.ID > f.AfterID {
			out = append(out, p.Clone())
		}
	}
	slices.SortFunc(out, func(a, b lifecycle.Position) int { return cmp.Compare(a.ID, b.ID) })
	return limit(out, f.Limit), nil
}

// SavePosition implements lifecycle.Store.
func (s *Store) SavePosition(_ context.Context, p lifecycle.Position) (lifecycle.Position, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.positions[p.ID]
	if (!ok && p.Version != 0) || (ok && cur.Version != p.Version) {
		return lifecycle.Position{}, lifecycle.ErrVersionConflict
	}
	p = p.Clone()
	p.Version++
	s.positions[p.ID] = p
	return p.Clone(), nil
}

// Interview implements lifecycle.Store.
func (s *Store) Interview(_ context.Context, id string) (lifecycle.Interview, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	iv, ok := s.interviews[id]
	if !ok {
		return lifecycle.Interview{}, lifecycle.ErrNotFound
	}
	return iv.Clone(), nil
}

// InterviewByKey implements lifecycle.Store.
func (s *Store) InterviewByKey(_ context.Context, k lifecycle.InterviewKey) (lifecycle.Interview, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.byKey[k]
	if !ok {
		return lifecycle.Interview{}, lifecycle.ErrNotFound
	}
	return s.interviews[id].Clone(), nil
}

// Interviews implements lifecycle.Store.
func (s *Store) Interviews(_ context.Context, f lifecycle.InterviewFilter) ([]lifecycle.Interview, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []lifecycle.Interview
	if f.Connection != "" && f.CandidateID != "" {
		// Fast path for the engine's most common query.
		for _, id := range s.byCand[[2]string{f.Connection, f.CandidateID}] {
			if iv := s.interviews[id]; f.Match(iv) {
				out = append(out, iv.Clone())
			}
		}
		return limit(sortInterviews(out), f.Limit), nil
	}
	for _, iv := range s.interviews {
		if f.Match(iv) {
			out = append(out, iv.Clone())
		}
	}
	return limit(sortInterviews(out), f.Limit), nil
}

func sortInterviews(ivs []lifecycle.Interview) []lifecycle.Interview {
	slices.SortFunc(ivs, func(a, b lifecycle.Interview) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return ivs
}

func limit[T any](s []T, n int) []T {
	if n > 0 && len(s) > n {
		return s[:n]
	}
	return s
}

// EventProcessed implements lifecycle.Store.
func (s *Store) EventProcessed(_ context.Context, ev lifecycle.EventRef) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.events[ev]
	return ok, nil
}

// Commit implements lifecycle.Store.
func (s *Store) Commit(_ context.Context, c lifecycle.Change) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Validate everything first so a failure writes nothing.
	if c.Event != nil {
		if _, ok := s.events[*c.Event]; ok {
			return lifecycle.ErrDuplicateEvent
		}
	}
	keys := map[lifecycle.InterviewKey]bool{}
	ids := map[string]bool{}
	for _, iv := range c.Create {
		k := iv.Key()
		if _, ok := s.byKey[k]; ok || keys[k] {
			return lifecycle.ErrDuplicateInterview
		}
		if _, ok := s.interviews[iv.ID]; ok || ids[iv.ID] {
			return lifecycle.ErrDuplicateInterview
		}
		keys[k], ids[iv.ID] = true, true
	}
	for _, iv := range c.Update {
		cur, ok := s.interviews[iv.ID]
		if !ok || cur.Version != iv.Version || ids[iv.ID] {
			return lifecycle.ErrVersionConflict
		}
		ids[iv.ID] = true
	}
	for _, e := range c.Effects {
		if _, ok := s.effectByID[e.ID]; ok || e.ID == "" {
			return lifecycle.ErrVersionConflict
		}
	}
	if c.Event != nil {
		at := c.At
		if at.IsZero() {
			at = time.Now()
		}
		s.events[*c.Event] = at
	}
	for _, iv := range c.Create {
		iv = iv.Clone()
		iv.Version = 1
		s.interviews[iv.ID] = iv
		s.byKey[iv.Key()] = iv.ID
		ck := [2]string{iv.Connection, iv.CandidateID}
		s.byCand[ck] = append(s.byCand[ck], iv.ID)
	}
	for _, iv := range c.Update {
		iv = iv.Clone()
		iv.Version++
		s.interviews[iv.ID] = iv
	}
	for _, e := range c.Effects {
		e = e.Clone()
		s.seq++
		e.Seq = s.seq
		e.State = lifecycle.EffectPending
		e.Attempts, e.Unacked, e.ClaimedBy, e.LeaseUntil, e.LastError, e.DoneAt = 0, false, "", time.Time{}, "", time.Time{}
		p := &e
		s.effects = append(s.effects, p)
		s.effectByID[e.ID] = p
		s.heads[e.OrderKey] = append(s.heads[e.OrderKey], e.Seq)
		s.pendingConns[e.Connection]++
	}
	return nil
}

// ClaimEffects implements lifecycle.Store.
func (s *Store) ClaimEffects(_ context.Context, c lifecycle.Claim) ([]lifecycle.Effect, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []lifecycle.Effect
	perConn := map[string]int{}
	// open counts the connections that can still contribute; full those
	// that reached c.PerConnection.
	open, full := 0, 0
	if c.PerConnection > 0 {
		for conn := range s.pendingConns {
			if cs, ok := s.conns[conn]; (!ok || cs.State != lifecycle.ConnectionDisabled) && !slices.Contains(c.Skip, conn) {
				open++
			}
		}
	}
	// Skip the delivered prefix of the log.
	for s.low < len(s.effects) && s.effects[s.low].State != lifecycle.EffectPending {
		s.low++
	}
	for i := s.low; i < len(s.effects) && (c.Limit <= 0 || len(out) < c.Limit) && (c.PerConnection <= 0 || full < open); i++ {
		e := s.effects[i]
		if e.State != lifecycle.EffectPending || e.NextAttemptAt.After(c.Now) {
			continue
		}
		if e.ClaimedBy != "" && !e.LeaseUntil.Before(c.Now) {
			continue
		}
		// Cheapest checks first: a skipped connection's backlog is
		// passed over by every claim.
		if slices.Contains(c.Skip, e.Connection) {
			continue
		}
		if c.PerConnection > 0 && perConn[e.Connection] >= c.PerConnection {
			continue
		}
		if q := s.heads[e.OrderKey]; len(q) == 0 || q[0] != e.Seq {
			continue
		}
		if c, ok := s.conns[e.Connection]; ok && c.State == lifecycle.ConnectionDisabled {
			continue
		}
		if perConn[e.Connection]++; c.PerConnection > 0 && perConn[e.Connection] == c.PerConnection {
			full++
		}
		e.ClaimedBy = c.Owner
		e.LeaseUntil = c.Now.Add(c.Lease)
		out = append(out, e.Clone())
	}
	return out, nil
}

// BeginAttempt implements lifecycle.Store.
func (s *Store) BeginAttempt(_ context.Context, id, owner string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.effectByID[id]
	if !ok {
		return lifecycle.ErrNotFound
	}
	if e.State != lifecycle.EffectPending || e.ClaimedBy != owner || e.LeaseUntil.Before(at) {
		return lifecycle.ErrLeaseLost
	}
	e.Attempts++
	e.Unacked = true
	return nil
}

// FinishEffect implements lifecycle.Store.
func (s *Store) FinishEffect(_ context.Context, id, owner string, o lifecycle.Outcome) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.effectByID[id]
	if !ok {
		return lifecycle.ErrNotFound
	}
	if e.State != lifecycle.EffectPending || e.ClaimedBy != owner {
		return lifecycle.ErrLeaseLost
	}
	e.Unacked = false
	e.ClaimedBy = ""
	e.LeaseUntil = time.Time{}
	e.LastError = o.Error
	switch o.State {
	case lifecycle.EffectDone, lifecycle.EffectFailed, lifecycle.EffectParked:
		e.State = o.State
		e.DoneAt = o.At
		if s.pendingConns[e.Connection]--; s.pendingConns[e.Connection] <= 0 {
			delete(s.pendingConns, e.Connection)
		}
		q := s.heads[e.OrderKey]
		if j := slices.Index(q, e.Seq); j >= 0 {
			q = slices.Delete(q, j, j+1)
		}
		if len(q) == 0 {
			delete(s.heads, e.OrderKey)
		} else {
			s.heads[e.OrderKey] = q
		}
	default:
		e.NextAttemptAt = o.NextAttemptAt
	}
	return nil
}

var _ lifecycle.EffectRequeuer = (*Store)(nil)

// RequeueEffects implements lifecycle.EffectRequeuer.
func (s *Store) RequeueEffects(_ context.Context, f lifecycle.EffectFilter, id string, at time.Time) ([]lifecycle.Effect, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f.State = lifecycle.EffectParked
	var out []lifecycle.Effect
	for _, e := range s.effects {
		if !f.Match(*e) || (id != "" && e.ID != id) {
			continue
		}
		e.State = lifecycle.EffectPending
		e.Attempts, e.NextAttemptAt, e.DoneAt = 0, at, time.Time{}
		s.pendingConns[e.Connection]++
		q := s.heads[e.OrderKey]
		i, _ := slices.BinarySearch(q, e.Seq)
		s.heads[e.OrderKey] = slices.Insert(q, i, e.Seq)
		out = append(out, e.Clone())
	}
	if len(out) > 0 {
		s.low = 0
	}
	return out, nil
}

// Effects implements lifecycle.Store.
func (s *Store) Effects(_ context.Context, f lifecycle.EffectFilter) ([]lifecycle.Effect, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []lifecycle.Effect
	for _, e := range s.effects {
		if f.Match(*e) {
			out = append(out, e.Clone())
			if f.Limit > 0 && len(out) == f.Limit {
				break
			}
		}
	}
	return out, nil
}

// Connection implements lifecycle.Store.
func (s *Store) Connection(_ context.Context, id string) (lifecycle.Connection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.conns[id]
	if !ok {
		return lifecycle.Connection{}, lifecycle.ErrNotFound
	}
	return c.Clone(), nil
}

// Connections implements lifecycle.Store.
func (s *Store) Connections(_ context.Context, f lifecycle.ConnectionFilter) ([]lifecycle.Connection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []lifecycle.Connection
	for _, c := range s.conns {
		if f.Match(c) {
			out = append(out, c.Clone())
		}
	}
	slices.SortFunc(out, func(a, b lifecycle.Connection) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// SaveConnection implements lifecycle.Store.
func (s *Store) SaveConnection(_ context.Context, c lifecycle.Connection) (lifecycle.Connection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.conns[c.ID]
	if (!ok && c.Version != 0) || (ok && cur.Version != c.Version) {
		return lifecycle.Connection{}, lifecycle.ErrVersionConflict
	}
	c = c.Clone()
	c.Version++
	s.conns[c.ID] = c
	return c.Clone(), nil
}

var _ lifecycle.EffectCounter = (*Store)(nil)

// CountEffects implements lifecycle.EffectCounter.
func (s *Store) CountEffects(_ context.Context, states []lifecycle.EffectState) (map[lifecycle.EffectState]map[string]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[lifecycle.EffectState]map[string]int64{}
	for _, e := range s.effects {
		if !slices.Contains(states, e.State) {
			continue
		}
		conn := e.Connection
		if conn == "" {
			conn = e.Source
		}
		if out[e.State] == nil {
			out[e.State] = map[string]int64{}
		}
		out[e.State][conn]++
	}
	return out, nil
}
