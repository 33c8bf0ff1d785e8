package lifecycle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/atskit/atskit/ats"
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

// NoteMarker returns the idempotency marker the dispatcher appends to the
// body of the note delivered for effect effectID.
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
}

// Dispatcher delivers outbox effects at least once: notes, stage moves,
// tags and feedback through the ATS adapters, interview creation and
// cancellation through the Vendor, and provider callbacks through the
// CallbackPublisher.
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
}

// Dispatcher returns a dispatcher delivering the engine's effects.
func (e *Engine) Dispatcher(opts DispatcherOptions) *Dispatcher { return NewDispatcher(e, opts) }

// NewDispatcher returns a dispatcher delivering e's effects.
func NewDispatcher(e *Engine, opts DispatcherOptions) *Dispatcher {
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
	return &Dispatcher{e: e, opts: opts}
}

// DefaultBackoff waits 1s, 2s, 4s, … up to 15 minutes, ±20% jitter.
func DefaultBackoff(attempt int) time.Duration {
	d := time.Second << min(max(attempt-1, 0), 10)
	d = min(d, 15*time.Minute)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// Run delivers effects until ctx is done.
func (d *Dispatcher) Run(ctx context.Context) error {
	for {
		n, err := d.RunOnce(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			d.e.log.Error("lifecycle: dispatch", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		t := time.NewTimer(d.opts.PollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-d.e.notify:
		case <-t.C:
		}
		t.Stop()
	}
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
	effs, err := d.e.store.ClaimEffects(ctx, Claim{Owner: d.opts.Owner, Now: d.e.now(), Lease: d.opts.Lease, Limit: d.opts.BatchSize})
	if err != nil {
		return 0, fmt.Errorf("lifecycle: claim effects: %w", err)
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
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			report(d.deliver(ctx, eff))
		}()
	}
	wg.Wait()
	return len(effs), errors.Join(errs...)
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
		return fmt.Errorf("lifecycle: release effect %s: %w", eff.ID, err)
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
	log := d.e.log.With("effect", eff.ID, "kind", eff.Kind, "interview", eff.InterviewID, "source", eff.Source)

	// The attempt is recorded before anything reaches the ATS, and only
	// while the lease holds.
	now := d.e.now()
	if err := store.BeginAttempt(ctx, eff.ID, owner, now); err != nil {
		if errors.Is(err, ErrLeaseLost) {
			log.Warn("lifecycle: lease lost before attempt")
			return nil
		}
		return fmt.Errorf("lifecycle: begin attempt %s: %w", eff.ID, err)
	}
	earlier := eff.Attempts > 0
	eff.Attempts++
	// The calls must end before the lease does, or another dispatcher
	// could claim the effect and perform it a second time.
	cctx, cancel := context.WithTimeout(ctx, eff.LeaseUntil.Sub(now))
	defer cancel()

	// A note whose earlier attempt may have reached the ATS — never
	// acknowledged (crash) or failed without an answer (timeout, reset
	// connection) — is looked up before it is sent again.
	if eff.Kind == EffectNote && earlier {
		found, err := d.noteExists(cctx, eff)
		if err != nil {
			return d.finish(ctx, eff, log, err)
		}
		if found {
			log.Info("lifecycle: note of an earlier attempt already in the ATS")
			return d.finishDone(ctx, eff, log, "")
		}
	}
	skipped, err := d.perform(cctx, eff)
	if err != nil {
		return d.finish(ctx, eff, log, err)
	}
	return d.finishDone(ctx, eff, log, skipped)
}

func (d *Dispatcher) finishDone(ctx context.Context, eff Effect, log *slog.Logger, note string) error {
	return d.record(ctx, eff, log, Outcome{State: EffectDone, Error: note, At: d.e.now()})
}

// record stores an attempt's outcome, also after ctx was cancelled.
func (d *Dispatcher) record(ctx context.Context, eff Effect, log *slog.Logger, o Outcome) error {
	actx, cancel := ackContext(ctx)
	defer cancel()
	err := d.e.store.FinishEffect(actx, eff.ID, d.opts.Owner, o)
	if errors.Is(err, ErrLeaseLost) {
		log.Warn("lifecycle: lease lost before the outcome was recorded", "outcome", o.State)
		return nil
	}
	if err != nil {
		return fmt.Errorf("lifecycle: record outcome of %s: %w", eff.ID, err)
	}
	return nil
}

func (d *Dispatcher) finish(ctx context.Context, eff Effect, log *slog.Logger, cause error) error {
	now := d.e.now()
	o := Outcome{State: EffectPending, Error: cause.Error(), At: now}
	permanent := isPermanent(cause)
	if wait, ok := ats.RetryAfter(cause); ok && wait > 0 {
		o.NextAttemptAt = now.Add(wait)
	} else {
		o.NextAttemptAt = now.Add(d.opts.Backoff(eff.Attempts))
	}
	switch {
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
	return d.record(ctx, eff, log, o)
}

func isPermanent(err error) bool {
	if ats.IsPermanent(err) || errors.Is(err, ats.ErrNotFound) || errors.Is(err, ats.ErrValidation) {
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
		return d.e.errorNote(ctx, eff.InterviewID, fmt.Sprintf("could not move the candidate to stage %q: %v", p.StageID, cause))
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

func (d *Dispatcher) noteExists(ctx context.Context, eff Effect) (bool, error) {
	a, err := d.e.adapter(eff.Source)
	if err != nil {
		return false, err
	}
	nl, ok := a.(NoteLister)
	if !ok {
		return false, nil
	}
	notes, err := nl.Notes(ctx, eff.CandidateID)
	if err != nil {
		return false, fmt.Errorf("lifecycle: list notes of %s: %w", eff.CandidateID, err)
	}
	marker := NoteMarker(eff.ID)
	for _, n := range notes {
		if strings.Contains(n.Body, marker) {
			return true, nil
		}
	}
	return false, nil
}

// perform carries out eff. skipped is non-empty when the effect was not
// applicable (capability missing, interview moved on).
func (d *Dispatcher) perform(ctx context.Context, eff Effect) (skipped string, err error) {
	e := d.e
	switch eff.Kind {
	case EffectNote, EffectMove, EffectTag, EffectFeedback:
		a, err := e.adapter(eff.Source)
		if err != nil {
			return "", err
		}
		if eff.Kind == EffectFeedback {
			if eff, err = e.withScheduledInterview(ctx, eff); err != nil {
				return "", err
			}
		}
		return performOnATS(ctx, a, eff)
	case EffectATSSchedule:
		return d.performSchedule(ctx, eff)
	case EffectCallback:
		p, err := decodePayload[callbackPayload](eff)
		if err != nil {
			return "", err
		}
		if e.opts.Publisher == nil {
			return "", permanentError{errors.New("no CallbackPublisher configured")}
		}
		return "", e.opts.Publisher.PublishResult(ctx, p.Callback, p.Result)
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
			return "", permanentError{errors.New("no Vendor configured")}
		}
		return "", e.opts.Vendor.CancelInterview(ctx, iv.VendorRef)
	case EffectMarkReported:
		return "", e.markReported(ctx, eff.InterviewID)
	}
	return "", permanentError{fmt.Errorf("unknown effect kind %q", eff.Kind)}
}

// performOnATS carries out an effect on the candidate in the ATS through
// adapter a and the optional capabilities it has.
func performOnATS(ctx context.Context, a ats.Adapter, eff Effect) (skipped string, err error) {
	switch eff.Kind {
	case EffectNote:
		p, err := decodePayload[notePayload](eff)
		if err != nil {
			return "", err
		}
		body := p.Body + "\n\n" + NoteMarker(eff.ID)
		return "", a.AddNote(ctx, eff.CandidateID, ats.Note{Body: body, Visibility: p.Visibility})
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
		return "", permanentError{errors.New("no Vendor configured")}
	}
	req := VendorRequest{
		IdempotencyKey: fmt.Sprintf("%s/%d", iv.ID, p.Attempt),
		InterviewID:    iv.ID, Source: iv.Source, PositionID: iv.PositionID, JobID: iv.JobID,
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
