-- The inbox: verified webhook events accepted by Engine.AcceptEvents and
-- processed afterwards by dispatchers, leased like the outbox. event_key is
-- the event's ID, or the inbox ID for an event without one, so a
-- redelivery is accepted once.
CREATE TABLE atskit_inbox (
    seq             BIGSERIAL PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    connection      TEXT NOT NULL,
    source          TEXT NOT NULL,
    event_key       TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    order_key       TEXT NOT NULL,
    event           TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_by      TEXT NOT NULL DEFAULT '',
    lease_until     BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    accepted_at     BIGINT NOT NULL,
    done_at         BIGINT NOT NULL DEFAULT 0,
    UNIQUE (connection, source, event_key)
);
CREATE INDEX atskit_inbox_queue ON atskit_inbox (order_key, seq) WHERE state = 'pending';
CREATE INDEX atskit_inbox_pending ON atskit_inbox (seq) WHERE state = 'pending';
CREATE INDEX atskit_inbox_done ON atskit_inbox (done_at) WHERE state = 'processed';
-- Retention (Engine.Prune) deletes old delivered effects and processed
-- event records.
CREATE INDEX atskit_effects_done ON atskit_effects (done_at) WHERE state = 'done';
CREATE INDEX atskit_events_processed ON atskit_events (processed_at);
