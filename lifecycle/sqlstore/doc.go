// Package sqlstore is a durable lifecycle.Store over database/sql for
// SQLite (modernc.org/sqlite, pure Go: the embedded default) and PostgreSQL
// (github.com/jackc/pgx/v5/stdlib), with embedded migrations applied on
// open.
//
//	store, err := sqlstore.Open(ctx, "sqlite", "/var/lib/vendor/atskit.db")
//	store, err := sqlstore.Open(ctx, "pgx", "postgres://user@db/atskit")
//	store, err := sqlstore.New(ctx, db, sqlstore.Postgres) // a *sql.DB you manage
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
// Provider-contract idempotency: Store implements provider.IdempotencyStore
// in table atskit_provider_idempotency (per tenant and contract, request
// fields stored as a SHA-256 digest, claims with leases, expired rows
// pruned); give it to every replica's provider handlers as
// IdempotencyStore and a create or send_test retried to another replica
// gets the same id.
package sqlstore
