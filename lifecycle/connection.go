package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/atskit/atskit/ats"
)

// A connection is one customer's account on one ATS: the Workable account
// "acme.workable.com" with the token that customer pasted, or the Lever
// account that granted OAuth access. The host chooses its ID (any stable
// string, e.g. the primary key of the customer's integration row) and every
// piece of state the engine keeps — positions, interviews, outbox effects,
// processed events — is keyed by it, so two customers can use the same job
// and candidate IDs without ever seeing each other's data.
//
// An event or request that names no connection belongs to the connection
// whose ID is its Source ("workable", "lever"): a host with one account per
// ATS can ignore connections altogether, and stores created before
// connections existed migrate their rows to these default connections.

// ConnectionState is the state of a connection.
type ConnectionState string

// Connection states.
const (
	// ConnectionEnabled: events start interviews, effects are delivered.
	ConnectionEnabled ConnectionState = "enabled"
	// ConnectionDisabled: the customer switched the integration off (the
	// toggle in the vendor's integration settings). Events start no new
	// interviews; effects already queued wait, without being attempted,
	// until the connection is enabled again.
	ConnectionDisabled ConnectionState = "disabled"
	// ConnectionRemoved: the customer revoked access (Lever's "Revoke
	// access") or deleted the integration. Its live interviews were
	// cancelled on the vendor's side; ATS effects still queued are dropped
	// (the credentials no longer work), vendor and callback effects are
	// delivered. A removed connection cannot be enabled again: connect a
	// new one.
	ConnectionRemoved ConnectionState = "removed"
)

// ErrConnectionRemoved is returned for events and calls on a removed
// connection.
var ErrConnectionRemoved = errors.New("lifecycle: connection removed")

// ErrConnectionDisabled is returned by calls that would start new work on a
// disabled connection (Retrigger, ProviderInterview).
var ErrConnectionDisabled = errors.New("lifecycle: connection disabled")

// ErrSetupFailed is returned by Engine.Connect when the adapter's
// CheckSetup reports a failed check; errors.As to *SetupError reads the
// report.
var ErrSetupFailed = errors.New("lifecycle: connection setup check failed")

// Connection is one customer's account on one ATS, as the engine records
// it. The credentials are not part of it: the host keeps them and hands the
// engine an adapter on demand (Connector).
type Connection struct {
	// ID is chosen by the host and never changes.
	ID string `json:"id"`
	// Kind is the ATS, the adapter's Source: "workable", "lever".
	Kind  string          `json:"kind"`
	State ConnectionState `json:"state"`
	// History is the audit trail of state changes, oldest first.
	History []ConnectionChange `json:"history,omitempty"`

	// Version increases with every stored change (optimistic concurrency).
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ConnectionChange is one entry of a connection's audit trail.
type ConnectionChange struct {
	At    time.Time       `json:"at"`
	State ConnectionState `json:"state"`
	// Reason is the host's explanation, e.g. "customer disabled the
	// integration" or "access revoked in Lever".
	Reason string `json:"reason,omitempty"`
	// Cancelled counts the live interviews cancelled by this change
	// (removal).
	Cancelled int `json:"cancelled,omitempty"`
}

// Clone returns a deep copy of c.
func (c Connection) Clone() Connection {
	c.History = slices.Clone(c.History)
	return c
}

// ConnectionFilter selects connections. Empty fields do not filter.
type ConnectionFilter struct {
	Kind  string
	State ConnectionState
}

// Match reports whether c passes the filter. Stores may use it.
func (f ConnectionFilter) Match(c Connection) bool {
	return (f.Kind == "" || c.Kind == f.Kind) && (f.State == "" || c.State == f.State)
}

// connectionOf returns the connection an event or request belongs to: the
// named one, or the default connection named after the source.
func connectionOf(connection, source string) string {
	if connection != "" {
		return connection
	}
	return source
}

// Connector gives the engine the adapter for a connection. The host
// implements it over its own credential storage: credentials change at any
// time (a token rotated, OAuth access granted again) and the engine asks
// for the adapter on every use — it never keeps one beyond the operation at
// hand — so a change takes effect without a restart. Implementations
// usually cache clients and rebuild one when its credentials changed.
//
// Adapter returns an error wrapping ErrUnknownConnection for a connection
// the host does not know.
type Connector interface {
	Adapter(ctx context.Context, connection string) (ats.Adapter, error)
}

// ConnectorFunc adapts a function to Connector.
type ConnectorFunc func(ctx context.Context, connection string) (ats.Adapter, error)

// Adapter implements Connector.
func (f ConnectorFunc) Adapter(ctx context.Context, connection string) (ats.Adapter, error) {
	return f(ctx, connection)
}

// ErrUnknownConnection is returned (wrapped) for a connection the
// Connector has no adapter for.
var ErrUnknownConnection = errors.New("lifecycle: unknown connection")

// MemoryConnector is an in-memory Connector: a map from connection ID to
// adapter that the host updates when credentials change. It is safe for
// concurrent use. The zero value is ready to use.
type MemoryConnector struct {
	mu       sync.RWMutex
	adapters map[string]ats.Adapter
	notify   []func(connection string)
}

// NewMemoryConnector returns a MemoryConnector holding adapters, a map
// from connection ID to adapter (nil for none); the map is copied.
func NewMemoryConnector(adapters map[string]ats.Adapter) *MemoryConnector {
	m := &MemoryConnector{adapters: make(map[string]ats.Adapter, len(adapters))}
	maps.Copy(m.adapters, adapters)
	return m
}

// Connections returns the IDs of the connections that have an adapter,
// sorted. The engine's periodic reconcile covers them even when they are
// not stored.
func (m *MemoryConnector) Connections() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Sorted(maps.Keys(m.adapters))
}

var (
	_ Connector         = (*MemoryConnector)(nil)
	_ ConnectorNotifier = (*MemoryConnector)(nil)
)

// ConnectorNotifier is implemented by a Connector that reports credential
// changes: NewEngine registers a function that requeues the connection's
// parked effects (EffectParked), so effects refused with the old
// credentials are delivered with the new ones without an operator. A host
// whose Connector does not implement it calls Engine.RequeueConnection
// after storing new credentials.
type ConnectorNotifier interface {
	// Notify registers fn, to be called with a connection's ID after its
	// credentials changed.
	Notify(fn func(connection string))
}

// Set installs (or replaces, e.g. after a token rotation) the adapter of a
// connection.
// Functions registered with Notify are called after a replacement.
func (m *MemoryConnector) Set(connection string, a ats.Adapter) {
	m.mu.Lock()
	if m.adapters == nil {
		m.adapters = map[string]ats.Adapter{}
	}
	_, replaced := m.adapters[connection]
	m.adapters[connection] = a
	fns := slices.Clone(m.notify)
	m.mu.Unlock()
	if replaced {
		for _, fn := range fns {
			fn(connection)
		}
	}
}

// Notify implements ConnectorNotifier.
func (m *MemoryConnector) Notify(fn func(connection string)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.notify = append(m.notify, fn)
}

// Delete forgets a connection's adapter.
func (m *MemoryConnector) Delete(connection string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.adapters, connection)
}

// Adapter implements Connector.
func (m *MemoryConnector) Adapter(_ context.Context, connection string) (ats.Adapter, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	a, ok := m.adapters[connection]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownConnection, connection)
	}
	return a, nil
}
