package levertest

import (
	"bytes"
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

// FlushWebhooks blocks until every queued delivery has been attempted.
func (s *Server) FlushWebhooks() { s.hooks.flush() }

// Deliveries returns the attempted deliveries, oldest first. Call
// FlushWebhooks first to include those still queued.
func (s *Server) Deliveries() []Delivery { return s.hooks.done() }

// deliverer sends webhooks one at a time, in order, from one goroutine.
type deliverer struct {
	hc *http.Client

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []Delivery
	busy    bool
	closed  bool
	results []Delivery
	exited  chan struct{}
}

func newDeliverer(hc *http.Client) *deliverer {
	d := &deliverer{hc: &http.Client{Transport: hc.Transport, Timeout: 10 * time.Second}, exited: make(chan struct{})}
	d.cond = sync.NewCond(&d.mu)
	go d.run()
	return d
}

func (d *deliverer) enqueue(x Delivery) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
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
		if len(d.queue) == 0 && d.closed {
			d.mu.Unlock()
			return
		}
		x := d.queue[0]
		d.queue = d.queue[1:]
		d.busy = true
		d.mu.Unlock()

		resp, err := d.hc.Post(x.URL, "application/json", bytes.NewReader(x.Body))
		if err != nil {
			x.Err = err.Error()
		} else {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			x.StatusCode = resp.StatusCode
		}

		d.mu.Lock()
		d.results = append(d.results, x)
		d.busy = false
		d.cond.Broadcast()
	}
}

func (d *deliverer) flush() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for len(d.queue) > 0 || d.busy {
		d.cond.Wait()
	}
}

func (d *deliverer) done() []Delivery {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.results)
}

func (d *deliverer) close() {
	d.flush()
	d.mu.Lock()
	d.closed = true
	d.cond.Broadcast()
	d.mu.Unlock()
	<-d.exited
}
