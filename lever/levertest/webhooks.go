package levertest

import (
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

	"github.com/atskit/atskit/internal/fakeserver"
)

// UserAgent is the User-Agent of Lever's webhook deliveries
// (https://hire.lever.co/developer/documentation#webhooks).
const UserAgent = "Lever-Webhooks"

// DefaultRetryGaps returns the waits before the fake's five retries of a
// delivery the receiver did not answer 2xx. Lever documents "five times,
// waiting longer and longer in between tries" without the times; the fake
// keeps the shape (five, growing) at test speed. WithWebhookRetryGaps
// changes them.
// Each call returns a new slice.
func DefaultRetryGaps() []time.Duration {
	return []time.Duration{5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond}
}

// WithWebhookRetryGaps sets the waits before each retry of a failed
// delivery; its length is the number of retries (Lever: five).
func WithWebhookRetryGaps(gaps ...time.Duration) Option {
	return func(s *Server) { s.retryGaps = slices.Clone(gaps) }
}

// Delivery is one attempt to deliver a webhook, and its outcome.
type Delivery struct {
	WebhookID string
	URL       string
	Event     string
	// Body is the signed JSON payload exactly as sent. A retry or a Rerun
	// sends the same body (same token and triggeredAt).
	Body []byte
	// Attempt is 0 for the first try, 1–5 for Lever's retries.
	Attempt int
	// Rerun is true for an attempt started by Server.Rerun.
	Rerun bool
	// StatusCode is the receiver's answer (0 when the request failed).
	StatusCode int
	// Err is the transport error, if any.
	Err string
}

// SignPayload builds a Lever delivery body for event and data with a fresh
// 48-character token, signed with signatureToken: signature =
// hex(HMAC-SHA256(signatureToken, token + triggeredAt)). id "" leaves out
// the top-level "id", as Lever's documented deliveries do.
func SignPayload(signatureToken, id, event string, triggeredAt time.Time, data any) []byte {
	return SignDelivery(signatureToken, NewDeliveryToken(), id, event, strconv.FormatInt(triggeredAt.UnixMilli(), 10), data)
}

// NewDeliveryToken returns a random delivery token shaped like Lever's
// ("Randomly generated string with length 48").
func NewDeliveryToken() string { return randHex(24) }

// SignDelivery builds a Lever delivery body with the given token and
// triggeredAt (the decimal digits exactly as they appear in the body),
// signed with signatureToken. id "" leaves out the top-level "id".
func SignDelivery(signatureToken, token, id, event, triggeredAt string, data any) []byte {
	m := hmac.New(sha256.New, []byte(signatureToken))
	io.WriteString(m, token+triggeredAt)
	p := map[string]any{
		"triggeredAt": json.Number(triggeredAt), "event": event, "data": data,
		"token": token, "signature": hex.EncodeToString(m.Sum(nil)),
	}
	if id != "" {
		p["id"] = id
	}
	body, _ := json.Marshal(p)
	return body
}

// SetWebhookGroup switches a webhook group (one event, e.g.
// "candidateStageChange") on or off, as a Super Admin does on the webhooks
// page of Lever's settings. Webhooks created through POST /webhooks
// deliver nothing until their group is on; AddWebhook (a webhook added in
// the settings page) switches its group on.
func (s *Server) SetWebhookGroup(event string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groupOn[event] = on
}

// fire queues a delivery to every webhook for event whose group is on.
// Caller holds s.mu.
func (s *Server) fire(event string, data map[string]any) {
	if !s.groupOn[event] {
		return
	}
	for _, h := range s.webhooks {
		if h.Event != event {
			continue
		}
		body := SignPayload(h.SignatureToken, "", event, s.now(), data)
		s.hooks.enqueue(Delivery{WebhookID: h.ID, URL: h.URL, Event: event, Body: body})
	}
}

// Rerun sends a recorded delivery again, as an admin's "Rerun" button in
// the webhook delivery history does: the same body, signature and all,
// whenever it is pressed (Lever keeps two weeks of history). A failed
// Rerun is retried like any delivery.
func (s *Server) Rerun(d Delivery) {
	d.Attempt, d.Rerun, d.StatusCode, d.Err = 0, true, 0, ""
	s.hooks.enqueue(d)
}

// WaitDeliveries blocks until every queued delivery, including the retries
// of failed ones, has been attempted, the server is closed or ctx is done;
// it returns ctx's error in the last case.
func (s *Server) WaitDeliveries(ctx context.Context) error { return s.hooks.wait(ctx) }

// Deliveries returns the attempted deliveries, oldest first, one entry
// per attempt. Call WaitDeliveries first to include those still queued.
func (s *Server) Deliveries() []Delivery { return s.hooks.done() }

// deliverer sends webhooks one at a time, in order, from one goroutine,
// which close stops: it cancels the delivery in flight, records the queued
// ones as not sent and waits for the goroutine to exit. A failed attempt
// is queued again after the next retry gap.
type deliverer struct {
	hc     *http.Client
	gaps   []time.Duration
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []Delivery
	waiting int // retries whose gap has not yet passed
	busy    bool
	closed  bool
	results []Delivery
	exited  chan struct{}
}

// errClosed is recorded on deliveries abandoned by Close.
const errClosed = "levertest: server closed before delivery"

func newDeliverer(hc *http.Client, gaps []time.Duration) *deliverer {
	ctx, cancel := context.WithCancel(context.Background())
	d := &deliverer{hc: &http.Client{Transport: hc.Transport, Timeout: 10 * time.Second}, gaps: gaps, ctx: ctx, cancel: cancel, exited: make(chan struct{})}
	d.cond = sync.NewCond(&d.mu)
	go d.run()
	return d
}

func (d *deliverer) enqueue(x Delivery) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.enqueueLocked(x)
}

func (d *deliverer) enqueueLocked(x Delivery) {
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
		if (x.StatusCode < 200 || x.StatusCode > 299) && x.Err != errClosed && x.Attempt < len(d.gaps) {
			retry := x
			retry.Attempt++
			retry.StatusCode, retry.Err = 0, ""
			d.waiting++
			time.AfterFunc(d.gaps[x.Attempt], func() {
				d.mu.Lock()
				defer d.mu.Unlock()
				d.waiting--
				d.enqueueLocked(retry)
				d.cond.Broadcast()
			})
		}
		d.cond.Broadcast()
	}
}

// send posts one delivery; close cancels it.
func (d *deliverer) send(x *Delivery) {
	h := http.Header{"Content-Type": {"application/json"}, "User-Agent": {UserAgent}}
	status, err := fakeserver.Post(d.ctx, d.hc, x.URL, x.Body, h)
	if err != nil {
		x.Err = err.Error()
		if d.ctx.Err() != nil {
			x.Err = errClosed
		}
		return
	}
	x.StatusCode = status
}

// wait waits until the queue is empty, no retry is waiting for its gap
// and nothing is in flight (or the deliverer is closed, or ctx is done).
func (d *deliverer) wait(ctx context.Context) error {
	// Wake the waiter when ctx ends; the broadcast is taken under the lock
	// so it cannot slip between the check and cond.Wait.
	stop := context.AfterFunc(ctx, func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.cond.Broadcast()
	})
	defer stop()
	d.mu.Lock()
	defer d.mu.Unlock()
	for (len(d.queue) > 0 || d.busy || d.waiting > 0) && !d.closed {
		if err := ctx.Err(); err != nil {
			return err
		}
		d.cond.Wait()
	}
	return nil
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
