CREATE TABLE atskit_positions (
    id      TEXT PRIMARY KEY,
    source  TEXT NOT NULL,
    status  TEXT NOT NULL,
    version BIGINT NOT NULL,
    data    TEXT NOT NULL
);
CREATE TABLE atskit_interviews (
    id           TEXT PRIMARY KEY,
    source       TEXT NOT NULL,
    candidate_id TEXT NOT NULL,
    position_id  TEXT NOT NULL,
    round        INTEGER NOT NULL,
    state        TEXT NOT NULL,
    expires_at   BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL,
    data         TEXT NOT NULL,
    UNIQUE (source, candidate_id, position_id, round)
);
CREATE INDEX atskit_interviews_expiry ON atskit_interviews (state, expires_at);
CREATE INDEX atskit_interviews_position ON atskit_interviews (position_id);
CREATE TABLE atskit_events (
    source       TEXT NOT NULL,
    id           TEXT NOT NULL,
    processed_at BIGINT NOT NULL,
    PRIMARY KEY (source, id)
);
CREATE TABLE atskit_effects (
    seq             BIGSERIAL PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    interview_id    TEXT NOT NULL,
    order_key       TEXT NOT NULL,
    source          TEXT NOT NULL,
    candidate_id    TEXT NOT NULL,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    unacked         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_by      TEXT NOT NULL DEFAULT '',
    lease_until     BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    done_at         BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX atskit_effects_queue ON atskit_effects (order_key, seq) WHERE state = 'pending';
CREATE INDEX atskit_effects_pending ON atskit_effects (seq) WHERE state = 'pending';
CREATE INDEX atskit_effects_interview ON atskit_effects (interview_id);
