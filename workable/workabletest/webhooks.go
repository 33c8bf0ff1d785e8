package workabletest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/atskit/atskit/internal/fakeserver"
)

// SignatureHeader is the header carrying a delivery's signature.
const SignatureHeader = "X-Workable-Signature"

// Sign returns the signature Workable sends for body: the hex-encoded
// HMAC-SHA256 of the raw body keyed with secret. Workable documents the
// algorithm and header; hex encoding is confirmed only by third-party code
// (https://workable.readme.io/reference/webhooks; not documented).
func Sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Delivery is a webhook delivery the fake made (or is making).
type Delivery struct {
	// ID is the envelope id.
	ID             string
	Event          string
	SubscriptionID int
	Target         string
	CandidateID    string
	// Body and Header are what was sent (the body is built once, at the
	// first attempt, from the candidate's state at that time).
	Body   []byte
	Header http.Header
	// Attempts counts attempts; Status is the last answer (0 on a
	// transport error); Delivered is true once the target answered 200.
	Attempts  int
	Status    int
	Delivered bool
	FiredAt   time.Time
	secret    string
}

// Deliveries returns every delivery so far, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Delivery, len(s.deliveries))
	for i, d := range s.deliveries {
		out[i] = *d
		out[i].Header = d.Header.Clone()
	}
	return out
}

// WaitDeliveries blocks until no delivery is pending (each has been
// answered 200 or has used up its attempts) or ctx is done.
func (s *Server) WaitDeliveries(ctx context.Context) error { return s.pending.Wait(ctx) }

// fireLocked queues deliveries of event about c to matching subscriptions.
// A closed server delivers nothing, so no goroutine outlives Close.
func (s *Server) fireLocked(event string, c *Candidate) {
	if s.ctx.Err() != nil {
		return
	}
	for _, sub := range s.subs {
		if sub.Event != event || (sub.JobShortcode != "" && sub.JobShortcode != c.JobShortcode) ||
			(sub.StageSlug != "" && sub.StageSlug != c.Stage) {
			continue
		}
		s.eventSeq++
		d := &Delivery{
			ID: fmt.Sprintf("evt_%06d", s.eventSeq), Event: event, SubscriptionID: sub.ID,
			Target: sub.Target, CandidateID: c.ID, FiredAt: s.cfg.now().UTC(), secret: sub.secret,
		}
		s.deliveries = append(s.deliveries, d)
		s.pending.Add()
		if s.cfg.syncWebhooks {
			s.syncQueue = append(s.syncQueue, d)
		} else {
			go s.deliver(d)
		}
	}
}

// flushSync delivers queued deliveries in synchronous mode. Callers hold
// no lock.
func (s *Server) flushSync() {
	s.mu.Lock()
	q := s.syncQueue
	s.syncQueue = nil
	s.mu.Unlock()
	for _, d := range q {
		s.deliver(d)
	}
}

// payloadLocked builds the envelope: id, event_type, fired_at,
// resource_type and data (the candidate as the details endpoint shows it,
// at delivery time). Envelope names come from third-party code and
// https://workable.readme.io/reference/candidate-events; the id format is
// not confirmed.
func (s *Server) payloadLocked(d *Delivery) []byte {
	data := map[string]any{"id": d.CandidateID}
	if c := s.candsByID[d.CandidateID]; c != nil {
		data = s.candidateJSON(c, true)
	}
	b, _ := json.Marshal(map[string]any{
		"id": d.ID, "event_type": d.Event, "fired_at": d.FiredAt.Format(time.RFC3339),
		"resource_type": "candidate", "data": data,
	})
	return b
}

func (s *Server) deliver(d *Delivery) {
	defer s.pending.Done()
	s.mu.Lock()
	body := s.payloadLocked(d)
	d.Body = body
	d.Header = http.Header{"Content-Type": {"application/json"}, SignatureHeader: {Sign(body, d.secret)}}
	header := d.Header.Clone()
	s.mu.Unlock()
	fakeserver.Retry(s.ctx, s.cfg.retryGaps, func(int) bool {
		status, _ := fakeserver.Post(s.ctx, s.hc, d.Target, body, header)
		s.mu.Lock()
		defer s.mu.Unlock()
		d.Attempts++
		d.Status = status
		// Only 200 counts as success (https://workable.readme.io/reference/webhooks).
		d.Delivered = status == http.StatusOK
		return d.Delivered
	})
}
