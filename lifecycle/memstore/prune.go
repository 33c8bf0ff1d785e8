package memstore

import (
	"context"
	"time"

	"github.com/atskit/atskit/lifecycle"
)

var _ lifecycle.Pruner = (*Store)(nil)

// Prune implements lifecycle.Pruner.
func (s *Store) Prune(_ context.Context, before time.Time, limit int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	total := 0

	n := 0
	kept := s.effects[:0]
	for _, e := range s.effects {
		if n < limit && e.State == lifecycle.EffectDone && e.DoneAt.Before(before) {
			delete(s.effectByID, e.ID)
			n++
			continue
		}
		kept = append(kept, e)
	}
	clear(s.effects[len(kept):])
	s.effects, s.low = kept, 0
	total += n

	n = 0
	for ref, at := range s.events {
		if n >= limit {
			break
		}
		if at.Before(before) {
			delete(s.events, ref)
			n++
		}
	}
	total += n

	in := &s.inbox
	in.init()
	n = 0
	keptEv := in.events[:0]
	for _, ev := range in.events {
		if n < limit && ev.State == lifecycle.InboxProcessed && ev.DoneAt.Before(before) {
			delete(in.byID, ev.ID)
			if ev.EventID != "" {
				delete(in.keys, inboxKey(ev))
			}
			n++
			continue
		}
		keptEv = append(keptEv, ev)
	}
	clear(in.events[len(keptEv):])
	in.events, in.low = keptEv, 0
	total += n
	return total, nil
}
