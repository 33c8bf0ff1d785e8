-- Connections: every key includes the customer's ATS account. Rows written
-- before connections existed belong to the default connection named after
-- their source ("workable", "lever"); vendor updates to none.
ALTER TABLE atskit_positions ADD COLUMN connection TEXT NOT NULL DEFAULT '';
UPDATE atskit_positions SET connection = source;
CREATE INDEX atskit_positions_connection ON atskit_positions (connection, id);
ALTER TABLE atskit_interviews ADD COLUMN connection TEXT NOT NULL DEFAULT '';
UPDATE atskit_interviews SET connection = source;
ALTER TABLE atskit_interviews DROP CONSTRAINT atskit_interviews_source_candidate_id_position_id_round_key;
ALTER TABLE atskit_interviews ADD CONSTRAINT atskit_interviews_key UNIQUE (connection, candidate_id, position_id, round);
CREATE INDEX atskit_interviews_connection ON atskit_interviews (connection, state);
ALTER TABLE atskit_events ADD COLUMN connection TEXT NOT NULL DEFAULT '';
UPDATE atskit_events SET connection = CASE WHEN source = 'vendor' THEN ''
    WHEN source LIKE '%/provider' THEN substr(source, 1, length(source) - 9)
    ELSE source END;
ALTER TABLE atskit_events DROP CONSTRAINT atskit_events_pkey;
ALTER TABLE atskit_events ADD PRIMARY KEY (connection, source, id);
ALTER TABLE atskit_effects ADD COLUMN connection TEXT NOT NULL DEFAULT '';
UPDATE atskit_effects SET connection = source;
CREATE TABLE atskit_connections (
    id      TEXT PRIMARY KEY,
    kind    TEXT NOT NULL,
    state   TEXT NOT NULL,
    version BIGINT NOT NULL,
    data    TEXT NOT NULL
);
