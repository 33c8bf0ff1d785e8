package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/atskit/atskit/internal/errfmt"
)

// SetupError is returned by Engine.Connect when the adapter's CheckSetup
// reported a failed check. It wraps ErrSetupFailed.
type SetupError struct {
	Connection string
	// Report is what the adapter's CheckSetup returned, e.g. a
	// *workable.SetupReport; show it to the customer.
	Report any
}

func (e *SetupError) Error() string {
	msg := fmt.Sprintf("lifecycle: connection %q: the ATS account is not ready for the integration", e.Connection)
	if s, ok := e.Report.(fmt.Stringer); ok {
		msg += ":\n" + s.String()
	}
	return msg
}

// Unwrap returns ErrSetupFailed.
func (e *SetupError) Unwrap() error { return ErrSetupFailed }

// ConnectOptions describes a connection being connected.
type ConnectOptions struct {
	// ID is the host's ID of the connection; required.
	ID string
	// Kind is the ATS ("workable", "lever"); required.
	Kind string
	// Reason is recorded in the audit trail.
	Reason string
	// SkipSetupCheck connects without running the adapter's CheckSetup.
	SkipSetupCheck bool
}

// connectionState returns a connection's state; a connection the store has
// no record of is enabled (the default connections, and hosts that never
// call Connect).
func (e *Engine) connectionState(ctx context.Context, id string) (ConnectionState, error) {
	c, err := e.store.Connection(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return ConnectionEnabled, nil
	}
	if err != nil {
		return "", errfmt.Errorf("lifecycle: connection %q: %w", id, err)
	}
	return c.State, nil
}

// mayStart refuses new work on a disabled or removed connection.
func (e *Engine) mayStart(ctx context.Context, id string) error {
	st, err := e.connectionState(ctx, id)
	switch {
	case err != nil:
		return err
	case st == ConnectionDisabled:
		return errfmt.Errorf("lifecycle: connection %q: %w", id, ErrConnectionDisabled)
	case st == ConnectionRemoved:
		return errfmt.Errorf("lifecycle: connection %q: %w", id, ErrConnectionRemoved)
	}
	return nil
}

// Connection returns a connection's record, or ErrNotFound for one never
// connected.
func (e *Engine) Connection(ctx context.Context, id string) (Connection, error) {
	return e.store.Connection(ctx, id)
}

// Connections lists connections.
func (e *Engine) Connections(ctx context.Context, f ConnectionFilter) ([]Connection, error) {
	return e.store.Connections(ctx, f)
}

// Connect records a customer's account as an enabled connection, after
// checking the account: the adapter is resolved through the Connector (so
// the credentials must be in place) and, unless o.SkipSetupCheck, its
// CheckSetup method runs. Every atskit adapter has one, of the form
// CheckSetup(ctx) (R, error) where R has an OK() bool method; a report that
// is not OK fails with a *SetupError carrying it. Connecting a connection
// that is already enabled checks it again and changes nothing; a disabled
// one is enabled; a removed one is refused with ErrConnectionRemoved.
func (e *Engine) Connect(ctx context.Context, o ConnectOptions) (Connection, error) {
	if o.ID == "" || o.Kind == "" {
		return Connection{}, errors.New("lifecycle: connect: ConnectOptions.ID and Kind are required")
	}
	a, err := e.adapter(ctx, o.ID)
	if err != nil {
		return Connection{}, errfmt.Errorf("lifecycle: connect %q: %w", o.ID, err)
	}
	if !o.SkipSetupCheck {
		if err := checkSetup(ctx, o.ID, a); err != nil {
			return Connection{}, err
		}
	}
	reason := o.Reason
	if reason == "" {
		reason = "connected"
	}
	return e.modifyConnection(ctx, o.ID, func(c *Connection, exists bool) (bool, error) {
		if !exists {
			now := e.now()
			*c = Connection{ID: o.ID, Kind: o.Kind, CreatedAt: now}
		}
		switch {
		case c.State == ConnectionRemoved:
			return false, errfmt.Errorf("lifecycle: connect %q: %w; connect the account under a new ID", o.ID, ErrConnectionRemoved)
		case c.Kind != o.Kind:
			return false, fmt.Errorf("lifecycle: connect %q: it is a %s connection, not %s", o.ID, c.Kind, o.Kind)
		case exists && c.State == ConnectionEnabled:
			return false, nil
		}
		e.setState(c, ConnectionEnabled, reason, 0)
		return true, nil
	})
}

// checkSetup calls a's CheckSetup(ctx) (R, error) if it has one.
func checkSetup(ctx context.Context, id string, a any) error {
	m := reflect.ValueOf(a).MethodByName("CheckSetup")
	if !m.IsValid() {
		return nil
	}
	t := m.Type()
	ctxType := reflect.TypeFor[context.Context]()
	errType := reflect.TypeFor[error]()
	if t.NumIn() != 1 || !t.In(0).Implements(ctxType) && t.In(0) != ctxType || t.NumOut() != 2 || t.Out(1) != errType {
		return nil // not the convention's shape
	}
	out := m.Call([]reflect.Value{reflect.ValueOf(ctx)})
	if err, _ := out[1].Interface().(error); err != nil {
		return errfmt.Errorf("lifecycle: connect %q: check setup: %w", id, err)
	}
	report := out[0].Interface()
	if ok, isOK := report.(interface{ OK() bool }); isOK && !ok.OK() {
		return &SetupError{Connection: id, Report: report}
	}
	return nil
}

// DisableConnection switches a connection off, as the customer's
// enable/disable toggle does. What happens to pending work:
//
//   - stage events start no new interview (they are recorded and dropped;
//     EnableConnection reconciles the connection, which starts the
//     interviews of candidates then in a trigger stage), and Retrigger and
//     ProviderInterview refuse with ErrConnectionDisabled;
//   - events that end interviews (archived, hired, moved out of the stage)
//     and vendor updates still apply;
//   - effects queued for the connection — notes, stage moves, vendor calls,
//     callbacks — are not claimed while it is disabled: they are neither
//     dropped nor retried, and resume, in order, when it is enabled again.
//
// Disabling a connection the engine never saw records it as disabled with
// kind "" (fill it in with Connect on re-enabling).
func (e *Engine) DisableConnection(ctx context.Context, id, reason string) (Connection, error) {
	return e.modifyConnection(ctx, id, func(c *Connection, exists bool) (bool, error) {
		if !exists {
			*c = Connection{ID: id, CreatedAt: e.now()}
		}
		switch c.State {
		case ConnectionRemoved:
			return false, errfmt.Errorf("lifecycle: disable %q: %w", id, ErrConnectionRemoved)
		case ConnectionDisabled:
			return false, nil
		}
		e.setState(c, ConnectionDisabled, reason, 0)
		return true, nil
	})
}

// EnableConnection switches a disabled connection back on: its queued
// effects, and those parked (EffectParked), become claimable at once (a
// running Dispatcher is woken), its inbox events given up on (InboxFailed)
// are requeued, and new interviews start again. Stage events that arrived
// while it was disabled started nothing; they are not replayed, but
// EnableConnection then reconciles the connection (Engine.Reconcile), so a
// candidate who entered a trigger stage meanwhile gets an interview and a
// live interview of one who left is cancelled. That reconcile runs before
// EnableConnection returns — it lists each active position's trigger stage
// through the adapter's pacing, so it may take a while for a large
// account; call EnableConnection from a background job rather than a
// request handler if that matters. With a store that implements Inbox its
// decisions are queued there and made by the dispatchers (see
// Engine.Reconcile). A reconcile that fails is logged, not
// returned (the connection is enabled): Engine.Run reconciles again every
// Options.ReconcileInterval. Enabling an enabled connection changes
// nothing: it requeues nothing and reconciles nothing (after new
// credentials, a ConnectorNotifier's report or Engine.RequeueConnection
// and RequeueEvents requeue; Engine.Reconcile reconciles).
func (e *Engine) EnableConnection(ctx context.Context, id, reason string) (Connection, error) {
	enabled := false
	c, err := e.modifyConnection(ctx, id, func(c *Connection, exists bool) (bool, error) {
		switch {
		case !exists:
			return false, errfmt.Errorf("lifecycle: enable %q: %w", id, ErrNotFound)
		case c.State == ConnectionRemoved:
			return false, errfmt.Errorf("lifecycle: enable %q: %w", id, ErrConnectionRemoved)
		case c.State == ConnectionEnabled:
			return false, nil
		}
		e.setState(c, ConnectionEnabled, reason, 0)
		enabled = true
		return true, nil
	})
	if err == nil && enabled {
		// Enabling follows a fix (credentials, configuration): what was
		// parked or given up on for it goes back in the queue.
		e.requeueAfterFix(ctx, id, "enabling")
		e.wake()
		if _, rerr := e.Reconcile(ctx, id); rerr != nil && !errors.Is(rerr, ErrCannotList) {
			e.log.Warn("lifecycle: reconcile after enabling", "connection", id, "err", rerr)
		}
	}
	return c, err
}

// RemoveConnection removes a connection for good, as when the customer
// revokes access: the connection is marked removed first (its events are
// refused from then on), then every live interview of it is cancelled —
// the vendor's interview is cancelled and provider callbacks report
// declined, while notes and stage moves, which could only reach the ATS
// with the revoked credentials, are skipped by the dispatcher, as are ATS
// effects still queued. The audit trail (Connection.History) records when,
// why and how many interviews were cancelled; interviews, positions and
// effects stay in the store for the record.
func (e *Engine) RemoveConnection(ctx context.Context, id, reason string) (Connection, error) {
	if reason == "" {
		reason = "removed"
	}
	_, err := e.modifyConnection(ctx, id, func(c *Connection, exists bool) (bool, error) {
		if !exists {
			*c = Connection{ID: id, CreatedAt: e.now()}
		}
		if c.State == ConnectionRemoved {
			return false, nil
		}
		e.setState(c, ConnectionRemoved, reason, 0)
		return true, nil
	})
	if err != nil {
		return Connection{}, err
	}
	// Interview by interview, so a large connection is not one huge
	// transaction and a crash leaves the rest to a repeated call.
	live, err := e.store.Interviews(ctx, InterviewFilter{Connection: id, States: []State{StateRequested, StateNeedsInfo, StateInvited, StateScheduled}})
	if err != nil {
		return Connection{}, err
	}
	cancelled := 0
	for _, iv := range live {
		done := false
		_, err := e.update(ctx, iv.ID, nil, func(ch *change, pos *Position, iv *Interview) error {
			if !iv.State.Live() {
				return errNoop
			}
			done = true
			return e.cancel(ch, pos, iv, "the integration was removed: "+reason)
		})
		if err != nil {
			return Connection{}, err
		}
		if done {
			cancelled++
		}
	}
	e.log.Info("lifecycle: connection removed", "connection", id, "cancelled", cancelled)
	return e.modifyConnection(ctx, id, func(c *Connection, _ bool) (bool, error) {
		if cancelled == 0 {
			return false, nil
		}
		if n := len(c.History); n > 0 {
			c.History[n-1].Cancelled += cancelled
		}
		return true, nil
	})
}

func (e *Engine) setState(c *Connection, st ConnectionState, reason string, cancelled int) {
	now := e.now()
	c.State, c.UpdatedAt = st, now
	c.History = append(c.History, ConnectionChange{At: now, State: st, Reason: reason, Cancelled: cancelled})
	id := c.ID
	e.log.Info("lifecycle: connection state", "connection", id, "state", st, "reason", reason)
}

func (e *Engine) modifyConnection(ctx context.Context, id string, fn func(c *Connection, exists bool) (bool, error)) (Connection, error) {
	for attempt := 0; ; attempt++ {
		c, err := e.store.Connection(ctx, id)
		exists := err == nil
		if err != nil && !errors.Is(err, ErrNotFound) {
			return Connection{}, err
		}
		changed, err := fn(&c, exists)
		if err != nil || !changed {
			return c, err
		}
		saved, err := e.store.SaveConnection(ctx, c)
		if err == nil {
			return saved, nil
		}
		if !errors.Is(err, ErrVersionConflict) || attempt >= e.opts.MaxConflictRetries {
			return Connection{}, errfmt.Errorf("lifecycle: save connection %q: %w", id, err)
		}
	}
}
