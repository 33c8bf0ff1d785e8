-- Connections: every key includes the customer's ATS account. Rows written
-- before connections existed belong to the default connection named after
-- their source ("workable", "lever"); vendor updates to none.
ALTER TABLE atskit_positions ADD COLUMN connection TEXT NOT NULL DEFAULT '';
UPDATE atskit_positions SET connection = source;
CREATE INDEX atskit_positions_connection ON atskit_positions (connection, id);
CREATE TABLE atskit_interviews_v2 (
    id           TEXT PRIMARY KEY,
    connection   TEXT NOT NULL,
    source       TEXT NOT NULL,
    candidate_id TEXT NOT NULL,
    position_id  TEXT NOT NULL,
    round        INTEGER NOT NULL,
    state        TEXT NOT NULL,
    expires_at   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    data         TEXT NOT NULL,
    UNIQUE (connection, candidate_id, position_id, round)
);
INSERT INTO atskit_interviews_v2 (id, connection, source, candidate_id, position_id, round, state, expires_at, created_at, version, data)
    SELECT id, source, source, candidate_id, position_id, round, state, expires_at, created_at, version, data FROM atskit_interviews;
DROP TABLE atskit_interviews;
ALTER TABLE atskit_interviews_v2 RENAME TO atskit_interviews;
CREATE INDEX atskit_interviews_expiry ON atskit_interviews (state, expires_at);
CREATE INDEX atskit_interviews_position ON atskit_interviews (position_id);
CREATE INDEX atskit_interviews_connection ON atskit_interviews (connection, state);
CREATE TABLE atskit_events_v2 (
    connection   TEXT NOT NULL,
    source       TEXT NOT NULL,
    id           TEXT NOT NULL,
    processed_at INTEGER NOT NULL,
    PRIMARY KEY (connection, source, id)
);
INSERT INTO atskit_events_v2 (connection, source, id, processed_at)
    SELECT CASE WHEN source = 'vendor' THEN ''
                WHEN source LIKE '%/provider' THEN substr(source, 1, length(source) - 9)
                ELSE source END,
           source, id, processed_at FROM atskit_events;
DROP TABLE atskit_events;
ALTER TABLE atskit_events_v2 RENAME TO atskit_events;
ALTER TABLE atskit_effects ADD COLUMN connection TEXT NOT NULL DEFAULT '';
UPDATE atskit_effects SET connection = source;
CREATE TABLE atskit_connections (
    id      TEXT PRIMARY KEY,
    kind    TEXT NOT NULL,
    state   TEXT NOT NULL,
    version INTEGER NOT NULL,
    data    TEXT NOT NULL
);
