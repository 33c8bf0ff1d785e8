package lifecycle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/atskit/atskit/ats"
	"github.com/atskit/atskit/internal/errfmt"
)

type notePayload struct {
	Body       string         `json:"body"`
	Visibility ats.Visibility `json:"visibility,omitempty"`
}

type movePayload struct {
	StageID string `json:"stage_id"`
}

type tagPayload struct {
	Tags []string `json:"tags"`
}

type feedbackPayload struct {
	Feedback ats.Feedback `json:"feedback"`
}

type vendorPayload struct {
	Attempt int `json:"attempt"`
}

type callbackPayload struct {
	Callback Callback       `json:"callback"`
	Result   CallbackResult `json:"result"`
}

// NoteMarker returns the default de-duplication marker ("[ref <effect ID>]")
// the dispatcher appends, on a line of its own, to the body of the note
// delivered for effect effectID, and to the summary of feedback an adapter
// can list (FeedbackLister). Options.NoteMarker replaces it; adapters that
// can hide it (MarkedNoter) store the effect ID out of sight instead.
func NoteMarker(effectID string) string { return "[ref " + effectID + "]" }

// DispatcherOptions configures a Dispatcher. The zero value is usable.
type DispatcherOptions struct {
	// Owner identifies this dispatcher in leases; default host name,
	// process ID and a random suffix.
	Owner string
	// Lease is how long a claim holds before another dispatcher may take
	// the effect over; default one minute. Each delivery's calls run under
	// a deadline at the end of its lease, and an effect whose lease ended
	// while it waited for a worker is left to the next claim, so Lease
	// must comfortably exceed the time to deliver a batch of BatchSize
	// effects with Workers workers.
	Lease time.Duration
	// BatchSize is the number of effects claimed at once; default 64.
	BatchSize int
	// Workers is the number of effects delivered concurrently; default 4.
	Workers int
	// PollInterval is how long Run waits when the outbox is empty;
	// default one second. Effects committed by the same Engine wake Run
	// immediately.
	PollInterval time.Duration
	// MaxAttempts fails an effect after this many attempts; default 25.
	MaxAttempts int
	// Backoff returns the wait before attempt n+1 after n failed attempts;
	// default exponential from one second to 15 minutes with jitter.
	Backoff func(attempt int) time.Duration

	// PerConnection bounds the effects of one connection claimed at once
	// and in flight at once in this dispatcher while other connections
	// have work waiting, so one connection's backlog — or a connection
	// whose ATS stalls — cannot take every worker from the others; a
	// connection alone with work gets them all unless its deliveries
	// stall. Default max(1, Workers/4).
	PerConnection int
	// MaxPacingWait is the longest a worker waits for a connection's
	// request budget: an ATS effect whose adapter reports a longer
	// PacingDelay is put back until then, and the connection is skipped
	// meanwhile, instead of holding a worker; default one second.
	MaxPacingWait time.Duration
	// CallTimeout bounds each delivery's calls (they also end with the
	// lease); default none beyond the lease.
	CallTimeout time.Duration
}

// PacingDelayer is an optional adapter capability: how long the next
// request would wait for the account's request budget, without booking it.
// The workable and lever clients implement it.
type PacingDelayer interface {
	PacingDelay(ctx context.Context) (time.Duration, error)
}

// Dispatcher delivers outbox effects at least once: notes, stage moves,
// tags, feedback, interviews on the profile and report files through the
// ATS adapters, interview creation and
// cancellation through the Vendor, and provider callbacks through the
// CallbackPublisher. It also processes the events Engine.AcceptEvents put
// in the Store's inbox (see Inbox), with the workers effects leave free,
// under the same per-connection fairness, pacing and back-off.
//
// Errors are classified like this: an ats.RateLimitError waits the time
// the ATS asked for (ats.RetryAfter); ats.IsPermanent errors (not found,
// validation, other 4xx) and errors with Permanent() == true fail the effect
// and record why; everything else (5xx, transport) is retried with backoff.
//
// Before each ATS call the attempt is recorded (Store.BeginAttempt). A note
// whose earlier attempt may have reached the ATS — never acknowledged
// because the process died between the call and recording its outcome, or
// failed with a timeout after the ATS had stored it — is first looked up
// with NoteLister (the note body carries NoteMarker), so neither a crash
// nor a retry duplicates it where the adapter can list notes.
//
// Several dispatchers, also in different processes, may share one Store:
// claims are leased, an attempt only begins while its lease holds and its
// calls end when the lease does, and a dispatcher that dies loses its
// claims when the lease ends. One that is stopped (its context cancelled)
// still records the outcome of calls it made and releases the effects it
// had not started.
type Dispatcher struct {
	e    *Engine
	opts DispatcherOptions

	mu sync.Mutex
	// inflight counts deliveries per connection; cool holds connections
	// backing off (rate limited, refused credentials, failing or slow)
	// until a time, with their consecutive failures.
	inflight map[string]int
	// oldest is when the oldest delivery in flight per connection
	// started (wall clock).
	oldest map[string]time.Time
	cool   map[string]cooling
	// rechecked holds the IDs of effects recheckParked requeued, so an
	// effect is requeued that way at most once per dispatcher.
	rechecked sync.Map
}

type cooling struct {
	until    time.Time
	failures int
	set      time.Time // when until was last extended
}

// coolingOf returns conn's cool-down, lifted (and forgotten) when the
// connection's parked effects were requeued after it began: the operator
// fixed what the cool-down waited for. d.mu must be held.
func (d *Dispatcher) coolingOf(conn string) cooling {
	c := d.cool[conn]
	if at, ok := d.e.requeued.Load(conn); ok && !c.set.IsZero() && !at.(time.Time).Before(c.set) {
		delete(d.cool, conn)
		return cooling{}
	}
	return c
}

// Dispatcher returns a dispatcher delivering the engine's effects; run it
// with Dispatcher.Run. It is the one way to get a dispatcher.
func (e *Engine) Dispatcher(opts DispatcherOptions) *Dispatcher {
	if opts.Owner == "" {
		host, _ := os.Hostname()
		opts.Owner = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), newID("")[:8])
	}
	if opts.Lease <= 0 {
		opts.Lease = time.Minute
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 64
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 25
	}
	if opts.Backoff == nil {
		opts.Backoff = DefaultBackoff
	}
	if opts.PerConnection <= 0 {
		opts.PerConnection = max(1, opts.Workers/4)
	}
	if opts.MaxPacingWait <= 0 {
		opts.MaxPacingWait = time.Second
	}
	return &Dispatcher{e: e, opts: opts, inflight: map[string]int{}, oldest: map[string]time.Time{}, cool: map[string]cooling{}}
}

// DefaultBackoff waits 1s, 2s, 4s, … up to 15 minutes, ±20% jitter.
func DefaultBackoff(attempt int) time.Duration {
	d := time.Second << min(max(attempt-1, 0), 10)
	d = min(d, 15*time.Minute)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// Run delivers effects until ctx is done. Workers take effects as they
// become free, never waiting for a whole batch, and connections are served
// fairly: each claim skips connections already at PerConnection deliveries
// or backing off, so a connection whose ATS throttles, refuses the
// credentials or stalls holds at most PerConnection workers while the
// others keep delivering.
func (d *Dispatcher) Run(ctx context.Context) error {
	workers := d.opts.Workers
	busy := make(chan struct{}, workers)
	done := make(chan struct{}, 1)
	var wg sync.WaitGroup
	defer wg.Wait()
	// launch runs fn on a worker of its own; the slot was taken.
	launch := func(fn func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn()
			<-busy
			select {
			case done <- struct{}{}:
			default:
			}
		}()
	}
	startEffects := func(limit int) (started int) {
		if limit <= 0 {
			return 0
		}
		effs, err := d.claim(ctx, limit)
		if err != nil && ctx.Err() == nil {
			d.e.log.Error("lifecycle: dispatch", "err", err)
		}
		shared := manyConnections(effs)
		for _, eff := range effs {
			if !d.admit(ctx, eff, shared) {
				continue
			}
			busy <- struct{}{}
			started++
			launch(func() {
				if err := d.deliver(ctx, eff); err != nil && ctx.Err() == nil {
					d.e.log.Error("lifecycle: dispatch", "err", err)
				}
				d.leave(eff)
			})
		}
		return started
	}
	// startEvents processes inbox events (inbox.go).
	startEvents := func(limit int) int {
		_, n, err := d.runEvents(ctx, limit, func(conn string, run func()) {
			busy <- struct{}{}
			launch(func() { run(); d.leave(Effect{Connection: conn}) })
		})
		if err != nil && ctx.Err() == nil {
			d.e.log.Error("lifecycle: dispatch", "err", err)
		}
		return n
	}
	eventsFirst := false
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		started := 0
		if free := workers - len(busy); free > 0 {
			// Effects and inbox events share the workers: every other
			// round events may take half of them first, so neither a
			// backlog of effects nor a flood of webhooks starves the
			// other; what one leaves, the other may take.
			if eventsFirst = !eventsFirst; eventsFirst {
				started += startEvents((free + 1) / 2)
			}
			started += startEffects(workers - len(busy))
			started += startEvents(workers - len(busy))
		}
		if started > 0 && len(busy) < workers {
			continue // more may be due
		}
		t := time.NewTimer(d.opts.PollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-d.e.notify:
		case <-done:
		case <-t.C:
		}
		t.Stop()
	}
}

// claim leases up to limit due effects, sharing them fairly: first at
// most PerConnection of each connection, skipping connections that already
// have that many deliveries in flight or are backing off; then, if that
// left room (only a few connections have work), more of the connections
// that have it, except those backing off or whose oldest delivery in
// flight is slow (a stalling ATS) — so one busy connection alone still
// gets every worker.
func (d *Dispatcher) claim(ctx context.Context, limit int) ([]Effect, error) {
	effs, err := fairClaim(ctx, d, limit, d.e.store.ClaimEffects)
	if err != nil {
		return effs, errfmt.Errorf("lifecycle: claim effects: %w", err)
	}
	return effs, nil
}

// fairClaim leases up to limit items (effects or inbox events) with
// claimFn, sharing them fairly across connections as claim describes. On
// an error of the second claim it returns what the first one leased.
func fairClaim[T any](ctx context.Context, d *Dispatcher, limit int, claimFn func(context.Context, Claim) ([]T, error)) ([]T, error) {
	now := d.e.now()
	var busy, blocked []string
	d.mu.Lock()
	for conn, n := range d.inflight {
		if n >= d.opts.PerConnection {
			busy = append(busy, conn)
		}
	}
	for conn := range d.cool {
		if c := d.coolingOf(conn); c.until.After(now) {
			blocked = append(blocked, conn)
		}
	}
	wall, slow := time.Now(), d.slowDelivery()
	for conn, started := range d.oldest {
		if wall.Sub(started) > slow {
			blocked = append(blocked, conn)
		}
	}
	d.mu.Unlock()
	c := Claim{Owner: d.opts.Owner, Now: now, Lease: d.opts.Lease, Limit: limit,
		PerConnection: d.opts.PerConnection, Skip: append(slices.Clip(blocked), busy...)}
	got, err := claimFn(ctx, c)
	if err != nil {
		return nil, err
	}
	if len(got) < limit && len(got) > 0 || len(got) == 0 && len(busy) > 0 {
		c.Limit, c.PerConnection, c.Skip = limit-len(got), 0, blocked
		more, err := claimFn(ctx, c)
		if err != nil {
			return got, err
		}
		got = append(got, more...)
	}
	return got, nil
}

// slowDelivery is how long a delivery may run before its connection counts
// as stalling and gets no more workers than PerConnection: a second, or
// half the time a call may take if that is shorter.
func (d *Dispatcher) slowDelivery() time.Duration {
	budget := d.opts.Lease
	if d.opts.CallTimeout > 0 {
		budget = min(budget, d.opts.CallTimeout)
	}
	return min(time.Second, budget/2)
}

// manyConnections reports whether effs belong to more than one connection.
func manyConnections(effs []Effect) bool {
	for _, e := range effs {
		if e.conn() != effs[0].conn() {
			return true
		}
	}
	return false
}

// conn is the connection an effect belongs to.
func (eff Effect) conn() string { return connectionOf(eff.Connection, eff.Source) }

// admit starts eff's delivery unless its connection is backing off or out
// of request budget for longer than MaxPacingWait; an effect not admitted
// is put back (due when the connection may go on) without counting an
// attempt.
//
// shared reports that other connections' effects wait in the same batch:
// then a connection already at PerConnection deliveries waits too.
func (d *Dispatcher) admit(ctx context.Context, eff Effect, shared bool) bool {
	conn, now := eff.conn(), d.e.now()
	d.mu.Lock()
	c := d.coolingOf(conn)
	atCap := d.inflight[conn] >= d.opts.PerConnection
	d.mu.Unlock()
	switch {
	case c.until.After(now):
		d.putBack(ctx, eff, c.until)
		return false
	case shared && atCap:
		d.putBack(ctx, eff, eff.NextAttemptAt)
		return false
	}
	if isATSEffect(eff.Kind) {
		if wait := d.pacingDelay(ctx, eff); wait > d.opts.MaxPacingWait {
			d.coolDown(conn, now.Add(wait), false)
			d.putBack(ctx, eff, now.Add(wait))
			return false
		}
	}
	d.mu.Lock()
	if d.inflight[conn]++; d.inflight[conn] == 1 {
		d.oldest[conn] = time.Now()
	}
	d.mu.Unlock()
	return true
}

func (d *Dispatcher) leave(eff Effect) {
	conn := eff.conn()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.inflight[conn]--; d.inflight[conn] <= 0 {
		delete(d.inflight, conn)
		delete(d.oldest, conn)
	}
}

// pacingDelay asks the connection's adapter how long its next request
// would wait; zero when it cannot tell.
func (d *Dispatcher) pacingDelay(ctx context.Context, eff Effect) time.Duration {
	a, err := d.e.adapter(ctx, eff.conn())
	if err != nil {
		return 0
	}
	p, ok := a.(PacingDelayer)
	if !ok {
		return 0
	}
	wait, err := p.PacingDelay(ctx)
	if err != nil {
		return 0
	}
	return wait
}

// putBack releases an unstarted effect, due at next.
func (d *Dispatcher) putBack(ctx context.Context, eff Effect, next time.Time) {
	eff.NextAttemptAt = next
	if err := d.release(ctx, eff); err != nil {
		d.e.log.Error("lifecycle: dispatch", "err", err)
	}
}

// coolDown makes the dispatcher skip conn until until. A failure also
// counts towards the connection's consecutive failures.
func (d *Dispatcher) coolDown(conn string, until time.Time, failure bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.cool[conn]
	if until.After(c.until) {
		c.until = until
	}
	c.set = d.e.now()
	if failure {
		c.failures++
	}
	d.cool[conn] = c
}

// connectionFailure backs a connection off after an ATS call failed in a
// way that concerns the whole account rather than one effect: a rate limit
// (until the ATS's Retry-After), refused or missing credentials (the
// Connector does not know the connection), or a call that ran
// out of time (a stalling ATS) — at least Backoff of the connection's
// consecutive failures, and after a timeout four times as long as the call
// took, so a stalling ATS holds a worker a fifth of the time at most. Other
// failures (a 5xx, a refused request) only delay their own effect.
func (d *Dispatcher) connectionFailure(eff Effect, cause error, took time.Duration, next time.Time) {
	if !isATSEffect(eff.Kind) {
		return
	}
	rateLimited := errors.Is(cause, ats.ErrRateLimited)
	timedOut := errors.Is(cause, context.DeadlineExceeded)
	if !rateLimited && !timedOut && !errors.Is(cause, ats.ErrUnauthorized) && !errors.Is(cause, ErrUnknownConnection) {
		return
	}
	conn, now := eff.conn(), d.e.now()
	d.mu.Lock()
	failures := d.cool[conn].failures + 1
	d.mu.Unlock()
	until := now.Add(d.opts.Backoff(failures))
	if timedOut {
		until = maxTime(until, now.Add(4*took))
	}
	if wait, ok := ats.RetryAfter(cause); ok {
		until = maxTime(until, now.Add(wait))
	}
	if rateLimited {
		until = maxTime(until, next)
	}
	d.coolDown(conn, until, true)
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// connectionOK resets a connection's consecutive failures.
func (d *Dispatcher) connectionOK(eff Effect) {
	conn := eff.conn()
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.cool[conn]; ok && c.failures > 0 {
		c.failures = 0
		d.cool[conn] = c
	}
}

func isATSEffect(k EffectKind) bool {
	switch k {
	case EffectNote, EffectMove, EffectTag, EffectFeedback, EffectAttachReport:
		return true
	}
	return false
}

// RunOnce claims one batch of due effects, delivers them and returns how
// many it handled (delivered, rescheduled or failed).
//
// Each delivery runs under a deadline at the end of the effect's lease, and
// an effect whose lease ended while it waited for a worker is not attempted
// (Store.BeginAttempt refuses it): from then on another dispatcher may
// claim it. When ctx is done, effects not yet started are released at once
// for other dispatchers, and outcomes of calls already made are still
// recorded.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	effs, err := d.claim(ctx, d.opts.BatchSize)
	if err != nil {
		return 0, err
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	report := func(err error) {
		if err != nil {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}
	}
	sem := make(chan struct{}, d.opts.Workers)
	shared := manyConnections(effs)
	for i, eff := range effs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			for _, rest := range effs[i:] {
				report(d.release(ctx, rest))
			}
			break
		}
		if !d.admit(ctx, eff, shared) {
			<-sem
			continue
		}
		wg.Add(1)
		go func() {
			defer func() { d.leave(eff); <-sem; wg.Done() }()
			report(d.deliver(ctx, eff))
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return len(effs), errors.Join(errs...)
	}
	// Then a batch of inbox events (inbox.go).
	m, _, err := d.runEvents(ctx, d.opts.BatchSize, func(conn string, run func()) {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { d.leave(Effect{Connection: conn}); <-sem; wg.Done() }()
			run()
		}()
	})
	wg.Wait()
	if ctx.Err() == nil {
		report(err)
	}
	return len(effs) + m, errors.Join(errs...)
}

// ackTimeout bounds recording an outcome after ctx was cancelled.
const ackTimeout = 10 * time.Second

// ackContext is for recording outcomes: it survives the cancellation of
// ctx (a graceful stop must not forget a call that was made), bounded by
// ackTimeout.
func ackContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
}

// release gives an unstarted claimed effect back, due as before.
func (d *Dispatcher) release(ctx context.Context, eff Effect) error {
	actx, cancel := ackContext(ctx)
	defer cancel()
	err := d.e.store.FinishEffect(actx, eff.ID, d.opts.Owner, Outcome{State: EffectPending, NextAttemptAt: eff.NextAttemptAt, Error: eff.LastError, At: d.e.now()})
	if err != nil && !errors.Is(err, ErrLeaseLost) {
		return errfmt.Errorf("lifecycle: release effect %s: %w", eff.ID, err)
	}
	return nil
}

// Drain calls RunOnce until no effect is due, and returns the total handled.
// Effects waiting for a retry later than now are left.
func (d *Dispatcher) Drain(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := d.RunOnce(ctx)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// deliver performs one effect and records the outcome. The returned error is
// a store failure; delivery failures are recorded in the effect.
func (d *Dispatcher) deliver(ctx context.Context, eff Effect) error {
	store, owner := d.e.store, d.opts.Owner
	ctx = d.e.startEffect(ctx, eff)
	defer endEffect(ctx)
	log := d.e.log.With("effect", eff.ID, "kind", eff.Kind, "interview", eff.InterviewID, "connection", eff.Connection, "source", eff.Source)

	// The attempt is recorded before anything reaches the ATS, and only
	// while the lease holds.
	now := d.e.now()
	if err := store.BeginAttempt(ctx, eff.ID, owner, now); err != nil {
		if errors.Is(err, ErrLeaseLost) {
			log.Warn("lifecycle: lease lost before attempt")
			return nil
		}
		return errfmt.Errorf("lifecycle: begin attempt %s: %w", eff.ID, err)
	}
	// A requeued effect (RequeueEffects) has its attempts reset but keeps
	// the error that parked it: it was attempted before all the same.
	earlier := eff.Attempts > 0 || eff.LastError != ""
	eff.Attempts++
	// The calls must end before the lease does, or another dispatcher
	// could claim the effect and perform it a second time.
	limit := eff.LeaseUntil.Sub(now)
	if d.opts.CallTimeout > 0 {
		limit = min(limit, d.opts.CallTimeout)
	}
	cctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()

	// A note or feedback whose earlier attempt may have reached the ATS
	// — never acknowledged (crash) or failed without an answer (timeout,
	// reset connection) — is looked up before it is sent again.
	if earlier {
		found, err := d.delivered(cctx, eff)
		if err != nil {
			return d.finish(ctx, eff, log, err)
		}
		if found {
			log.Info("lifecycle: an earlier attempt already reached the ATS")
			return d.finishDone(ctx, eff, log, "")
		}
	}
	skipped, err := d.perform(cctx, eff)
	if err != nil {
		o := d.outcome(eff, log, err)
		took := d.e.now().Sub(now)
		// A call given up on (a timeout) may still be under way at the
		// ATS, and a look-up made before it lands finds nothing: the next
		// attempt waits at least as long as this one took, so the ATS has
		// had that time again to finish it.
		if o.State == EffectPending && timedOut(err) && o.NextAttemptAt.Before(now.Add(2*took)) {
			o.NextAttemptAt = now.Add(2 * took)
		}
		d.connectionFailure(eff, err, took, o.NextAttemptAt)
		return d.finishOutcome(ctx, eff, log, err, o)
	}
	d.connectionOK(eff)
	return d.finishDone(ctx, eff, log, skipped)
}

// timedOut reports whether err is a call given up on for time (a context
// deadline, or a net.Error or url.Error whose Timeout is true): its
// request may still be under way at the ATS. A call that failed otherwise
// (an answer, a refused or reset connection) is over.
func timedOut(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

func (d *Dispatcher) finishDone(ctx context.Context, eff Effect, log *slog.Logger, note string) error {
	return d.record(ctx, eff, log, Outcome{State: EffectDone, Error: note, At: d.e.now()})
}

// record stores an attempt's outcome, also after ctx was cancelled.
func (d *Dispatcher) record(ctx context.Context, eff Effect, log *slog.Logger, o Outcome) error {
	d.e.effectOutcome(ctx, eff, o)
	actx, cancel := ackContext(ctx)
	defer cancel()
	err := d.e.store.FinishEffect(actx, eff.ID, d.opts.Owner, o)
	if errors.Is(err, ErrLeaseLost) {
		log.Warn("lifecycle: lease lost before the outcome was recorded", "outcome", o.State)
		return nil
	}
	if err != nil {
		return errfmt.Errorf("lifecycle: record outcome of %s: %w", eff.ID, err)
	}
	return nil
}

func (d *Dispatcher) finish(ctx context.Context, eff Effect, log *slog.Logger, cause error) error {
	return d.finishOutcome(ctx, eff, log, cause, d.outcome(eff, log, cause))
}

// outcome classifies a failed attempt: retry at a time, or give up.
func (d *Dispatcher) outcome(eff Effect, log *slog.Logger, cause error) Outcome {
	now := d.e.now()
	o := Outcome{State: EffectPending, Error: cause.Error(), At: now}
	permanent := isPermanent(cause)
	if wait, ok := ats.RetryAfter(cause); ok && wait > 0 {
		o.NextAttemptAt = now.Add(wait)
	} else {
		o.NextAttemptAt = now.Add(d.opts.Backoff(eff.Attempts))
	}
	switch {
	case parks(cause):
		o.State = EffectParked
		log.Warn("lifecycle: effect parked until an operator requeues it", "err", cause)
	case permanent:
		o.State = EffectFailed
		log.Error("lifecycle: effect failed permanently", "err", cause)
	case eff.Attempts >= d.opts.MaxAttempts:
		o.State = EffectFailed
		o.Error = fmt.Sprintf("gave up after %d attempts: %v", eff.Attempts, cause)
		log.Error("lifecycle: effect failed, giving up", "err", cause, "attempts", eff.Attempts)
	default:
		log.Warn("lifecycle: effect failed, will retry", "err", cause, "attempts", eff.Attempts, "next", o.NextAttemptAt)
	}
	return o
}

// finishOutcome records a failed attempt's outcome o.
func (d *Dispatcher) finishOutcome(ctx context.Context, eff Effect, log *slog.Logger, cause error, o Outcome) error {
	if o.State == EffectFailed {
		actx, cancel := ackContext(ctx)
		err := d.onFailed(actx, eff, cause)
		cancel()
		if err != nil && !errors.Is(err, ErrNotFound) {
			// The interview must learn of the failure (e.g. end
			// unable-to-schedule): keep the effect to try again rather
			// than fail it silently.
			log.Error("lifecycle: record failed effect, will retry", "err", err)
			o.State = EffectPending
			o.Error = fmt.Sprintf("%s (recording the failure: %v)", o.Error, err)
		}
	}
	err := d.record(ctx, eff, log, o)
	if err == nil && o.State == EffectParked {
		d.recheckParked(ctx, eff, cause, log) // parked_recheck.go
	}
	return err
}

func isPermanent(err error) bool {
	if errors.Is(err, ats.ErrUnauthorized) {
		// The connection's credentials were refused: the customer may
		// rotate the token or grant access again, which the Connector
		// picks up, so the effect waits with backoff (and fails after
		// MaxAttempts) instead of failing at once.
		return false
	}
	if ats.IsPermanent(err) || errors.Is(err, ats.ErrNotFound) || errors.Is(err, ats.ErrValidation) ||
		errors.Is(err, ErrInsufficientCredits) {
		// Out of credits is not cured by retrying within the hour:
		// the interview ends unable-to-schedule and says so at once.
		return true
	}
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}

// onFailed reacts to an effect that will not be delivered.
func (d *Dispatcher) onFailed(ctx context.Context, eff Effect, cause error) error {
	switch eff.Kind {
	case EffectVendorCreate:
		var p vendorPayload
		if err := json.Unmarshal(eff.Payload, &p); err != nil {
			return nil // undecodable: nothing to react to
		}
		return d.e.vendorFailed(ctx, eff.InterviewID, p.Attempt, cause)
	case EffectMove:
		var p movePayload
		_ = json.Unmarshal(eff.Payload, &p)
		d.e.log.Warn("lifecycle: stage move failed for good", "interview", eff.InterviewID, "stage", p.StageID, "err", cause)
		return d.e.errorNote(ctx, eff.InterviewID, fmt.Sprintf("could not move the candidate to stage %q; please move them by hand", p.StageID))
	}
	return nil
}

// errorNote posts a note about a failure on the interview's candidate.
func (e *Engine) errorNote(ctx context.Context, id, msg string) error {
	return e.commit(ctx, func(ch *change) error {
		iv, err := e.store.Interview(ctx, id)
		if err != nil {
			return err
		}
		pos, err := e.position(ctx, iv.PositionID)
		if err != nil {
			return err
		}
		return ch.note(pos, &iv, NoteError, NoteData{Error: msg})
	})
}

// perform carries out eff. skipped is non-empty when the effect was not
// applicable (capability missing, interview moved on).
func (d *Dispatcher) perform(ctx context.Context, eff Effect) (skipped string, err error) {
	e := d.e
	switch eff.Kind {
	case EffectNote, EffectMove, EffectTag, EffectFeedback:
		conn := connectionOf(eff.Connection, eff.Source)
		st, err := e.connectionState(ctx, conn)
		if err != nil {
			return "", err
		}
		if st == ConnectionRemoved {
			// The customer revoked access: the credentials no longer
			// work and the account is no longer ours to write to.
			return "skipped: the connection was removed", nil
		}
		a, err := e.adapter(ctx, conn)
		if err != nil {
			return "", err
		}
		if eff.Kind == EffectFeedback {
			if eff, err = e.withScheduledInterview(ctx, eff); err != nil {
				return "", err
			}
		}
		return performOnATS(ctx, a, eff, e.marker(eff.ID))
	case EffectATSSchedule:
		return d.performSchedule(ctx, eff)
	case EffectAttachReport:
		return d.performAttachReport(ctx, eff)
	case EffectCallback:
		p, err := decodePayload[callbackPayload](eff)
		if err != nil {
			return "", err
		}
		if e.opts.Publisher == nil {
			return "", fmt.Errorf("no CallbackPublisher configured: %w", ErrConfiguration)
		}
		cb, err := e.openCallback(p.Callback)
		if err != nil {
			return "", permanentError{err}
		}
		return "", e.opts.Publisher.PublishResult(withCallbackEffect(ctx, eff), cb, p.Result)
	case EffectVendorCreate:
		return d.vendorCreate(ctx, eff)
	case EffectVendorCancel:
		p, err := decodePayload[vendorPayload](eff)
		if err != nil {
			return "", err
		}
		iv, err := e.store.Interview(ctx, eff.InterviewID)
		if err != nil {
			return "", err
		}
		if iv.VendorRef == "" || iv.VendorAttempt != p.Attempt {
			return "skipped: no vendor interview for this attempt", nil
		}
		if e.opts.Vendor == nil {
			return "", fmt.Errorf("no Vendor configured: %w", ErrConfiguration)
		}
		return "", e.opts.Vendor.CancelInterview(ctx, iv.VendorRef)
	case EffectMarkReported:
		// Reported means the result reached the ATS: not while a
		// result effect of the same completion is parked or failed.
		ok, err := e.resultLanded(ctx, eff)
		if err != nil {
			return "", err
		}
		if !ok {
			return "skipped: a result effect did not land; the interview stays completed", nil
		}
		return "", e.markReported(ctx, eff.InterviewID)
	}
	return "", permanentError{fmt.Errorf("unknown effect kind %q", eff.Kind)}
}

// performOnATS carries out an effect on the candidate in the ATS through
// adapter a and the optional capabilities it has. marker is the effect's
// visible de-duplication marker, added to notes and feedback where they
// can be looked up (see MarkedNoter and FeedbackLister).
func performOnATS(ctx context.Context, a ats.Adapter, eff Effect, marker string) (skipped string, err error) {
	switch eff.Kind {
	case EffectNote:
		p, err := decodePayload[notePayload](eff)
		if err != nil {
			return "", err
		}
		note := ats.Note{Body: p.Body, Visibility: p.Visibility}
		if mn, ok := a.(MarkedNoter); ok {
			return "", mn.AddMarkedNote(ctx, eff.CandidateID, note, eff.ID)
		}
		note.Body = withMarker(note.Body, marker)
		return "", a.AddNote(ctx, eff.CandidateID, note)
	case EffectMove:
		p, err := decodePayload[movePayload](eff)
		if err != nil {
			return "", err
		}
		return "", a.MoveCandidate(ctx, eff.CandidateID, p.StageID)
	case EffectTag:
		p, err := decodePayload[tagPayload](eff)
		if err != nil {
			return "", err
		}
		t, ok := a.(ats.Tagger)
		if !ok {
			return "skipped: adapter does not support tags", nil
		}
		return "", t.AddTags(ctx, eff.CandidateID, p.Tags...)
	case EffectFeedback:
		p, err := decodePayload[feedbackPayload](eff)
		if err != nil {
			return "", err
		}
		f, ok := a.(ats.FeedbackSubmitter)
		if !ok {
			return "skipped: adapter does not support feedback", nil
		}
		if _, ok := a.(FeedbackLister); ok {
			p.Feedback.Summary = withMarker(p.Feedback.Summary, marker)
		}
		return "", f.SubmitFeedback(ctx, eff.CandidateID, p.Feedback)
	}
	return "", permanentError{fmt.Errorf("effect kind %q is not an ATS effect", eff.Kind)}
}

// decodePayload decodes an effect's payload; a payload that does not decode
// can never be delivered, so the error is permanent.
func decodePayload[T any](eff Effect) (T, error) {
	var p T
	if err := json.Unmarshal(eff.Payload, &p); err != nil {
		return p, permanentError{fmt.Errorf("decoding %s payload of effect %s: %w", eff.Kind, eff.ID, err)}
	}
	return p, nil
}

func (d *Dispatcher) vendorCreate(ctx context.Context, eff Effect) (string, error) {
	e := d.e
	p, err := decodePayload[vendorPayload](eff)
	if err != nil {
		return "", err
	}
	iv, err := e.store.Interview(ctx, eff.InterviewID)
	if err != nil {
		return "", err
	}
	if iv.Attempt != p.Attempt || !iv.State.Live() {
		return "skipped: interview no longer waiting for the vendor", nil
	}
	if iv.VendorRef != "" && iv.VendorAttempt == p.Attempt {
		return "", nil // recorded by an earlier attempt (or a vendor update)
	}
	if e.opts.Vendor == nil {
		return "", fmt.Errorf("no Vendor configured: %w", ErrConfiguration)
	}
	req := VendorRequest{
		IdempotencyKey: fmt.Sprintf("%s/%d", iv.ID, p.Attempt),
		InterviewID:    iv.ID, Connection: iv.Connection, Source: iv.Source, PositionID: iv.PositionID, JobID: iv.JobID,
		Round: iv.Round, RoundName: iv.RoundName, Template: iv.Template, Candidate: iv.Candidate,
	}
	if pos, err := e.position(ctx, iv.PositionID); err == nil && pos != nil {
		req.JobTitle = pos.Title
	}
	ref, err := e.opts.Vendor.CreateInterview(ctx, req)
	if err != nil {
		return "", err
	}
	return "", e.recordVendorRef(ctx, iv.ID, p.Attempt, ref)
}

type permanentError struct{ err error }

func (p permanentError) Error() string   { return p.err.Error() }
func (p permanentError) Unwrap() error   { return p.err }
func (p permanentError) Permanent() bool { return true }
