package levertest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Delivery is an outgoing webhook delivery and its outcome.
type Delivery struct {
	WebhookID string
	URL       string
	Event     string
	// Body is the signed JSON payload exactly as sent.
	Body []byte
	// StatusCode is the receiver's answer (0 when the request failed).
	StatusCode int
	// Err is the transport error, if any.
	Err string
}

// SignPayload builds a Lever delivery body for event and data, signed
// with signatureToken: signature = hex(HMAC-SHA256(signatureToken,
// token + triggeredAt)).
func SignPayload(signatureToken, id, event string, triggeredAt time.Time, data any) []byte {
	token := randHex(16)
	ts := strconv.FormatInt(triggeredAt.UnixMilli(), 10)
	m := hmac.New(sha256.New, []byte(signatureToken))
	io.WriteString(m, token+ts)
	body, _ := json.Marshal(map[string]any{
		"id": id, "triggeredAt": triggeredAt.UnixMilli(), "event": event, "data": data,
		"token": token, "signature": hex.EncodeToString(m.Sum(nil)),
	})
	return body
}

// fire queues a delivery to every webhook for event. Caller holds s.mu.
func (s *Server) fire(event string, data map[string]any) {
	for _, h := range s.webhooks {
		if h.Event != event {
			continue
		}
		body := SignPayload(h.SignatureToken, s.id(kEvent), event, s.now(), data)
		s.hooks.enqueue(Delivery{WebhookID: h.ID, URL: h.URL, Event: event, Body: body})
	}
}

// FlushWebhooks blocks until every queued delivery has been attempted (or
// the server is closed).
func (s *Server) FlushWebhooks() { s.hooks.flush() }

// Deliveries returns the attempted deliveries, oldest first. Call
// FlushWebhooks first to include those still queued.
func (s *Server) Deliveries() []Delivery { return s.hooks.done() }

// deliverer sends webhooks one at a time, in order, from one goroutine,
// which close stops: it cancels the delivery in flight, records the queued
// ones as not sent and waits for the goroutine to exit.
type deliverer struct {
	hc     *http.Client
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []Delivery
	busy    bool
	closed  bool
	results []Delivery
	exited  chan struct{}
}

// errClosed is recorded on deliveries abandoned by Close.
const errClosed = "levertest: server closed before delivery"

func newDeliverer(hc *http.Client) *deliverer {
	ctx, cancel := context.WithCancel(context.Background())
	d := &deliverer{hc: &http.Client{Transport: hc.Transport, Timeout: 10 * time.Second}, ctx: ctx, cancel: cancel, exited: make(chan struct{})}
	d.cond = sync.NewCond(&d.mu)
	go d.run()
	return d
}

func (d *deliverer) enqueue(x Delivery) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		x.Err = errClosed
		d.results = append(d.results, x)
		return
	}
	d.queue = append(d.queue, x)
	d.cond.Broadcast()
}

func (d *deliverer) run() {
	defer close(d.exited)
	d.mu.Lock()
	for {
		for len(d.queue) == 0 && !d.closed {
			d.cond.Wait()
		}
		if d.closed {
			for _, x := range d.queue {
				x.Err = errClosed
				d.results = append(d.results, x)
			}
			d.queue = nil
			d.cond.Broadcast()
			d.mu.Unlock()
			return
		}
		x := d.queue[0]
		d.queue = d.queue[1:]
		d.busy = true
		d.mu.Unlock()

		d.send(&x)

		d.mu.Lock()
		d.results = append(d.results, x)
		d.busy = false
		d.cond.Broadcast()
	}
}

// send posts one delivery; close cancels it.
func (d *deliverer) send(x *Delivery) {
	req, err := http.NewRequestWithContext(d.ctx, http.MethodPost, x.URL, bytes.NewReader(x.Body))
	if err != nil {
		x.Err = err.Error()
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.hc.Do(req)
	if err != nil {
		x.Err = err.Error()
		if d.ctx.Err() != nil {
			x.Err = errClosed
		}
		return
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	x.StatusCode = resp.StatusCode
}

// flush waits until the queue is empty and nothing is in flight (or the
// deliverer is closed).
func (d *deliverer) flush() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for (len(d.queue) > 0 || d.busy) && !d.closed {
		d.cond.Wait()
	}
}

func (d *deliverer) done() []Delivery {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.results)
}

func (d *deliverer) close() {
	d.mu.Lock()
	d.closed = true
	d.cond.Broadcast()
	d.mu.Unlock()
	d.cancel()
	<-d.exited
}
