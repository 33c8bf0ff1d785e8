// Package sqlstore is a durable lifecycle.Store over database/sql for
// SQLite and PostgreSQL, with embedded migrations applied on open.
//
// Package sqlstore links no SQL driver. Import the one you use, and only
// that one is built into your program:
//
//	import "github.com/atskit/atskit/lifecycle/sqlstore/sqlite"   // modernc.org/sqlite, pure Go
//	store, err := sqlite.Open(ctx, "/var/lib/vendor/atskit.db")
//
//	import "github.com/atskit/atskit/lifecycle/sqlstore/postgres" // github.com/jackc/pgx/v5
//	store, err := postgres.Open(ctx, "postgres://user@db/atskit")
//
//	store, err := sqlstore.New(ctx, db, sqlstore.Postgres) // a *sql.DB you manage
//
// Both return a *sqlstore.Store. Importing a driver package registers its
// database/sql driver, so sqlstore.Open(ctx, "sqlite", dsn) and
// sqlstore.Open(ctx, "pgx", dsn) keep working; without the import they
// return an error naming it.
//
// Interviews and positions are stored as JSON documents next to the columns
// that are queried; the unique key (source, candidate, position, round), the
// processed-events table and version checks make concurrent engines safe.
// The outbox is claimed with leases; on PostgreSQL with FOR UPDATE SKIP
// LOCKED so several replicas dispatch in parallel without blocking.
//
// SQLite stores opened with Open use WAL, a busy timeout, immediate
// transactions and a single connection, so one process never sees
// SQLITE_BUSY; several processes on one SQLite file are supported but
// serialised.
//
// Durability: SQLite stores opened with Open use synchronous=FULL, so a
// commit is on disk before it returns and a webhook the host acknowledged
// with 200 survives a power loss (an ATS does not redeliver what it saw
// acknowledged). It costs one fsync per commit; a host that prefers
// throughput can put "_pragma=synchronous(NORMAL)" in the DSN and accept
// losing the last transactions on power loss (not on a process crash).
//
// Webhook replay: Store implements ats.ReplayGuard in table
// atskit_webhook_deliveries (per connection, keys stored as SHA-256
// digests, expired rows pruned), so replicas share one memory of accepted
// deliveries.
//
// Inbox and retention: Store implements lifecycle.Inbox in table
// atskit_inbox (claimed like the outbox, with FOR UPDATE SKIP LOCKED on
// PostgreSQL; a redelivered event ID is accepted once) and
// lifecycle.Pruner, which deletes old delivered effects, processed events
// and inbox events, and expired webhook deliveries, in batches.
//
// Provider-contract idempotency: Store implements provider.IdempotencyStore
// in table atskit_provider_idempotency (per tenant and contract, request
// fields stored as a SHA-256 digest, claims with leases, expired rows
// pruned); give it to every replica's provider handlers as
// IdempotencyStore and a create or send_test retried to another replica
// gets the same id.
package sqlstore
